package escalation

import (
	"context"
	"log/slog"

	"github.com/concierge-bot/concierge/bot"
)

// Relayed is a customer's message in a conversation a human owns (or is
// about to), passed on to the people handling it.
type Relayed struct {
	ConversationID bot.ConversationID
	MessageID      int64
	Text           string // customer text: never log it above Debug
}

// Relayer passes customers' messages on to the agent handling their
// conversation, e.g. as a reply in the Slack alert's thread. Relay must be
// quick (it runs on the customer's request) and must honour ctx; an error is
// logged, never shown to the customer: the message is stored either way and
// the console shows it.
type Relayer interface {
	Relay(ctx context.Context, m Relayed) error
}

// relayStore is a bot.Store that hands every relayed customer message to a
// Relayer once it is stored.
type relayStore struct {
	bot.Store
	r   Relayer
	log *slog.Logger
}

// RelayTo wraps the Engine's store so that each customer message the Engine
// relays (bot.ActionRelay: the conversation is with a human) is passed to r
// after it is stored. Every other call passes through unchanged. log may be
// nil.
func RelayTo(s bot.Store, r Relayer, log *slog.Logger) bot.Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return relayStore{Store: s, r: r, log: log}
}

// AppendOutbound implements bot.Store.
func (s relayStore) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	st, err := s.Store.AppendOutbound(ctx, o)
	if err != nil || o.Action != bot.ActionRelay || o.InboundID == 0 {
		return st, err
	}
	recent, rerr := s.Store.RecentMessages(ctx, o.ConversationID, 4)
	if rerr != nil {
		s.log.Warn("relay: reading the message", "conversation", o.ConversationID, "err", rerr)
		return st, nil
	}
	for _, m := range recent {
		if m.ID == o.InboundID {
			if rerr := s.r.Relay(ctx, Relayed{ConversationID: o.ConversationID, MessageID: m.ID, Text: m.Text}); rerr != nil {
				s.log.Warn("relay to agent failed", "conversation", o.ConversationID, "message", m.ID, "err", rerr)
			}
			break
		}
	}
	return st, nil
}
