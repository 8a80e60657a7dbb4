package slack

import (
	"context"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
)

// alertEscalation returns the escalation id of the manager alert a thread
// hangs under, or 0 when the thread's parent is not an alert of this app.
// The parent is fetched once (conversations.replies) and remembered for an
// hour; a failed lookup is not remembered.
func (a *Adapter) alertEscalation(ctx context.Context, in inbound) bot.EscalationID {
	key := threadKey(in.channel, in.threadTS)
	if id, ok := a.alerts.Get(key); ok {
		return id
	}
	msgs, _, _, err := a.api.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{
		ChannelID: in.channel, Timestamp: in.threadTS, Limit: 1, Inclusive: true,
	})
	if err != nil {
		a.log.Warn("slack: reading thread parent", "channel", in.channel, "err", err)
		return 0
	}
	var id bot.EscalationID
	if len(msgs) > 0 && msgs[0].Timestamp == in.threadTS && a.ownMessage(msgs[0].Msg, in.appID) {
		id = alertEscalationID(msgs[0].Blocks.BlockSet)
	}
	a.alerts.Set(key, id)
	return id
}

// ownMessage reports whether m was posted by this app: by its bot user, or
// through its incoming webhook (same app id).
func (a *Adapter) ownMessage(m slackapi.Msg, appID string) bool {
	if m.BotID == "" {
		return false
	}
	if _, botID := a.identity(); botID != "" && m.BotID == botID {
		return true
	}
	return appID != "" && m.BotProfile != nil && m.BotProfile.AppID == appID
}

// agentReply relays an agent's reply in an alert thread to the customer
// and confirms with a ✅ reaction; on failure the agent is told privately.
func (a *Adapter) agentReply(ctx context.Context, in inbound, escalationID bot.EscalationID) {
	if !a.claim(in) {
		return
	}
	self, _ := a.identity()
	text := plainText(in.text, self, false)
	if text == "" {
		return
	}
	a.log.Debug("slack: agent reply", "escalation", escalationID, "text", text)
	if err := a.opts.Escalations.AgentReply(ctx, escalationID, in.externalUser(), text); err != nil {
		a.log.Warn("slack: relaying agent reply", "escalation", escalationID, "code", bot.ErrorCode(err), "err", err)
		note := "Your reply was not sent to the customer: " + bot.ErrorMessage(err)
		if _, err := a.api.PostEphemeralContext(ctx, in.channel, in.user,
			slackapi.MsgOptionText(escapeMrkdwn(note), false), slackapi.MsgOptionTS(in.threadTS)); err != nil {
			a.log.Warn("slack: telling agent", "err", err)
		}
		return
	}
	a.log.Info("slack: agent reply relayed", "escalation", escalationID)
	if err := a.api.AddReactionContext(ctx, "white_check_mark", slackapi.NewRefToMessage(in.channel, in.ts)); err != nil {
		a.log.Warn("slack: confirming agent reply", "err", err)
	}
}
