package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// enqueue adds an outbox item unless one with the same key exists; it returns
// the item's id either way.
func enqueue(tx *sql.Tx, m bot.OutboxMessage, t time.Time) (int64, error) {
	if m.Kind == "" || m.Key == "" {
		return 0, bot.Errorf(bot.EINVALID, "An outbox item needs a kind and a key.")
	}
	if !json.Valid(m.Payload) {
		return 0, bot.Errorf(bot.EINVALID, "The payload of outbox item %s is not JSON.", m.Key)
	}
	var cust any
	if m.CustomerID != 0 {
		cust = m.CustomerID
	}
	ts := fmtTime(t)
	if _, err := tx.Exec(`INSERT INTO outbox (kind, customer_id, payload, idempotency_key, next_attempt, created)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`, m.Kind, cust, string(m.Payload), m.Key, ts, ts); err != nil {
		return 0, fmt.Errorf("outbox %s: %w", m.Kind, describe(err))
	}
	var id int64
	if err := tx.QueryRow(`SELECT id FROM outbox WHERE idempotency_key = ?`, m.Key).Scan(&id); err != nil {
		return 0, fmt.Errorf("outbox %s: %w", m.Kind, describe(err))
	}
	return id, nil
}

// Enqueue adds a message to the outbox for delivery. A message whose key is
// already queued is added only once; Enqueue returns the id of the item with
// that key.
func (db *DB) Enqueue(ctx context.Context, m bot.OutboxMessage) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = enqueue(tx, m, db.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue: %w", err)
	}
	return id, nil
}

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
