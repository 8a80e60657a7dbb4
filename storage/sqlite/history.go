package sqlite

import (
	"context"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// maxHistoryLimit bounds one VisitorHistory read.
const maxHistoryLimit = 1000

// visitorMessages joins an identity to the messages of its conversations on
// its channel, in the order the indexes serve best.
const visitorMessages = ` FROM channel_identities i
	CROSS JOIN conversations c ON c.customer_id = i.customer_id AND c.channel = i.channel
	CROSS JOIN messages m ON m.conversation_id = c.id
	WHERE i.channel = ? AND i.external_id = ? AND m.redacted = 0`

var visitorCols = storage.Qualify("m", storage.MessageCols)

// VisitorHistory returns the messages of the conversations on channel of the
// customer known there as externalID, oldest first, leaving out redacted
// (erased) messages. With afterID >= 0 it returns the first limit messages
// whose id is greater than afterID, so a reader can page forward and resume
// after the last id it saw; with afterID < 0 it returns the latest limit
// messages. An unknown identity has no messages and no error. limit is
// capped at 1000; limit <= 0 returns nothing.
//
// It serves the web widget's history and its stream of new messages, and
// reads only through the read-only connections.
func (db *DB) VisitorHistory(ctx context.Context, channel, externalID string, afterID int64, limit int) ([]bot.StoredMessage, error) {
	if limit <= 0 || channel == "" || externalID == "" {
		return nil, nil
	}
	limit = min(limit, maxHistoryLimit)
	var q string
	args := []any{channel, externalID}
	if afterID >= 0 {
		q = `SELECT ` + visitorCols + visitorMessages + ` AND m.id > ? ORDER BY m.id LIMIT ?`
		args = append(args, afterID, limit)
	} else {
		q = `SELECT * FROM (SELECT ` + visitorCols + visitorMessages + ` ORDER BY m.id DESC LIMIT ?) ORDER BY id`
		args = append(args, limit)
	}
	rows, err := db.r.QueryContext(ctx, q, args...)
	msgs, err := scanMessages(rows, err)
	if err != nil {
		return nil, fmt.Errorf("storage: visitor history: %w", err)
	}
	return msgs, nil
}
