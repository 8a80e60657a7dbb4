package wecom

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
)

// answerApp asks the Engine about a message of the self-built app and
// sends the reply: to the member in a direct chat, to the group in a group
// chat (only when the app is mentioned there).
func (a *Adapter) answerApp(ctx context.Context, m message) {
	text := strings.TrimSpace(m.Content)
	group := m.ChatID != ""
	ext := m.FromUserName
	role := bot.RoleEmployee
	if group {
		var mentioned bool
		if text, mentioned = stripMention(text, a.name()); !mentioned {
			return
		}
		ext = m.ChatID + ":" + m.FromUserName
		if a.customer[m.ChatID] {
			role = bot.RoleCustomer
		}
	}
	if text == "" {
		a.sendApp(ctx, m, helpText)
		return
	}
	msg := bot.Message{Channel: ChannelApp, ExternalUserID: ext, Text: text, Role: role,
		Time: unixTime(m.CreateTime, a.opts.Now), ProviderMessageID: m.MsgID}
	key := a.withChoice(&msg)
	a.log.Debug("wecom: message", "user", m.FromUserName, "chat", m.ChatID, "role", string(role), "text", msg.Text)
	reply, err := a.opts.Handler.Handle(ctx, msg)
	if err != nil {
		a.log.Warn("wecom: engine failed", "code", bot.ErrorCode(err), "err", err)
		a.sendApp(ctx, m, bot.ErrorMessage(err))
		return
	}
	a.offered.Remember(key, reply)
	if chatreply.Silent(reply) {
		a.log.Info("wecom: no answer sent", "conversation", reply.ConversationID, "action", string(reply.Action))
		return
	}
	if a.sendApp(ctx, m, a.render(reply)) {
		a.log.Info("wecom: answered", "conversation", reply.ConversationID, "action", string(reply.Action),
			"intent", reply.Intent, "sources", len(reply.Sources))
	}
}

// sendApp sends text where m came from; it reports success and logs failure.
func (a *Adapter) sendApp(ctx context.Context, m message, text string) bool {
	var err error
	if m.ChatID != "" {
		err = a.api.sendChatText(ctx, a.opts.Secret, m.ChatID, cutBytes(text, maxTextBytes))
	} else {
		err = a.api.sendAppText(ctx, a.opts.Secret, a.opts.AgentID, m.FromUserName, cutBytes(text, maxTextBytes))
	}
	if err != nil {
		a.log.Error("wecom: sending the answer", "chat", m.ChatID, "err", err)
		return false
	}
	return true
}

// stripMention removes the mention of the app (name) from a group message
// and reports whether there was one. When the name is unknown, a leading
// "@word" is taken for the app's. WeCom puts a U+2005 space after mentions.
func stripMention(text, name string) (string, bool) {
	text = strings.ReplaceAll(text, "\u2005", " ")
	if name != "" {
		at := "@" + name
		if !strings.Contains(text, at) {
			return "", false
		}
		return strings.TrimSpace(strings.ReplaceAll(text, at, " ")), true
	}
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "@") {
		return "", false
	}
	_, rest, _ := strings.Cut(t, " ")
	return strings.TrimSpace(rest), true
}

// unixTime parses WeCom's CreateTime (Unix seconds), or returns now.
func unixTime(s string, now func() time.Time) time.Time {
	sec, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || sec <= 0 {
		return now()
	}
	return time.Unix(sec, 0)
}
