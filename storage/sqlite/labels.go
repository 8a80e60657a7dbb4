package sqlite

import (
	"context"

	"github.com/concierge-bot/concierge/storage"
)

// LabelMessage records agent's verdict on a customer's message:
// bot.LabelComplaint, bot.LabelNotComplaint, or "" to withdraw one
// (storage.LabelMessage).
func (db *DB) LabelMessage(ctx context.Context, messageID int64, label, agent string) error {
	exec := func(q string, args ...any) (int64, error) { return db.writeCount(ctx, q, args...) }
	return storage.LabelMessage(exec, param, messageID, label, agent, fmtTime(db.now()))
}
