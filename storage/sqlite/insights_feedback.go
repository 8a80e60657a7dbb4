package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/concierge-bot/concierge/storage"
)

// RecordFeedback stores a helpful / not helpful vote on one of the bot's
// messages (it satisfies the Slack adapter's FeedbackRecorder). Each voter
// has one vote per message: a later vote replaces the earlier one. The voter
// id is kept only as a hash. A message that is not a bot message is
// ENOTFOUND; an empty voter is EINVALID.
func (db *DB) RecordFeedback(ctx context.Context, messageID int64, helpful bool, voter string) error {
	voterKey, err := storage.VoterKey(voter)
	if err != nil {
		return err
	}
	vote := 0
	if helpful {
		vote = 1
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		var convID int64
		var channel string
		err := tx.QueryRow(`SELECT m.conversation_id, v.channel FROM messages m JOIN conversations v ON v.id = m.conversation_id
			WHERE m.id = ? AND m.author = 'bot'`, messageID).Scan(&convID, &channel)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Message %d is not an answer of the bot.", messageID)
		} else if err != nil {
			return fmt.Errorf("load message %d: %w", messageID, describe(err))
		}
		old := -1
		err = tx.QueryRow(`SELECT helpful FROM answer_feedback WHERE message_id = ? AND voter = ?`, messageID, voterKey).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("load vote: %w", describe(err))
		}
		if old == vote {
			return nil
		}
		if _, err := tx.Exec(`INSERT INTO answer_feedback (message_id, voter, conversation_id, channel, helpful, time)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, voter) DO UPDATE SET helpful = excluded.helpful, time = excluded.time`,
			messageID, voterKey, convID, channel, vote, fmtTime(db.now())); err != nil {
			return fmt.Errorf("store vote: %w", describe(err))
		}
		dh, dn := storage.VoteCounts(helpful, old >= 0)
		if _, err := tx.Exec(`INSERT INTO insight_conversations (conversation_id, helpful, not_helpful) VALUES (?, ?, ?)
			ON CONFLICT (conversation_id) DO UPDATE SET helpful = helpful + excluded.helpful,
				not_helpful = not_helpful + excluded.not_helpful`, convID, dh, dn); err != nil {
			return fmt.Errorf("count vote: %w", describe(err))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: record feedback on message %d: %w", messageID, err)
	}
	return nil
}
