package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// messageHandler answers one message: it is what the chat-app adapters
// (WeCom, Feishu, DingTalk) hand their messages to, the Engine
// instrumented, and what the terminal chat needs of the Engine.
type messageHandler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
}

// chatOnce answers each message of a chat app once, across restarts and
// replicas. The adapters claim a platform's message id in memory, which
// stops a retry only within one process; a retry that arrives after a
// restart, or at another replica, would be answered again. chatOnce claims
// "chat:<channel>:<platform message id>" in the database's request ledger
// (the one behind the REST API's Idempotency-Key) before the Engine sees
// the message: a message already handled gets a silent reply (the adapter
// posts nothing), and one whose handling a crash cut short is handled again
// without storing it twice (the ledger's key travels in the context).
// Messages without a platform id, and stores without a ledger, pass through.
type chatOnce struct {
	next     messageHandler
	requests web.Requests // nil: no ledger
	log      *slog.Logger
}

// Handle implements the adapters' Handler.
func (h chatOnce) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	if h.requests == nil || m.ProviderMessageID == "" {
		return h.next.Handle(ctx, m)
	}
	key := "chat:" + string(m.Channel) + ":" + m.ProviderMessageID
	hctx, replay, err := h.requests.Claim(ctx, key)
	if err != nil {
		return bot.Reply{}, fmt.Errorf("claim %s message: %w", m.Channel, err)
	}
	if replay != nil {
		h.log.Debug("chat app: message answered before; staying silent", "channel", m.Channel)
		return bot.Reply{Action: bot.ActionRelay}, nil
	}
	reply, err := h.next.Handle(hctx, m)
	if err != nil {
		h.requests.Abandon(context.WithoutCancel(ctx), key)
		return reply, err
	}
	h.requests.Finish(context.WithoutCancel(ctx), key, 200, nil)
	return reply, nil
}
