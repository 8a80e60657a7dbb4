package alert

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/concierge-bot/concierge/bot"
)

// Outbox is what the Dispatcher needs of the transactional outbox;
// *storage.DB satisfies it. DueOutbox must return live, undelivered items
// whose next attempt is due, oldest first.
type Outbox interface {
	Enqueuer
	DueOutbox(ctx context.Context, limit int) ([]bot.OutboxItem, error)
	MarkDelivered(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, cause string, retryAt time.Time, dead bool) error
}

// Records looks up what an alert shows beyond the outbox payload: the
// customer's name and the last messages. *storage.DB satisfies it.
type Records interface {
	Customer(ctx context.Context, id int64) (bot.Customer, error)
	RecentMessages(ctx context.Context, conversationID bot.ConversationID, n int) ([]bot.StoredMessage, error)
}

// delivery is the payload of an OutboxDelivery item.
type delivery struct {
	Sink  string `json:"sink"`
	Alert Alert  `json:"alert"`
}

// Route sends the alerts it matches to the named sinks. Empty match fields
// match everything.
type Route struct {
	Kinds       []Kind   // alert kinds matched
	Reasons     []string // escalation reasons matched
	MinSeverity string   // lowest severity matched; an alert without one counts as normal
	Sinks       []string // sink names; required
}

func (r Route) matches(a Alert) bool {
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, a.Kind) {
		return false
	}
	if len(r.Reasons) > 0 && !slices.Contains(r.Reasons, a.Reason) {
		return false
	}
	return r.MinSeverity == "" || severityRank(a.Severity) >= severityRank(r.MinSeverity)
}

// DispatcherOptions configures a Dispatcher.
type DispatcherOptions struct {
	// Outbox holds the alerts to deliver. Required.
	Outbox Outbox
	// Records, when set, adds the customer's name and the last messages to
	// escalation and lead alerts.
	Records Records
	// Sinks are the destinations, with unique names. At least one.
	Sinks []Sink
	// Routes choose the sinks of an alert: the union of the sinks of every
	// matching route, or all sinks when no route matches.
	Routes []Route
	// Company is the company's name, put in every alert's title and footer
	// (Alert.Company) unless the alert names one. Optional.
	Company string
	// PublicURL is where the service is reached; alerts link to
	// <PublicURL>/console/conversations/<id>. Empty: no link.
	PublicURL string
	// Messages is how many of the last messages an alert quotes. Default 5.
	Messages int
	// PollInterval is how often the outbox is polled when not kicked.
	// Default 2s.
	PollInterval time.Duration
	// BatchSize is the most items read per poll. Default 64.
	BatchSize int
	// Concurrency is the most deliveries in flight. Default 4.
	Concurrency int
	// AttemptTimeout bounds one delivery attempt to one sink. Default 20s.
	AttemptTimeout time.Duration
	// ShutdownGrace is how long an attempt already under way may go on
	// after the context of Run or Flush ends, so that a request the sink
	// has received is not cut off and sent again at the next start (as a
	// second alert to a sink that ignores idempotency keys). Default 3s.
	ShutdownGrace time.Duration
	// MaxAttempts is the number of failed attempts after which an item is
	// given up (dead, logged at Error). Default 30, which with the default
	// backoff spans about an hour on average (at most about two).
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the retry delay after the n-th failure
	// (n from 0): uniform in [0, min(MaxBackoff, BaseBackoff·2^n)) — full
	// jitter. A destination's Retry-After lengthens it. Defaults 1s and 5m,
	// so a sink that comes back is caught up within five minutes.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// Logger receives delivery logs; never customer text above Debug.
	// Default: discard.
	Logger *slog.Logger
	// Registerer, when set, gets the delivery metrics.
	Registerer prometheus.Registerer
	// Now is the clock for retry times; use the store's clock. Default
	// time.Now.
	Now func() time.Time
	// Jitter returns a uniform random duration in [0, d); default
	// math/rand/v2. Tests inject a seeded source.
	Jitter func(d time.Duration) time.Duration
}

// Dispatcher is the outbox worker that delivers alerts to their sinks at
// least once. Its state lives in the outbox, so a restarted process carries
// on where the last one stopped. Run it in one goroutine per database.
type Dispatcher struct {
	opts    DispatcherOptions
	sinks   map[string]Sink
	order   []string
	log     *slog.Logger
	kick    chan struct{}
	flushMu sync.Mutex // one delivery pass at a time, so no item is sent twice concurrently

	deliveries *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

// NewDispatcher checks opts and returns the dispatcher. It refuses duplicate
// or empty sink names and routes that name unknown sinks.
func NewDispatcher(opts DispatcherOptions) (*Dispatcher, error) {
	if opts.Outbox == nil {
		return nil, errors.New("alert: dispatcher needs an outbox")
	}
	if len(opts.Sinks) == 0 {
		return nil, errors.New("alert: dispatcher needs at least one sink")
	}
	d := &Dispatcher{sinks: map[string]Sink{}, kick: make(chan struct{}, 1)}
	for _, s := range opts.Sinks {
		n := s.Name()
		if n == "" || strings.Contains(n, "|") {
			return nil, fmt.Errorf("alert: sink name %q must be non-empty and must not contain '|'", n)
		}
		if _, dup := d.sinks[n]; dup {
			return nil, fmt.Errorf("alert: two sinks are named %q; give each a unique name", n)
		}
		d.sinks[n] = s
		d.order = append(d.order, n)
	}
	for i, r := range opts.Routes {
		if len(r.Sinks) == 0 {
			return nil, fmt.Errorf("alert: route %d names no sinks", i)
		}
		for _, n := range r.Sinks {
			if _, ok := d.sinks[n]; !ok {
				return nil, fmt.Errorf("alert: route %d names unknown sink %q", i, n)
			}
		}
		switch r.MinSeverity {
		case "", SeverityLow, SeverityNormal, SeverityHigh:
		default:
			return nil, fmt.Errorf("alert: route %d: unknown severity %q", i, r.MinSeverity)
		}
	}
	if opts.PublicURL != "" {
		u, err := url.Parse(opts.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("alert: public URL %q must be an http or https URL", opts.PublicURL)
		}
		opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	}
	bot.SetDefault(&opts.Messages, 5)
	opts.Messages = min(opts.Messages, MaxMessages)
	bot.SetDefault(&opts.PollInterval, 2*time.Second)
	bot.SetDefault(&opts.BatchSize, 64)
	bot.SetDefault(&opts.Concurrency, 4)
	bot.SetDefault(&opts.ShutdownGrace, 3*time.Second)
	bot.SetDefault(&opts.AttemptTimeout, 20*time.Second)
	bot.SetDefault(&opts.MaxAttempts, 30)
	bot.SetDefault(&opts.BaseBackoff, time.Second)
	bot.SetDefault(&opts.MaxBackoff, 5*time.Minute)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return rand.N(d)
		}
	}
	d.opts = opts
	d.log = opts.Logger
	if opts.Registerer != nil {
		d.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_alert_deliveries_total",
			Help: "Alert delivery attempts by sink and outcome (delivered, failed, dead).",
		}, []string{"sink", "outcome"})
		d.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concierge_alert_delivery_seconds",
			Help:    "Time from the event to the alert's delivery, by sink.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 15, 60, 300, 1800, 3600},
		}, []string{"sink"})
		for _, c := range []prometheus.Collector{d.deliveries, d.latency} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("alert: register metrics: %w", err)
			}
		}
	}
	return d, nil
}

// Kick asks Run to deliver now instead of at the next poll; call it after
// enqueueing an alert. It never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers due alerts until ctx is cancelled, polling every
// PollInterval and at once after Kick. It returns nil once ctx is cancelled;
// deliveries cut short by the cancellation are not counted as failures and
// stay due. Storage errors are logged and retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(d.opts.PollInterval)
	defer t.Stop()
	for {
		if err := d.Flush(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("alert outbox unavailable", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-d.kick:
		}
	}
}

// Flush makes one delivery pass: every item due now is attempted once (an
// item that fails is not retried within the pass, whatever its retry time).
// It returns the first storage error; sink errors are recorded in the outbox,
// not returned. Flush and Run may be called concurrently; passes do not
// overlap.
func (d *Dispatcher) Flush(ctx context.Context) error {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	seen := map[int64]bool{}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		items, err := d.opts.Outbox.DueOutbox(ctx, d.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("alert: read outbox: %w", err)
		}
		var todo []bot.OutboxItem
		for _, it := range items {
			if !seen[it.ID] {
				seen[it.ID] = true
				todo = append(todo, it)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		if err := d.processAll(ctx, todo); err != nil {
			return err
		}
	}
}

// processAll handles items with bounded concurrency and returns the first
// storage error.
func (d *Dispatcher) processAll(ctx context.Context, items []bot.OutboxItem) error {
	sem := make(chan struct{}, d.opts.Concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := d.process(ctx, it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// process handles one outbox item; it returns only storage errors.
func (d *Dispatcher) process(ctx context.Context, it bot.OutboxItem) error {
	switch it.Kind {
	case OutboxDelivery:
		var dl delivery
		if err := json.Unmarshal(it.Payload, &dl); err != nil {
			return d.fail(ctx, it, "", fmt.Errorf("%w: %w", ErrInvalid, err), true)
		}
		if err := dl.Alert.Validate(); err != nil {
			return d.fail(ctx, it, dl.Sink, err, true)
		}
		s, ok := d.sinks[dl.Sink]
		if !ok {
			return d.fail(ctx, it, dl.Sink, fmt.Errorf("sink %q is no longer configured", dl.Sink), true)
		}
		return d.send(ctx, it, s, dl.Alert)
	case OutboxAlert, legacyEscalation, legacyLead:
		a, err := d.alertOf(ctx, it)
		if err != nil {
			if ctx.Err() != nil {
				// Shutting down while reading what the alert is about:
				// not the alert's fault. The item stays due, for Flush.
				return nil
			}
			return d.fail(ctx, it, "", err, errors.Is(err, ErrInvalid))
		}
		sinks := d.route(a)
		if len(sinks) == 1 {
			return d.send(ctx, it, sinks[0], a)
		}
		return d.fanOut(ctx, it, a, sinks)
	default:
		return d.fail(ctx, it, "", fmt.Errorf("no handler for outbox kind %q", it.Kind), true)
	}
}

// route returns the sinks of a, in the order they were configured.
func (d *Dispatcher) route(a Alert) []Sink {
	chosen := map[string]bool{}
	for _, r := range d.opts.Routes {
		if r.matches(a) {
			for _, n := range r.Sinks {
				chosen[n] = true
			}
		}
	}
	var out []Sink
	for _, n := range d.order {
		if len(chosen) == 0 || chosen[n] {
			out = append(out, d.sinks[n])
		}
	}
	return out
}

// fanOut replaces a multi-sink item by one OutboxDelivery item per sink. The
// per-sink keys make it idempotent: if the process dies half-way, the next
// pass adds only the missing items.
func (d *Dispatcher) fanOut(ctx context.Context, it bot.OutboxItem, a Alert, sinks []Sink) error {
	for _, s := range sinks {
		key := it.Key + "|" + s.Name()
		payload, err := json.Marshal(delivery{Sink: s.Name(), Alert: a})
		if err != nil {
			return d.fail(ctx, it, s.Name(), fmt.Errorf("%w: fan out: %w", ErrInvalid, err), true)
		}
		m := bot.OutboxMessage{Kind: OutboxDelivery, Key: key, CustomerID: a.Customer.ID, Payload: payload}
		if _, err := d.opts.Outbox.Enqueue(ctx, m); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return d.fail(ctx, it, "", fmt.Errorf("fan out: %w", err), false)
		}
	}
	if err := d.opts.Outbox.MarkDelivered(context.WithoutCancel(ctx), it.ID); err != nil {
		return fmt.Errorf("alert: mark item %d fanned out: %w", it.ID, err)
	}
	d.log.Debug("alert fanned out", "outbox_id", it.ID, "key", it.Key, "sinks", len(sinks))
	return nil
}

// send makes one delivery attempt of a to s for item it and records the
// outcome.
func (d *Dispatcher) send(ctx context.Context, it bot.OutboxItem, s Sink, a Alert) error {
	// The attempt outlives ctx by at most ShutdownGrace: a request in flight
	// when the process stops is let finish rather than cut and repeated.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.AttemptTimeout)
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(d.opts.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-actx.Done():
		}
	})
	err := s.Send(actx, a)
	stop()
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: not the sink's fault. The item stays due.
			return nil
		}
		return d.fail(ctx, it, s.Name(), err, false)
	}
	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer mcancel()
	if err := d.opts.Outbox.MarkDelivered(mctx, it.ID); err != nil {
		// Delivered but not recorded: it will be sent again, with the same
		// idempotency key.
		return fmt.Errorf("alert: mark item %d delivered: %w", it.ID, err)
	}
	if d.deliveries != nil {
		d.deliveries.WithLabelValues(s.Name(), "delivered").Inc()
		if !a.Time.IsZero() {
			d.latency.WithLabelValues(s.Name()).Observe(d.opts.Now().Sub(a.Time).Seconds())
		}
	}
	d.log.Info("alert delivered", "sink", s.Name(), "outbox_id", it.ID, "key", a.IdempotencyKey,
		"kind", string(a.Kind), "level", a.Level, "attempts", it.Attempts+1)
	return nil
}

// fail records a failed attempt: retried after the backoff, or dead when
// permanent or out of attempts.
func (d *Dispatcher) fail(ctx context.Context, it bot.OutboxItem, sink string, cause error, permanent bool) error {
	attempts := it.Attempts + 1
	dead := permanent || attempts >= d.opts.MaxAttempts
	delay := d.backoff(it.Attempts)
	var ra *RetryAfterError
	if errors.As(cause, &ra) && ra.After > delay {
		delay = ra.After
	}
	retryAt := d.opts.Now().Add(delay)
	msg := truncate(cause.Error(), 500)
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.opts.Outbox.MarkFailed(mctx, it.ID, msg, retryAt, dead); err != nil {
		return fmt.Errorf("alert: mark item %d failed: %w", it.ID, err)
	}
	if d.deliveries != nil && sink != "" {
		outcome := "failed"
		if dead {
			outcome = "dead"
		}
		d.deliveries.WithLabelValues(sink, outcome).Inc()
	}
	if dead {
		d.log.Error("alert given up", "sink", sink, "outbox_id", it.ID, "kind", it.Kind, "key", it.Key,
			"attempts", attempts, "err", msg)
	} else {
		d.log.Warn("alert delivery failed; will retry", "sink", sink, "outbox_id", it.ID, "kind", it.Kind,
			"key", it.Key, "attempts", attempts, "retry_in", delay.Round(time.Millisecond), "err", msg)
	}
	return nil
}

// backoff is the full-jitter delay after the n-th failure (n from 0).
func (d *Dispatcher) backoff(n int) time.Duration {
	ceil := d.opts.MaxBackoff
	if n < 32 {
		if c := d.opts.BaseBackoff << n; c > 0 && c < ceil {
			ceil = c
		}
	}
	return d.opts.Jitter(ceil)
}

// alertOf builds the Alert of a source item, enriched with the customer's name, the
// last messages and the console link. Errors wrapping ErrInvalid are
// permanent; others (storage reads) are retried.
func (d *Dispatcher) alertOf(ctx context.Context, it bot.OutboxItem) (Alert, error) {
	a, err := decodeItem(it)
	if err != nil {
		return a, err
	}
	if a.Time.IsZero() {
		a.Time = it.Created
	}
	if err := d.enrich(ctx, &a); err != nil {
		return a, err
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	return a, nil
}

// enrich fills what the payload lacks: company, name, last messages,
// console link.
func (d *Dispatcher) enrich(ctx context.Context, a *Alert) error {
	if a.Company == "" {
		a.Company = truncate(d.opts.Company, 200)
	}
	if a.ConsoleURL == "" && a.ConversationID > 0 && d.opts.PublicURL != "" {
		a.ConsoleURL = d.opts.PublicURL + "/console/conversations/" + strconv.FormatInt(int64(a.ConversationID), 10)
	}
	if d.opts.Records == nil || (a.Kind != KindEscalation && a.Kind != KindLead) {
		return nil
	}
	if a.Customer.ID > 0 && a.Customer.Name == "" {
		c, err := d.opts.Records.Customer(ctx, a.Customer.ID)
		switch {
		case err == nil:
			a.Customer.Name = truncate(c.Name, 200)
		case bot.ErrorCode(err) == bot.ENOTFOUND:
		default:
			return fmt.Errorf("customer %d: %w", a.Customer.ID, err)
		}
	}
	if a.ConversationID > 0 && len(a.Messages) == 0 {
		msgs, err := d.opts.Records.RecentMessages(ctx, a.ConversationID, d.opts.Messages)
		if err != nil {
			return fmt.Errorf("messages of conversation %d: %w", a.ConversationID, err)
		}
		for _, m := range msgs {
			a.Messages = append(a.Messages, Message{Author: m.Author, Text: truncate(m.Text, MaxTextRunes), Time: m.Time})
		}
	}
	return nil
}

// kickingStore is a bot.Store that wakes a Dispatcher after every reply that
// enqueued an alert.
type kickingStore struct {
	bot.Store
	d *Dispatcher
}

// KickOnAlert wraps the Engine's store so that a stored reply with an
// escalation or a lead (both enqueue an alert in the same transaction) calls
// d.Kick at once, instead of leaving the alert to the next poll. Every other
// call passes through unchanged.
func KickOnAlert(s bot.Store, d *Dispatcher) bot.Store {
	return kickingStore{Store: s, d: d}
}

// AppendOutbound implements bot.Store.
func (k kickingStore) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	st, err := k.Store.AppendOutbound(ctx, o)
	if err == nil && (o.Escalation != nil || o.Lead) {
		k.d.Kick()
	}
	return st, err
}
