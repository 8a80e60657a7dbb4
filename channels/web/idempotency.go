package web

import (
	"container/list"
	"context"
	"sync"
	"time"
)

const (
	// idempotencyTTL is how long a widget message's outcome is remembered
	// for replays of the same client message id.
	idempotencyTTL = 24 * time.Hour
	// idempotencyMaxBytes bounds the remembered outcomes; the oldest go first.
	idempotencyMaxBytes = 16 << 20
)

// idempotency remembers the outcome of each (visitor, client message id), so
// that a widget that lost its connection can post the same message again
// and get the first answer instead of storing the message twice. A second
// request that arrives while the first is still being handled waits for it.
// Memory is bounded by bytes and time; outcomes live as long as the process.
type idempotency struct {
	ttl      time.Duration
	maxBytes int
	now      func() time.Time

	mu    sync.Mutex
	m     map[string]*list.Element // of *outcome
	order *list.List               // oldest first
	bytes int
}

// outcome is the answer to one client message. done is closed once status
// and body are set.
type outcome struct {
	key    string
	done   chan struct{}
	status int
	body   []byte
	at     time.Time
}

func newIdempotency(ttl time.Duration, maxBytes int, now func() time.Time) *idempotency {
	return &idempotency{ttl: ttl, maxBytes: maxBytes, now: now, m: map[string]*list.Element{}, order: list.New()}
}

// lookup returns the outcome recorded for key, finished or in progress, or
// nil.
func (c *idempotency) lookup(key string) *outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	if e, ok := c.m[key]; ok {
		return e.Value.(*outcome)
	}
	return nil
}

// begin returns the outcome for key. If owner is true the caller must handle
// the request and call finish or abandon; otherwise it should wait for the
// returned outcome.
func (c *idempotency) begin(key string) (o *outcome, owner bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	if e, ok := c.m[key]; ok {
		return e.Value.(*outcome), false
	}
	o = &outcome{key: key, done: make(chan struct{}), at: c.now()}
	c.m[key] = c.order.PushBack(o)
	c.bytes += len(key) + 64
	return o, true
}

// finish records the answer of an outcome begun by the caller.
func (c *idempotency) finish(o *outcome, status int, body []byte) {
	c.mu.Lock()
	o.status, o.body = status, body
	if _, ok := c.m[o.key]; ok {
		c.bytes += len(body)
	}
	for c.bytes > c.maxBytes && c.order.Len() > 1 {
		c.remove(c.order.Front())
	}
	c.mu.Unlock()
	close(o.done)
}

// abandon forgets an outcome begun by the caller (the request failed in a
// way that a retry should redo), waking any waiter with a 503.
func (c *idempotency) abandon(o *outcome, status int, body []byte) {
	c.mu.Lock()
	if e, ok := c.m[o.key]; ok && e.Value == o {
		c.remove(e)
	}
	o.status, o.body = status, body
	c.mu.Unlock()
	close(o.done)
}

// wait waits for o to finish.
func (o *outcome) wait(ctx context.Context) bool {
	select {
	case <-o.done:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *idempotency) remove(e *list.Element) {
	o := c.order.Remove(e).(*outcome)
	delete(c.m, o.key)
	c.bytes -= len(o.key) + 64 + len(o.body)
}

// expire drops outcomes older than the TTL. Caller holds mu.
func (c *idempotency) expire() {
	cutoff := c.now().Add(-c.ttl)
	for e := c.order.Front(); e != nil; e = c.order.Front() {
		o := e.Value.(*outcome)
		if o.at.After(cutoff) {
			return
		}
		select {
		case <-o.done:
			c.remove(e)
		default:
			return // still in progress: keep it and everything after it
		}
	}
}

// len returns the number of remembered outcomes.
func (c *idempotency) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// hub wakes the widget long-polls of a visitor when the server stores a
// message for it. Polls also re-read the store on a timer, for messages
// written by other processes.
type hub struct {
	max int

	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
	n       int
	closed  chan struct{}
	isDone  bool
}

func newHub(max int) *hub {
	return &hub{max: max, waiters: map[string]map[chan struct{}]struct{}{}, closed: make(chan struct{})}
}

// subscribe registers a waiter for visitor. It returns ok false when the hub
// is full or closed. The caller must call cancel.
func (h *hub) subscribe(visitor string) (ch chan struct{}, cancel func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.isDone || h.n >= h.max {
		return nil, nil, false
	}
	ch = make(chan struct{}, 1)
	set := h.waiters[visitor]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		h.waiters[visitor] = set
	}
	set[ch] = struct{}{}
	h.n++
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := set[ch]; ok {
			delete(set, ch)
			h.n--
			if len(set) == 0 {
				delete(h.waiters, visitor)
			}
		}
	}, true
}

// notify wakes every waiter of visitor.
func (h *hub) notify(visitor string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.waiters[visitor] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// notifyAll wakes every waiter.
func (h *hub) notifyAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.waiters {
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// done is closed when the hub is closed.
func (h *hub) done() <-chan struct{} { return h.closed }

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.isDone {
		h.isDone = true
		close(h.closed)
	}
}

// keyedMutex serializes work per key (per visitor), holding memory only for
// keys in use.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	ch   chan struct{} // a one-slot semaphore
	refs int
}

func newKeyedMutex() *keyedMutex { return &keyedMutex{locks: map[string]*keyedLock{}} }

// lock waits for key's lock; it returns an unlock function, or false when
// ctx ended first.
func (k *keyedMutex) lock(ctx context.Context, key string) (func(), bool) {
	k.mu.Lock()
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{ch: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	release := func() {
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, true
	case <-ctx.Done():
		release()
		return nil, false
	}
}
