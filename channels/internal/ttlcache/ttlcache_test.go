package ttlcache

import (
	"context"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := New[int](time.Minute, 3, func() time.Time { return now })
	if !c.Add("a", 1) || c.Add("a", 2) {
		t.Fatal("Add must claim a key once")
	}
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	c.Delete("a")
	if !c.Add("a", 3) {
		t.Fatal("Add after Delete must succeed")
	}
	c.Add("b", 0)
	c.Add("c", 0)
	c.Add("d", 0) // over the bound: the oldest ("a") goes
	if _, ok := c.Get("a"); ok || c.Len() != 3 {
		t.Fatalf("bound not kept: len %d", c.Len())
	}
	now = now.Add(time.Minute)
	if _, ok := c.Get("b"); ok {
		t.Fatal("entry outlived its ttl")
	}
	if !c.Add("b", 1) {
		t.Fatal("expired key must be claimable")
	}
	if c.Len() != 1 {
		t.Fatalf("expired entries not collected: len %d", c.Len())
	}
	// Many keys through a small cache: memory stays bounded.
	for i := range 100_000 {
		c.Set(string(rune(i)), i)
	}
	if c.Len() > 3 || len(c.order)-c.head > 3+1 || cap(c.order) > 4096 {
		t.Fatalf("unbounded: len %d, order %d (cap %d)", c.Len(), len(c.order)-c.head, cap(c.order))
	}
}

func TestClaims(t *testing.T) {
	ctx := context.Background()
	c := NewClaims(time.Minute, 10, nil)
	if ok, _ := c.Claim(ctx, "m1"); !ok {
		t.Fatal("first claim lost")
	}
	if ok, _ := c.Claim(ctx, "m1"); ok {
		t.Fatal("second claim of one key won")
	}
	c.Release(ctx, "m1")
	if ok, _ := c.Claim(ctx, "m1"); !ok {
		t.Fatal("claim after release lost")
	}
}
