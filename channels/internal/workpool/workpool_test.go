package workpool

import (
	"context"
	"errors"
	"log/slog"
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
