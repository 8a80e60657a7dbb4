package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// OutboxItem is one message waiting to be delivered to the outside world (an
// alert, a webhook), written in the same transaction as the change it reports.
type OutboxItem struct {
	ID          int64
	Kind        string          // OutboxEscalation, OutboxLead, or a kind of the caller's
	Key         string          // idempotency key, unique
	CustomerID  int64           // the customer it concerns, 0 if none
	Payload     json.RawMessage // JSON
	Attempts    int
	LastError   string
	NextAttempt time.Time
	Created     time.Time
	Delivered   time.Time // zero until delivered
	Dead        bool      // given up
}

// enqueue adds an outbox item unless one with the same key exists; it returns
// the item's id either way.
func enqueue(tx *sql.Tx, kind, key string, customerID int64, payload any, t time.Time) (int64, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("outbox %s: %w", kind, err)
	}
	var cust any
	if customerID != 0 {
		cust = customerID
	}
	ts := fmtTime(t)
	if _, err := tx.Exec(`INSERT INTO outbox (kind, customer_id, payload, idempotency_key, next_attempt, created)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`, kind, cust, string(b), key, ts, ts); err != nil {
		return 0, fmt.Errorf("outbox %s: %w", kind, describe(err))
	}
	var id int64
	if err := tx.QueryRow(`SELECT id FROM outbox WHERE idempotency_key = ?`, key).Scan(&id); err != nil {
		return 0, fmt.Errorf("outbox %s: %w", kind, describe(err))
	}
	return id, nil
}

// Enqueue adds an item to the outbox for delivery: payload is marshalled to
// JSON. An item with the same key is added only once; Enqueue returns the id
// of the item with that key. customerID may be 0.
func (db *DB) Enqueue(ctx context.Context, kind, key string, customerID int64, payload any) (int64, error) {
	if kind == "" || key == "" {
		return 0, bot.Errorf(bot.EINVALID, "An outbox item needs a kind and a key.")
	}
	var id int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = enqueue(tx, kind, key, customerID, payload, db.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue: %w", err)
	}
	return id, nil
}

const outboxCols = `id, kind, idempotency_key, coalesce(customer_id, 0), payload, attempts, last_error, next_attempt,
	created, delivered, dead`

func scanOutbox(rows *sql.Rows) (OutboxItem, error) {
	var it OutboxItem
	var payload, next, created string
	var delivered sql.NullString
	err := rows.Scan(&it.ID, &it.Kind, &it.Key, &it.CustomerID, &payload, &it.Attempts, &it.LastError, &next,
		&created, &delivered, &it.Dead)
	it.Payload = json.RawMessage(payload)
	it.NextAttempt, it.Created, it.Delivered = parseTime(next), parseTime(created), nullTime(delivered)
	return it, err
}

// DueOutbox returns up to limit undelivered, live items whose next attempt is
// due now, oldest first. It is meant for one delivery worker per database.
func (db *DB) DueOutbox(ctx context.Context, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE delivered IS NULL AND dead = 0 AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?`,
		fmtTime(db.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("storage: due outbox: %w", describe(err))
	}
	defer rows.Close()
	var items []OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: due outbox: %w", describe(err))
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: due outbox: %w", describe(err))
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
func (db *DB) Outbox(ctx context.Context, kind string, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE ? = '' OR kind = ?
		ORDER BY id DESC LIMIT ?`, kind, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", describe(err))
	}
	defer rows.Close()
	var items []OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: outbox: %w", describe(err))
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: outbox: %w", describe(err))
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
