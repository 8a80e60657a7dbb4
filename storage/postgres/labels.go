package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
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

// ComplaintLabels returns the agents' verdicts on customers' messages whose
// text is still kept, newest first, at most limit (default 5000).
func (db *DB) ComplaintLabels(ctx context.Context, limit int) ([]bot.ComplaintLabel, error) {
	bot.SetDefault(&limit, 5000)
	rows, err := db.pool.Query(ctx, storage.ComplaintLabelsQuery(param), limit)
	out, err := collect(rows, err, storage.ScanComplaintLabel)
	if err != nil {
		return nil, fmt.Errorf("storage: complaint labels: %w", err)
	}
	return out, nil
}

// ReviewMessages returns the customers' messages since since that the bot
// did not judge complaints and nobody has judged, but that read negative or
// score at least minComplaint, the highest score first, at most limit
// (default 50).
func (db *DB) ReviewMessages(ctx context.Context, since time.Time, minComplaint float64, limit int) ([]bot.ReviewMessage, error) {
	bot.SetDefault(&limit, 50)
	rows, err := db.pool.Query(ctx, storage.ReviewQuery(param), us(since), minComplaint, limit)
	out, err := collect(rows, err, storage.ScanReview)
	if err != nil {
		return nil, fmt.Errorf("storage: messages to review: %w", err)
	}
	return out, nil
}
