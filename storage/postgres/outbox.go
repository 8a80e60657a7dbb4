package postgres

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// DueOutbox returns up to limit undelivered, live items whose next attempt is
// due now, oldest first, and hands them to the caller for a lease
// (Options.OutboxLease): the items are locked with FOR UPDATE SKIP LOCKED and
// their next attempt moved to the end of the lease, so that delivery workers
// of several replicas never take the same item; MarkDelivered or MarkFailed
// ends the lease, and an item whose worker died is due again when the lease
// runs out. The items keep their due time as NextAttempt.
func (db *DB) DueOutbox(ctx context.Context, limit int) ([]bot.OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	now := us(db.now())
	var items []bot.OutboxItem
	err := db.write(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `WITH due AS (
				SELECT id, next_attempt FROM outbox
				WHERE delivered IS NULL AND NOT dead AND next_attempt <= $1
				ORDER BY next_attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED
			), leased AS (
				UPDATE outbox o SET next_attempt = $3 FROM due WHERE o.id = due.id
				RETURNING o.id, o.kind, o.idempotency_key, coalesce(o.customer_id, 0), o.payload, o.attempts, o.last_error,
					due.next_attempt, o.created, o.delivered, o.dead
			)
			SELECT * FROM leased`, now, limit, now.Add(db.opts.OutboxLease))
		items, err = collect(rows, err, storage.ScanOutbox)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: due outbox: %w", err)
	}
	sort.Slice(items, func(i, j int) bool {
		if !items[i].NextAttempt.Equal(items[j].NextAttempt) {
			return items[i].NextAttempt.Before(items[j].NextAttempt)
		}
		return items[i].ID < items[j].ID
	})
	return items, nil
}

// MarkDelivered records that an outbox item was delivered. Marking an item
// twice is harmless; an unknown id is ENOTFOUND.
func (db *DB) MarkDelivered(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET delivered = coalesce(delivered, $1) WHERE id = $2`, us(db.now()), id)
	if err != nil {
		return fmt.Errorf("storage: mark outbox item delivered: %w", describe(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: mark outbox item delivered: %w", notFound("Outbox item %d does not exist.", id))
	}
	return nil
}

// MarkFailed records a failed delivery attempt: the attempt count grows, the
// cause is kept, and the item is retried at retryAt, or never again when
// dead is true.
func (db *DB) MarkFailed(ctx context.Context, id int64, cause string, retryAt time.Time, dead bool) error {
	cause = strings.ToValidUTF8(strings.ReplaceAll(cause, "\x00", ""), "?")
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt = $2, dead = $3
		WHERE id = $4 AND delivered IS NULL`, cause, us(retryAt), dead, id)
	if err != nil {
		return fmt.Errorf("storage: mark outbox item failed: %w", describe(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("storage: mark outbox item failed: %w", notFound("Outbox item %d does not exist or was delivered.", id))
	}
	return nil
}

// Outbox returns the outbox items of a kind (all kinds when kind is empty),
// newest first, at most limit (100 when limit ≤ 0).
func (db *DB) Outbox(ctx context.Context, kind string, limit int) ([]bot.OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.pool.Query(ctx, `SELECT `+storage.OutboxCols+` FROM outbox WHERE $1 = '' OR kind = $1
		ORDER BY id DESC LIMIT $2`, kind, limit)
	items, err := collect(rows, err, storage.ScanOutbox)
	if err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", err)
	}
	return items, nil
}
