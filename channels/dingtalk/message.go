package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
	"github.com/concierge-bot/concierge/channels/internal/replay"
	"github.com/concierge-bot/concierge/channels/internal/reqbody"
	"github.com/concierge-bot/concierge/channels/internal/sourcelink"
	"github.com/concierge-bot/concierge/markdown"
)

// robotMessage is a message to the robot, as DingTalk posts it to the
// callback URL and sends it over Stream (topic /v1.0/im/bot/messages/get).
type robotMessage struct {
	MsgID                     string                   `json:"msgId"`
	MsgType                   string                   `json:"msgtype"`
	Text                      struct{ Content string } `json:"text"`
	CreateAt                  int64                    `json:"createAt"`
	ConversationType          string                   `json:"conversationType"` // "1" 1:1, "2" group
	ConversationID            string                   `json:"conversationId"`
	SenderID                  string                   `json:"senderId"`
	SenderNick                string                   `json:"senderNick"`
	SenderCorpID              string                   `json:"senderCorpId"`
	SenderStaffID             string                   `json:"senderStaffId"`
	ChatbotCorpID             string                   `json:"chatbotCorpId"`
	ChatbotUserID             string                   `json:"chatbotUserId"`
	RobotCode                 string                   `json:"robotCode"`
	SessionWebhook            string                   `json:"sessionWebhook"`
	SessionWebhookExpiredTime int64                    `json:"sessionWebhookExpiredTime"`
	IsInAtList                bool                     `json:"isInAtList"`
}

// sender is the person's id for the Engine: the staff id inside the
// organisation, else DingTalk's opaque sender id.
func (m robotMessage) sender() string {
	if m.SenderStaffID != "" {
		return m.SenderStaffID
	}
	return m.SenderID
}

// handleCallback serves POST /dingtalk/callback: the headers are checked,
// a replay refused, the message claimed by msgId and queued.
func (a *Adapter) handleCallback(w http.ResponseWriter, r *http.Request) {
	body, err := reqbody.Read(w, r, a.opts.MaxBodyBytes)
	if err != nil {
		return
	}
	if err := verify(r.Header, a.opts.AppSecret, a.opts.Now()); err != nil {
		a.refuse(w, r, err)
		return
	}
	var m robotMessage
	if err := json.Unmarshal(body, &m); err != nil || m.MsgID == "" {
		http.Error(w, "malformed message", http.StatusBadRequest)
		return
	}
	sigKey := r.Header.Get("timestamp") + ":" + r.Header.Get("sign") + ":" + m.MsgID
	if !a.sigs.Add(sigKey, struct{}{}) {
		a.refuse(w, r, replay.ErrReplayed)
		return
	}
	if replay.NotTaken(w, a.accept(r.Context(), m), a.sigs, sigKey) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{}`)
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, reason error) {
	a.log.Warn("dingtalk: request refused", "reason", reason.Error(), "remote", r.RemoteAddr)
	http.Error(w, "invalid request", http.StatusUnauthorized)
}

// accept claims a message's msgId and queues it; duplicates and messages
// that are not a person's text are acknowledged and dropped.
func (a *Adapter) accept(ctx context.Context, m robotMessage) int {
	if m.MsgType != "text" || m.sender() == "" || m.ConversationID == "" {
		return http.StatusOK
	}
	if m.RobotCode != "" && m.RobotCode != a.opts.RobotCode {
		a.log.Warn("dingtalk: message for another robot ignored")
		return http.StatusOK
	}
	key := "dingtalk:msg:" + m.MsgID
	won, err := a.dedup.Claim(ctx, key)
	if err != nil {
		return http.StatusServiceUnavailable
	}
	if !won {
		a.log.Debug("dingtalk: duplicate dropped", "msg", m.MsgID)
		return http.StatusOK
	}
	if !a.jobs.EnqueueFor("message", m.sender(), func(ctx context.Context) { a.answer(ctx, m) }) {
		a.dedup.Release(context.WithoutCancel(ctx), key)
		a.log.Warn("dingtalk: queue full; asking DingTalk to retry")
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// role: customers in customer chats and people of another organisation.
func (a *Adapter) role(m robotMessage) bot.Role {
	if a.customer[m.ConversationID] || (m.SenderCorpID != "" && m.ChatbotCorpID != "" && m.SenderCorpID != m.ChatbotCorpID) {
		return bot.RoleCustomer
	}
	return bot.RoleEmployee
}

// answer asks the Engine and replies where the message came from. A reply
// of just a number picks one of the choices last offered to the person in
// this conversation.
func (a *Adapter) answer(ctx context.Context, m robotMessage) {
	pl := place{ConversationID: m.ConversationID, Group: m.ConversationType == "2", StaffID: m.SenderStaffID}
	if a.webhookAllowed(m.SessionWebhook) && m.SessionWebhookExpiredTime > 0 {
		pl.Webhook, pl.WebhookExpires = m.SessionWebhook, time.UnixMilli(m.SessionWebhookExpiredTime)
	}
	text := strings.TrimSpace(m.Text.Content)
	if text == "" {
		a.post(ctx, pl, "Concierge", markdown.EscapeChat(chatreply.MentionHelp))
		return
	}
	who := m.sender()
	a.places.Set(who, pl)
	msg := bot.Message{Channel: Channel, ExternalUserID: who, Text: text, Time: a.opts.Now(), Role: a.role(m),
		ProviderMessageID: m.MsgID}
	if m.CreateAt > 0 {
		msg.Time = time.UnixMilli(m.CreateAt)
	}
	offerKey := m.ConversationID + ":" + who
	a.offered.Pick(offerKey, &msg)
	a.log.Debug("dingtalk: message", "conversation", m.ConversationID, "role", string(msg.Role), "text", text)
	reply, err := a.opts.Handler.Handle(ctx, msg)
	if err != nil {
		a.log.Warn("dingtalk: engine failed", "code", bot.ErrorCode(err), "err", err)
		a.post(ctx, pl, "Concierge", markdown.EscapeChat(bot.ErrorMessage(err)))
		return
	}
	a.offered.Remember(offerKey, reply)
	if chatreply.Silent(reply) {
		a.log.Info("dingtalk: no answer posted", "chat", m.ConversationID, "conversation", reply.ConversationID, "action", string(reply.Action))
		return
	}
	if err := a.post(ctx, pl, title(reply.Text), a.render(reply)); err == nil {
		a.log.Info("dingtalk: answered", "chat", m.ConversationID, "conversation", reply.ConversationID, "action", string(reply.Action))
	}
}

// webhookAllowed reports whether a sessionWebhook points at DingTalk (or,
// in tests, at the configured API), so that a message cannot make the
// adapter post anywhere else.
func (a *Adapter) webhookAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil {
		return false
	}
	if a.opts.APIURL == "" && u.Scheme != "https" {
		return false
	}
	return (u.Scheme == "https" || u.Scheme == "http") && a.hookHosts[u.Host]
}

// post sends markdown to a place: through its sessionWebhook while valid,
// else the robot send API (group or 1:1).
func (a *Adapter) post(ctx context.Context, pl place, title, text string) error {
	if pl.Webhook != "" && a.opts.Now().Add(30*time.Second).Before(pl.WebhookExpires) {
		err := a.api.sendSession(ctx, pl.Webhook, markdownMsg(title, text))
		if err == nil {
			return nil
		}
		a.log.Warn("dingtalk: sessionWebhook failed; using the send API", "err", err)
	}
	var err error
	switch {
	case pl.Group:
		err = a.api.sendGroup(ctx, a.opts.RobotCode, pl.ConversationID, title, text)
	case pl.StaffID != "":
		err = a.api.sendUser(ctx, a.opts.RobotCode, pl.StaffID, title, text)
	default:
		err = errors.New("dingtalk: no way to reach the person (no session and no staff id)")
	}
	if err != nil {
		a.log.Error("dingtalk: posting message", "conversation", pl.ConversationID, "err", err)
	}
	return err
}

// title is the notification text of a message: its first line, plain.
func title(md string) string {
	t := markdown.Text(md, markdown.TextOptions{})
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		t = t[:i]
	}
	if t = ellipsis.Runes(strings.TrimSpace(t), 40); t == "" {
		return "Concierge"
	}
	return t
}

// maxMarkdownBytes bounds the robot markdown text render makes, in bytes.
const maxMarkdownBytes = 18_000

// render is a reply as robot markdown: the answer, the choices numbered,
// the sources as links.
func (a *Adapter) render(r bot.Reply) string {
	var b strings.Builder
	b.WriteString(markdown.Chat(r.Text, markdown.ChatOptions{BaseURL: a.publicURL}))
	if len(r.Choices) > 0 {
		hint := "Reply with the number of the one you mean:"
		if r.Language == "zh" {
			hint = "请回复您想了解的编号："
		}
		b.WriteString("\n\n" + hint)
		for i, t := range chatreply.Titles(r.Choices) {
			fmt.Fprintf(&b, "\n\n%d. %s", i+1, markdown.EscapeChat(t))
		}
	}
	if len(r.Sources) > 0 {
		b.WriteString("\n\n" + sourcelink.Line(a.publicURL, r.Language, r.Sources, nil))
	}
	// Cut before the character the limit falls in, so the text stays valid
	// UTF-8.
	return ellipsis.Prefix(b.String(), maxMarkdownBytes)
}

// ErrNoRecipient is returned by Deliver when the customer has no DingTalk
// identity.
var ErrNoRecipient = errors.New("dingtalk: the customer has no DingTalk identity")

// Deliver sends a stored message of an agent (agent is their name; empty
// for the system's rating question) to a customer who wrote on DingTalk:
// through the sessionWebhook of their last message while valid, else the
// send API into the conversation they wrote from, else 1:1 by staff id.
func (a *Adapter) Deliver(ctx context.Context, customerID, messageID int64, agent, text string) error {
	who, err := recipient.Find(ctx, a.opts.Customers, customerID, Channel, ErrNoRecipient)
	if err != nil {
		return err
	}
	body := chatreply.AgentMarkdown(agent, text, "\n\n")
	pl, ok := a.places.Get(who)
	if !ok {
		pl = place{StaffID: who} // 1:1 by staff id; fails for outsiders
	}
	if err := a.post(ctx, pl, title(text), body); err != nil {
		return fmt.Errorf("dingtalk: deliver message %d: %w", messageID, err)
	}
	return nil
}
