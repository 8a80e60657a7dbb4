// Package reconnect holds the loop that keeps an adapter's own connection
// to its platform up (DingTalk's Stream, Feishu's long connection):
// connect, serve until the connection drops, wait with exponential backoff
// and jitter, connect again, until the context ends or the platform refuses
// for good.
package reconnect

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/concierge-bot/concierge/internal/pause"
)

// Options configures Loop. Min, Max, Logger and Lost are required.
type Options struct {
	// Min and Max bound the wait between attempts: it starts at Min (and
	// returns to it after a connection was established), doubles per
	// failed attempt up to Max, and is jittered to between half of it and
	// all of it.
	Min, Max time.Duration
	Logger   *slog.Logger
	// Lost is the warning logged before each wait, with the error and the
	// wait: "dingtalk: stream lost; reconnecting".
	Lost string
	// Permanent, when not nil, tells a failure retrying cannot fix: for
	// such an error it returns the error Loop returns; for others, nil.
	Permanent func(err error) error
	// State, when not nil, is told "reconnecting" before each wait.
	State func(state string)
}

// Loop calls connect until ctx ends, when it returns ctx.Err(), or until
// Options.Permanent stops it, when it returns what Permanent made of the
// error. connect serves one connection until it fails or ctx ends, and
// reports whether it was established.
func Loop(ctx context.Context, opts Options, connect func(ctx context.Context) (connected bool, err error)) error {
	backoff := opts.Min
	for {
		connected, err := connect(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if opts.Permanent != nil {
			if perr := opts.Permanent(err); perr != nil {
				return perr
			}
		}
		if connected {
			backoff = opts.Min
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		opts.Logger.Warn(opts.Lost, "err", err, "in", wait)
		if opts.State != nil {
			opts.State("reconnecting")
		}
		if err := pause.For(ctx, wait); err != nil {
			return err
		}
		backoff = min(2*backoff, opts.Max)
	}
}
