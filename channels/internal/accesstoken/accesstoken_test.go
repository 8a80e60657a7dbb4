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

func TestDoRetriesOnceWithANewToken(t *testing.T) {
	fetches := 0
	c := New(func(context.Context) (string, time.Duration, error) {
		fetches++
		return fmt.Sprint("t", fetches), time.Hour, nil
	}, time.Minute, 4, nil)
	errRefused := errors.New("token refused")
	refused := func(err error) bool { return errors.Is(err, errRefused) }
	var used []string
	err := c.Do(context.Background(), func(tok string) error {
		used = append(used, tok)
		if tok == "t1" {
			return errRefused
		}
		return nil
	}, refused)
	if err != nil || fmt.Sprint(used) != "[t1 t2]" {
		t.Errorf("Do after a refused token: err %v, tokens %v; want nil, [t1 t2]", err, used)
	}
	used = nil
	err = c.Do(context.Background(), func(tok string) error {
		used = append(used, tok)
		return errRefused
	}, refused)
	if !errors.Is(err, errRefused) || fmt.Sprint(used) != "[t2 t3]" {
		t.Errorf("Do refused twice: err %v, tokens %v; want errRefused after [t2 t3]", err, used)
	}
	other := errors.New("other")
	used = nil
	if err := c.Do(context.Background(), func(tok string) error { used = append(used, tok); return other }, refused); err != other || len(used) != 1 {
		t.Errorf("Do with another error: err %v, tokens %v; want other after one call", err, used)
	}
}
