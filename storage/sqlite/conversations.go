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

// Conversation returns one conversation, or an ENOTFOUND *bot.Error.
func (db *DB) Conversation(ctx context.Context, id bot.ConversationID) (bot.ConversationInfo, error) {
	c, err := storage.ScanConversation(db.r.QueryRowContext(ctx, `SELECT `+storage.ConversationCols+` FROM conversations WHERE id = ?`, id))
	return c, lookupError(err, "conversation", "Conversation %d does not exist.", id)
}

// lookupError wraps the error of reading the row of a thing by id: a
// missing row is an ENOTFOUND *bot.Error with the message missing (which
// formats id), any other error names what (say "conversation") and id.
func lookupError(err error, what, missing string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: %s: %w", what, notFound(missing, id))
	} else if err != nil {
		return fmt.Errorf("storage: %s %d: %w", what, id, describe(err))
	}
	return nil
}

// Conversations returns the conversations of a customer, oldest first, or an
// ENOTFOUND *bot.Error if the customer does not exist. A customer merged into
// another has no conversations left: they moved to the survivor.
func (db *DB) Conversations(ctx context.Context, customerID int64) ([]bot.ConversationInfo, error) {
	return customerList(ctx, db, customerID, "conversations",
		`SELECT `+storage.ConversationCols+` FROM conversations WHERE customer_id = ? ORDER BY id`, storage.ScanConversation)
}

// customerList reads the rows query returns for a customer (its one
// parameter), or an ENOTFOUND *bot.Error if the customer does not exist;
// what names the list in errors.
func customerList[T any](ctx context.Context, db *DB, customerID int64, what, query string,
	scan func(rowScanner) (T, error)) ([]T, error) {
	if err := db.customerExists(ctx, customerID); err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	rows, err := db.r.QueryContext(ctx, query, customerID)
	out, err := collect(rows, err, scan)
	if err != nil {
		return nil, fmt.Errorf("storage: %s of customer %d: %w", what, customerID, err)
	}
	return out, nil
}

func (db *DB) customerExists(ctx context.Context, id int64) error {
	var one int
	err := db.r.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Customer %d does not exist.", id)
	} else if err != nil {
		return fmt.Errorf("customer %d: %w", id, describe(err))
	}
	return nil
}

// Messages returns every message of a conversation in the order they were
// stored, or an ENOTFOUND *bot.Error if the conversation does not exist.
func (db *DB) Messages(ctx context.Context, conversationID bot.ConversationID) ([]bot.StoredMessage, error) {
	var one int
	err := db.r.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE id = ?`, conversationID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("storage: messages: %w", notFound("Conversation %d does not exist.", conversationID))
	} else if err != nil {
		return nil, fmt.Errorf("storage: messages of conversation %d: %w", conversationID, describe(err))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.MessageCols+` FROM messages WHERE conversation_id = ? ORDER BY id`,
		conversationID)
	msgs, err := scanMessages(rows, err)
	if err != nil {
		return nil, fmt.Errorf("storage: messages of conversation %d: %w", conversationID, err)
	}
	return msgs, nil
}

// convRow is what the write paths need of a conversation.
type convRow struct {
	customer int64
	status   bot.ConversationStatus
	assignee string
}

// loadConversation reads the customer, status and assignee of a
// conversation inside a write transaction.
func loadConversation(tx *sql.Tx, id bot.ConversationID) (convRow, error) {
	var v convRow
	var s string
	err := tx.QueryRow(`SELECT customer_id, status, assignee FROM conversations WHERE id = ?`, id).Scan(&v.customer, &s, &v.assignee)
	if errors.Is(err, sql.ErrNoRows) {
		return convRow{}, notFound("Conversation %d does not exist.", id)
	} else if err != nil {
		return convRow{}, fmt.Errorf("load conversation %d: %w", id, describe(err))
	}
	v.status = bot.ConversationStatus(s)
	return v, nil
}

// onConversation runs fn on a conversation (loadConversation) in a write
// transaction. Its error, or fn's, is wrapped as "storage: <what>".
func (db *DB) onConversation(ctx context.Context, id bot.ConversationID, what string, fn func(tx *sql.Tx, v convRow) error) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		v, err := loadConversation(tx, id)
		if err != nil {
			return err
		}
		return fn(tx, v)
	})
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// Reassign gives a conversation to agent to on the say of by (a manager),
// whoever holds it now: its status becomes human, its open escalations are
// acknowledged, and a reassigned event records who held it before, with by
// as the actor. Unlike Claim it takes a conversation from another agent, so
// it is for explicit, logged decisions only. A resolved conversation is
// ECONFLICT.
func (db *DB) Reassign(ctx context.Context, conversationID bot.ConversationID, to, by string) error {
	a, err := storage.NewReassignment(to, by)
	if err != nil {
		return err
	}
	return db.assign(ctx, conversationID, a, "reassign conversation")
}

// assign makes an assignment (storage.Assignment) of a conversation in a
// transaction of its own: status human, the agent as assignee, its open
// escalations acknowledged by the agent, and an event;
// storage.Assignment.Check decides whether it may and must. what names it
// in errors.
func (db *DB) assign(ctx context.Context, conversationID bot.ConversationID, a storage.Assignment, what string) error {
	return db.onConversation(ctx, conversationID, what, func(tx *sql.Tx, v convRow) error {
		if change, err := a.Check(conversationID, v.status, v.assignee); err != nil || !change {
			return err
		}
		now := db.now()
		if err := takeOver(tx, conversationID, a.Agent, now); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		kind, detail, actor := a.Event(v.status, v.assignee)
		return addEvent(tx, v.customer, conversationID, kind, detail, actor, now)
	})
}

// takeOver gives a conversation to agent inside tx: status human, the agent
// as assignee, and its open escalations acknowledged by the agent. It
// records no event: that is the caller's, which knows why.
func takeOver(tx *sql.Tx, conversationID bot.ConversationID, agent string, now time.Time) error {
	if _, err := tx.Exec(`UPDATE conversations SET status = 'human', assignee = ? WHERE id = ?`, agent, conversationID); err != nil {
		return describe(err)
	}
	if _, err := tx.Exec(`UPDATE escalations SET status = 'acknowledged', assignee = ?, acknowledged = coalesce(acknowledged, ?)
		WHERE conversation_id = ? AND status = 'open'`, agent, fmtTime(now), conversationID); err != nil {
		return describe(err)
	}
	return nil
}

// ReturnToBot gives a handed-off conversation back to the bot: its status
// becomes bot and its escalations are resolved. A resolved conversation
// cannot be returned (ECONFLICT).
func (db *DB) ReturnToBot(ctx context.Context, conversationID bot.ConversationID, actor string) error {
	return db.onConversation(ctx, conversationID, "return conversation to bot", func(tx *sql.Tx, v convRow) error {
		if v.status == bot.StatusResolved {
			return bot.Errorf(bot.ECONFLICT, "Conversation %d is resolved.", conversationID)
		}
		if v.status == bot.StatusBot {
			return nil
		}
		now := db.now()
		if _, err := tx.Exec(`UPDATE conversations SET status = 'bot', assignee = '' WHERE id = ?`, conversationID); err != nil {
			return fmt.Errorf("return to bot: %w", describe(err))
		}
		if err := resolveEscalations(tx, conversationID, now); err != nil {
			return err
		}
		return addEvent(tx, v.customer, conversationID, bot.EventReturnedToBot, map[string]string{"from": string(v.status)}, actor, now)
	})
}

// closeConversation resolves a conversation of customer custID and its
// escalations inside tx and records a resolved event with detail by actor.
func closeConversation(tx *sql.Tx, custID int64, id bot.ConversationID, detail map[string]string, actor string, now time.Time) error {
	if _, err := tx.Exec(`UPDATE conversations SET status = 'resolved', closed = ? WHERE id = ?`, fmtTime(now), id); err != nil {
		return fmt.Errorf("close conversation %d: %w", id, describe(err))
	}
	if err := resolveEscalations(tx, id, now); err != nil {
		return err
	}
	return addEvent(tx, custID, id, bot.EventResolved, detail, actor, now)
}

func resolveEscalations(tx *sql.Tx, conversationID bot.ConversationID, t time.Time) error {
	if _, err := tx.Exec(`UPDATE escalations SET status = 'resolved', resolved = ? WHERE conversation_id = ? AND status <> 'resolved'`,
		fmtTime(t), conversationID); err != nil {
		return fmt.Errorf("resolve escalations: %w", describe(err))
	}
	return nil
}

// Resolve closes a conversation and its escalations. The customer's next
// message on that channel opens a new conversation. Resolving a resolved
// conversation does nothing.
func (db *DB) Resolve(ctx context.Context, conversationID bot.ConversationID, actor string) error {
	return db.onConversation(ctx, conversationID, "resolve conversation", func(tx *sql.Tx, v convRow) error {
		if v.status == bot.StatusResolved {
			return nil
		}
		return closeConversation(tx, v.customer, conversationID, map[string]string{"from": string(v.status)}, actor, db.now())
	})
}

// AppendAgentMessage stores a human agent's message to the customer. An agent
// writing in a conversation the bot or nobody owns takes it over. It returns
// the message id; a resolved conversation is ECONFLICT.
func (db *DB) AppendAgentMessage(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error) {
	agent, err := storage.NormalizeAgentMessage(agent, text)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.onConversation(ctx, conversationID, "append agent message", func(tx *sql.Tx, v convRow) error {
		if v.status == bot.StatusResolved {
			return bot.Errorf(bot.ECONFLICT, "Conversation %d is resolved.", conversationID)
		}
		now := db.now()
		ts := fmtTime(now)
		res, err := tx.Exec(`INSERT INTO messages (conversation_id, customer_id, inbound, author, author_name, text, time)
			VALUES (?, ?, 0, 'agent', ?, ?, ?)`, conversationID, v.customer, agent, text, ts)
		if err != nil {
			return fmt.Errorf("insert agent message: %w", describe(err))
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if v.status == bot.StatusHuman && v.assignee != "" {
			return nil
		}
		if err := takeOver(tx, conversationID, agent, now); err != nil {
			return fmt.Errorf("take over: %w", err)
		}
		return addEvent(tx, v.customer, conversationID, bot.EventTakenOver, map[string]string{"from": string(v.status)}, agent, now)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// SetCSAT records the customer's satisfaction rating, 1 (worst) to 5 (best),
// of a conversation. A new rating replaces the old one.
func (db *DB) SetCSAT(ctx context.Context, conversationID bot.ConversationID, score int) error {
	if err := storage.CheckCSAT(score); err != nil {
		return err
	}
	return db.onConversation(ctx, conversationID, "set csat", func(tx *sql.Tx, v convRow) error {
		if _, err := tx.Exec(`UPDATE conversations SET csat = ? WHERE id = ?`, score, conversationID); err != nil {
			return fmt.Errorf("set csat: %w", describe(err))
		}
		return addEvent(tx, v.customer, conversationID, bot.EventCSAT, map[string]int{"score": score}, "", db.now())
	})
}

// Escalations returns escalations matching f, newest first.
func (db *DB) Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.EscalationInfo, error) {
	bot.SetDefault(&f.Limit, 100)
	rows, err := db.r.QueryContext(ctx, `SELECT `+storage.EscalationCols+` FROM escalations
		WHERE (? = '' OR status = ?) AND (? = 0 OR customer_id = ?) ORDER BY id DESC LIMIT ?`,
		f.Status, f.Status, f.CustomerID, f.CustomerID, f.Limit)
	out, err := collect(rows, err, storage.ScanEscalation)
	if err != nil {
		return nil, fmt.Errorf("storage: escalations: %w", err)
	}
	return out, nil
}

// Escalation returns one escalation, or an ENOTFOUND *bot.Error.
func (db *DB) Escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error) {
	e, err := storage.ScanEscalation(db.r.QueryRowContext(ctx, `SELECT `+storage.EscalationCols+` FROM escalations WHERE id = ?`, id))
	return e, lookupError(err, "escalation", "Escalation %d does not exist.", id)
}

// AcknowledgeEscalation records that a person saw an open escalation. The
// conversation stays waiting for a human until someone takes it over.
// Acknowledging an acknowledged or resolved escalation does nothing.
func (db *DB) AcknowledgeEscalation(ctx context.Context, id bot.EscalationID, who string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRow(`SELECT status FROM escalations WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Escalation %d does not exist.", id)
		} else if err != nil {
			return fmt.Errorf("load escalation: %w", describe(err))
		}
		if status != bot.EscalationOpen {
			return nil
		}
		_, err = tx.Exec(`UPDATE escalations SET status = 'acknowledged', assignee = ?, acknowledged = ? WHERE id = ?`,
			who, fmtTime(db.now()), id)
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: acknowledge escalation: %w", err)
	}
	return nil
}
