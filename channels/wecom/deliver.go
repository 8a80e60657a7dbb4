package wecom

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// Delivery is a message from an agent (or the system: the rating question)
// to the customer of a conversation on WeCom, already stored.
// cmd/concierge fills it from the escalation service's delivery.
type Delivery struct {
	Channel        string // ChannelApp or ChannelKF
	ConversationID int64
	CustomerID     int64
	MessageID      int64
	Text           string
}

// ErrWindowClosed is what Deliver returns, wrapped in a *bot.Error
// (EUNAVAILABLE), when a kf customer's window is closed: the message is
// held and sent when the customer next writes.
var ErrWindowClosed = errWindowClosed

// Deliver sends d to the customer on WeCom: on WeChat customer service
// (ChannelKF) within the customer's 48-hour / 5-message window, to the
// member or group chat on the self-built app (ChannelApp). It returns once
// WeCom accepted the message. A kf message outside the window is held (up to
// a few per customer) and sent when the customer writes again; Deliver then
// returns a *bot.Error EUNAVAILABLE that says so.
func (a *Adapter) Deliver(ctx context.Context, d Delivery) error {
	if a.opts.Customers == nil {
		return errors.New("wecom: Deliver: no Customers to look the customer up in")
	}
	c, err := a.opts.Customers.Customer(ctx, d.CustomerID)
	if err != nil {
		return fmt.Errorf("wecom: deliver message %d: %w", d.MessageID, err)
	}
	var ids []string
	for _, id := range c.Identities {
		if id.Channel == d.Channel && id.ExternalID != "" {
			ids = append(ids, id.ExternalID)
		}
	}
	if len(ids) == 0 {
		return bot.Errorf(bot.ENOTFOUND, "The customer has no %s id to send to.", d.Channel)
	}
	text := markdown.Text(d.Text, markdown.TextOptions{BaseURL: a.publicURL, Width: 60})
	switch d.Channel {
	case ChannelKF:
		return a.deliverKF(ctx, ids, text)
	case ChannelApp:
		return a.deliverApp(ctx, ids[0], text)
	}
	return fmt.Errorf("wecom: Deliver: channel %q is not WeCom's", d.Channel)
}

// deliverKF sends to the customer's kf id whose window opened last (a
// merged customer may have several).
func (a *Adapter) deliverKF(ctx context.Context, ids []string, text string) error {
	key := ids[0]
	for _, id := range ids[1:] {
		if a.state.opened(id).After(a.state.opened(key)) {
			key = id
		}
	}
	err := a.sendKF(ctx, key, text, "")
	if !errors.Is(err, errWindowClosed) {
		return err
	}
	if !a.state.hold(key, text) {
		return fmt.Errorf("%w: %w", errWindowClosed, bot.Errorf(bot.EUNAVAILABLE,
			"WeChat lets us write to this customer only within 48 hours of their last message, 5 messages at most, and %d replies are already waiting for them to write again.", maxHeld))
	}
	if err := a.state.save(); err != nil {
		a.log.Error("wecom: saving the kf state", "err", err)
	}
	a.log.Info("wecom: agent reply held until the customer writes again", "customer", key)
	return fmt.Errorf("%w: %w", errWindowClosed, bot.Errorf(bot.EUNAVAILABLE,
		"WeChat lets us write to this customer only within 48 hours of their last message, 5 messages at most; the reply is kept and sent when they next write."))
}

// deliverApp sends to a member ("<userid>") or a group chat
// ("<chatid>:<userid>").
func (a *Adapter) deliverApp(ctx context.Context, id, text string) error {
	if a.opts.Secret == "" {
		return errors.New("wecom: Deliver: no wecom.secret to send with")
	}
	text = cutBytes(text, maxTextBytes)
	if chat, _, isChat := strings.Cut(id, ":"); isChat {
		return a.api.sendChatText(ctx, a.opts.Secret, chat, text)
	}
	return a.api.sendAppText(ctx, a.opts.Secret, a.opts.AgentID, id, text)
}
