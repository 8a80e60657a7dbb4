package escalation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// SLAStore is what the SLA watcher reads of the database.
type SLAStore interface {
	// OverdueEscalations returns the open escalations created at or before
	// t, oldest first, with the highest re-alert level already sent.
	OverdueEscalations(ctx context.Context, t time.Time, limit int) ([]bot.OverdueEscalation, error)
}

// Alerts queues the alerts the watchers decide to send; package alert's
// Queue implements it. Both calls are idempotent: deciding the same
// re-alert, or a warning of the same period and reason, twice queues one
// alert.
type Alerts interface {
	Realert(ctx context.Context, r bot.Realert) error
	Warn(ctx context.Context, w bot.Warning) error
}

// SLAOptions configures an SLA watcher. Store and Alerts are required.
type SLAOptions struct {
	Store  SLAStore
	Alerts Alerts
	// SLA is the time to acknowledge an escalation (config escalation.sla):
	// an escalation still open after n·SLA is re-sent at level n. Default 15
	// minutes.
	SLA time.Duration
	// Next names who is alerted at each level (config escalation.next):
	// Next[0] at level 1, Next[1] at level 2, and so on; after the last
	// level an escalation is not re-sent again. Empty: no re-alerts.
	Next []string
	// Since, when set, leaves escalations opened before it alone: a data
	// directory filled by `concierge demo seed` holds synthetic history
	// that must never reach a real manager.
	Since  time.Time
	Logger *slog.Logger     // default: discard
	Now    func() time.Time // default: time.Now
}

// SLA re-alerts escalations nobody acknowledged in time. It is safe for
// concurrent use; its state lives in the store, so a restart neither loses
// nor repeats a re-alert.
type SLA struct {
	opts SLAOptions
	log  *slog.Logger
}

// NewSLA returns an SLA watcher, or an error when the Store is missing or a
// target of Next is blank.
func NewSLA(opts SLAOptions) (*SLA, error) {
	if opts.Store == nil || opts.Alerts == nil {
		return nil, errors.New("escalation: NewSLA: Store and Alerts are required")
	}
	for i, n := range opts.Next {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("escalation: NewSLA: escalation.next[%d] is empty", i)
		}
	}
	bot.SetDefault(&opts.SLA, 15*time.Minute)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &SLA{opts: opts, log: opts.Logger}, nil
}

// Check re-alerts every open escalation whose SLA passed: an escalation
// open for at least n·SLA (n ≤ len(Next)) whose highest re-alert is below n
// is sent at level n to Next[n-1], once per level (Alerts.Realert is idempotent). Levels
// skipped while the watcher was not running are not sent: only the level
// due now. It returns how many re-alerts it enqueued.
func (w *SLA) Check(ctx context.Context) (int, error) {
	if len(w.opts.Next) == 0 {
		return 0, nil
	}
	now := w.opts.Now()
	overdue, err := w.opts.Store.OverdueEscalations(ctx, now.Add(-w.opts.SLA), 500)
	if err != nil {
		return 0, fmt.Errorf("escalation: sla: %w", err)
	}
	sent := 0
	for _, e := range overdue {
		if e.Created.Before(w.opts.Since) {
			continue
		}
		level := min(int(now.Sub(e.Created)/w.opts.SLA), len(w.opts.Next))
		if level <= e.Level {
			continue
		}
		notify := w.opts.Next[level-1]
		r := bot.Realert{OverdueEscalation: e, Level: level, Notify: notify,
			Summary: fmt.Sprintf("Not acknowledged after %s. %s", now.Sub(e.Created).Round(time.Second), e.Summary)}
		if err := w.opts.Alerts.Realert(ctx, r); err != nil {
			return sent, fmt.Errorf("escalation: sla: re-alert escalation %d: %w", e.ID, err)
		}
		sent++
		w.log.Info("escalation re-alerted", "escalation", e.ID, "level", level, "notify", notify)
	}
	return sent, nil
}

// Watch runs each check every interval until ctx is done, logging errors
// (the next round retries). It returns when ctx is done.
func Watch(ctx context.Context, interval time.Duration, log *slog.Logger, checks ...func(context.Context) error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for _, c := range checks {
			if err := c(ctx); err != nil && ctx.Err() == nil {
				log.Warn("escalation check failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
