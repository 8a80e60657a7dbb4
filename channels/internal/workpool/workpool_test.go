package workpool

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newPool(queue int, drain time.Duration) *Pool {
	return New(Options{Name: "test", Noun: "jobs", Workers: 2, QueueSize: queue, JobTimeout: time.Second,
		DrainTimeout: drain, Logger: slog.New(slog.DiscardHandler)})
}

func TestRunDrainsQueuedJobs(t *testing.T) {
	p := newPool(8, 5*time.Second)
	var ran atomic.Int32
	for range 5 {
		if !p.Enqueue("job", func(context.Context) { ran.Add(1) }) {
			t.Fatal("Enqueue refused a job with room in the queue")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Run(ctx, func(ctx context.Context) error { <-ctx.Done(); return nil }); err != nil {
		t.Fatal(err)
	}
	if n := ran.Load(); n != 5 {
		t.Errorf("ran %d jobs, want 5", n)
	}
	if !p.Stopped() || p.Enqueue("late", func(context.Context) {}) {
		t.Error("Enqueue took a job after Run returned")
	}
}

func TestEnqueueRefusesWhenFull(t *testing.T) {
	p := newPool(1, time.Second)
	if !p.Enqueue("a", func(context.Context) {}) {
		t.Fatal("first Enqueue refused")
	}
	if p.Enqueue("b", func(context.Context) {}) {
		t.Fatal("Enqueue took a job beyond QueueSize")
	}
	if p.Queued() != 1 {
		t.Errorf("Queued() = %d, want 1", p.Queued())
	}
}

func TestRunCancelsJobsAfterDrainTimeout(t *testing.T) {
	p := newPool(4, 20*time.Millisecond)
	cancelled := make(chan struct{})
	p.Enqueue("slow", func(ctx context.Context) { <-ctx.Done(); close(cancelled) })
	ctx, cancel := context.WithCancel(context.Background())
	serveErr := errors.New("gone")
	go cancel()
	err := p.Run(ctx, func(ctx context.Context) error { <-ctx.Done(); return serveErr })
	if !errors.Is(err, serveErr) {
		t.Errorf("Run = %v, want serve's error", err)
	}
	select {
	case <-cancelled:
	default:
		t.Error("the job's context was not cancelled at the drain deadline")
	}
}

func TestRunTwiceAndPanics(t *testing.T) {
	p := newPool(4, time.Second)
	p.Enqueue("boom", func(context.Context) { panic("boom") })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Run(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(ctx, func(context.Context) error { return nil }); err == nil {
		t.Error("second Run did not fail")
	}
}

func TestGoIsDrained(t *testing.T) {
	p := newPool(1, 5*time.Second)
	var done atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	err := p.Run(ctx, func(ctx context.Context) error {
		p.Go(func(jobCtx context.Context) { time.Sleep(10 * time.Millisecond); done.Store(jobCtx.Err() == nil) })
		cancel()
		return nil
	})
	if err != nil || !done.Load() {
		t.Errorf("Run returned (%v) before Go's goroutine finished with a live context", err)
	}
}

// TestEnqueueForKeepsEachKeysOrder runs many jobs of three keys on four
// workers, each job sleeping a varying while: every key's jobs must run in
// the order enqueued and never two at once, while different keys overlap.
func TestEnqueueForKeepsEachKeysOrder(t *testing.T) {
	p := New(Options{Name: "test", Noun: "jobs", Workers: 4, QueueSize: 100, JobTimeout: time.Second,
		DrainTimeout: 10 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	keys := []string{"chat-a", "chat-b", "chat-c"}
	var mu sync.Mutex
	order := map[string][]int{}
	var running [3]atomic.Int32
	var overlapSameKey, overlapKeys atomic.Bool
	var active atomic.Int32
	for i := range 60 {
		k := i % 3
		if !p.EnqueueFor("message", keys[k], func(context.Context) {
			if running[k].Add(1) > 1 {
				overlapSameKey.Store(true)
			}
			if active.Add(1) > 1 {
				overlapKeys.Store(true)
			}
			time.Sleep(time.Duration(1+(i*7)%3) * time.Millisecond)
			mu.Lock()
			order[keys[k]] = append(order[keys[k]], i)
			mu.Unlock()
			active.Add(-1)
			running[k].Add(-1)
		}) {
			t.Fatalf("EnqueueFor refused job %d with room in the queue", i)
		}
	}
	if q := p.Queued(); q != 60 {
		t.Errorf("Queued() = %d, want 60 (queued and waiting behind their key)", q)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Run(ctx, func(ctx context.Context) error { <-ctx.Done(); return nil }); err != nil {
		t.Fatal(err)
	}
	for k, key := range keys {
		got := order[key]
		if len(got) != 20 {
			t.Fatalf("%s ran %d jobs, want 20", key, len(got))
		}
		for n, i := range got {
			if i != k+3*n {
				t.Fatalf("%s ran its jobs in the order %v, want the order enqueued", key, got)
			}
		}
	}
	if overlapSameKey.Load() {
		t.Error("two jobs of one key ran at once")
	}
	if !overlapKeys.Load() {
		t.Error("jobs of different keys never ran at once: keys should not serialise each other")
	}
}

// TestEnqueueForCountsWaitingJobs checks that jobs waiting behind their key
// count against QueueSize.
func TestEnqueueForCountsWaitingJobs(t *testing.T) {
	p := newPool(2, time.Second)
	if !p.EnqueueFor("m", "chat", func(context.Context) {}) || !p.EnqueueFor("m", "chat", func(context.Context) {}) {
		t.Fatal("EnqueueFor refused a job with room in the queue")
	}
	if p.EnqueueFor("m", "chat", func(context.Context) {}) || p.Enqueue("other", func(context.Context) {}) {
		t.Error("a job beyond QueueSize was taken")
	}
	if p.Queued() != 2 {
		t.Errorf("Queued() = %d, want 2", p.Queued())
	}
}
