// Package guard protects Concierge's HTTP entry points: it names the client
// of a request behind trusted reverse proxies, rate-limits by key with token
// buckets of bounded memory, bounds how much work is admitted at once, keeps
// a panic to its request (Recover) and sets the headers with which a
// response defends itself in a browser (BrowserHeaders). The web API, the
// widget, the console and the webhooks of the chat channels all use it, so
// a limit means the same everywhere.
package guard

import (
	"context"
	"hash/maphash"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LimiterOptions configures a Limiter.
type LimiterOptions struct {
	// Rate is how many tokens a key's bucket regains per second; negative
	// means unlimited, zero means a bucket never refills.
	Rate float64
	// Burst is a bucket's size (at least 1).
	Burst int
	// MaxKeys bounds the keys tracked. Default 100,000 (a few MB).
	MaxKeys int
	// FailClosed, when the set is full and nothing can be forgotten, refuses
	// new keys instead of forgetting arbitrary ones. Use it where forgetting
	// a bucket would help an attacker (sign-in failures); the default is
	// lenient, for limits that protect capacity.
	FailClosed bool
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Limiter is a set of token buckets keyed by string, with bounded memory. A
// key absent from the set has a full bucket, so forgetting a bucket that has
// refilled changes nothing. It is safe for concurrent use.
type Limiter struct {
	opts   LimiterOptions
	rate   float64
	burst  float64
	seed   maphash.Seed
	shards [16]shard
	max    int // per shard
}

type shard struct {
	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a Limiter.
func NewLimiter(opts LimiterOptions) *Limiter {
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 100_000
	}
	if opts.Burst < 1 {
		opts.Burst = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	l := &Limiter{opts: opts, rate: opts.Rate, burst: float64(opts.Burst), seed: maphash.MakeSeed(),
		max: max(opts.MaxKeys/16, 1)}
	for i := range l.shards {
		l.shards[i].buckets = map[string]bucket{}
	}
	return l
}

// Every returns the Rate of one token per d.
func Every(d time.Duration) float64 { return 1 / d.Seconds() }

func (l *Limiter) shard(key string) *shard {
	return &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
}

// Allow takes a token from key's bucket. When none is left it returns false
// and how long until there will be one.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	sh := l.shard(key)
	now := l.opts.Now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := l.refilled(sh, key, now)
	if !ok {
		if len(sh.buckets) >= l.max && !l.evict(sh, now) {
			return false, time.Minute
		}
		b = bucket{tokens: l.burst, last: now}
	}
	if b.tokens < 1 {
		sh.buckets[key] = b
		return false, l.untilOne(b.tokens)
	}
	b.tokens--
	sh.buckets[key] = b
	return true, 0
}

// Wait reports, without taking a token, whether key's bucket is empty and
// for how long it stays so.
func (l *Limiter) Wait(key string) (empty bool, wait time.Duration) {
	if l.rate < 0 {
		return false, 0
	}
	tokens, ok := l.tokens(key)
	if !ok || tokens >= 1 {
		return false, 0
	}
	return true, l.untilOne(tokens)
}

// Used returns how many tokens key has taken and not yet regained: with a
// large Burst, a count of recent events that decays by Rate per second.
func (l *Limiter) Used(key string) int {
	if l.rate < 0 {
		return 0
	}
	tokens, ok := l.tokens(key)
	if !ok {
		return 0
	}
	return int(l.burst - tokens)
}

// tokens returns how many tokens key's bucket holds now, refilled but
// untouched; ok is false when key has no bucket.
func (l *Limiter) tokens(key string) (tokens float64, ok bool) {
	sh := l.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := l.refilled(sh, key, l.opts.Now())
	return b.tokens, ok
}

// refilled returns key's bucket in sh with the tokens it has regained by
// now; ok is false when key has no bucket. sh must be locked.
func (l *Limiter) refilled(sh *shard, key string, now time.Time) (b bucket, ok bool) {
	b, ok = sh.buckets[key]
	if dt := now.Sub(b.last).Seconds(); ok && dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	return b, ok
}

// untilOne returns how long a bucket holding tokens (fewer than one) takes
// to refill to one.
func (l *Limiter) untilOne(tokens float64) time.Duration {
	if l.rate == 0 {
		return time.Hour
	}
	return time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// Reset forgets key's bucket (a successful sign-in clears its failures).
func (l *Limiter) Reset(key string) {
	sh := l.shard(key)
	sh.mu.Lock()
	delete(sh.buckets, key)
	sh.mu.Unlock()
}

// evict makes room in a full shard: first every bucket that has refilled
// (it is the same as an absent one), then, unless the limiter fails closed,
// arbitrary ones down to 90% of the capacity. It reports whether there is
// room now.
func (l *Limiter) evict(sh *shard, now time.Time) bool {
	if l.rate > 0 {
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		for k, b := range sh.buckets {
			if now.Sub(b.last) >= full {
				delete(sh.buckets, k)
			}
		}
	}
	if l.opts.FailClosed {
		return len(sh.buckets) < l.max
	}
	for k := range sh.buckets {
		if len(sh.buckets) < l.max*9/10 {
			break
		}
		delete(sh.buckets, k)
	}
	return true
}

// Len returns the number of keys tracked.
func (l *Limiter) Len() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].buckets)
		l.shards[i].mu.Unlock()
	}
	return n
}

// Admission bounds the work handled at once. It is safe for concurrent use.
type Admission struct {
	slots chan struct{} // nil: unbounded
	wait  time.Duration
}

// NewAdmission admits n at once (n ≤ 0: unbounded); a request waits up to
// wait for a free slot.
func NewAdmission(n int, wait time.Duration) *Admission {
	a := &Admission{wait: wait}
	if n > 0 {
		a.slots = make(chan struct{}, n)
	}
	return a
}

// Enter takes a slot, waiting up to the admission's wait; ok is false when
// none came free (or ctx ended). The caller must call release when ok.
func (a *Admission) Enter(ctx context.Context) (release func(), ok bool) {
	if a.slots == nil {
		return func() {}, true
	}
	select {
	case a.slots <- struct{}{}:
		return a.release, true
	default:
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return a.release, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

func (a *Admission) release() { <-a.slots }

// Clients names the client of a request. The zero value trusts no proxy:
// the TCP peer is the client.
type Clients struct {
	// Trusted are the networks of reverse proxies whose X-Forwarded-For
	// header is believed.
	Trusted []netip.Prefix
}

// maxHops bounds the X-Forwarded-For entries read.
const maxHops = 32

// Addr returns the client address of r: the TCP peer, or, when the peer is
// a trusted proxy, the right-most address of X-Forwarded-For that is not
// itself a trusted proxy (the peer again when a hop is malformed). It is
// invalid only when RemoteAddr is not an address.
func (c Clients) Addr(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !c.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	if len(hops) > maxHops {
		hops = hops[len(hops)-maxHops:]
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		if a = a.Unmap(); !c.trusted(a) {
			return a
		}
	}
	return peer
}

// Key returns the rate-limit key of r's client: its IPv4 address, or its
// IPv6 /64 network (one subscriber).
func (c Clients) Key(r *http.Request) string {
	a := c.Addr(r)
	switch {
	case !a.IsValid():
		return r.RemoteAddr
	case a.Is6():
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func (c Clients) trusted(a netip.Addr) bool {
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// Recover serves next and hands a panic in it to failed (which logs it and
// answers 500), so that one bad request cannot stop the server. A panic with
// http.ErrAbortHandler, the deliberate abort of a response, is passed on to
// net/http, which expects it.
func Recover(next http.Handler, failed func(w http.ResponseWriter, r *http.Request, v any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				failed(w, r, v)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
