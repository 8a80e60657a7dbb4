package wecom

import (
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire a fixed time after they were
// set. When full, the oldest entry is evicted. It is safe for concurrent use.
//
// Entries are kept in insertion order, which is also expiry order because
// every entry lives for the same ttl; expired entries are dropped from the
// front as new ones arrive, so memory stays bounded by max entries.
type ttlCache[V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	items map[string]ttlEntry[V]
	order []ttlKey // insertion order; order[head:] are live or stale keys
	head  int
	seq   uint64 // increases with every set, to tell a key's entries apart
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
	return &ttlCache[V]{ttl: ttl, max: max, now: now, items: make(map[string]ttlEntry[V])}
}

// Add stores key with val unless a live entry for key exists. It reports
// whether it stored the entry: Add is the atomic "claim" of a key.
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

// Delete removes key, so that a later Add of it succeeds.
func (c *ttlCache[V]) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
}

// Len returns the number of entries held, live or not yet collected.
func (c *ttlCache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *ttlCache[V]) setLocked(key string, val V, now time.Time) {
	c.collectLocked(now)
	for len(c.items) >= c.max && c.head < len(c.order) {
		c.popLocked()
	}
	c.seq++
	c.items[key] = ttlEntry[V]{val: val, exp: now.Add(c.ttl), seq: c.seq}
	c.order = append(c.order, ttlKey{key: key, seq: c.seq})
}

// collectLocked drops expired entries and stale order keys from the front.
func (c *ttlCache[V]) collectLocked(now time.Time) {
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
