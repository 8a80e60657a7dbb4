package accesstoken

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestCacheRefreshesAheadAndOnDrop(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	fetches := 0
	c := New(func(context.Context) (string, time.Duration, error) {
		fetches++
		return fmt.Sprint("t", fetches), 2 * time.Hour, nil
	}, 5*time.Minute, 4, func() time.Time { return now })
	get := func() string {
		t.Helper()
		tok, err := c.Get(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	if tok := get(); tok != "t1" {
		t.Fatalf("first Get = %q", tok)
	}
	now = now.Add(2*time.Hour - 5*time.Minute - time.Second)
	if tok := get(); tok != "t1" {
		t.Errorf("Get before the refresh point = %q, want the cached t1", tok)
	}
	now = now.Add(time.Second)
	if tok := get(); tok != "t2" {
		t.Errorf("Get at the refresh point = %q, want a new t2", tok)
	}
	c.Drop("t1") // no longer cached: no effect
	if tok := get(); tok != "t2" {
		t.Errorf("Get after dropping a stale token = %q, want t2", tok)
	}
	c.Drop("t2")
	if tok := get(); tok != "t3" {
		t.Errorf("Get after Drop = %q, want t3", tok)
	}
}

func TestCacheShortLifeAndErrors(t *testing.T) {
	now := time.Unix(0, 0)
	fail := errors.New("down")
	var err error
	c := New(func(context.Context) (string, time.Duration, error) { return "t", 4 * time.Minute, err },
		5*time.Minute, 4, func() time.Time { return now })
	if _, e := c.Get(context.Background()); e != nil {
		t.Fatal(e)
	}
	now = now.Add(3 * time.Minute) // a quarter of 4 minutes before expiry
	err = fail
	if _, e := c.Get(context.Background()); !errors.Is(e, fail) {
		t.Errorf("Get = %v, want the fetch error once a short-lived token is due", e)
	}
}
