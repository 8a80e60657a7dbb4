package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// exportHeader is the CSV header, in ExportRow's field order.
var exportHeader = []string{"message_id", "time", "customer_id", "customer_name", "customer_email", "customer_phone",
	"channel", "conversation_id", "direction", "author", "text", "intent", "confidence", "language", "sentiment",
	"action", "redacted"}

// Export writes every message (or one customer's) with its customer and
// channel to w, oldest first, and returns how many it wrote. It streams: rows
// go from the database to w one at a time, so memory stays flat however many
// messages there are. It reads one consistent snapshot, on a connection of
// its own (Options.ExportConns): however long w takes to accept the rows,
// other reads and writes go on; the snapshot keeps the write-ahead log from
// being checkpointed past it until Export returns, so a caller streaming to
// a network client should bound how long a write may stall.
func (db *DB) Export(ctx context.Context, w io.Writer, opts bot.ExportOptions) (int64, error) {
	var rw rowWriter
	bw := bufio.NewWriterSize(w, 64<<10)
	switch opts.Format {
	case "", bot.ExportCSV:
		rw = newCSVRowWriter(bw)
	case bot.ExportJSON:
		rw = newJSONRowWriter(bw)
	default:
		return 0, bot.Errorf(bot.EINVALID, "Unknown export format %q; use csv or json.", opts.Format)
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
		if err := rw.write(&r); err != nil {
			return n, fmt.Errorf("storage: export: write: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("storage: export: %w", describe(err))
	}
	if err := rw.flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("storage: export: write: %w", err)
	}
	return n, nil
}

// rowWriter encodes export rows.
type rowWriter interface {
	write(r *bot.ExportRow) error
	flush() error
}

type csvRowWriter struct {
	w      *csv.Writer
	header bool
	rec    []string
}

func newCSVRowWriter(w io.Writer) *csvRowWriter {
	return &csvRowWriter{w: csv.NewWriter(w), rec: make([]string, len(exportHeader))}
}

func (c *csvRowWriter) write(r *bot.ExportRow) error {
	if !c.header {
		c.header = true
		if err := c.w.Write(exportHeader); err != nil {
			return err
		}
	}
	f := c.rec
	f[0] = strconv.FormatInt(r.MessageID, 10)
	f[1] = r.Time
	f[2] = strconv.FormatInt(r.CustomerID, 10)
	f[3] = SafeCell(r.CustomerName)
	f[4] = SafeCell(r.CustomerEmail)
	f[5] = SafeCell(r.CustomerPhone)
	f[6] = SafeCell(r.Channel)
	f[7] = strconv.FormatInt(int64(r.ConversationID), 10)
	f[8] = r.Direction
	f[9] = SafeCell(r.Author)
	f[10] = SafeCell(r.Text)
	f[11] = SafeCell(r.Intent)
	f[12] = strconv.FormatFloat(r.Confidence, 'f', -1, 64)
	f[13] = SafeCell(r.Language)
	f[14] = strconv.FormatFloat(r.Sentiment, 'f', -1, 64)
	f[15] = SafeCell(r.Action)
	f[16] = strconv.FormatBool(r.Redacted)
	return c.w.Write(f)
}

func (c *csvRowWriter) flush() error {
	if !c.header { // an empty export still has its header
		c.header = true
		if err := c.w.Write(exportHeader); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// SafeCell neutralises a text cell for spreadsheet users: a cell starting
// with =, +, -, @, a tab or a carriage return would be run as a formula
// (=HYPERLINK(…), =cmd|…), so it gets a leading apostrophe, which
// spreadsheets show as text. Other text is returned unchanged; CSV quoting of
// quotes and newlines is the CSV writer's job.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	// Full-width forms are read as formulas by some spreadsheets too.
	if strings.HasPrefix(s, "＝") || strings.HasPrefix(s, "＋") || strings.HasPrefix(s, "－") || strings.HasPrefix(s, "＠") {
		return "'" + s
	}
	return s
}

type jsonRowWriter struct {
	enc *json.Encoder
}

func newJSONRowWriter(w io.Writer) *jsonRowWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonRowWriter{enc: enc}
}

func (j *jsonRowWriter) write(r *bot.ExportRow) error { return j.enc.Encode(r) }

func (j *jsonRowWriter) flush() error { return nil }
