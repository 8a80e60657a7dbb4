package dingtalk

import (
	"context"
	"sync"
	"time"
)

// Dedup remembers the platform ids of the messages and events the adapter
// took, so that a platform retry (same event_id, same msgId) is
// answered once. The default is an in-process memory (NewMemoryDedup); a
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

// NewMemoryDedup returns a Dedup that remembers at most size keys for ttl,
// in this process only.
func NewMemoryDedup(ttl time.Duration, size int, now func() time.Time) Dedup {
	if now == nil {
		now = time.Now
	}
	return memoryDedup{newTTLCache[struct{}](ttl, size, now)}
}

type memoryDedup struct{ c *ttlCache[struct{}] }

func (m memoryDedup) Claim(_ context.Context, key string) (bool, error) {
	return m.c.Add(key, struct{}{}), nil
}

func (m memoryDedup) Release(_ context.Context, key string) { m.c.Delete(key) }

// ttlCache is a bounded map whose entries expire a fixed time after they
// were set; when full, the oldest entry is evicted. Entries are kept in
// insertion order, which is expiry order because every entry lives for the
// same ttl. It is safe for concurrent use.
type ttlCache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	items map[string]ttlEntry[V]
	order []ttlKey
	head  int
	seq   uint64
}

type ttlEntry[V any] struct {
	val V
	exp time.Time
	seq uint64
}

type ttlKey struct {
	key string
	seq uint64
}

func newTTLCache[V any](ttl time.Duration, max int, now func() time.Time) *ttlCache[V] {
	if max <= 0 {
		max = 1
	}
	return &ttlCache[V]{ttl: ttl, max: max, now: now, items: make(map[string]ttlEntry[V])}
}

// Add stores key unless a live entry for it exists, and reports whether it
// stored it.
func (c *ttlCache[V]) Add(key string, val V) bool {
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
func (c *ttlCache[V]) Set(key string, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(key, val, c.now())
}

// Get returns the live value of key.
func (c *ttlCache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || !c.now().Before(e.exp) {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Delete removes key.
func (c *ttlCache[V]) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
}

func (c *ttlCache[V]) setLocked(key string, val V, now time.Time) {
	for c.head < len(c.order) { // drop expired and stale keys at the front
		k := c.order[c.head]
		if e, ok := c.items[k.key]; ok && e.seq == k.seq && now.Before(e.exp) {
			break
		}
		c.popLocked()
	}
	for len(c.items) >= c.max && c.head < len(c.order) {
		c.popLocked()
	}
	c.seq++
	c.items[key] = ttlEntry[V]{val: val, exp: now.Add(c.ttl), seq: c.seq}
	c.order = append(c.order, ttlKey{key: key, seq: c.seq})
}

func (c *ttlCache[V]) popLocked() {
	k := c.order[c.head]
	c.order[c.head] = ttlKey{}
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
