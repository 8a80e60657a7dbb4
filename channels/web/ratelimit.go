package web

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// Limits are the server's rate limits: token buckets that refill at Rate
// tokens per second up to Burst. A negative Rate disables that limit; zero
// fields take the defaults given.
type Limits struct {
	// IPRate and IPBurst limit widget API requests per client IP (IPv6 per
	// /64). Default 10/s, burst 60: generous for an office behind one NAT.
	IPRate  float64
	IPBurst int
	// VisitorRate and VisitorBurst limit messages posted per widget visitor.
	// Default 1/s, burst 10.
	VisitorRate  float64
	VisitorBurst int
	// APIKeyRate and APIKeyBurst limit REST API requests per API key.
	// Default 5000/s, burst 5000: well above the 1,000 messages/s one server
	// sustains, so only a runaway client is throttled.
	APIKeyRate  float64
	APIKeyBurst int
	// MaxTracked bounds the IPs and visitors tracked by each limiter; when
	// full, idle entries are dropped first. Default 100,000 (a few MB).
	MaxTracked int
	// MaxWaiters bounds the widget long-polls waiting at once; more answer
	// 503. Default 10,000.
	MaxWaiters int
	// MaxInFlight bounds the messages being handled at once (REST and
	// widget together). A message that finds no free slot within QueueWait
	// is refused with 503 and Retry-After before anything is stored, so an
	// overloaded server answers quickly instead of timing out half-way.
	// Default 256; a negative value means no bound.
	MaxInFlight int
	// QueueWait is how long a message waits for a free slot. Default 2s.
	QueueWait time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(rate *float64, burst *int, r float64, b int) {
		if *rate == 0 {
			*rate = r
		}
		if *burst <= 0 {
			*burst = b
		}
	}
	def(&l.IPRate, &l.IPBurst, 10, 60)
	def(&l.VisitorRate, &l.VisitorBurst, 1, 10)
	def(&l.APIKeyRate, &l.APIKeyBurst, 5000, 5000)
	if l.MaxTracked <= 0 {
		l.MaxTracked = 100_000
	}
	if l.MaxWaiters <= 0 {
		l.MaxWaiters = 10_000
	}
	if l.MaxInFlight == 0 {
		l.MaxInFlight = 256
	}
	if l.QueueWait <= 0 {
		l.QueueWait = 2 * time.Second
	}
	return l
}

// limiter is a set of token buckets keyed by string, with bounded memory.
// A key absent from the set has a full bucket, so forgetting an idle key
// changes nothing; when the set is full and nothing is idle, arbitrary keys
// are forgotten, which can only be lenient.
type limiter struct {
	rate   float64 // tokens per second; < 0 means unlimited
	burst  float64
	now    func() time.Time
	seed   maphash.Seed
	shards [16]limiterShard
	max    int // per shard
}

type limiterShard struct {
	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst, maxKeys int, now func() time.Time) *limiter {
	l := &limiter{rate: rate, burst: float64(burst), now: now, seed: maphash.MakeSeed(), max: max(maxKeys/16, 1)}
	for i := range l.shards {
		l.shards[i].buckets = map[string]bucket{}
	}
	return l
}

// allow takes a token for key. When none is left it returns false and how
// long until one will be.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.rate < 0 {
		return true, 0
	}
	sh := &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
	now := l.now()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	b, ok := sh.buckets[key]
	if !ok {
		if len(sh.buckets) >= l.max {
			l.evict(sh, now)
		}
		b = bucket{tokens: l.burst, last: now}
	} else if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		sh.buckets[key] = b
		if l.rate == 0 {
			return false, time.Hour
		}
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	sh.buckets[key] = b
	return true, 0
}

// evict makes room in a full shard: first every bucket that has refilled
// (it is the same as an absent one), then, if that is not enough, arbitrary
// ones down to 90% of the capacity.
func (l *limiter) evict(sh *limiterShard, now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range sh.buckets {
		if now.Sub(b.last) >= full {
			delete(sh.buckets, k)
		}
	}
	for k := range sh.buckets {
		if len(sh.buckets) < l.max*9/10 {
			break
		}
		delete(sh.buckets, k)
	}
}

// size returns the number of tracked keys.
func (l *limiter) size() int {
	n := 0
	for i := range l.shards {
		l.shards[i].mu.Lock()
		n += len(l.shards[i].buckets)
		l.shards[i].mu.Unlock()
	}
	return n
}

// admission bounds the messages handled at once.
type admission struct {
	slots chan struct{} // nil: unbounded
	wait  time.Duration
}

func newAdmission(n int, wait time.Duration) *admission {
	a := &admission{wait: wait}
	if n > 0 {
		a.slots = make(chan struct{}, n)
	}
	return a
}

// enter takes a slot, waiting up to the queue wait; ok is false when none
// came free (or ctx ended). The caller must call release when ok.
func (a *admission) enter(ctx context.Context) (release func(), ok bool) {
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

func (a *admission) release() { <-a.slots }
