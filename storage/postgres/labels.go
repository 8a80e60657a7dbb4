package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/storage"
)

// LabelMessage records agent's verdict on a customer's message:
// bot.LabelComplaint, bot.LabelNotComplaint, or "" to withdraw one
// (storage.LabelMessage).
func (db *DB) LabelMessage(ctx context.Context, messageID int64, label, agent string) error {
	exec := func(q string, args ...any) (n int64, err error) {
		err = db.write(ctx, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, q, args...)
			n = tag.RowsAffected()
			return describe(err)
		})
		return n, err
	}
	return storage.LabelMessage(exec, param, messageID, label, agent, us(db.now()))
}
