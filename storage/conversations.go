package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// ConversationState is what the write paths of every engine need of a
// conversation row.
type ConversationState struct {
	ID       bot.ConversationID
	Customer int64 // the customer's id
	Channel  string
	Status   bot.ConversationStatus
	Assignee string
	Last     time.Time // the last message, or when it was opened
}

// ConversationEdits changes conversations (who has them, their messages
// from agents, ratings, resolving) the same way in every engine, each
// change with its events, in one write transaction of the engine.
type ConversationEdits struct {
	write func(ctx context.Context, id bot.ConversationID, fn func(tx Tx, v ConversationState) error) error
	now   func() time.Time
	d     Dialect
}

// NewConversationEdits returns the conversation edits of an engine: write
// runs fn in one write transaction on conversation id, read in it (and
// locked, where the engine locks rows), committed when fn returns nil; a
// conversation that does not exist is ENOTFOUND. now is the time of a
// change.
func NewConversationEdits(write func(ctx context.Context, id bot.ConversationID, fn func(tx Tx, v ConversationState) error) error,
	now func() time.Time, d Dialect) ConversationEdits {
	return ConversationEdits{write: write, now: now, d: d}
}

// onConversation runs fn on conversation id in a write transaction (Write).
// Its error, or fn's, is wrapped as "storage: <what>".
func (e ConversationEdits) onConversation(ctx context.Context, id bot.ConversationID, what string, fn func(tx Tx, v ConversationState) error) error {
	if err := e.write(ctx, id, fn); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// Claim gives a conversation to one agent, atomically: it succeeds when the
// conversation is waiting for a human, is with the bot, or is already the
// agent's, and fails with ECONFLICT when it is resolved or another agent
// has it. Of many agents claiming the same conversation at once, exactly
// one succeeds. It acknowledges the open escalations and records a
// taken_over event.
func (e ConversationEdits) Claim(ctx context.Context, conversationID bot.ConversationID, agent string) error {
	a, err := NewClaim(agent)
	if err != nil {
		return err
	}
	return e.assign(ctx, conversationID, a, "claim conversation")
}

// Reassign gives a conversation to agent to on the say of by (a manager),
// whoever holds it now: its status becomes human, its open escalations are
// acknowledged, and a reassigned event records who held it before, with by
// as the actor. Unlike Claim it takes a conversation from another agent, so
// it is for explicit, logged decisions only. A resolved conversation is
// ECONFLICT.
func (e ConversationEdits) Reassign(ctx context.Context, conversationID bot.ConversationID, to, by string) error {
	a, err := NewReassignment(to, by)
	if err != nil {
		return err
	}
	return e.assign(ctx, conversationID, a, "reassign conversation")
}

// assign makes an assignment of a conversation in a transaction of its own:
// status human, the agent as assignee, its open escalations acknowledged by
// the agent, and an event; Assignment.Check decides whether it may and
// must. what names it in errors.
func (e ConversationEdits) assign(ctx context.Context, conversationID bot.ConversationID, a Assignment, what string) error {
	return e.onConversation(ctx, conversationID, what, func(tx Tx, v ConversationState) error {
		if change, err := a.Check(conversationID, v.Status, v.Assignee); err != nil || !change {
			return err
		}
		now := e.now()
		if err := e.takeOver(tx, conversationID, a.Agent, now); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		kind, detail, actor := a.Event(v.Status, v.Assignee)
		return tx.AddEvent(v.Customer, conversationID, kind, detail, actor, now)
	})
}

// takeOver gives a conversation to agent inside tx: status human, the agent
// as assignee, and its open escalations acknowledged by the agent. It
// records no event: that is the caller's, which knows why.
func (e ConversationEdits) takeOver(tx Tx, conversationID bot.ConversationID, agent string, now time.Time) error {
	p := e.d.Param
	if _, err := tx.Exec(`UPDATE conversations SET status = 'human', assignee = `+p(1)+` WHERE id = `+p(2),
		agent, conversationID); err != nil {
		return err
	}
	_, err := tx.Exec(`UPDATE escalations SET status = 'acknowledged', assignee = `+p(1)+`, acknowledged = coalesce(acknowledged, `+p(2)+`)
		WHERE conversation_id = `+p(3)+` AND status = 'open'`, agent, e.d.At(now), conversationID)
	return err
}

// ReturnToBot gives a handed-off conversation back to the bot: its status
// becomes bot and its escalations are resolved. A resolved conversation
// cannot be returned (ECONFLICT).
func (e ConversationEdits) ReturnToBot(ctx context.Context, conversationID bot.ConversationID, actor string) error {
	return e.onConversation(ctx, conversationID, "return conversation to bot", func(tx Tx, v ConversationState) error {
		if v.Status == bot.StatusResolved {
			return bot.Errorf(bot.ECONFLICT, "Conversation %d is resolved.", conversationID)
		}
		if v.Status == bot.StatusBot {
			return nil
		}
		now := e.now()
		if _, err := tx.Exec(`UPDATE conversations SET status = 'bot', assignee = '' WHERE id = `+e.d.Param(1), conversationID); err != nil {
			return fmt.Errorf("return to bot: %w", err)
		}
		if err := e.resolveEscalations(tx, conversationID, now); err != nil {
			return err
		}
		return tx.AddEvent(v.Customer, conversationID, bot.EventReturnedToBot, map[string]string{"from": string(v.Status)}, actor, now)
	})
}

// Close resolves conversation id of customer custID and its escalations
// inside tx and records a resolved event with detail by actor.
func (e ConversationEdits) Close(tx Tx, custID int64, id bot.ConversationID, detail map[string]string, actor string, now time.Time) error {
	if _, err := tx.Exec(`UPDATE conversations SET status = 'resolved', closed = `+e.d.Param(1)+` WHERE id = `+e.d.Param(2),
		e.d.At(now), id); err != nil {
		return fmt.Errorf("close conversation %d: %w", id, err)
	}
	if err := e.resolveEscalations(tx, id, now); err != nil {
		return err
	}
	return tx.AddEvent(custID, id, bot.EventResolved, detail, actor, now)
}

func (e ConversationEdits) resolveEscalations(tx Tx, conversationID bot.ConversationID, t time.Time) error {
	if _, err := tx.Exec(`UPDATE escalations SET status = 'resolved', resolved = `+e.d.Param(1)+`
		WHERE conversation_id = `+e.d.Param(2)+` AND status <> 'resolved'`, e.d.At(t), conversationID); err != nil {
		return fmt.Errorf("resolve escalations: %w", err)
	}
	return nil
}

// Resolve closes a conversation and its escalations. The customer's next
// message on that channel opens a new conversation. Resolving a resolved
// conversation does nothing.
func (e ConversationEdits) Resolve(ctx context.Context, conversationID bot.ConversationID, actor string) error {
	return e.onConversation(ctx, conversationID, "resolve conversation", func(tx Tx, v ConversationState) error {
		if v.Status == bot.StatusResolved {
			return nil
		}
		return e.Close(tx, v.Customer, conversationID, map[string]string{"from": string(v.Status)}, actor, e.now())
	})
}

// ResolveIfIdle resolves a conversation that is with a human, or waiting
// for one, and whose last message is before t, as Resolve does; checked and
// done in one transaction, so a customer who just wrote is not cut off. It
// reports whether it resolved the conversation.
func (e ConversationEdits) ResolveIfIdle(ctx context.Context, conversationID bot.ConversationID, t time.Time, actor string) (bool, error) {
	var done bool
	err := e.onConversation(ctx, conversationID, "resolve idle conversation", func(tx Tx, v ConversationState) error {
		done = false
		if !v.Status.HandedOff() || !v.Last.Before(e.d.Round(t)) {
			return nil
		}
		detail := map[string]string{"from": string(v.Status), "cause": "idle"}
		if err := e.Close(tx, v.Customer, conversationID, detail, actor, e.now()); err != nil {
			return err
		}
		done = true
		return nil
	})
	if err != nil {
		return false, err
	}
	return done, nil
}

// AppendAgentMessage stores a human agent's message to the customer. An agent
// writing in a conversation the bot or nobody owns takes it over. It returns
// the message id; a resolved conversation is ECONFLICT.
func (e ConversationEdits) AppendAgentMessage(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error) {
	agent, err := NormalizeAgentMessage(agent, text)
	if err != nil {
		return 0, err
	}
	if err := e.d.refuse("The message holds a NUL character.", text, agent); err != nil {
		return 0, err
	}
	var id int64
	err = e.onConversation(ctx, conversationID, "append agent message", func(tx Tx, v ConversationState) error {
		if v.Status == bot.StatusResolved {
			return bot.Errorf(bot.ECONFLICT, "Conversation %d is resolved.", conversationID)
		}
		now := e.now()
		p := e.d.Param
		var err error
		id, err = tx.Insert(`INSERT INTO messages (conversation_id, customer_id, inbound, author, author_name, text, time)
			VALUES (`+p(1)+`, `+p(2)+`, false, 'agent', `+p(3)+`, `+p(4)+`, `+p(5)+`)`, conversationID, v.Customer, agent, text, e.d.At(now))
		if err != nil {
			return fmt.Errorf("insert agent message: %w", err)
		}
		if v.Status == bot.StatusHuman && v.Assignee != "" {
			return nil
		}
		if err := e.takeOver(tx, conversationID, agent, now); err != nil {
			return fmt.Errorf("take over: %w", err)
		}
		return tx.AddEvent(v.Customer, conversationID, bot.EventTakenOver, map[string]string{"from": string(v.Status)}, agent, now)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// SetCSAT records the customer's satisfaction rating, 1 (worst) to 5 (best),
// of a conversation. A new rating replaces the old one.
func (e ConversationEdits) SetCSAT(ctx context.Context, conversationID bot.ConversationID, score int) error {
	if err := CheckCSAT(score); err != nil {
		return err
	}
	return e.onConversation(ctx, conversationID, "set csat", func(tx Tx, v ConversationState) error {
		if _, err := tx.Exec(`UPDATE conversations SET csat = `+e.d.Param(1)+` WHERE id = `+e.d.Param(2), score, conversationID); err != nil {
			return fmt.Errorf("set csat: %w", err)
		}
		return tx.AddEvent(v.Customer, conversationID, bot.EventCSAT, map[string]int{"score": score}, "", e.now())
	})
}

// RequestRating stores the question asking the customer to rate a resolved
// conversation as a system message of that conversation, with a
// rating_requested event, and returns the message id. It fails with
// ECONFLICT when the conversation is not resolved, and does nothing (id 0)
// when the question was already asked.
func (e ConversationEdits) RequestRating(ctx context.Context, conversationID bot.ConversationID, question string) (int64, error) {
	if err := bot.ValidateText(question); err != nil {
		return 0, err
	}
	p := e.d.Param
	var id int64
	err := e.onConversation(ctx, conversationID, "request rating", func(tx Tx, v ConversationState) error {
		id = 0
		if v.Status != bot.StatusResolved {
			return bot.Errorf(bot.ECONFLICT, "Conversation %d is not resolved.", conversationID)
		}
		var asked int
		if _, err := tx.ScanRow(`SELECT count(*) FROM customer_events WHERE customer_id = `+p(1)+` AND conversation_id = `+p(2)+`
			AND kind = `+p(3), []any{v.Customer, conversationID, EventRatingRequested}, &asked); err != nil {
			return fmt.Errorf("request rating: %w", err)
		}
		if asked > 0 {
			return nil
		}
		now := e.now()
		var err error
		id, err = tx.Insert(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, time)
			VALUES (`+p(1)+`, `+p(2)+`, false, 'system', `+p(3)+`, `+p(4)+`)`, conversationID, v.Customer, question, e.d.At(now))
		if err != nil {
			return fmt.Errorf("request rating: %w", err)
		}
		return tx.AddEvent(v.Customer, conversationID, EventRatingRequested, nil, "", now)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}
