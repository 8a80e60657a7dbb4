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

// AppendInbound implements bot.Store: it resolves the customer of (channel,
// external user id), creating the customer on first contact, finds the open
// conversation on that channel or opens one (a resolved conversation is never
// reopened), appends the message and returns once it is durable.
func (db *DB) AppendInbound(ctx context.Context, in bot.Inbound) (bot.Conversation, int64, error) {
	role, err := storage.CheckInbound(in)
	if err != nil {
		return bot.Conversation{}, 0, err
	}
	t := in.Time
	if t.IsZero() {
		t = db.now()
	}
	key := storage.RequestKey(ctx)
	var conv bot.Conversation
	var msgID int64
	err = db.write(ctx, func(tx *sql.Tx) error {
		if key != "" {
			var done bool
			var err error
			if conv, msgID, done, err = keyedInbound(tx, key); err != nil || done {
				return err
			}
		}
		var c custState
		var err error
		c, conv, err = resolveConversation(tx, in.Channel, in.ExternalUserID, role, t)
		if err != nil {
			return err
		}
		// The messages_counters trigger updates the conversation's and the
		// customer's counters and last-seen time.
		res, err := tx.Exec(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, time)
			VALUES (?, ?, 1, 'customer', ?, ?)`, conv.ID, c.ID, in.Text, fmtTime(t))
		if err != nil {
			return fmt.Errorf("insert message: %w", describe(err))
		}
		if msgID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if key != "" {
			if _, err := tx.Exec(`UPDATE requests SET message_id = ? WHERE key = ?`, msgID, key); err != nil {
				return fmt.Errorf("record request: %w", describe(err))
			}
		}
		c.Inbound++
		if t.After(c.LastSeen) {
			c.LastSeen = t
		}
		return db.updateSegment(tx, c, t)
	})
	if err != nil {
		return bot.Conversation{}, 0, fmt.Errorf("storage: append inbound: %w", err)
	}
	return conv, msgID, nil
}

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
// (storage.CustomerEdits.UpdateSegment).
func (db *DB) updateSegment(tx *sql.Tx, c custState, t time.Time) error {
	return db.customerEdits.UpdateSegment(txn{tx: tx, db: db}, c, t)
}

// addEvent records a customer event (storage.AddEvent).
func addEvent(tx *sql.Tx, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	return storage.AddEvent(txn{tx: tx}, dialect(), customerID, conversationID, kind, detail, actor, t)
}

// AppendOutbound implements bot.Store, as storage.Replies.Store describes:
// in one transaction it annotates the inbound message, stores the reply and
// makes what the reply asks for (an escalation, a lead, a knowledge gap).
// If the conversation is handed off and o is not a relay it fails with
// ECONFLICT and stores nothing.
func (db *DB) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	if err := storage.CheckOutbound(o); err != nil {
		return bot.Stored{}, err
	}
	t := o.Time
	if t.IsZero() {
		t = db.now()
	}
	keyed := storage.RequestKey(ctx) != ""
	replies := storage.Replies{Alerts: db.opts.Alerts, LeadOwner: db.opts.LeadOwner, AtRiskFor: db.rules.AtRiskFor, Dialect: dialect()}
	var st bot.Stored
	err := db.write(ctx, func(tx *sql.Tx) error {
		st = bot.Stored{}
		if keyed && o.InboundID != 0 {
			// A keyed request handled again after a crash: what was
			// stored the first time stands.
			var found bool
			var err error
			if st, found, err = existingReply(tx, o.InboundID); err != nil || found {
				return err
			}
		}
		var channel, status string
		c, err := scanCustState(tx.QueryRow(`SELECT `+custStateCols+`, v.channel, v.status
			FROM conversations v JOIN customers c ON c.id = v.customer_id WHERE v.id = ?`, o.ConversationID),
			&channel, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Conversation %d does not exist.", o.ConversationID)
		} else if err != nil {
			return fmt.Errorf("load conversation: %w", describe(err))
		}
		var ch storage.CustomerChanges
		st, ch, err = replies.Store(txn{tx: tx, db: db}, o, storage.ReplyTo{Status: bot.ConversationStatus(status), Channel: channel,
			Customer: c.ID, Owner: c.Owner, Language: c.Language, SegmentInput: c.SegmentInput}, t)
		if err != nil {
			return err
		}
		ch.Apply(&c.SegmentInput)
		return db.updateSegment(tx, c, t)
	})
	if err != nil {
		return bot.Stored{}, fmt.Errorf("storage: append outbound: %w", err)
	}
	return st, nil
}

// Enqueue, AddKnowledgeGap and AddGapPick make txn a storage.ReplyTx.
func (t txn) Enqueue(m bot.OutboxMessage, at time.Time) (int64, error) { return enqueue(t.tx, m, at) }

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
	return scanMessagesCap(rows, err, 0)
}

// scanMessagesCap is scanMessages with a capacity hint.
func scanMessagesCap(rows *sql.Rows, err error, capacity int) ([]bot.StoredMessage, error) {
	return appendRows(make([]bot.StoredMessage, 0, capacity), rows, err, storage.ScanMessage)
}
