package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// Erase removes a customer's personal data for good: contact data, channel
// identities, tags (and the tag text of its tagged and untagged events),
// notes, the text of every message of its conversations (the customer's and
// the replies, which may quote it), escalation summaries,
// outbox items about it and knowledge-gap questions only it asked. It keeps
// anonymous counts (messages, complaints, conversations, CSAT, intents) and
// records an "erased" event. Deleted content is overwritten in the database
// file (secure_delete) and the write-ahead log is checkpointed and truncated,
// so no trace of it is left in the file or its WAL. An unknown customer is
// ENOTFOUND; a customer already erased or merged into another is ECONFLICT.
func (db *DB) Erase(ctx context.Context, id int64, actor string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := liveCustomer(tx, id); err != nil {
			return err
		}
		now := db.now()
		ts := fmtTime(now)
		rows, err := tx.Query(`SELECT DISTINCT gap_id FROM knowledge_gap_messages WHERE customer_id = ?`, id)
		gaps, err := collect(rows, err, scanValue[int64])
		if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		for _, q := range []string{
			`UPDATE knowledge_gaps SET count = max(0, count - (SELECT count(*) FROM knowledge_gap_messages k
				WHERE k.gap_id = knowledge_gaps.id AND k.customer_id = ?1))
				WHERE id IN (SELECT gap_id FROM knowledge_gap_messages WHERE customer_id = ?1)`,
			`DELETE FROM knowledge_gap_messages WHERE customer_id = ?1`,
			// A keyed request's recorded answer repeats the customer's words.
			`DELETE FROM requests WHERE message_id IN (SELECT id FROM messages WHERE customer_id = ?1)`,
			`UPDATE messages SET text = '', redacted = 1 WHERE customer_id = ?1 AND (text <> '' OR redacted = 0)`,
			`UPDATE escalations SET summary = '' WHERE customer_id = ?1`,
			`DELETE FROM outbox WHERE customer_id = ?1`,
			// Votes carry a hash of the voter's channel id: pseudonymous, so personal.
			`DELETE FROM answer_feedback WHERE conversation_id IN (SELECT id FROM conversations WHERE customer_id = ?1)`,
			`DELETE FROM notes WHERE customer_id = ?1`,
			`DELETE FROM tags WHERE customer_id = ?1`,
			// Tags are agents' free text: their events keep who and when.
			`UPDATE customer_events SET detail = '{}' WHERE customer_id = ?1 AND kind IN ('` + bot.EventTagged + `', '` +
				bot.EventUntagged + `')`,
			`DELETE FROM channel_identities WHERE customer_id = ?1`,
			`UPDATE customers SET name = '', email = '', phone = '', vip = 0, erased = ?2, updated = ?2 WHERE id = ?1`,
		} {
			if _, err := tx.Exec(q, id, ts); err != nil {
				return fmt.Errorf("erase: %w", describe(err))
			}
		}
		// A question nobody else asked goes with the customer.
		for _, g := range gaps {
			if _, err := tx.Exec(`DELETE FROM knowledge_gaps WHERE id = ? AND NOT EXISTS
				(SELECT 1 FROM knowledge_gap_messages WHERE gap_id = ?)`, g, g); err != nil {
				return fmt.Errorf("erase: %w", describe(err))
			}
		}
		return addEvent(tx, id, 0, bot.EventErased, nil, actor, now)
	})
	if err != nil {
		return fmt.Errorf("storage: erase customer %d: %w", id, err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		return fmt.Errorf("storage: erase customer %d: the data is erased but old copies may remain in the WAL until the next checkpoint: %w", id, err)
	}
	db.log.Info("customer erased", "customer", id, "actor", actor)
	return nil
}

// Checkpoint copies the write-ahead log into the database file and truncates
// it, waiting up to the busy timeout for readers to finish.
func (db *DB) Checkpoint(ctx context.Context) error {
	err := db.writeRaw(ctx, func(conn *sql.Conn) error {
		var busy, logFrames, done int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
			return describe(err)
		}
		if busy != 0 {
			return fmt.Errorf("checkpoint blocked by readers (%d of %d frames done)", done, logFrames)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}
