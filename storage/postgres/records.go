package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// writePaths are the engine-neutral write paths (AddTag, Merge, SetStage,
// AppendInbound, Enqueue, ...), made in this database's write transactions
// through txn; embedded in DB, they are its methods.
type writePaths = storage.Writes

// newWritePaths returns db's write paths.
func newWritePaths(db *DB) writePaths {
	write := func(ctx context.Context, fn func(storage.WriteTx) error) error {
		return db.write(ctx, func(tx pgx.Tx) error { return fn(txn{ctx: ctx, tx: tx, db: db}) })
	}
	replies := storage.Replies{Alerts: db.opts.Alerts, LeadOwner: db.opts.LeadOwner, AtRiskFor: db.rules.AtRiskFor, Dialect: dialect()}
	return storage.NewWrites(write, func() time.Time { return db.now() }, db.rules, replies)
}

// conversationEdits are the engine-neutral changes of conversations (Claim,
// Resolve, SetCSAT, ...), made in this database's write transactions
// through txn, with the conversation and its customer locked
// (lockConversation); embedded in DB, they are its methods.
type conversationEdits = storage.ConversationEdits

// newConversationEdits returns db's conversation edits.
func newConversationEdits(db *DB) conversationEdits {
	write := func(ctx context.Context, id bot.ConversationID, fn func(storage.Tx, convRow) error) error {
		return db.write(ctx, func(tx pgx.Tx) error {
			v, _, err := lockConversation(ctx, tx, id)
			if err != nil {
				return err
			}
			return fn(txn{ctx: ctx, tx: tx, db: db}, v)
		})
	}
	return storage.NewConversationEdits(write, func() time.Time { return db.now() }, dialect())
}

// txn runs the statements of the engine-neutral write paths
// (storage.WriteTx, storage.Tx) in tx.
type txn struct {
	ctx context.Context
	tx  pgx.Tx
	db  *DB
}

func (t txn) Live(id int64) (storage.CustomerState, error) {
	c, err := liveCustomer(t.ctx, t.tx, id)
	return c.CustomerState, err
}

// LiveAfter locks the customers it returns.
func (t txn) LiveAfter(after int64, size int) ([]storage.CustomerState, error) {
	rows, err := t.tx.Query(t.ctx, `SELECT `+custStateCols+` FROM customers c
		WHERE c.id > $1 AND c.merged_into IS NULL AND c.erased IS NULL ORDER BY c.id LIMIT $2 FOR NO KEY UPDATE`, after, size)
	return collect(rows, err, func(row storage.RowScanner) (storage.CustomerState, error) {
		c, err := scanCustState(row)
		return c.CustomerState, err
	})
}

func (t txn) Exec(query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, query, args...)
	return tag.RowsAffected(), describe(err)
}

// Insert adds "RETURNING id" to the statement.
func (t txn) Insert(query string, args ...any) (int64, error) {
	var id int64
	err := t.tx.QueryRow(t.ctx, query+` RETURNING id`, args...).Scan(&id)
	return id, describe(err)
}

func (t txn) Each(query string, args []any, fn func(storage.RowScanner) error) error {
	return scanAll(t.ctx, t.tx, query, args, fn)
}

func (t txn) ScanRow(query string, args []any, dest ...any) (bool, error) {
	err := t.tx.QueryRow(t.ctx, query, args...).Scan(dest...)
	if noRows(err) {
		return false, nil
	}
	return err == nil, describe(err)
}

func (t txn) AddEvent(customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, at time.Time) error {
	return addEvent(t.ctx, t.tx, customerID, conversationID, kind, detail, actor, at)
}

func (t txn) Merge(from, into int64, actor, reason string, at time.Time) error {
	return t.db.merge(t.ctx, t.tx, from, into, actor, reason, us(at))
}

// merge makes customer from part of customer into, as
// storage.Writes.Merge describes, locking both.
func (db *DB) merge(ctx context.Context, tx pgx.Tx, from, into int64, actor, reason string, now time.Time) error {
	// Lock both customers in id order, so two merges of the same pair
	// (either way round) never deadlock; then check them.
	first, second := min(from, into), max(from, into)
	for _, id := range []int64{first, second} {
		if _, err := lockCustomer(ctx, tx, id); err != nil {
			return err
		}
	}
	a, err := liveCustomer(ctx, tx, from)
	if err != nil {
		return err
	}
	b, err := liveCustomer(ctx, tx, into)
	if err != nil {
		return err
	}
	// The survivor keeps at most one open conversation per channel: from's
	// open conversations on channels where into has one are resolved.
	rows, err := tx.Query(ctx, `SELECT f.id FROM conversations f JOIN conversations t
		ON t.customer_id = $1 AND t.channel = f.channel AND t.status <> 'resolved'
		WHERE f.customer_id = $2 AND f.status <> 'resolved' ORDER BY f.id`, into, from)
	if err != nil {
		return fmt.Errorf("merge: %w", describe(err))
	}
	clash, err := pgx.CollectRows(rows, pgx.RowTo[bot.ConversationID])
	if err != nil {
		return fmt.Errorf("merge: %w", describe(err))
	}
	for _, id := range clash {
		if err := db.conversationEdits.Close(txn{ctx: ctx, tx: tx, db: db}, from, id, map[string]string{"why": "merged"}, actor, now); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	for _, q := range []string{
		`UPDATE channel_identities SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE conversations SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE messages SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE escalations SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE outbox SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE customer_events SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE notes SET customer_id = $1 WHERE customer_id = $2`,
		`UPDATE knowledge_gap_messages SET customer_id = $1 WHERE customer_id = $2`,
		`INSERT INTO tags (customer_id, tag, created) SELECT $1, tag, created FROM tags WHERE customer_id = $2 ON CONFLICT DO NOTHING`,
		`DELETE FROM tags WHERE customer_id = $2 AND customer_id <> $1`,
		`UPDATE customers SET merged_into = $1 WHERE merged_into = $2`,
	} {
		if _, err := tx.Exec(ctx, q, into, from); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE customers AS t SET
			name = CASE WHEN t.name = '' THEN f.name ELSE t.name END,
			email = CASE WHEN t.email = '' THEN f.email ELSE t.email END,
			phone = CASE WHEN t.phone = '' THEN f.phone ELSE t.phone END,
			language = CASE WHEN t.language = '' THEN f.language ELSE t.language END,
			owner = CASE WHEN t.owner = '' THEN f.owner ELSE t.owner END,
			vip = t.vip OR f.vip,
			inbound_count = t.inbound_count + f.inbound_count,
			outbound_count = t.outbound_count + f.outbound_count,
			complaint_count = t.complaint_count + f.complaint_count,
			at_risk_until = greatest(t.at_risk_until, f.at_risk_until),
			last_seen = greatest(t.last_seen, f.last_seen),
			created = least(t.created, f.created),
			updated = $3
		FROM customers AS f WHERE t.id = $1 AND f.id = $2`, into, from, now); err != nil {
		return fmt.Errorf("merge: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = $1, name = '', email = '', phone = '', owner = '', vip = false,
		updated = $3 WHERE id = $2`, into, from, now); err != nil {
		return fmt.Errorf("merge: %w", describe(err))
	}
	if storage.StageRank(a.Stage) > storage.StageRank(b.Stage) {
		if _, err := tx.Exec(ctx, `UPDATE customers SET stage = $1 WHERE id = $2`, a.Stage, into); err != nil {
			return fmt.Errorf("merge: %w", describe(err))
		}
	}
	detail := map[string]any{"from": from}
	if reason != "" {
		detail["reason"] = reason
	}
	if err := addEvent(ctx, tx, into, 0, bot.EventMerged, detail, actor, now); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, from, 0, bot.EventMergedInto, map[string]any{"into": into}, actor, now); err != nil {
		return err
	}
	merged, err := lockCustomer(ctx, tx, into)
	if err != nil {
		return err
	}
	return db.updateSegment(ctx, tx, merged, now)
}

// SetOwner gives a customer a sales owner (empty removes it) and records the
// change as an event (storage.Writes.SetOwner); PostgreSQL text
// cannot hold a NUL character.
func (db *DB) SetOwner(ctx context.Context, id int64, owner, actor string) error {
	if strings.ContainsRune(owner, 0) {
		return bot.Errorf(bot.EINVALID, "An owner must be at most 200 bytes of text.")
	}
	return db.writePaths.SetOwner(ctx, id, owner, actor)
}

// AddNote stores an agent's note on a customer, optionally about one of its
// conversations (0 for none), and returns its id.
func (db *DB) AddNote(ctx context.Context, customerID int64, conversationID bot.ConversationID, author, text string) (int64, error) {
	author, err := storage.NormalizeNote(author, text)
	if err != nil {
		return 0, err
	}
	if err := refuseNUL("A note cannot hold a NUL character.", text, author); err != nil {
		return 0, err
	}
	var id int64
	err = db.write(ctx, func(tx pgx.Tx) error {
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		var conv *bot.ConversationID
		if conversationID != 0 {
			var owner int64
			err := tx.QueryRow(ctx, `SELECT customer_id FROM conversations WHERE id = $1`, conversationID).Scan(&owner)
			if noRows(err) {
				return notFound("Conversation %d does not exist.", conversationID)
			} else if err != nil {
				return describe(err)
			}
			if owner != customerID {
				return bot.Errorf(bot.EINVALID, "Conversation %d is not customer %d's.", conversationID, customerID)
			}
			conv = &conversationID
		}
		return describe(tx.QueryRow(ctx, `INSERT INTO notes (customer_id, conversation_id, author, text, created)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, customerID, conv, author, text, us(db.now())).Scan(&id))
	})
	if err != nil {
		return 0, fmt.Errorf("storage: add note to customer %d: %w", customerID, err)
	}
	return id, nil
}
