// Package workpool holds the bounded queue and the workers with which every
// chat adapter answers what it accepted. A platform request is acknowledged
// at once and its job queued without blocking (a full queue is the
// adapter's cue to answer 503, so that the platform retries); a fixed
// number of workers run the jobs, each under a deadline and with a panic
// contained to its job. When the adapter stops, intake ends first and the
// queue is then drained for a bounded time. Jobs given the same key (one
// sender's messages) run one at a time, in the order they were enqueued, so
// that a customer's second message is never answered before the first.
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

	kmu     sync.Mutex       // guards behind and waiting; taken after mu
	behind  map[string][]job // per key with a job queued or running: the jobs waiting behind it
	waiting int              // jobs in behind
}

type job struct {
	kind string // for logs: "message", "event", …
	key  string // jobs of one key run one at a time, in order; "" for none
	run  func(ctx context.Context)
}

// New returns a Pool whose queue takes opts.QueueSize jobs.
func New(opts Options) *Pool {
	return &Pool{opts: opts, queue: make(chan job, opts.QueueSize), behind: map[string][]job{}}
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

// work runs jobs until the queue is closed and empty; after a keyed job it
// runs the jobs that waited behind it, in order, before it takes the next.
func (p *Pool) work() {
	for j := range p.queue {
		for {
			if p.jobCtx.Err() == nil { // past the drain deadline, what is left is dropped
				p.Do(p.jobCtx, j.kind, j.run)
			}
			next, ok := p.next(j.key)
			if !ok {
				break
			}
			j = next
		}
	}
}

// next takes the job waiting behind key's, if any; when none is, key has
// nothing queued or running any more.
func (p *Pool) next(key string) (job, bool) {
	if key == "" {
		return job{}, false
	}
	p.kmu.Lock()
	defer p.kmu.Unlock()
	js := p.behind[key]
	if len(js) == 0 {
		delete(p.behind, key)
		return job{}, false
	}
	p.behind[key] = js[1:]
	p.waiting--
	return js[0], true
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

// Enqueue hands run to the workers without blocking, to run in any order
// with the other jobs. It reports false when the queue is full or intake
// has stopped: the caller then refuses the request so that the platform
// retries it.
func (p *Pool) Enqueue(kind string, run func(ctx context.Context)) bool {
	return p.EnqueueFor(kind, "", run)
}

// EnqueueFor is Enqueue for a job of key (a sender): it runs after every job
// of the same key enqueued before it has finished, never beside one. Jobs
// waiting behind their key count against QueueSize like queued ones. An
// empty key is Enqueue.
func (p *Pool) EnqueueFor(kind, key string, run func(ctx context.Context)) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return false
	}
	j := job{kind: kind, key: key, run: run}
	p.kmu.Lock()
	defer p.kmu.Unlock()
	if len(p.queue)+p.waiting >= p.opts.QueueSize {
		return false
	}
	if key == "" {
		return p.send(j)
	}
	if js, busy := p.behind[key]; busy {
		p.behind[key] = append(js, j)
		p.waiting++
		return true
	}
	if !p.send(j) {
		return false
	}
	p.behind[key] = nil // queued: later jobs of key wait behind it
	return true
}

// send queues j without blocking; false when the queue is full.
func (p *Pool) send(j job) bool {
	select {
	case p.queue <- j:
		return true
	default:
		return false
	}
}

// Queued returns the number of jobs waiting for a worker, or behind a job
// of their key.
func (p *Pool) Queued() int {
	p.kmu.Lock()
	defer p.kmu.Unlock()
	return len(p.queue) + p.waiting
}

// Stopped reports whether intake has stopped.
func (p *Pool) Stopped() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.closed
}
