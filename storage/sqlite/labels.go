package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// LabelMessage records agent's verdict on a customer's message:
// bot.LabelComplaint, bot.LabelNotComplaint, or "" to withdraw one. It is
// ENOTFOUND when there is no such message and EINVALID when the message is
// not a customer's.
func (db *DB) LabelMessage(ctx context.Context, messageID int64, label, agent string) error {
	if err := storage.CheckLabel(label, agent); err != nil {
		return err
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		var author string
		err := tx.QueryRow(`SELECT author FROM messages WHERE id = ?`, messageID).Scan(&author)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("There is no message %d.", messageID)
		} else if err != nil {
			return fmt.Errorf("load message: %w", describe(err))
		}
		if author != bot.AuthorCustomer {
			return bot.Errorf(bot.EINVALID, "Only a customer's message can be labelled; message %d is the %s's.", messageID, author)
		}
		var at any
		if label != "" {
			at = fmtTime(db.now())
		}
		if _, err := tx.Exec(`UPDATE messages SET label = ?, label_agent = ?, label_time = ? WHERE id = ?`,
			label, agent, at, messageID); err != nil {
			return fmt.Errorf("store label: %w", describe(err))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: label message %d: %w", messageID, err)
	}
	return nil
}

// ComplaintLabels returns the agents' verdicts on customers' messages whose
// text is still kept, newest first, at most limit (default 5000).
func (db *DB) ComplaintLabels(ctx context.Context, limit int) ([]bot.ComplaintLabel, error) {
	bot.SetDefault(&limit, 5000)
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.ComplaintLabelCols+` FROM messages
		WHERE label <> '' AND redacted = 0 AND text <> '' ORDER BY label_time DESC, id DESC LIMIT ?`, limit)
	out, err := collect(rows, err, storage.ScanComplaintLabel)
	if err != nil {
		return nil, fmt.Errorf("storage: complaint labels: %w", err)
	}
	return out, nil
}
