package postgres

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// PurgeTextBefore applies the retention rule "keep message text for N days"
// (storage.Writes.PurgeTextBefore) and then deletes the recorded outcomes of
// keyed requests made before before, which quote the messages.
func (db *DB) PurgeTextBefore(ctx context.Context, before time.Time) (int64, error) {
	total, err := db.writePaths.PurgeTextBefore(ctx, before)
	if err != nil {
		return total, err
	}
	err = db.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM requests WHERE created < $1`, us(before))
		return describe(err)
	})
	if err != nil {
		return total, fmt.Errorf("storage: purge old text: %w", err)
	}
	return total, nil
}

// Erase removes a customer's personal data for good
// (storage.Writes.Erase). Afterwards it vacuums the tables it changed, so
// the old row versions are removed from the table files as soon as no open
// transaction can see them. (Copies in the write-ahead log, WAL archives
// and backups age out with them; see the README.)
func (db *DB) Erase(ctx context.Context, id int64, actor string) error {
	if err := db.writePaths.Erase(ctx, id, actor); err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, `VACUUM (SKIP_LOCKED) customers, channel_identities, messages, escalations, outbox,
		answer_feedback, notes, tags, customer_events, knowledge_gaps, knowledge_gap_messages, requests`); err != nil {
		db.log.Warn("erase: vacuum failed; old row versions stay until autovacuum removes them", "err", err)
	}
	db.log.Info("customer erased", "customer", id, "actor", actor)
	return nil
}

// Export writes every message (or one customer's) with its customer and
// channel to w, oldest first, from one snapshot, streaming row by row.
func (db *DB) Export(ctx context.Context, w io.Writer, opts bot.ExportOptions) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	xw, err := storage.NewExportWriter(bw, opts.Format)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.read(ctx, func(tx pgx.Tx) error {
		q := `SELECT m.id, m.time, m.customer_id, c.name, c.email, c.phone, v.channel, m.conversation_id, m.inbound,
			m.author, m.text, m.intent, m.confidence, m.language, m.sentiment, m.action, m.redacted
			FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN customers c ON c.id = m.customer_id`
		var args []any
		if opts.CustomerID != 0 {
			q += ` WHERE m.customer_id = $1`
			args = append(args, opts.CustomerID)
		}
		rows, err := tx.Query(ctx, q+` ORDER BY m.id`, args...)
		if err != nil {
			return describe(err)
		}
		defer rows.Close()
		var r bot.ExportRow
		var inbound bool
		var ts time.Time
		for rows.Next() {
			if err := rows.Scan(&r.MessageID, &ts, &r.CustomerID, &r.CustomerName, &r.CustomerEmail, &r.CustomerPhone,
				&r.Channel, &r.ConversationID, &inbound, &r.Author, &r.Text, &r.Intent, &r.Confidence, &r.Language,
				&r.Sentiment, &r.Action, &r.Redacted); err != nil {
				return describe(err)
			}
			r.Time = ts.UTC().Format(time.RFC3339Nano)
			r.Direction = "out"
			if inbound {
				r.Direction = "in"
			}
			if err := xw.Write(&r); err != nil {
				return fmt.Errorf("write: %w", err)
			}
			n++
		}
		return describe(rows.Err())
	})
	if err != nil {
		return n, fmt.Errorf("storage: export: %w", err)
	}
	if err := xw.Flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	return n, nil
}

// maxHistoryLimit bounds one VisitorHistory read.
const maxHistoryLimit = 1000

const visitorMessages = ` FROM channel_identities i
	JOIN conversations c ON c.customer_id = i.customer_id AND c.channel = i.channel
	JOIN messages m ON m.conversation_id = c.id
	WHERE i.channel = $1 AND i.external_id = $2 AND NOT m.redacted`

// VisitorHistory returns the messages of the conversations on channel of the
// customer known there as externalID, oldest first, leaving out redacted
// messages: with afterID >= 0 the first limit messages after afterID, with
// afterID < 0 the latest limit. limit is capped at 1000.
func (db *DB) VisitorHistory(ctx context.Context, channel, externalID string, afterID int64, limit int) ([]bot.StoredMessage, error) {
	if limit <= 0 || channel == "" || externalID == "" {
		return nil, nil
	}
	limit = min(limit, maxHistoryLimit)
	var rows pgx.Rows
	var err error
	if afterID >= 0 {
		rows, err = db.pool.Query(ctx, `SELECT `+messageCols+visitorMessages+` AND m.id > $3 ORDER BY m.id LIMIT $4`,
			channel, externalID, afterID, limit)
	} else {
		rows, err = db.pool.Query(ctx, `SELECT * FROM (SELECT `+messageCols+visitorMessages+` ORDER BY m.id DESC LIMIT $3) h ORDER BY id`,
			channel, externalID, limit)
	}
	msgs, err := collect(rows, err, storage.ScanMessage)
	if err != nil {
		return nil, fmt.Errorf("storage: visitor history: %w", err)
	}
	return msgs, nil
}

// maintainer applies retention and recomputes segments every
// MaintenanceInterval, one replica at a time, until Close.
func (db *DB) maintainer() {
	defer db.done.Done()
	storage.Every(db.opts.MaintenanceInterval, db.stop, db.maintain)
}

// maintain runs one round of maintenance if no other replica is running
// one, logging rather than failing.
func (db *DB) maintain(ctx context.Context) {
	ok, err := db.AcquireLease(ctx, "maintenance", db.opts.MaintenanceInterval/2)
	if err != nil || !ok {
		return
	}
	storage.Maintain(ctx, db, db.log, db.opts.RetainText, db.now())
	// What replicas share expires too.
	now := us(db.now())
	for _, q := range []string{
		`DELETE FROM requests WHERE created < $1::timestamptz - interval '1 day'`,
		`DELETE FROM rate_buckets WHERE last < $1::timestamptz - interval '1 day'`,
		`DELETE FROM revoked_sessions WHERE expires < $1`,
		`DELETE FROM leases WHERE expires < $1::timestamptz - interval '1 day'`,
	} {
		if _, err := db.pool.Exec(ctx, q, now); err != nil && ctx.Err() == nil {
			db.log.Warn("maintenance: expiring shared state failed", "err", err, "query", strings.Fields(q)[2])
		}
	}
}
