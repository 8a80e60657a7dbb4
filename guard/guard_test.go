package guard

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

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

func TestLimiterBucket(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterOptions{Rate: 2, Burst: 3, MaxKeys: 100, Now: clk.Now}) // 2/s, burst 3
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
		ok, wait := l.Allow(s.key)
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d (%s): got %v %v, want %v %v", i, s.key, ok, wait, s.ok, s.wait)
		}
	}
}

func TestLimiterEvery(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterOptions{Rate: Every(time.Minute), Burst: 2, Now: clk.Now})
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.Allow("a"); ok != want {
			t.Errorf("take %d = %v, want %v", i, ok, want)
		}
	}
	if _, wait := l.Allow("a"); wait != time.Minute {
		t.Errorf("wait %v, want a minute for one token a minute", wait)
	}
	clk.Add(time.Minute)
	if ok, _ := l.Allow("a"); !ok {
		t.Error("no token a minute later")
	}
}

func TestLimiterNeverRefills(t *testing.T) {
	l := NewLimiter(LimiterOptions{Rate: 0, Burst: 1})
	if ok, _ := l.Allow("k"); !ok {
		t.Fatal("first token refused")
	}
	if ok, wait := l.Allow("k"); ok || wait <= 0 {
		t.Errorf("a bucket of rate 0 refilled: %v, %v", ok, wait)
	}
}

func TestLimiterUnlimited(t *testing.T) {
	l := NewLimiter(LimiterOptions{Rate: -1, Burst: 1, MaxKeys: 10})
	for range 100 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("a negative rate must not limit")
		}
	}
	if empty, _ := l.Wait("k"); empty || l.Used("k") != 0 {
		t.Error("an unlimited limiter reports an empty bucket")
	}
	if l.Len() != 0 {
		t.Errorf("an unlimited limiter tracks %d keys", l.Len())
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	clk := newFakeClock()
	const maxKeys = 1600
	l := NewLimiter(LimiterOptions{Rate: 1, Burst: 5, MaxKeys: maxKeys, Now: clk.Now})
	for i := range 50_000 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if n := l.Len(); n > maxKeys {
		t.Errorf("tracks %d keys, limit %d", n, maxKeys)
	}
	// A key that is throttled and active is not forgotten while idle keys
	// can make room.
	for range 5 {
		l.Allow("hot")
	}
	if ok, _ := l.Allow("hot"); ok {
		t.Fatal("hot key not throttled")
	}
	clk.Add(10 * time.Second) // every other key is now idle (full)
	for range 5 {
		l.Allow("hot")
	}
	for i := range maxKeys * 5 / 8 { // fits once the idle keys are dropped
		l.Allow(fmt.Sprintf("new-%d", i))
	}
	if ok, _ := l.Allow("hot"); ok {
		t.Error("a throttled key was forgotten while idle keys could have been dropped")
	}
}

// TestLimiterFailClosed: when the set is full of keys still throttled, a
// fail-closed limiter refuses new keys rather than forget one (an attacker
// must not be able to wipe a victim's failures by making up keys); a
// lenient one forgets. Once the buckets refill, new keys are admitted.
func TestLimiterFailClosed(t *testing.T) {
	for _, failClosed := range []bool{true, false} {
		t.Run(fmt.Sprintf("FailClosed=%v", failClosed), func(t *testing.T) {
			clk := newFakeClock()
			const maxKeys = 32 // two a shard
			l := NewLimiter(LimiterOptions{Rate: Every(time.Minute), Burst: 1, MaxKeys: maxKeys, FailClosed: failClosed,
				Now: clk.Now})
			var admitted []string
			refused := 0
			for i := range 200 {
				k := fmt.Sprintf("k%d", i)
				if ok, _ := l.Allow(k); ok {
					admitted = append(admitted, k)
				} else {
					refused++
				}
			}
			if n := l.Len(); n > maxKeys {
				t.Errorf("tracks %d keys, limit %d", n, maxKeys)
			}
			forgotten := 0
			for _, k := range admitted {
				if empty, _ := l.Wait(k); !empty {
					forgotten++
				}
			}
			if failClosed {
				if refused == 0 || forgotten != 0 || len(admitted) > maxKeys {
					t.Errorf("fail-closed: %d admitted, %d refused, %d throttled keys forgotten; want some refused and none forgotten",
						len(admitted), refused, forgotten)
				}
			} else if refused != 0 || forgotten == 0 {
				t.Errorf("lenient: %d refused, %d forgotten; want every new key admitted, old ones forgotten", refused, forgotten)
			}
			clk.Add(time.Minute)
			if ok, _ := l.Allow("late"); !ok {
				t.Error("a new key is refused after every bucket refilled")
			}
		})
	}
}

func TestLimiterWaitUsedReset(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(LimiterOptions{Rate: Every(time.Minute), Burst: 3, Now: clk.Now})
	if empty, wait := l.Wait("a"); empty || wait != 0 || l.Used("a") != 0 {
		t.Errorf("unknown key: Wait = %v %v, Used = %d; want a full bucket", empty, wait, l.Used("a"))
	}
	for i := 1; i <= 3; i++ {
		l.Allow("a")
		if got := l.Used("a"); got != i {
			t.Errorf("after %d tokens Used = %d", i, got)
		}
	}
	for range 3 { // Wait takes nothing
		if empty, wait := l.Wait("a"); !empty || wait != time.Minute {
			t.Errorf("drained: Wait = %v %v, want empty for a minute", empty, wait)
		}
	}
	clk.Add(90 * time.Second) // one and a half tokens back
	if empty, _ := l.Wait("a"); empty {
		t.Error("still empty after a token came back")
	}
	if got := l.Used("a"); got != 1 {
		t.Errorf("Used = %d after 1.5 tokens came back, want 1 (whole tokens)", got)
	}
	l.Reset("a")
	if got := l.Used("a"); got != 0 || l.Len() != 0 {
		t.Errorf("after Reset: Used %d, %d keys", got, l.Len())
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(LimiterOptions{Rate: 0, Burst: 50})
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if ok, _ := l.Allow("shared"); ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if granted != 50 {
		t.Errorf("%d tokens granted from a bucket of 50", granted)
	}
}

func TestAdmission(t *testing.T) {
	a := NewAdmission(1, 20*time.Millisecond)
	release, ok := a.Enter(context.Background())
	if !ok {
		t.Fatal("the first request was not admitted")
	}
	if _, ok := a.Enter(context.Background()); ok {
		t.Fatal("a second request was admitted while the only slot is taken")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := a.Enter(ctx); ok {
		t.Error("a cancelled request was admitted")
	}
	release()
	if r, ok := a.Enter(context.Background()); !ok {
		t.Error("the freed slot was not given out")
	} else {
		r()
	}
	// A request waiting for a slot gets it when one comes free.
	patient := NewAdmission(1, time.Minute)
	release, _ = patient.Enter(context.Background())
	got := make(chan bool)
	go func() {
		r, ok := patient.Enter(context.Background())
		if ok {
			r()
		}
		got <- ok
	}()
	release()
	if !<-got {
		t.Error("a waiting request was not admitted when the slot came free")
	}
	unbounded := NewAdmission(0, 0)
	for range 100 {
		if _, ok := unbounded.Enter(context.Background()); !ok {
			t.Fatal("an unbounded admission refused")
		}
	}
}

func TestClients(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		addr, key         string
	}{
		{"direct", "203.0.113.5:1234", "", nil, "203.0.113.5", "203.0.113.5"},
		{"untrusted peer's header ignored", "203.0.113.5:1234", "1.2.3.4", proxy, "203.0.113.5", "203.0.113.5"},
		{"no proxy trusted", "10.1.2.3:4000", "198.51.100.1", nil, "10.1.2.3", "10.1.2.3"},
		{"trusted proxy", "10.0.0.2:80", "198.51.100.7", proxy, "198.51.100.7", "198.51.100.7"},
		{"right-most untrusted hop", "10.1.2.3:4000", "1.2.3.4, 198.51.100.1, 10.9.9.9", proxy, "198.51.100.1", "198.51.100.1"},
		{"malformed hop", "10.0.0.2:80", "garbage", proxy, "10.0.0.2", "10.0.0.2"},
		{"only proxies", "10.0.0.2:80", "10.0.0.9", proxy, "10.0.0.2", "10.0.0.2"},
		{"mapped v4", "[::ffff:203.0.113.5]:1", "", nil, "203.0.113.5", "203.0.113.5"},
		{"mapped v4 hop", "10.0.0.2:80", "::ffff:198.51.100.7", proxy, "198.51.100.7", "198.51.100.7"},
		{"ipv6 keyed by /64", "[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"no port", "203.0.113.5", "", nil, "203.0.113.5", "203.0.113.5"},
		{"garbage peer", "garbage", "", nil, "invalid IP", "garbage"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		c := Clients{Trusted: tt.trusted}
		if got := c.Addr(r).String(); got != tt.addr {
			t.Errorf("%s: Addr = %q, want %q", tt.name, got, tt.addr)
		}
		if got := c.Key(r); got != tt.key {
			t.Errorf("%s: Key = %q, want %q", tt.name, got, tt.key)
		}
	}
	// Several X-Forwarded-For headers are one list, read from the right.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:80"
	r.Header.Add("X-Forwarded-For", "1.1.1.1")
	r.Header.Add("X-Forwarded-For", "198.51.100.9, 10.0.0.3")
	if got := (Clients{Trusted: proxy}).Addr(r).String(); got != "198.51.100.9" {
		t.Errorf("two headers: Addr = %q, want 198.51.100.9", got)
	}
}

func FuzzClients(f *testing.F) {
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2")
	f.Add("[::1]:80", "")
	f.Add("10.0.0.2:80", "::1,,,")
	f.Add("10.0.0.2:80", "[::1]:80")
	c := Clients{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		if k := c.Key(r); k == "" && remote != "" {
			t.Fatalf("empty key for %q %q", remote, xff)
		}
		peer := peerAddr(remote)
		if a := c.Addr(r); a != peer && (!a.IsValid() || c.trusted(a)) {
			t.Fatalf("Addr(%q, %q) = %v: not the peer, and invalid or a trusted proxy", remote, xff, a)
		}
	})
}
