package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// liveCustomer loads a customer that may be changed: it exists, was not
// merged into another and was not erased.
func liveCustomer(tx *sql.Tx, id int64) (custState, error) {
	var merged int64
	var erased sql.NullString
	c, err := scanCustState(tx.QueryRow(`SELECT `+custStateCols+`, coalesce(c.merged_into, 0), c.erased
		FROM customers c WHERE c.id = ?`, id), &merged, &erased)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return c, notFound("Customer %d does not exist.", id)
	case err != nil:
		return c, fmt.Errorf("load customer %d: %w", id, describe(err))
	case merged != 0:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was merged into customer %d.", id, merged)
	case erased.Valid:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was erased.", id)
	}
	return c, nil
}

// writePaths are the engine-neutral write paths (AddTag, Merge, SetStage,
// AppendInbound, Enqueue, ...), made in this database's write transactions
// through txn; embedded in DB, they are its methods.
type writePaths = storage.Writes

// newWritePaths returns db's write paths.
func newWritePaths(db *DB) writePaths {
	write := func(ctx context.Context, fn func(storage.WriteTx) error) error {
		return db.write(ctx, func(tx *sql.Tx) error { return fn(txn{tx: tx, db: db}) })
	}
	replies := storage.Replies{Alerts: db.opts.Alerts, LeadOwner: db.opts.LeadOwner, AtRiskFor: db.rules.AtRiskFor, Dialect: dialect()}
	return storage.NewWrites(write, func() time.Time { return db.now() }, db.rules, replies)
}

// txn runs the statements of the engine-neutral write paths
// (storage.WriteTx, storage.Tx) in tx.
type txn struct {
	tx *sql.Tx
	db *DB
}

func (t txn) Live(id int64) (storage.CustomerState, error) { return liveCustomer(t.tx, id) }

func (t txn) LiveAfter(after int64, size int) ([]storage.CustomerState, error) {
	rows, err := t.tx.Query(`SELECT `+custStateCols+` FROM customers c
		WHERE c.id > ? AND c.merged_into IS NULL AND c.erased IS NULL ORDER BY c.id LIMIT ?`, after, size)
	return collect(rows, err, func(sc rowScanner) (custState, error) { return scanCustState(sc) })
}

func (t txn) Exec(query string, args ...any) (int64, error) {
	res, err := t.tx.Exec(query, args...)
	if err != nil {
		return 0, describe(err)
	}
	return res.RowsAffected()
}

func (t txn) Insert(query string, args ...any) (int64, error) {
	res, err := t.tx.Exec(query, args...)
	if err != nil {
		return 0, describe(err)
	}
	return res.LastInsertId()
}

func (t txn) Each(query string, args []any, fn func(rowScanner) error) error {
	rows, err := t.tx.Query(query, args...)
	return eachRow(rows, err, func(rows *sql.Rows) error { return fn(rows) })
}

func (t txn) ScanRow(query string, args []any, dest ...any) (bool, error) {
	err := t.tx.QueryRow(query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, describe(err)
}

func (t txn) AddEvent(customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, at time.Time) error {
	return addEvent(t.tx, customerID, conversationID, kind, detail, actor, at)
}

func (t txn) Merge(from, into int64, actor, reason string, at time.Time) error {
	return t.db.merge(t.tx, from, into, actor, reason, at)
}

// merge makes customer from part of customer into (storage.Writes.Merge).
func (db *DB) merge(tx *sql.Tx, from, into int64, actor, reason string, now time.Time) error {
	a, err := liveCustomer(tx, from)
	if err != nil {
		return err
	}
	b, err := liveCustomer(tx, into)
	if err != nil {
		return err
	}
	ts := fmtTime(now)
	// The survivor keeps at most one open conversation per channel: from's
	// open conversations on channels where into has one are resolved.
	rows, err := tx.Query(`SELECT f.id FROM conversations f JOIN conversations t
		ON t.customer_id = ? AND t.channel = f.channel AND t.status <> 'resolved'
		WHERE f.customer_id = ? AND f.status <> 'resolved'`, into, from)
	clash, err := collect(rows, err, scanValue[bot.ConversationID])
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	for _, id := range clash {
		if err := db.conversationEdits.Close(txn{tx: tx, db: db}, from, id, map[string]string{"why": "merged"}, actor, now); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	for _, q := range []string{
		`UPDATE channel_identities SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE conversations SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE messages SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE escalations SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE outbox SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE customer_events SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE notes SET customer_id = ?1 WHERE customer_id = ?2`,
		`UPDATE knowledge_gap_messages SET customer_id = ?1 WHERE customer_id = ?2`,
		`INSERT OR IGNORE INTO tags (customer_id, tag, created) SELECT ?1, tag, created FROM tags WHERE customer_id = ?2`,
		`DELETE FROM tags WHERE customer_id = ?2`,
		`UPDATE customers SET merged_into = ?1 WHERE merged_into = ?2`,
		`UPDATE customers AS t SET
			name = CASE WHEN t.name = '' THEN f.name ELSE t.name END,
			email = CASE WHEN t.email = '' THEN f.email ELSE t.email END,
			phone = CASE WHEN t.phone = '' THEN f.phone ELSE t.phone END,
			language = CASE WHEN t.language = '' THEN f.language ELSE t.language END,
			owner = CASE WHEN t.owner = '' THEN f.owner ELSE t.owner END,
			vip = max(t.vip, f.vip),
			inbound_count = t.inbound_count + f.inbound_count,
			outbound_count = t.outbound_count + f.outbound_count,
			complaint_count = t.complaint_count + f.complaint_count,
			at_risk_until = max(coalesce(t.at_risk_until, ''), coalesce(f.at_risk_until, '')),
			last_seen = max(coalesce(t.last_seen, ''), coalesce(f.last_seen, '')),
			created = min(t.created, f.created),
			updated = ?3
		FROM customers AS f WHERE t.id = ?1 AND f.id = ?2`,
		`UPDATE customers SET at_risk_until = NULL WHERE id = ?1 AND at_risk_until = ''`,
		`UPDATE customers SET last_seen = NULL WHERE id = ?1 AND last_seen = ''`,
		`UPDATE customers SET merged_into = ?1, name = '', email = '', phone = '', owner = '', vip = 0, updated = ?3
			WHERE id = ?2`,
	} {
		if _, err := tx.Exec(q, into, from, ts); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	stage := b.Stage
	if storage.StageRank(a.Stage) > storage.StageRank(b.Stage) {
		stage = a.Stage
		if _, err := tx.Exec(`UPDATE customers SET stage = ? WHERE id = ?`, stage, into); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	detail := map[string]any{"from": from}
	if reason != "" {
		detail["reason"] = reason
	}
	if err := addEvent(tx, into, 0, bot.EventMerged, detail, actor, now); err != nil {
		return err
	}
	if err := addEvent(tx, from, 0, bot.EventMergedInto, map[string]any{"into": into}, actor, now); err != nil {
		return err
	}
	merged, err := loadCustState(tx, into)
	if err != nil {
		return err
	}
	return db.updateSegment(tx, merged, now)
}

// AddNote stores an agent's note on a customer, optionally about one of its
// conversations (0 for none), and returns its id.
func (db *DB) AddNote(ctx context.Context, customerID int64, conversationID bot.ConversationID, author, text string) (int64, error) {
	author, err := storage.NormalizeNote(author, text)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveCustomer(tx, customerID); err != nil {
			return err
		}
		var conv any
		if conversationID != 0 {
			v, err := loadConversation(tx, conversationID)
			if err != nil {
				return err
			}
			if v.Customer != customerID {
				return bot.Errorf(bot.EINVALID, "Conversation %d is not customer %d's.", conversationID, customerID)
			}
			conv = conversationID
		}
		res, err := tx.Exec(`INSERT INTO notes (customer_id, conversation_id, author, text, created) VALUES (?, ?, ?, ?, ?)`,
			customerID, conv, author, text, fmtTime(db.now()))
		if err != nil {
			return fmt.Errorf("add note: %w", describe(err))
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: add note to customer %d: %w", customerID, err)
	}
	return id, nil
}
