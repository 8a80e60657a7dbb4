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

var _ bot.Store = (*DB)(nil)

// custState is what the write paths need of a customer row.
type custState = storage.CustomerState

// custStateCols are the columns of a customers row, alias c, that
// scanCustState reads.
const custStateCols = `c.id, c.segment, c.language, c.owner, c.created, c.last_seen, c.at_risk_until, c.vip,
	c.inbound_count, c.stage`

// scanCustState scans custStateCols followed by extra destinations.
func scanCustState(sc rowScanner, extra ...any) (custState, error) {
	var c custState
	dest := append([]any{&c.ID, &c.Segment, &c.Language, &c.Owner, storage.Time(&c.Created), storage.Time(&c.LastSeen),
		storage.Time(&c.AtRiskUntil), &c.VIPTag, &c.Inbound, &c.Stage}, extra...)
	err := sc.Scan(dest...)
	return c, err
}

func loadCustState(tx *sql.Tx, id int64) (custState, error) {
	c, err := scanCustState(tx.QueryRow(`SELECT `+custStateCols+` FROM customers c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("Customer %d does not exist.", id)
	} else if err != nil {
		return c, fmt.Errorf("load customer %d: %w", id, describe(err))
	}
	return c, nil
}

// resolveConversation finds the customer of a channel identity and its open
// conversation on that channel in one query, creating the customer (on first
// contact) and the conversation (when none is open) as needed.
func resolveConversation(tx *sql.Tx, channel, externalID string, role bot.Role, t time.Time) (custState, bot.Conversation, error) {
	conv := bot.Conversation{Channel: channel}
	// Two simple statements: SQLite plans a join of these tables badly.
	c, err := scanCustState(tx.QueryRow(`SELECT `+custStateCols+` FROM customers c
		WHERE c.id = (SELECT customer_id FROM channel_identities WHERE channel = ? AND external_id = ?)`, channel, externalID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if c, err = createCustomer(tx, channel, externalID, role, t); err != nil {
			return c, conv, err
		}
	case err != nil:
		return c, conv, fmt.Errorf("find customer: %w", describe(err))
	default:
		var status string
		err := tx.QueryRow(`SELECT id, status, assignee FROM conversations
			WHERE customer_id = ? AND channel = ? AND status <> 'resolved'`, c.ID, channel).Scan(&conv.ID, &status, &conv.Assignee)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return c, conv, fmt.Errorf("find conversation: %w", describe(err))
		}
		conv.Status = bot.ConversationStatus(status)
	}
	conv.CustomerID = c.ID
	if conv.ID != 0 {
		return c, conv, nil
	}
	res, err := tx.Exec(`INSERT INTO conversations (customer_id, channel, status, opened) VALUES (?, ?, 'bot', ?)`,
		c.ID, channel, fmtTime(t))
	if err != nil {
		return c, conv, fmt.Errorf("open conversation: %w", describe(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return c, conv, fmt.Errorf("open conversation: %w", err)
	}
	conv.ID = bot.ConversationID(id)
	conv.Status = bot.StatusBot
	return c, conv, nil
}

// createCustomer creates a customer with one channel identity.
func createCustomer(tx *sql.Tx, channel, externalID string, role bot.Role, t time.Time) (custState, error) {
	ts := fmtTime(t)
	res, err := tx.Exec(`INSERT INTO customers (role, segment, created, updated) VALUES (?, ?, ?, ?)`,
		string(role), bot.SegmentNew, ts, ts)
	if err != nil {
		return custState{}, fmt.Errorf("create customer: %w", describe(err))
	}
	id, err := res.LastInsertId()
	if err != nil {
		return custState{}, fmt.Errorf("create customer: %w", err)
	}
	if _, err := tx.Exec(`INSERT INTO channel_identities (customer_id, channel, external_id, created) VALUES (?, ?, ?, ?)`,
		id, channel, externalID, ts); err != nil {
		return custState{}, fmt.Errorf("create identity: %w", describe(err))
	}
	if err := addEvent(tx, id, 0, bot.EventCreated, map[string]string{"channel": channel}, "", t); err != nil {
		return custState{}, err
	}
	return custState{ID: id, Segment: bot.SegmentNew, SegmentInput: storage.SegmentInput{Created: t}}, nil
}

// updateSegment recomputes the segment of c, whose fields reflect the latest
// change, and stores it with an event when it changed
// (storage.Writes.UpdateSegment).
func (db *DB) updateSegment(tx *sql.Tx, c custState, t time.Time) error {
	return db.writePaths.UpdateSegment(txn{tx: tx, db: db}, c, t)
}

// addEvent records a customer event (storage.AddEvent).
func addEvent(tx *sql.Tx, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	return storage.AddEvent(txn{tx: tx}, dialect(), customerID, conversationID, kind, detail, actor, t)
}

// Keyed, Resolve and ReplyTo are txn's part of storage.WriteTx.
func (t txn) Keyed(key string) (bot.Conversation, int64, bool, error) { return keyedInbound(t.tx, key) }

func (t txn) Resolve(channel, externalID string, role bot.Role, at time.Time) (storage.CustomerState, bot.Conversation, error) {
	return resolveConversation(t.tx, channel, externalID, role, at)
}

func (t txn) ReplyTo(id bot.ConversationID) (convRow, custState, error) {
	v := convRow{ID: id}
	var status string
	c, err := scanCustState(t.tx.QueryRow(`SELECT `+custStateCols+`, v.channel, v.status
		FROM conversations v JOIN customers c ON c.id = v.customer_id WHERE v.id = ?`, id), &v.Channel, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return v, c, notFound("Conversation %d does not exist.", id)
	} else if err != nil {
		return v, c, fmt.Errorf("load conversation: %w", describe(err))
	}
	v.Customer, v.Status = c.ID, bot.ConversationStatus(status)
	return v, c, nil
}

func (t txn) AddKnowledgeGap(messageID int64, lang string, customerID int64, at time.Time) error {
	return addKnowledgeGap(t.tx, messageID, lang, customerID, at)
}

func (t txn) AddGapPick(conversationID bot.ConversationID, docID string, at time.Time) error {
	return addGapPick(t.tx, conversationID, docID, at)
}

// addKnowledgeGap counts a question the bot could not answer, keeping a link
// to the message so that erasing the customer can remove it.
func addKnowledgeGap(tx *sql.Tx, messageID int64, lang string, customerID int64, t time.Time) error {
	var text string
	if err := tx.QueryRow(`SELECT text FROM messages WHERE id = ?`, messageID).Scan(&text); err != nil {
		return fmt.Errorf("knowledge gap: %w", describe(err))
	}
	q := storage.NormalizeQuestion(text)
	if q == "" {
		return nil
	}
	ts := fmtTime(t)
	var id int64
	err := tx.QueryRow(`INSERT INTO knowledge_gaps (question, language, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)
		ON CONFLICT (question) DO UPDATE SET count = count + 1, last_seen = max(last_seen, excluded.last_seen)
		RETURNING id`, q, lang, ts, ts).Scan(&id)
	if err != nil {
		return fmt.Errorf("knowledge gap: %w", describe(err))
	}
	if _, err := tx.Exec(`INSERT OR IGNORE INTO knowledge_gap_messages (gap_id, message_id, customer_id) VALUES (?, ?, ?)`,
		id, messageID, customerID); err != nil {
		return fmt.Errorf("knowledge gap link: %w", describe(err))
	}
	return nil
}

// RecentMessages implements bot.Store: up to n of the latest messages of a
// conversation, oldest first. An unknown conversation has no messages.
func (db *DB) RecentMessages(ctx context.Context, conversationID bot.ConversationID, n int) ([]bot.StoredMessage, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.MessageCols+` FROM (SELECT * FROM messages
		WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id`, conversationID, n)
	msgs, err := scanMessages(rows, err)
	if err != nil {
		return nil, fmt.Errorf("storage: recent messages of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// scanMessages reads rows of storage.MessageCols, the result of a query that
// returned err, and closes rows. No rows is an empty slice, not nil.
func scanMessages(rows *sql.Rows, err error) ([]bot.StoredMessage, error) {
	return appendRows([]bot.StoredMessage{}, rows, err, storage.ScanMessage)
}
