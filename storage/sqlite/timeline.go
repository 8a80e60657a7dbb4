package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Timeline returns everything that happened with a customer, on every
// channel, in time order: messages, events and notes. It is the agent's view
// of a customer. An unknown customer is ENOTFOUND.
func (db *DB) Timeline(ctx context.Context, customerID int64, opts bot.TimelineOptions) ([]bot.TimelineEntry, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("storage: timeline: %w", describe(err))
	}
	defer func() { _ = tx.Rollback() }()
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, customerID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: timeline: %w", notFound("Customer %d does not exist.", customerID))
	} else if err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, describe(err))
	}
	order, limit := storage.TimelineWindow(opts)

	channels := map[bot.ConversationID]string{}
	total := 0 // messages, to size the slice
	rows, err := tx.QueryContext(ctx, `SELECT id, channel, message_count FROM conversations WHERE customer_id = ?`, customerID)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id bot.ConversationID
		var ch string
		var n int
		if err := rows.Scan(&id, &ch, &n); err != nil {
			return err
		}
		channels[id] = ch
		total += n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, err)
	}

	if opts.Limit > 0 {
		total = min(total, opts.Limit)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+storage.MessageCols+` FROM messages WHERE customer_id = ?
		ORDER BY time `+order+`, id `+order+limit, customerID)
	msgs, err := scanMessagesCap(rows, err, total)
	if err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+storage.EventCols+` FROM customer_events WHERE customer_id = ?
		ORDER BY time `+order+`, id `+order+limit, customerID)
	events, err := collect(rows, err, storage.ScanEvent)
	if err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+storage.NoteCols+` FROM notes WHERE customer_id = ?
		ORDER BY created `+order+`, id `+order+limit, customerID)
	notes, err := collect(rows, err, storage.ScanNote)
	if err != nil {
		return nil, fmt.Errorf("storage: timeline of customer %d: %w", customerID, err)
	}

	return storage.Timeline(opts, channels, msgs, events, notes), nil
}
