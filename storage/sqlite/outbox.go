package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// DueOutbox returns up to limit undelivered, live items whose next attempt is
// due now, oldest first. It is meant for one delivery worker per database.
func (db *DB) DueOutbox(ctx context.Context, limit int) ([]bot.OutboxItem, error) {
	bot.SetDefault(&limit, 100)
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.OutboxCols+` FROM outbox
		WHERE delivered IS NULL AND dead = 0 AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?`,
		fmtTime(db.now()), limit)
	items, err := collect(rows, err, storage.ScanOutbox)
	if err != nil {
		return nil, fmt.Errorf("storage: due outbox: %w", err)
	}
	return items, nil
}

// MarkDelivered records that an outbox item was delivered. Marking an item
// twice is harmless; an unknown id is ENOTFOUND.
func (db *DB) MarkDelivered(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE outbox SET delivered = coalesce(delivered, ?) WHERE id = ?`, fmtTime(db.now()), id)
		return affectedOne(res, err, "Outbox item %d does not exist.", id)
	})
	if err != nil {
		return fmt.Errorf("storage: mark outbox item delivered: %w", err)
	}
	return nil
}

// MarkFailed records a failed delivery attempt: the attempt count grows, the
// cause is kept, and the item is retried at retryAt, or never again when dead
// is true.
func (db *DB) MarkFailed(ctx context.Context, id int64, cause string, retryAt time.Time, dead bool) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ?, dead = ?
			WHERE id = ? AND delivered IS NULL`, cause, fmtTime(retryAt), dead, id)
		return affectedOne(res, err, "Outbox item %d does not exist or was delivered.", id)
	})
	if err != nil {
		return fmt.Errorf("storage: mark outbox item failed: %w", err)
	}
	return nil
}

// Outbox returns the outbox items of a kind (all kinds when kind is empty),
// newest first, at most limit (100 when limit ≤ 0).
func (db *DB) Outbox(ctx context.Context, kind string, limit int) ([]bot.OutboxItem, error) {
	bot.SetDefault(&limit, 100)
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.OutboxCols+` FROM outbox WHERE ? = '' OR kind = ?
		ORDER BY id DESC LIMIT ?`, kind, kind, limit)
	items, err := collect(rows, err, storage.ScanOutbox)
	if err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", err)
	}
	return items, nil
}

// affectedOne turns an UPDATE's result into ENOTFOUND when no row matched.
func affectedOne(res sql.Result, err error, format string, args ...any) error {
	if err != nil {
		return describe(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(format, args...)
	}
	return nil
}
