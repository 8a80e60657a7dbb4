package storage

import (
	"context"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// AppendInbound implements bot.Store: it resolves the customer of (channel,
// external user id), creating the customer on first contact, finds the open
// conversation on that channel or opens one (a resolved conversation is never
// reopened), appends the message and returns once it is committed.
//
// When ctx carries a request key (WithRequestKey) whose message was already
// stored, by this process or another, it returns that message instead of
// storing it again.
func (w Writes) AppendInbound(ctx context.Context, in bot.Inbound) (bot.Conversation, int64, error) {
	role, err := CheckInbound(in)
	if err != nil {
		return bot.Conversation{}, 0, err
	}
	if err := w.d.refuse("The message holds a NUL character.", in.Text, in.ExternalUserID, in.Channel); err != nil {
		return bot.Conversation{}, 0, err
	}
	t := in.Time
	if t.IsZero() {
		t = w.now()
	}
	t = w.d.Round(t)
	key := RequestKey(ctx)
	p := w.d.Param
	var conv bot.Conversation
	var msgID int64
	err = w.write(ctx, func(tx WriteTx) error {
		if key != "" {
			var done bool
			var err error
			if conv, msgID, done, err = tx.Keyed(key); err != nil || done {
				return err
			}
		}
		c, cv, err := tx.Resolve(in.Channel, in.ExternalUserID, role, t)
		if err != nil {
			return err
		}
		conv = cv
		// The messages_counters trigger updates the conversation's and the
		// customer's counters and last-seen time.
		if msgID, err = tx.Insert(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, time)
			VALUES (`+p(1)+`, `+p(2)+`, true, 'customer', `+p(3)+`, `+p(4)+`)`, conv.ID, c.ID, in.Text, w.d.At(t)); err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		if key != "" {
			if _, err := tx.Exec(`UPDATE requests SET message_id = `+p(1)+` WHERE key = `+p(2), msgID, key); err != nil {
				return fmt.Errorf("record request: %w", err)
			}
		}
		c.Inbound++
		if t.After(c.LastSeen) {
			c.LastSeen = t
		}
		return w.UpdateSegment(tx, c, t)
	})
	if err != nil {
		return bot.Conversation{}, 0, fmt.Errorf("storage: append inbound: %w", err)
	}
	return conv, msgID, nil
}

// AppendOutbound implements bot.Store, as Replies.Store describes: in one
// transaction it annotates the inbound message, stores the reply and makes
// what the reply asks for (an escalation, a lead, a knowledge gap). If the
// conversation is handed off and o is not a relay it fails with ECONFLICT
// and stores nothing.
//
// When ctx carries a request key (WithRequestKey) and the inbound message
// already has its reply (stored by a process that died before answering),
// it returns that reply instead of storing another.
func (w Writes) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	if err := CheckOutbound(o); err != nil {
		return bot.Stored{}, err
	}
	if err := w.d.refuse("The reply is not valid UTF-8 text.", o.Text); err != nil {
		return bot.Stored{}, err
	}
	t := o.Time
	if t.IsZero() {
		t = w.now()
	}
	t = w.d.Round(t)
	keyed := RequestKey(ctx) != ""
	var st bot.Stored
	err := w.write(ctx, func(tx WriteTx) error {
		st = bot.Stored{}
		v, c, err := tx.ReplyTo(o.ConversationID)
		if err != nil {
			return err
		}
		if keyed && o.InboundID != 0 {
			// A keyed request handled again after a crash: what was
			// stored the first time stands.
			var found bool
			if st, found, err = w.existingReply(tx, o.InboundID); err != nil || found {
				return err
			}
		}
		var ch CustomerChanges
		st, ch, err = w.replies.Store(tx, o, ReplyTo{Status: v.Status, Channel: v.Channel,
			Customer: c.ID, Owner: c.Owner, Language: c.Language, SegmentInput: c.SegmentInput}, t)
		if err != nil {
			return err
		}
		ch.Apply(&c.SegmentInput)
		return w.UpdateSegment(tx, c, t)
	})
	if err != nil {
		return bot.Stored{}, fmt.Errorf("storage: append outbound: %w", err)
	}
	return st, nil
}

// existingReply returns what was stored in answer to an inbound message
// (its reply, its escalation), if anything was.
func (w Writes) existingReply(tx WriteTx, inbound int64) (bot.Stored, bool, error) {
	var st bot.Stored
	p := w.d.Param
	if _, err := tx.ScanRow(`SELECT
		coalesce((SELECT max(id) FROM messages WHERE reply_to = `+p(1)+` AND author = 'bot'), 0),
		coalesce((SELECT max(id) FROM escalations WHERE message_id = `+p(1)+`), 0)`,
		[]any{inbound}, &st.MessageID, &st.EscalationID); err != nil {
		return st, false, fmt.Errorf("find earlier reply: %w", err)
	}
	return st, st.MessageID != 0 || st.EscalationID != 0, nil
}

// Enqueue adds a message to the outbox for delivery. A message whose key is
// already queued is added only once; Enqueue returns the id of the item with
// that key.
func (w Writes) Enqueue(ctx context.Context, m bot.OutboxMessage) (int64, error) {
	var id int64
	err := w.write(ctx, func(tx WriteTx) error {
		var err error
		id, _, err = Enqueue(tx, w.d, m, w.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue: %w", err)
	}
	return id, nil
}

// EnqueueRealert queues the outbox message of re-alert level (1, 2, ...) of
// an escalation, addressed to notify, unless a message with its key is
// queued, and records an escalation_realert event (the escalation id, level
// and who is notified) the first time, in one transaction: every re-alert
// that will be delivered is recorded and none is recorded that will not. It
// returns the item's id. The escalation must exist (ENOTFOUND).
func (w Writes) EnqueueRealert(ctx context.Context, escalationID bot.EscalationID, level int, notify string, m bot.OutboxMessage) (int64, error) {
	var id int64
	err := w.write(ctx, func(tx WriteTx) error {
		var convID bot.ConversationID
		var custID int64
		found, err := tx.ScanRow(`SELECT conversation_id, customer_id FROM escalations WHERE id = `+w.d.Param(1),
			[]any{escalationID}, &convID, &custID)
		if err != nil {
			return fmt.Errorf("load escalation: %w", err)
		} else if !found {
			return bot.Errorf(bot.ENOTFOUND, "Escalation %d does not exist.", escalationID)
		}
		now := w.now()
		var added bool
		if id, added, err = Enqueue(tx, w.d, m, now); err != nil || !added {
			return err
		}
		detail := map[string]any{"escalation_id": escalationID, "level": level, "notify": notify}
		return tx.AddEvent(custID, convID, EventRealerted, detail, "", now)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: realert escalation %d: %w", escalationID, err)
	}
	return id, nil
}
