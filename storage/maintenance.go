package storage

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Every calls fn every interval until stop is closed, with a context that
// ends when stop is closed, and returns then. A negative interval turns it
// off: Every returns at once.
func Every(interval time.Duration, stop <-chan struct{}, fn func(context.Context)) {
	if interval < 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-stop
		cancel()
	}()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn(ctx)
		}
	}
}

// Maintained is what every engine's maintenance round works on.
type Maintained interface {
	PurgeTextBefore(ctx context.Context, before time.Time) (int64, error)
	RecomputeSegments(ctx context.Context) (int, error)
}

// Maintain runs the part of a maintenance round that every engine shares:
// with retainText positive, the text of messages older than retainText
// before now is removed; segments are recomputed. It logs what it did and
// what failed (unless ctx ended) rather than failing.
func Maintain(ctx context.Context, s Maintained, log *slog.Logger, retainText time.Duration, now time.Time) {
	if retainText > 0 {
		n, err := s.PurgeTextBefore(ctx, now.Add(-retainText))
		if err != nil && ctx.Err() == nil {
			log.Warn("retention: purge message text failed", "err", err)
		} else if n > 0 {
			log.Info("retention: removed old message text", "messages", n)
		}
	}
	if n, err := s.RecomputeSegments(ctx); err != nil && ctx.Err() == nil {
		log.Warn("recompute segments failed", "err", err)
	} else if n > 0 {
		log.Info("segments recomputed", "changed", n)
	}
}

// InPages runs page over the rows of a table in id order, size at a time,
// so that no transaction holds the table for long: each call gets the last
// id the previous one saw (0 at first) and returns how many rows it changed
// and the last id it saw, 0 when there were no more. InPages returns the
// sum of the changes, and on an error the sum so far.
func InPages(size int, page func(after int64, size int) (changed int, last int64, err error)) (int, error) {
	total := 0
	var after int64
	for {
		n, last, err := page(after, size)
		if err != nil {
			return total, err
		}
		total += n
		if last == 0 {
			return total, nil
		}
		after = last
	}
}

// InBatches calls batch until a call changes no rows, so that no
// transaction holds a table for long, and returns the sum of the rows the
// calls changed; on an error, the sum so far and the error.
func InBatches(batch func() (changed int64, err error)) (int64, error) {
	var total int64
	for {
		n, err := batch()
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// PurgeTextBefore applies the retention rule "keep message text for N days":
// it removes the text of every message older than before (marking it
// redacted), the summaries of escalations and the payloads of delivered or
// dead outbox items older than before, and knowledge-gap questions last asked
// before it. Counts, intents, sentiment and times are kept. It works in small
// transactions so live traffic is not held up, and returns the number of
// messages whose text it removed.
func (w Writes) PurgeTextBefore(ctx context.Context, before time.Time) (int64, error) {
	cutoff, p := w.d.At(before), w.d.Param
	total, err := InBatches(func() (n int64, err error) {
		err = w.write(ctx, func(tx WriteTx) error {
			n, err = tx.Exec(`UPDATE messages SET text = '', redacted = true WHERE id IN
				(SELECT id FROM messages WHERE time < `+p(1)+` AND NOT redacted LIMIT 2000)`, cutoff)
			return err
		})
		return n, err
	})
	if err != nil {
		return total, fmt.Errorf("storage: purge message text: %w", err)
	}
	err = w.write(ctx, func(tx WriteTx) error {
		for _, q := range []string{
			`UPDATE escalations SET summary = '' WHERE created < ` + p(1) + ` AND summary <> ''`,
			`UPDATE outbox SET payload = '{}' WHERE created < ` + p(1) + ` AND (delivered IS NOT NULL OR dead) AND payload <> '{}'`,
			`DELETE FROM knowledge_gap_messages WHERE gap_id IN (SELECT id FROM knowledge_gaps WHERE last_seen < ` + p(1) + `)`,
			`DELETE FROM knowledge_gaps WHERE last_seen < ` + p(1),
		} {
			if _, err := tx.Exec(q, cutoff); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("storage: purge old text: %w", err)
	}
	return total, nil
}
