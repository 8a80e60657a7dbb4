package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/storage"
)

// PurgeTextBefore applies the retention rule "keep message text for N days":
// it removes the text of every message older than before (marking it
// redacted), the summaries of escalations and the payloads of delivered or
// dead outbox items older than before, and knowledge-gap questions last asked
// before it. Counts, intents, sentiment and times are kept. It works in small
// transactions so live traffic is not held up, and returns the number of
// messages whose text it removed.
func (db *DB) PurgeTextBefore(ctx context.Context, before time.Time) (int64, error) {
	cutoff := fmtTime(before)
	total, err := storage.InBatches(func() (int64, error) {
		return db.writeCount(ctx, `UPDATE messages SET text = '', redacted = 1 WHERE id IN
			(SELECT id FROM messages WHERE time < ? AND redacted = 0 LIMIT 2000)`, cutoff)
	})
	if err != nil {
		return total, fmt.Errorf("storage: purge message text: %w", err)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`UPDATE escalations SET summary = '' WHERE created < ?1 AND summary <> ''`,
			`UPDATE outbox SET payload = '{}' WHERE created < ?1 AND (delivered IS NOT NULL OR dead = 1) AND payload <> '{}'`,
			`DELETE FROM knowledge_gap_messages WHERE gap_id IN (SELECT id FROM knowledge_gaps WHERE last_seen < ?1)`,
			`DELETE FROM knowledge_gaps WHERE last_seen < ?1`,
		} {
			if _, err := tx.Exec(q, cutoff); err != nil {
				return describe(err)
			}
		}
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("storage: purge old text: %w", err)
	}
	return total, nil
}
