package llm

import (
	"sync"
	"time"
)

// breaker is a consecutive-failure circuit breaker. Closed, it lets every
// call through; after threshold failures in a row it opens and fails calls
// at once; after coolDown it half-opens and lets one probe through, whose
// success closes it and whose failure opens it again.
type breaker struct {
	threshold int
	coolDown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	failures int
	openedAt time.Time
	open     bool
	probing  bool
}

// allow reports whether a call may go ahead now. A true result in the
// half-open state reserves the single probe; the caller must report its
// outcome with done.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if b.probing || b.now().Sub(b.openedAt) < b.coolDown {
		return false
	}
	b.probing = true
	return true
}

// done records a call's outcome and reports whether the breaker is open
// afterwards.
func (b *breaker) done(ok bool) (open bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	if ok {
		b.failures, b.open = 0, false
		return false
	}
	b.failures++
	if b.open || b.failures >= b.threshold {
		b.open, b.openedAt = true, b.now()
	}
	return b.open
}

// isOpen reports the state for metrics and checks.
func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

// budget is a per-day token allowance. The day is the calendar day of now()
// in its own location.
type budget struct {
	limit int // <= 0: unlimited
	now   func() time.Time

	mu   sync.Mutex
	day  string
	used int
}

func (b *budget) rollover() {
	if d := b.now().Format(time.DateOnly); d != b.day {
		b.day, b.used = d, 0
	}
}

// available reports whether any tokens are left today.
func (b *budget) available() bool {
	if b.limit <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return b.used < b.limit
}

// spend records tokens used and returns what is left today (-1 when
// unlimited).
func (b *budget) spend(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	b.used += n
	if b.limit <= 0 {
		return -1
	}
	return max(b.limit-b.used, 0)
}
