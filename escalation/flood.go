package escalation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// FloodOptions configures a Flood gate. Alerts is required.
type FloodOptions struct {
	// Alerts receives the grouped warning.
	Alerts Alerts
	// Window is the period the limits count over. Default 10 minutes.
	Window time.Duration
	// PerOrigin is how many escalations of one origin (a client address,
	// an API key) alert on their own within a window; the rest are opened
	// quietly. Default 1: the first request from an address is
	// indistinguishable from a real customer's and alerts at once.
	PerOrigin int
	// PerCustomer is the same limit for one customer, whatever the origin.
	// Default 2.
	PerCustomer int
	// GroupAt is how many quiet escalations of one origin within a window
	// send the one grouped warning for that window ("5 requests for a
	// person from addr:203.0.113.7"). Default 3. However many more come,
	// no second warning is sent for the origin in the same window.
	GroupAt int
	// MaxOrigins bounds the origins remembered at once, so that a flood
	// of addresses cannot grow memory without limit; when full, the
	// oldest windows are forgotten first. Default 100,000.
	MaxOrigins int
	Logger     *slog.Logger     // default: discard
	Now        func() time.Time // default: time.Now
}

// Flood is a bot.EscalationGate: it lets the first escalations of an origin
// or customer in a window alert on their own, opens the rest quietly, and
// stands for them with one grouped warning per origin and window. Counts
// live in memory: each replica of a deployment limits what it sees. It is
// safe for concurrent use.
type Flood struct {
	opts FloodOptions
	log  *slog.Logger

	mu      sync.Mutex
	windows map[string]*floodWindow // "o:"+origin or "c:"+customer id → its current window
}

// floodWindow counts one origin's or customer's escalations in a window.
type floodWindow struct {
	start  time.Time
	alerts int  // escalations admitted
	quiet  int  // escalations opened quietly
	warned bool // the grouped warning of this window was sent
}

// NewFlood returns a Flood gate, or an error naming the bad option.
func NewFlood(opts FloodOptions) (*Flood, error) {
	if opts.Alerts == nil {
		return nil, errors.New("escalation: NewFlood: Alerts is required")
	}
	if opts.Window < 0 || opts.PerOrigin < 0 || opts.PerCustomer < 0 || opts.GroupAt < 0 || opts.MaxOrigins < 0 {
		return nil, errors.New("escalation: NewFlood: limits must not be negative")
	}
	bot.SetDefault(&opts.Window, 10*time.Minute) // negatives were refused above
	bot.SetDefault(&opts.PerOrigin, 1)
	bot.SetDefault(&opts.PerCustomer, 2)
	bot.SetDefault(&opts.GroupAt, 3)
	bot.SetDefault(&opts.MaxOrigins, 100_000)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Flood{opts: opts, log: opts.Logger, windows: map[string]*floodWindow{}}, nil
}

// Admit implements bot.EscalationGate. An escalation alerts on its own when
// both its origin (if any) and its customer are within their limits;
// otherwise it is quiet, and the origin's GroupAt-th quiet escalation in a
// window queues the grouped warning. Failing to queue the warning is
// logged: the escalations are in the queue either way.
func (f *Flood) Admit(ctx context.Context, r bot.EscalationRequest) bool {
	now := f.opts.Now()
	f.mu.Lock()
	var o *floodWindow
	if r.Origin != "" {
		o = f.window("o:"+r.Origin, now)
	}
	c := f.window(fmt.Sprintf("c:%d", r.CustomerID), now)
	admit := c.alerts < f.opts.PerCustomer && (o == nil || o.alerts < f.opts.PerOrigin)
	var warn *bot.Warning
	if admit {
		c.alerts++
		if o != nil {
			o.alerts++
		}
	} else {
		c.quiet++
		if o != nil {
			o.quiet++
			if o.quiet >= f.opts.GroupAt && !o.warned {
				o.warned = true
				warn = &bot.Warning{Reason: r.Reason, Origin: r.Origin, Period: o.start, End: now,
					Window: f.opts.Window, Count: o.alerts + o.quiet, Channels: []string{r.Channel},
					Summary: fmt.Sprintf("%d escalations from %s within %s; %d opened without alerts of their own. They are in the queue.",
						o.alerts+o.quiet, r.Origin, f.opts.Window, o.quiet)}
			}
		}
	}
	f.mu.Unlock()
	if !admit {
		f.log.Info("escalation opened quietly: its origin or customer opened too many", "origin", r.Origin,
			"customer", r.CustomerID, "reason", r.Reason)
	}
	if warn != nil {
		if err := f.opts.Alerts.Warn(ctx, *warn); err != nil {
			f.log.Error("grouped escalation warning not queued", "origin", r.Origin, "err", err)
		} else {
			f.log.Warn("escalation flood: grouped warning sent", "origin", r.Origin, "count", warn.Count)
		}
	}
	return admit
}

// window returns key's window at now, starting a new one when the last has
// passed. f.mu must be held.
func (f *Flood) window(key string, now time.Time) *floodWindow {
	w := f.windows[key]
	if w != nil && now.Sub(w.start) < f.opts.Window {
		return w
	}
	if w == nil && len(f.windows) >= f.opts.MaxOrigins {
		f.forget(now)
	}
	w = &floodWindow{start: now}
	f.windows[key] = w
	return w
}

// forget drops the windows that have passed, and if that is not enough,
// the half that started first. f.mu must be held.
func (f *Flood) forget(now time.Time) {
	for k, w := range f.windows {
		if now.Sub(w.start) >= f.opts.Window {
			delete(f.windows, k)
		}
	}
	if len(f.windows) < f.opts.MaxOrigins {
		return
	}
	var starts []time.Time
	for _, w := range f.windows {
		starts = append(starts, w.start)
	}
	cut := median(starts)
	for k, w := range f.windows {
		if !w.start.After(cut) {
			delete(f.windows, k)
		}
	}
}

func median(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	slices.SortFunc(ts, time.Time.Compare)
	return ts[len(ts)/2]
}
