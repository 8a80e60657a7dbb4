package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/guard"
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

// testLimiter runs the limiter tests written for this package's own limiter
// against guard.Limiter, which replaced it.
type testLimiter struct{ *guard.Limiter }

func newLimiter(rate float64, burst, maxKeys int, now func() time.Time) testLimiter {
	return testLimiter{guard.NewLimiter(guard.LimiterOptions{Rate: rate, Burst: burst, MaxKeys: maxKeys, Now: now})}
}

func (l testLimiter) allow(key string) (bool, time.Duration) { return l.Allow(key) }
func (l testLimiter) size() int                              { return l.Len() }

// clientIP is the rate-limit key of a request's client, as the server
// computes it from its options.
func (s *Server) clientIP(r *http.Request) string {
	return guard.Clients{Trusted: s.opts.TrustedProxies}.Key(r)
}

func TestLimiterBucket(t *testing.T) {
	clk := newFakeClock()
	l := newLimiter(2, 3, 100, clk.Now) // 2/s, burst 3
	steps := []struct {
		advance time.Duration
		key     string
		ok      bool
		wait    time.Duration
	}{
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{0, "b", true, 0}, // keys are independent
		{250 * time.Millisecond, "a", false, 250 * time.Millisecond},
		{250 * time.Millisecond, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
		{10 * time.Second, "a", true, 0}, // refilled to the burst, not beyond
		{0, "a", true, 0},
		{0, "a", true, 0},
		{0, "a", false, 500 * time.Millisecond},
	}
	for i, s := range steps {
		clk.Add(s.advance)
		ok, wait := l.allow(s.key)
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d (%s): got %v %v, want %v %v", i, s.key, ok, wait, s.ok, s.wait)
		}
	}
}

func TestLimiterUnlimited(t *testing.T) {
	l := newLimiter(-1, 1, 10, time.Now)
	for range 100 {
		if ok, _ := l.allow("k"); !ok {
			t.Fatal("a negative rate must not limit")
		}
	}
	if l.size() != 0 {
		t.Errorf("an unlimited limiter tracks %d keys", l.size())
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	clk := newFakeClock()
	const maxKeys = 1600
	l := newLimiter(1, 5, maxKeys, clk.Now)
	for i := range 50_000 {
		l.allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if n := l.size(); n > maxKeys {
		t.Errorf("tracks %d keys, limit %d", n, maxKeys)
	}
	// A key that is throttled and active is not forgotten while idle keys
	// can make room.
	for range 5 {
		l.allow("hot")
	}
	if ok, _ := l.allow("hot"); ok {
		t.Fatal("hot key not throttled")
	}
	clk.Add(10 * time.Second) // every other key is now idle (full)
	for range 5 {
		l.allow("hot")
	}
	for i := range maxKeys * 5 / 8 { // fits once the idle keys are dropped
		l.allow(fmt.Sprintf("new-%d", i))
	}
	if ok, _ := l.allow("hot"); ok {
		t.Error("a throttled key was forgotten while idle keys could have been dropped")
	}
}

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

func TestClientIP(t *testing.T) {
	s := &Server{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	tests := []struct {
		remote, xff, want string
	}{
		{"203.0.113.7:4000", "", "203.0.113.7"},
		{"203.0.113.7:4000", "198.51.100.1", "203.0.113.7"}, // untrusted peer: header ignored
		{"10.1.2.3:4000", "198.51.100.1", "198.51.100.1"},
		{"10.1.2.3:4000", "1.2.3.4, 198.51.100.1, 10.9.9.9", "198.51.100.1"}, // right-most untrusted
		{"10.1.2.3:4000", "not-an-ip", "10.1.2.3"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.1]:443", "", "192.0.2.1"},
		{"garbage", "", "garbage"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := s.clientIP(r); got != tt.want {
			t.Errorf("clientIP(%s, %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
		}
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

func FuzzClientIP(f *testing.F) {
	s := &Server{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2")
	f.Add("[::1]:80", "")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		if ip := s.clientIP(r); ip == "" && remote != "" {
			t.Fatalf("empty key for %q %q", remote, xff)
		}
	})
}
