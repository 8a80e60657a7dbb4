package console

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter is a set of token buckets, one per key, bounded in number: when
// full, idle full buckets are dropped, and if none is idle the new key is
// refused (fail closed, so a flood of keys cannot reset anyone's bucket).
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	max     int
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(per time.Duration, burst, max int, now func() time.Time) *limiter {
	return &limiter{rate: 1 / per.Seconds(), burst: float64(burst), max: max, now: now, buckets: map[string]*bucket{}}
}

// take takes one token from key's bucket. When there is none it returns
// false and how long until there is.
func (l *limiter) take(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max && !l.evict(now) {
			return false, time.Minute
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// reset forgets key's bucket (a successful login clears its failures).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// evict drops the buckets that have refilled completely; it reports whether
// any room was made.
func (l *limiter) evict(now time.Time) bool {
	n := len(l.buckets)
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	return len(l.buckets) < n
}

// clientIP returns the client address of r: the TCP peer, or, when the peer
// is a trusted proxy, the right-most address of X-Forwarded-For that is not
// itself a trusted proxy.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	return forwardedFor(r.Header.Values("X-Forwarded-For"), trusted, peer).String()
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

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right, skipping trusted
// proxies, and returns the first other address; peer when there is none or
// a hop is malformed.
func forwardedFor(values []string, trusted []netip.Prefix, peer netip.Addr) netip.Addr {
	hops := strings.Split(strings.Join(values, ","), ",")
	if len(hops) > 32 {
		hops = hops[len(hops)-32:]
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return peer
}
