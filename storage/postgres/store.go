package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

var _ bot.Store = (*DB)(nil)

// AppendInbound implements bot.Store: it resolves the customer of (channel,
// external user id), creating the customer on first contact, finds the open
// conversation on that channel or opens one (a resolved conversation is never
// reopened), appends the message and returns once it is committed.
//
// When ctx carries a request key (WithRequestKey) whose message was already
// stored, by this process or another, it returns that message instead of
// storing it again.
func (db *DB) AppendInbound(ctx context.Context, in bot.Inbound) (bot.Conversation, int64, error) {
	role, err := storage.CheckInbound(in)
	if err != nil {
		return bot.Conversation{}, 0, err
	}
	if err := refuseNUL("The message holds a NUL character.", in.Text, in.ExternalUserID, in.Channel); err != nil {
		return bot.Conversation{}, 0, err
	}
	t := in.Time
	if t.IsZero() {
		t = db.now()
	}
	t = us(t)
	key := storage.RequestKey(ctx)
	var conv bot.Conversation
	var msgID int64
	err = db.write(ctx, func(tx pgx.Tx) error {
		if key != "" {
			var done bool
			var err error
			if conv, msgID, done, err = keyedInbound(ctx, tx, key); err != nil || done {
				return err
			}
		}
		c, cv, err := db.resolveConversation(ctx, tx, in.Channel, in.ExternalUserID, role, t)
		if err != nil {
			return err
		}
		conv = cv
		// The messages_counters trigger updates the conversation's and the
		// customer's counters and last-seen time.
		if err := tx.QueryRow(ctx, `INSERT INTO messages (conversation_id, customer_id, inbound, author, text, time)
			VALUES ($1, $2, true, 'customer', $3, $4) RETURNING id`, conv.ID, c.ID, in.Text, t).Scan(&msgID); err != nil {
			return fmt.Errorf("insert message: %w", describe(err))
		}
		if key != "" {
			if _, err := tx.Exec(ctx, `UPDATE requests SET message_id = $1 WHERE key = $2`, msgID, key); err != nil {
				return fmt.Errorf("record request: %w", describe(err))
			}
		}
		c.Inbound++
		if t.After(c.LastSeen) {
			c.LastSeen = t
		}
		return db.updateSegment(ctx, tx, c, t)
	})
	if err != nil {
		return bot.Conversation{}, 0, fmt.Errorf("storage: append inbound: %w", err)
	}
	return conv, msgID, nil
}

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
// (storage.CustomerEdits.UpdateSegment).
func (db *DB) updateSegment(ctx context.Context, tx pgx.Tx, c custState, t time.Time) error {
	return db.customerEdits.UpdateSegment(txn{ctx: ctx, tx: tx, db: db}, c.CustomerState, t)
}

// addEvent records a customer event (storage.AddEvent).
func addEvent(ctx context.Context, tx pgx.Tx, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	return storage.AddEvent(txn{ctx: ctx, tx: tx}, dialect(), customerID, conversationID, kind, detail, actor, t)
}

// AppendOutbound implements bot.Store, as storage.Replies.Store describes
// (and as storage/sqlite's does): in one transaction it annotates the
// inbound message, stores the reply and makes what the reply asks for (an
// escalation, a lead, a knowledge gap). If the conversation is handed off
// and o is not a relay it fails with ECONFLICT and stores nothing.
//
// When ctx carries a request key (WithRequestKey) and the inbound message
// already has its reply (stored by a replica that died before answering),
// it returns that reply instead of storing another.
func (db *DB) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	if err := storage.CheckOutbound(o); err != nil {
		return bot.Stored{}, err
	}
	if strings.ContainsRune(o.Text, 0) {
		return bot.Stored{}, bot.Errorf(bot.EINVALID, "The reply is not valid UTF-8 text.")
	}
	t := o.Time
	if t.IsZero() {
		t = db.now()
	}
	t = us(t)
	keyed := storage.RequestKey(ctx) != ""
	replies := storage.Replies{Alerts: db.opts.Alerts, LeadOwner: db.opts.LeadOwner, AtRiskFor: db.rules.AtRiskFor, Dialect: dialect()}
	var st bot.Stored
	err := db.write(ctx, func(tx pgx.Tx) error {
		st = bot.Stored{}
		v, c, err := lockConversation(ctx, tx, o.ConversationID)
		if err != nil {
			return err
		}
		if keyed && o.InboundID != 0 {
			var found bool
			if st, found, err = existingReply(ctx, tx, o.InboundID); err != nil || found {
				return err
			}
		}
		var ch storage.CustomerChanges
		st, ch, err = replies.Store(txn{ctx: ctx, tx: tx, db: db}, o, storage.ReplyTo{Status: v.Status, Channel: v.Channel,
			Customer: c.ID, Owner: c.Owner, Language: c.Language, SegmentInput: c.SegmentInput}, t)
		if err != nil {
			return err
		}
		ch.Apply(&c.SegmentInput)
		return db.updateSegment(ctx, tx, c, t)
	})
	if err != nil {
		return bot.Stored{}, fmt.Errorf("storage: append outbound: %w", err)
	}
	return st, nil
}

// existingReply finds what an earlier AppendOutbound stored for an inbound
// message: its reply and its escalation.
func existingReply(ctx context.Context, tx pgx.Tx, inbound int64) (bot.Stored, bool, error) {
	var st bot.Stored
	var n int
	err := tx.QueryRow(ctx, `SELECT
		coalesce((SELECT max(id) FROM messages WHERE reply_to = $1 AND author = 'bot'), 0),
		coalesce((SELECT max(id) FROM escalations WHERE message_id = $1), 0),
		(SELECT count(*) FROM messages WHERE id = $1 AND intent <> '')`, inbound).Scan(&st.MessageID, &st.EscalationID, &n)
	if err != nil {
		return st, false, fmt.Errorf("find earlier reply: %w", describe(err))
	}
	return st, st.MessageID != 0 || st.EscalationID != 0, nil
}

// Enqueue, AddKnowledgeGap and AddGapPick make txn a storage.ReplyTx.
func (t txn) Enqueue(m bot.OutboxMessage, at time.Time) (int64, error) {
	return enqueue(t.ctx, t.tx, m, at)
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
