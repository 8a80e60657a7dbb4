package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Export writes every message (or one customer's) with its customer and
// channel to w, oldest first, and returns how many it wrote. It streams: rows
// go from the database to w one at a time, so memory stays flat however many
// messages there are. It reads one consistent snapshot, on a connection of
// its own (Options.ExportConns): however long w takes to accept the rows,
// other reads and writes go on; the snapshot keeps the write-ahead log from
// being checkpointed past it until Export returns, so a caller streaming to
// a network client should bound how long a write may stall.
func (db *DB) Export(ctx context.Context, w io.Writer, opts bot.ExportOptions) (int64, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	rw, err := storage.NewExportWriter(bw, opts.Format)
	if err != nil {
		return 0, err
	}
	// A connection of the export pool, never one of the read connections
	// the message path uses: a client that downloads slowly (or stops
	// reading) holds this connection and its snapshot until the caller's
	// writes to w fail or ctx ends.
	conn, err := db.x.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("storage: export: %w", describe(err))
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("storage: export: %w", describe(err))
	}
	defer func() { _ = tx.Rollback() }()
	// Customers and channels are looked up per message by primary key, so
	// nothing grows with the number of customers either.
	q := `SELECT m.id, m.time, m.customer_id, c.name, c.email, c.phone, v.channel, m.conversation_id, m.inbound,
		m.author, m.text, m.intent, m.confidence, m.language, m.sentiment, m.action, m.redacted
		FROM messages m CROSS JOIN conversations v ON v.id = m.conversation_id CROSS JOIN customers c ON c.id = m.customer_id`
	var args []any
	if opts.CustomerID != 0 {
		q += ` WHERE m.customer_id = ?`
		args = append(args, opts.CustomerID)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY m.id`, args...)
	if err != nil {
		return 0, fmt.Errorf("storage: export: %w", describe(err))
	}
	defer rows.Close()
	var n int64
	var r bot.ExportRow
	var inbound bool
	var ts string
	for rows.Next() {
		if err := rows.Scan(&r.MessageID, &ts, &r.CustomerID, &r.CustomerName, &r.CustomerEmail, &r.CustomerPhone,
			&r.Channel, &r.ConversationID, &inbound, &r.Author, &r.Text, &r.Intent, &r.Confidence, &r.Language,
			&r.Sentiment, &r.Action, &r.Redacted); err != nil {
			return n, fmt.Errorf("storage: export: %w", describe(err))
		}
		r.Time = parseTime(ts).Format(time.RFC3339Nano)
		r.Direction = "out"
		if inbound {
			r.Direction = "in"
		}
		if err := rw.Write(&r); err != nil {
			return n, fmt.Errorf("storage: export: write: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("storage: export: %w", describe(err))
	}
	if err := rw.Flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	return n, nil
}
