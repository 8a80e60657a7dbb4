package guard

import (
	"sync"
	"testing"
)

func TestSlotsPerKeyAndTotal(t *testing.T) {
	s := NewSlots(2, 3)
	a1, _, ok1 := s.Take("a")
	_, _, ok2 := s.Take("a")
	if !ok1 || !ok2 {
		t.Fatal("the first two slots of a key were refused")
	}
	if _, full, ok := s.Take("a"); ok || full != "key" {
		t.Errorf("third slot of a: ok %v, full %q; want refused by the key bound", ok, full)
	}
	b1, _, ok := s.Take("b")
	if !ok {
		t.Fatal("another key was refused below the total")
	}
	if _, full, ok := s.Take("c"); ok || full != "total" {
		t.Errorf("fourth slot in all: ok %v, full %q; want refused by the total", ok, full)
	}
	if s.InUse("") != 3 || s.InUse("a") != 2 {
		t.Errorf("in use: %d in all, %d of a; want 3 and 2", s.InUse(""), s.InUse("a"))
	}
	a1()
	a1() // a second release changes nothing
	if s.InUse("") != 2 || s.InUse("a") != 1 {
		t.Errorf("after one release (twice): %d in all, %d of a; want 2 and 1", s.InUse(""), s.InUse("a"))
	}
	if _, _, ok := s.Take("c"); !ok {
		t.Error("a released slot was not free again")
	}
	b1()
	if len(s.used) != 2 {
		t.Errorf("keys tracked %d, want 2 (a and c): a key without slots must be forgotten", len(s.used))
	}
}

func TestSlotsUnbounded(t *testing.T) {
	s := NewSlots(0, 0)
	for range 100 {
		if _, _, ok := s.Take("k"); !ok {
			t.Fatal("unbounded slots refused")
		}
	}
}

func TestSlotsConcurrent(t *testing.T) {
	s := NewSlots(3, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	maxInUse := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				release, _, ok := s.Take(string(rune('a' + i%4)))
				if !ok {
					continue
				}
				mu.Lock()
				maxInUse = max(maxInUse, s.InUse(""))
				mu.Unlock()
				release()
			}
		}()
	}
	wg.Wait()
	if maxInUse > 5 || s.InUse("") != 0 {
		t.Errorf("at most %d in use (bound 5), %d left after all released", maxInUse, s.InUse(""))
	}
}
