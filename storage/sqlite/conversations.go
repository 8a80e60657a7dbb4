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

// Messages returns every message of a conversation in the order they were
// stored, or an ENOTFOUND *bot.Error if the conversation does not exist.
func (db *DB) Messages(ctx context.Context, conversationID bot.ConversationID) ([]bot.StoredMessage, error) {
	var one int
	err := db.r.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE id = ?`, conversationID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: messages: %w", notFound("Conversation %d does not exist.", conversationID))
	} else if err != nil {
		return nil, fmt.Errorf("storage: messages of conversation %d: %w", conversationID, describe(err))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.MessageCols+` FROM messages WHERE conversation_id = ? ORDER BY id`,
		conversationID)
	msgs, err := scanMessages(rows, err)
	if err != nil {
		return nil, fmt.Errorf("storage: messages of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// convRow is what the write paths need of a conversation.
type convRow = storage.ConversationState

// loadConversation reads what the write paths need of a conversation inside
// a write transaction.
func loadConversation(tx *sql.Tx, id bot.ConversationID) (convRow, error) {
	v := convRow{ID: id}
	var s string
	err := tx.QueryRow(`SELECT customer_id, channel, status, assignee, coalesce(last_message, opened) FROM conversations WHERE id = ?`,
		id).Scan(&v.Customer, &v.Channel, &s, &v.Assignee, storage.Time(&v.Last))
	if errors.Is(err, sql.ErrNoRows) {
		return convRow{}, notFound("Conversation %d does not exist.", id)
	} else if err != nil {
		return convRow{}, fmt.Errorf("load conversation %d: %w", id, describe(err))
	}
	v.Status = bot.ConversationStatus(s)
	return v, nil
}

// conversationEdits are the engine-neutral changes of conversations (Claim,
// Resolve, SetCSAT, ...), made in this database's write transactions
// through txn; embedded in DB, they are its methods.
type conversationEdits = storage.ConversationEdits

// newConversationEdits returns db's conversation edits.
func newConversationEdits(db *DB) conversationEdits {
	write := func(ctx context.Context, id bot.ConversationID, fn func(storage.Tx, convRow) error) error {
		return db.write(ctx, func(tx *sql.Tx) error {
			v, err := loadConversation(tx, id)
			if err != nil {
				return err
			}
			return fn(txn{tx: tx, db: db}, v)
		})
	}
	return storage.NewConversationEdits(write, func() time.Time { return db.now() }, dialect())
}

// AcknowledgeEscalation records that a person saw an open escalation. The
// conversation stays waiting for a human until someone takes it over.
// Acknowledging an acknowledged or resolved escalation does nothing.
func (db *DB) AcknowledgeEscalation(ctx context.Context, id bot.EscalationID, who string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRow(`SELECT status FROM escalations WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Escalation %d does not exist.", id)
		} else if err != nil {
			return fmt.Errorf("load escalation: %w", describe(err))
		}
		if status != bot.EscalationOpen {
			return nil
		}
		_, err = tx.Exec(`UPDATE escalations SET status = 'acknowledged', assignee = ?, acknowledged = ? WHERE id = ?`,
			who, fmtTime(db.now()), id)
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: acknowledge escalation: %w", err)
	}
	return nil
}
