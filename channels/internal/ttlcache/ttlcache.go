// Package ttlcache holds the small bounded, expiring map every chat
// adapter keeps in memory: platform event and message ids already taken
// (so a platform's retry is answered once), request signatures seen
// (against replays), and short-lived per-conversation state such as the
// choices of the last reply.
package ttlcache

import (
	"context"
	"sync"
	"time"
)

// Cache is a bounded map whose entries expire a fixed time after they were
// set. When full, the oldest entry is evicted. It is safe for concurrent use.
//
// Entries are kept in insertion order, which is also expiry order because
// every entry lives for the same ttl; expired entries are dropped from the
// front as new ones arrive, so memory stays bounded by max entries.
type Cache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	items map[string]entry[V]
	order []orderKey // insertion order; order[head:] are live or stale keys
	head  int
	seq   uint64 // increases with every set, to tell a key's entries apart
}

type entry[V any] struct {
	val V
	exp time.Time
	seq uint64
}

type orderKey struct {
	key string
	seq uint64
}

// New returns an empty cache whose entries live for ttl, holding at most
// max entries (at least one); now is the clock (time.Now when nil).
func New[V any](ttl time.Duration, max int, now func() time.Time) *Cache[V] {
	if max <= 0 {
		max = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{ttl: ttl, max: max, now: now, items: make(map[string]entry[V])}
}

// Add stores key with val unless a live entry for key exists. It reports
// whether it stored the entry: Add is the atomic "claim" of a key.
func (c *Cache[V]) Add(key string, val V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, ok := c.items[key]; ok && now.Before(e.exp) {
		return false
	}
	c.setLocked(key, val, now)
	return true
}

// Set stores key with val, replacing any entry.
func (c *Cache[V]) Set(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(key, val, c.now())
}

// Get returns the live value of key.
func (c *Cache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || !c.now().Before(e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Delete removes key, so that a later Add of it succeeds.
func (c *Cache[V]) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
}

// Len returns the number of entries held, live or not yet collected.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache[V]) setLocked(key string, val V, now time.Time) {
	c.collectLocked(now)
	for len(c.items) >= c.max && c.head < len(c.order) {
		c.popLocked()
	}
	c.seq++
	c.items[key] = entry[V]{val: val, exp: now.Add(c.ttl), seq: c.seq}
	c.order = append(c.order, orderKey{key: key, seq: c.seq})
}

// collectLocked drops expired entries and stale order keys from the front.
func (c *Cache[V]) collectLocked(now time.Time) {
	for c.head < len(c.order) {
		k := c.order[c.head]
		e, ok := c.items[k.key]
		if ok && e.seq == k.seq && now.Before(e.exp) {
			break
		}
		c.popLocked()
	}
}

// popLocked removes the front of the order queue and, if it is the current
// entry for its key, the entry itself.
func (c *Cache[V]) popLocked() {
	k := c.order[c.head]
	c.order[c.head] = orderKey{}
	c.head++
	if e, ok := c.items[k.key]; ok && e.seq == k.seq {
		delete(c.items, k.key)
	}
	if c.head > 1024 && c.head*2 > len(c.order) {
		n := copy(c.order, c.order[c.head:])
		clear(c.order[n:])
		c.order = c.order[:n]
		c.head = 0
	}
}

// Dedup remembers the platform ids of the messages and events an adapter
// took, so that a platform retry (same event id, same message id) is
// answered once. The default is an in-process memory (Claims); a
// store-backed implementation with a unique key on (channel, provider id)
// makes it hold across replicas and restarts.
type Dedup interface {
	// Claim records key and reports true, or reports false when key was
	// claimed before (and not released). It must be atomic: of two
	// concurrent claims of one key, one wins.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets key, so that a later Claim of it wins again: the
	// adapter calls it when it could not take a message after all (queue
	// full), so that the platform's retry is not mistaken for a duplicate.
	Release(ctx context.Context, key string)
}

// Claims is an in-memory record of claimed keys (platform message and
// event ids), for an adapter's default de-duplication: Claim wins once per
// key until the key expires or is released. It remembers at most size keys
// for ttl, in this process only; replicas need one backed by the store.
type Claims struct{ c *Cache[struct{}] }

// NewClaims returns an empty Claims.
func NewClaims(ttl time.Duration, size int, now func() time.Time) Claims {
	return Claims{New[struct{}](ttl, size, now)}
}

// Claim records key and reports true, or false when it was claimed before
// and is still remembered. Of two concurrent claims of one key, one wins.
func (m Claims) Claim(_ context.Context, key string) (bool, error) {
	return m.c.Add(key, struct{}{}), nil
}

// Release forgets key, so that a later Claim of it wins again.
func (m Claims) Release(_ context.Context, key string) { m.c.Delete(key) }
