package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

var _ bot.Store = (*DB)(nil)

// custState is what the write paths need of a customer row.
type custState struct {
	storage.CustomerState
	merged int64 // the customer it was merged into, or 0
	erased bool
}

const custStateCols = `c.id, c.segment, c.language, c.owner, c.created, c.last_seen, c.at_risk_until, c.vip,
	c.inbound_count, c.stage, coalesce(c.merged_into, 0), c.erased IS NOT NULL`

func scanCustState(row storage.RowScanner) (custState, error) {
	var c custState
	err := row.Scan(&c.ID, &c.Segment, &c.Language, &c.Owner, &c.Created, storage.Time(&c.LastSeen),
		storage.Time(&c.AtRiskUntil), &c.VIPTag, &c.Inbound, &c.Stage, &c.merged, &c.erased)
	return c, err
}

// lockCustomer locks a customer's row for the transaction and returns it.
func lockCustomer(ctx context.Context, tx pgx.Tx, id int64) (custState, error) {
	c, err := scanCustState(tx.QueryRow(ctx, `SELECT `+custStateCols+` FROM customers c WHERE c.id = $1 FOR NO KEY UPDATE`, id))
	if noRows(err) {
		return c, notFound("Customer %d does not exist.", id)
	} else if err != nil {
		return c, fmt.Errorf("load customer %d: %w", id, describe(err))
	}
	return c, nil
}

// liveCustomer locks a customer that may be changed: it exists, was not
// merged into another and was not erased.
func liveCustomer(ctx context.Context, tx pgx.Tx, id int64) (custState, error) {
	c, err := lockCustomer(ctx, tx, id)
	switch {
	case err != nil:
		return c, err
	case c.merged != 0:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was merged into customer %d.", id, c.merged)
	case c.erased:
		return c, bot.Errorf(bot.ECONFLICT, "Customer %d was erased.", id)
	}
	return c, nil
}

// convRow is a locked conversation.
type convRow = storage.ConversationState

// lockConversation locks a conversation's customer and then the
// conversation itself (the order every writer follows), and returns both.
func lockConversation(ctx context.Context, tx pgx.Tx, id bot.ConversationID) (convRow, custState, error) {
	for {
		// One statement finds and locks the customer of the conversation.
		c, err := scanCustState(tx.QueryRow(ctx, `SELECT `+custStateCols+` FROM customers c
			WHERE c.id = (SELECT customer_id FROM conversations WHERE id = $1) FOR NO KEY UPDATE`, id))
		if noRows(err) {
			return convRow{}, custState{}, notFound("Conversation %d does not exist.", id)
		} else if err != nil {
			return convRow{}, custState{}, fmt.Errorf("load conversation %d: %w", id, describe(err))
		}
		v := convRow{ID: id}
		var status string
		err = tx.QueryRow(ctx, `SELECT customer_id, channel, status, assignee, coalesce(last_message, opened)
			FROM conversations WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&v.Customer, &v.Channel, &status, &v.Assignee, &v.Last)
		if err != nil {
			return v, c, fmt.Errorf("lock conversation %d: %w", id, describe(err))
		}
		v.Status = bot.ConversationStatus(status)
		if v.Customer == c.ID {
			return v, c, nil
		}
		// A merge moved the conversation between the two reads: the lock
		// on the old customer is harmless; take the new one's.
	}
}

// resolveConversation finds the customer of a channel identity and its open
// conversation on that channel, creating the customer (on first contact) and
// the conversation (when none is open) as needed. The identity is locked
// (an advisory lock for the transaction) and so is the customer's row, so
// that concurrent first messages make one customer and one conversation.
func (db *DB) resolveConversation(ctx context.Context, tx pgx.Tx, channel, externalID string, role bot.Role, t time.Time) (custState, bot.Conversation, error) {
	conv := bot.Conversation{Channel: channel}
	var c custState
	locked := false // the identity's advisory lock, taken only to create it
	for attempt := 0; ; attempt++ {
		var err error
		c, err = scanCustState(tx.QueryRow(ctx, `SELECT `+custStateCols+` FROM customers c
			WHERE c.id = (SELECT customer_id FROM channel_identities WHERE channel = $1 AND external_id = $2)
			FOR NO KEY UPDATE`, channel, externalID))
		switch {
		case noRows(err) && !locked:
			// A first contact: lock the identity, so that a concurrent first
			// message (on any replica) waits and then finds this customer.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, channel+"\x1f"+externalID); err != nil {
				return custState{}, conv, fmt.Errorf("lock identity: %w", describe(err))
			}
			locked = true
			continue
		case noRows(err):
			if c, err = createCustomer(ctx, tx, channel, externalID, role, t); err != nil {
				return c, conv, err
			}
		case err != nil:
			return c, conv, fmt.Errorf("find customer: %w", describe(err))
		case c.merged != 0 && attempt < 5:
			continue // merged while we waited for its lock: the identity moved
		}
		break
	}
	conv.CustomerID = c.ID
	var status string
	err := tx.QueryRow(ctx, `SELECT id, status, assignee FROM conversations
		WHERE customer_id = $1 AND channel = $2 AND status <> 'resolved'`, c.ID, channel).Scan(&conv.ID, &status, &conv.Assignee)
	if err != nil && !noRows(err) {
		return c, conv, fmt.Errorf("find conversation: %w", describe(err))
	}
	conv.Status = bot.ConversationStatus(status)
	if conv.ID != 0 {
		return c, conv, nil
	}
	if err := tx.QueryRow(ctx, `INSERT INTO conversations (customer_id, channel, status, opened) VALUES ($1, $2, 'bot', $3)
		RETURNING id`, c.ID, channel, t).Scan(&conv.ID); err != nil {
		return c, conv, fmt.Errorf("open conversation: %w", describe(err))
	}
	conv.Status = bot.StatusBot
	return c, conv, nil
}

// createCustomer creates a customer with one channel identity.
func createCustomer(ctx context.Context, tx pgx.Tx, channel, externalID string, role bot.Role, t time.Time) (custState, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO customers (role, segment, created, updated) VALUES ($1, $2, $3, $3) RETURNING id`,
		string(role), bot.SegmentNew, t).Scan(&id); err != nil {
		return custState{}, fmt.Errorf("create customer: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO channel_identities (customer_id, channel, external_id, created) VALUES ($1, $2, $3, $4)`,
		id, channel, externalID, t); err != nil {
		return custState{}, fmt.Errorf("create identity: %w", describe(err))
	}
	if err := addEvent(ctx, tx, id, 0, bot.EventCreated, map[string]string{"channel": channel}, "", t); err != nil {
		return custState{}, err
	}
	return custState{CustomerState: storage.CustomerState{ID: id, Segment: bot.SegmentNew, SegmentInput: storage.SegmentInput{Created: t}}}, nil
}

// updateSegment recomputes the segment of c, whose fields reflect the latest
// change, and stores it with an event when it changed
// (storage.Writes.UpdateSegment).
func (db *DB) updateSegment(ctx context.Context, tx pgx.Tx, c custState, t time.Time) error {
	return db.writePaths.UpdateSegment(txn{ctx: ctx, tx: tx, db: db}, c.CustomerState, t)
}

// addEvent records a customer event (storage.AddEvent).
func addEvent(ctx context.Context, tx pgx.Tx, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	return storage.AddEvent(txn{ctx: ctx, tx: tx}, dialect(), customerID, conversationID, kind, detail, actor, t)
}

// Keyed, Resolve and ReplyTo are txn's part of storage.WriteTx.
func (t txn) Keyed(key string) (bot.Conversation, int64, bool, error) {
	return keyedInbound(t.ctx, t.tx, key)
}

func (t txn) Resolve(channel, externalID string, role bot.Role, at time.Time) (storage.CustomerState, bot.Conversation, error) {
	c, conv, err := t.db.resolveConversation(t.ctx, t.tx, channel, externalID, role, at)
	return c.CustomerState, conv, err
}

// ReplyTo locks the conversation and its customer (lockConversation).
func (t txn) ReplyTo(id bot.ConversationID) (convRow, storage.CustomerState, error) {
	v, c, err := lockConversation(t.ctx, t.tx, id)
	return v, c.CustomerState, err
}

func (t txn) AddKnowledgeGap(messageID int64, lang string, customerID int64, at time.Time) error {
	return addKnowledgeGap(t.ctx, t.tx, messageID, lang, customerID, at)
}

func (t txn) AddGapPick(conversationID bot.ConversationID, docID string, at time.Time) error {
	return addGapPick(t.ctx, t.tx, conversationID, docID, at)
}

// addKnowledgeGap counts a question the bot could not answer, keeping a link
// to the message so that erasing the customer can remove it.
func addKnowledgeGap(ctx context.Context, tx pgx.Tx, messageID int64, lang string, customerID int64, t time.Time) error {
	var text string
	if err := tx.QueryRow(ctx, `SELECT text FROM messages WHERE id = $1`, messageID).Scan(&text); err != nil {
		return fmt.Errorf("knowledge gap: %w", describe(err))
	}
	q := storage.NormalizeQuestion(text)
	if q == "" {
		return nil
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO knowledge_gaps AS g (question, language, count, first_seen, last_seen) VALUES ($1, $2, 1, $3, $3)
		ON CONFLICT (question) DO UPDATE SET count = g.count + 1, last_seen = greatest(g.last_seen, EXCLUDED.last_seen)
		RETURNING id`, q, lang, t).Scan(&id)
	if err != nil {
		return fmt.Errorf("knowledge gap: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO knowledge_gap_messages (gap_id, message_id, customer_id) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, id, messageID, customerID); err != nil {
		return fmt.Errorf("knowledge gap link: %w", describe(err))
	}
	return nil
}

// addGapPick counts the choice a customer picked against the knowledge gap
// of the conversation's latest question the bot was not sure of.
func addGapPick(ctx context.Context, tx pgx.Tx, conversationID bot.ConversationID, docID string, t time.Time) error {
	var gap int64
	err := tx.QueryRow(ctx, `SELECT g.gap_id FROM knowledge_gap_messages g JOIN messages m ON m.id = g.message_id
		WHERE m.conversation_id = $1 ORDER BY g.message_id DESC LIMIT 1`, conversationID).Scan(&gap)
	if noRows(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO knowledge_gap_picks AS p (gap_id, doc_id, count, last) VALUES ($1, $2, 1, $3)
		ON CONFLICT (gap_id, doc_id) DO UPDATE SET count = p.count + 1, last = EXCLUDED.last`, gap, docID, t); err != nil {
		return fmt.Errorf("knowledge gap pick: %w", describe(err))
	}
	return nil
}

// RecentMessages implements bot.Store: up to n of the latest messages of a
// conversation, oldest first. An unknown conversation has no messages.
func (db *DB) RecentMessages(ctx context.Context, conversationID bot.ConversationID, n int) ([]bot.StoredMessage, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+messageCols+` FROM (SELECT * FROM messages
		WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`, conversationID, n)
	msgs, err := collect(rows, err, storage.ScanMessage)
	if err != nil {
		return nil, fmt.Errorf("storage: recent messages of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// messageCols are storage.MessageCols of the messages aliased m.
var messageCols = storage.Qualify("m", storage.MessageCols)
