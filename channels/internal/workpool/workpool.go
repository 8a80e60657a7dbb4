// Package workpool holds the bounded queue and the workers with which every
// chat adapter answers what it accepted. A platform request is acknowledged
// at once and its job queued without blocking (a full queue is the
// adapter's cue to answer 503, so that the platform retries); a fixed
// number of workers run the jobs, each under a deadline and with a panic
// contained to its job. When the adapter stops, intake ends first and the
// queue is then drained for a bounded time.
package workpool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configures a Pool. Every field is required: the adapters apply
// their own documented defaults before they build one.
type Options struct {
	Name         string        // the adapter's name, first in log lines and errors: "slack"
	Noun         string        // what the jobs answer, for the drain warning: "messages"
	Workers      int           // goroutines running jobs
	QueueSize    int           // jobs accepted but not yet started
	JobTimeout   time.Duration // deadline of one job
	DrainTimeout time.Duration // how long Run drains after its context ends
	Logger       *slog.Logger
}

// Pool is a bounded job queue with its workers. Jobs may be enqueued from
// New on; they start once Run has started the workers. It is safe for
// concurrent use.
type Pool struct {
	opts Options

	mu      sync.RWMutex // guards closed, started and sends on queue
	closed  bool
	started bool
	queue   chan job

	jobCtx  context.Context
	running sync.WaitGroup // workers and Go's goroutines
}

type job struct {
	kind string // for logs: "message", "event", …
	run  func(ctx context.Context)
}

// New returns a Pool whose queue takes opts.QueueSize jobs.
func New(opts Options) *Pool {
	return &Pool{opts: opts, queue: make(chan job, opts.QueueSize)}
}

// Run starts the workers and calls serve with ctx (the adapter's intake
// beside the HTTP endpoints: a WebSocket, a poller, or just waiting for
// ctx). When serve returns, Run stops intake, so that Enqueue reports
// false, and waits for the queued jobs and Go's goroutines to finish for at
// most DrainTimeout; then it cancels their context, waits for them to
// return, and returns serve's error. Jobs run under a context of their own
// that outlives ctx while draining. Run may be called once.
func (p *Pool) Run(ctx context.Context, serve func(ctx context.Context) error) error {
	p.mu.Lock()
	if p.started {
		p.mu.Unlock()
		return errors.New(p.opts.Name + ": Run called twice")
	}
	p.started = true
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	p.jobCtx = jobCtx
	p.mu.Unlock()

	for range p.opts.Workers {
		p.running.Go(p.work)
	}
	err := serve(ctx)

	p.mu.Lock()
	p.closed = true
	close(p.queue)
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.running.Wait(); close(done) }()
	timer := time.NewTimer(p.opts.DrainTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		p.opts.Logger.Warn(p.opts.Name+": drain timeout; abandoning unanswered "+p.opts.Noun, "queued", len(p.queue))
		cancelJobs()
		<-done
	}
	return err
}

// Go runs f in a goroutine with the jobs' context, and Run's drain waits
// for it as for the workers: for background work of the adapter that
// answers messages itself (a poller that pulls them). Call it from serve.
func (p *Pool) Go(f func(jobCtx context.Context)) {
	p.mu.RLock()
	jobCtx := p.jobCtx
	p.mu.RUnlock()
	p.running.Go(func() { f(jobCtx) })
}

// work runs jobs until the queue is closed and empty.
func (p *Pool) work() {
	for j := range p.queue {
		if p.jobCtx.Err() != nil {
			continue // drain deadline passed: drop what is left
		}
		p.Do(p.jobCtx, j.kind, j.run)
	}
}

// Do runs one job now, in the caller's goroutine, under JobTimeout; a
// panic in run is logged (with kind) and does not reach the caller.
func (p *Pool) Do(ctx context.Context, kind string, run func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.JobTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			p.opts.Logger.Error(p.opts.Name+": job panicked", "kind", kind, "panic", fmt.Sprint(r))
		}
	}()
	run(ctx)
}

// Enqueue hands run to the workers without blocking. It reports false when
// the queue is full or intake has stopped: the caller then refuses the
// request so that the platform retries it.
func (p *Pool) Enqueue(kind string, run func(ctx context.Context)) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return false
	}
	select {
	case p.queue <- job{kind: kind, run: run}:
		return true
	default:
		return false
	}
}

// Queued returns the number of jobs waiting for a worker.
func (p *Pool) Queued() int { return len(p.queue) }

// Stopped reports whether intake has stopped.
func (p *Pool) Stopped() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.closed
}
