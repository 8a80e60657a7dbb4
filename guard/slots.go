package guard

import "sync"

// Slots bounds how many long-running things (downloads, streams) run at
// once: at most PerKey for any one key and at most Total in all. Unlike a
// Limiter it counts what is running now, not what started recently, so a
// slot is held until it is released. It never waits: a caller that finds
// no free slot is refused at once, which is what an HTTP handler wants
// (429 with Retry-After) rather than a queue of held connections. It is
// safe for concurrent use; its memory is bounded by the slots in use.
type Slots struct {
	perKey, total int

	mu   sync.Mutex
	used map[string]int
	n    int
}

// NewSlots returns Slots allowing perKey at once per key and total at once
// in all; a bound ≤ 0 means that bound is not applied.
func NewSlots(perKey, total int) *Slots {
	return &Slots{perKey: perKey, total: total, used: map[string]int{}}
}

// Take takes a slot for key. ok is false, and nothing is taken, when key
// holds PerKey slots already or Total slots are in use; full then says
// which bound was met: "key" or "total". Otherwise the caller must call
// release exactly once when done; later calls do nothing.
func (s *Slots) Take(key string) (release func(), full string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.perKey > 0 && s.used[key] >= s.perKey:
		return nil, "key", false
	case s.total > 0 && s.n >= s.total:
		return nil, "total", false
	}
	s.used[key]++
	s.n++
	var once sync.Once
	return func() { once.Do(func() { s.release(key) }) }, "", true
}

func (s *Slots) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if s.used[key]--; s.used[key] <= 0 {
		delete(s.used, key)
	}
}

// InUse returns the slots in use: by key when key is not empty, else in all.
func (s *Slots) InUse(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if key != "" {
		return s.used[key]
	}
	return s.n
}
