package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func TestSessionTokens(t *testing.T) {
	clk := newFakeClock()
	s, err := newSessions([]byte(strings.Repeat("k", 32)), time.Hour, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newSessions([]byte(strings.Repeat("x", 32)), time.Hour, clk.Now)
	if _, err := newSessions([]byte("short"), time.Hour, clk.Now); err == nil {
		t.Error("a short secret was accepted")
	}
	va, _ := newVisitor()
	vb, _ := newVisitor()
	ta, _, err := s.issue(va)
	if err != nil {
		t.Fatal(err)
	}
	tb, _, _ := s.issue(vb)
	if v, _, err := s.verify(ta); err != nil || v != va {
		t.Fatalf("verify(own token) = %q, %v", v, err)
	}
	foreign, _, _ := other.issue(va)
	pa := strings.Split(ta, ".")
	pb := strings.Split(tb, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"empty":              "",
		"garbage":            "hello",
		"visitor id":         va,
		"other secret":       foreign,
		"swapped payload":    pa[0] + "." + pb[1] + "." + pa[2],
		"swapped mac":        pa[0] + "." + pa[1] + "." + pb[2],
		"flipped payload":    pa[0] + "." + flip(pa[1], 3) + "." + pa[2],
		"flipped mac":        pa[0] + "." + pa[1] + "." + flip(pa[2], 5),
		"truncated mac":      ta[:len(ta)-2],
		"no mac":             pa[0] + "." + pa[1],
		"empty mac":          pa[0] + "." + pa[1] + ".",
		"version v0":         "v0." + pa[1] + "." + pa[2],
		"extra part":         ta + ".x",
		"padded base64":      pa[0] + "." + pa[1] + "=." + pa[2],
		"mac of other token": pa[0] + "." + pa[1] + "." + pb[2],
		"too long":           ta + strings.Repeat("A", 200),
	}
	for name, tok := range bad {
		if v, _, err := s.verify(tok); err == nil {
			t.Errorf("%s: token %q accepted as %q", name, tok, v)
		}
	}
	clk.Add(time.Hour)
	if _, _, err := s.verify(ta); err != errExpiredToken {
		t.Errorf("expired token: err = %v, want errExpiredToken", err)
	}
}

func TestIdempotency(t *testing.T) {
	clk := newFakeClock()
	c := newIdempotency(time.Hour, 1000, clk.Now)
	o, owner := c.begin("k1")
	if !owner {
		t.Fatal("first begin is not the owner")
	}
	o2, owner2 := c.begin("k1")
	if owner2 || o2 != o {
		t.Fatal("second begin of an in-progress key must wait for the first")
	}
	go c.finish(o, 200, []byte("answer"))
	if !o2.wait(context.Background()) || string(o2.body) != "answer" || o2.status != 200 {
		t.Fatalf("waiter got %d %q", o2.status, o2.body)
	}
	if c.lookup("k1") == nil {
		t.Fatal("finished outcome forgotten")
	}
	// Abandoned outcomes are forgotten so that a retry runs again.
	o3, _ := c.begin("k2")
	c.abandon(o3, 503, []byte("busy"))
	if c.lookup("k2") != nil {
		t.Error("abandoned outcome remembered")
	}
	// Bounded by bytes: the oldest go first.
	for i := range 20 {
		o, _ := c.begin(fmt.Sprintf("key-%02d", i))
		c.finish(o, 200, make([]byte, 100))
	}
	if c.lookup("k1") != nil || c.lookup("key-19") == nil || c.len() > 10 {
		t.Errorf("after overflow: %d remembered, k1 kept %v", c.len(), c.lookup("k1") != nil)
	}
	// And by time.
	clk.Add(2 * time.Hour)
	if c.lookup("key-19") != nil {
		t.Error("expired outcome remembered")
	}
}

func TestNormalizeOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Shop.Example.com", "https://shop.example.com"},
		{"https://shop.example.com/", "https://shop.example.com"},
		{"https://shop.example.com:443", "https://shop.example.com"},
		{"http://localhost:3000", "http://localhost:3000"},
		{"*", ""},
		{"shop.example.com", ""},
		{"https://shop.example.com/path", ""},
		{"ftp://shop.example.com", ""},
	}
	for _, tt := range tests {
		got, err := normalizeOrigin(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("normalizeOrigin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzVerifyToken(f *testing.F) {
	// Deterministic, so that every fuzz worker process issues the same token.
	now := func() time.Time { return time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) }
	s, _ := newSessions([]byte(strings.Repeat("k", 32)), time.Hour, now)
	tok, _, _ := s.issue(visitorPrefix + b64.EncodeToString(make([]byte, visitorBytes)))
	f.Add(tok)
	f.Add("v1..")
	f.Add("v1.AAAA.BBBB")
	f.Fuzz(func(t *testing.T, token string) {
		got, _, err := s.verify(token)
		if err == nil && token != tok {
			// Only a token this secret issued verifies; the only one issued
			// here is tok (base64 is parsed strictly, so no aliases).
			t.Fatalf("forged token %q accepted as %q", token, got)
		}
	})
}
