package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// addGapPick counts the choice a customer picked (o.Picked) against the
// knowledge gap of the conversation's latest question the bot was not sure
// of; nothing when there is none.
func addGapPick(tx *sql.Tx, conversationID bot.ConversationID, docID string, t time.Time) error {
	var gap int64
	err := tx.QueryRow(`SELECT g.gap_id FROM knowledge_gap_messages g JOIN messages m ON m.id = g.message_id
		WHERE m.conversation_id = ? ORDER BY g.message_id DESC LIMIT 1`, conversationID).Scan(&gap)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	if _, err := tx.Exec(`INSERT INTO knowledge_gap_picks (gap_id, doc_id, count, last) VALUES (?, ?, 1, ?)
		ON CONFLICT (gap_id, doc_id) DO UPDATE SET count = count + 1, last = excluded.last`,
		gap, docID, fmtTime(t)); err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	return nil
}
