package feishu

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
)

type userID struct {
	OpenID  string `json:"open_id"`
	UnionID string `json:"union_id"`
	UserID  string `json:"user_id"`
}

type mention struct {
	Key       string `json:"key"`
	ID        userID `json:"id"`
	Name      string `json:"name"`
	TenantKey string `json:"tenant_key"`
}

// messageEvent is the event of im.message.receive_v1.
type messageEvent struct {
	Sender struct {
		SenderID   userID `json:"sender_id"`
		SenderType string `json:"sender_type"`
		TenantKey  string `json:"tenant_key"`
	} `json:"sender"`
	Message struct {
		MessageID   string    `json:"message_id"`
		RootID      string    `json:"root_id"`
		ParentID    string    `json:"parent_id"`
		CreateTime  string    `json:"create_time"`
		ChatID      string    `json:"chat_id"`
		ThreadID    string    `json:"thread_id"`
		ChatType    string    `json:"chat_type"`
		MessageType string    `json:"message_type"`
		Content     string    `json:"content"`
		Mentions    []mention `json:"mentions"`
	} `json:"message"`
}

// inbound is a person's text message, reduced to what the adapter needs.
type inbound struct {
	tenant       string // the app's tenant (header.tenant_key)
	senderTenant string
	user         string // open_id
	chat         string
	group        bool
	messageID    string
	rootID       string
	text         string // as typed, mention keys (@_user_1) still in it
	mentions     []mention
	created      time.Time
	uuid         string // idempotency key of the answer; default "r-"+messageID
}

// parseMessage turns a message event into an inbound text message; ok is
// false for anything the bot does not answer (apps, non-text messages).
func (a *Adapter) parseMessage(env envelope) (inbound, bool) {
	var ev messageEvent
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		return inbound{}, false
	}
	m := ev.Message
	if ev.Sender.SenderType != "user" || ev.Sender.SenderID.OpenID == "" || m.MessageID == "" || m.ChatID == "" {
		return inbound{}, false
	}
	if m.MessageType != "text" {
		return inbound{}, false
	}
	var content struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(m.Content), &content); err != nil {
		return inbound{}, false
	}
	in := inbound{
		tenant: env.Header.TenantKey, senderTenant: ev.Sender.TenantKey, user: ev.Sender.SenderID.OpenID,
		chat: m.ChatID, group: m.ChatType != "p2p", messageID: m.MessageID, rootID: m.RootID,
		text: content.Text, mentions: m.Mentions, created: a.opts.Now(),
	}
	if ms, err := strconv.ParseInt(m.CreateTime, 10, 64); err == nil && ms > 0 {
		in.created = time.UnixMilli(ms)
	}
	return in, true
}

// acceptMessage claims a message event's ids and queues it. Duplicates and
// messages the bot does not answer are acknowledged and dropped.
func (a *Adapter) acceptMessage(ctx context.Context, env envelope) int {
	in, ok := a.parseMessage(env)
	if !ok {
		return http.StatusOK
	}
	keys := []string{"feishu:msg:" + in.messageID}
	if env.Header.EventID != "" {
		keys = append(keys, "feishu:event:"+env.Header.EventID)
	}
	var claimed []string
	release := func() {
		for _, k := range claimed {
			a.dedup.Release(context.WithoutCancel(ctx), k)
		}
	}
	for _, k := range keys {
		won, err := a.dedup.Claim(ctx, k)
		if err != nil {
			release()
			a.log.Error("feishu: dedup store failed; asking Feishu to retry", "err", err)
			return http.StatusServiceUnavailable
		}
		if !won {
			a.log.Debug("feishu: duplicate dropped", "key", k)
			return http.StatusOK
		}
		claimed = append(claimed, k)
	}
	if in.group && a.mentionsBot(in) {
		// Followed from the moment the mention arrives, not from when a
		// worker answers it: replies in the thread come from other
		// people, whose workers may run first.
		a.follow(in)
	}
	if !a.jobs.EnqueueFor("message", in.user, func(ctx context.Context) { a.route(ctx, in) }) {
		release()
		a.log.Warn("feishu: queue full; asking Feishu to retry", "queue", a.opts.QueueSize)
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// mentionsBot reports whether the bot is @-mentioned. When the bot's open_id
// is unknown, any mention counts (with the group_at_msg scope Feishu only
// delivers group messages that mention the bot).
func (a *Adapter) mentionsBot(in inbound) bool {
	self := a.botOpenID()
	for _, m := range in.mentions {
		if self == "" || m.ID.OpenID == self {
			return true
		}
	}
	return false
}

// route decides what a message calls for: a direct message is answered; in
// a group, a mention is answered in a thread the bot then follows, and a
// reply in a followed thread is answered; anything else is ignored.
func (a *Adapter) route(ctx context.Context, in inbound) {
	switch {
	case !in.group:
		a.answer(ctx, in, false)
	case in.rootID != "" && a.following(in.chat, in.rootID):
		a.answer(ctx, in, false)
	case a.mentionsBot(in):
		a.answer(ctx, in, true)
	}
}

// follow marks the thread of in (rooted at in, or at its root) as one the
// bot answers in without a mention.
func (a *Adapter) follow(in inbound) {
	root := in.rootID
	if root == "" {
		root = in.messageID
	}
	a.threads.Set(in.chat+":"+root, struct{}{})
}

func (a *Adapter) following(chat, root string) bool {
	_, ok := a.threads.Get(chat + ":" + root)
	return ok
}

// plainText is what the person typed, mention placeholders resolved: the
// bot's mention dropped, others as @name.
func (a *Adapter) plainText(in inbound) string {
	self := a.botOpenID()
	text := in.text
	for _, m := range in.mentions {
		if m.Key == "" {
			continue
		}
		repl := "@" + m.Name
		if self == "" || m.ID.OpenID == self {
			repl = ""
		}
		text = strings.ReplaceAll(text, m.Key, repl)
	}
	return strings.TrimSpace(text)
}

// role is the audience of a sender: customers in customer chats, people of
// another organisation and members of external groups; employees otherwise.
func (a *Adapter) role(ctx context.Context, in inbound) bot.Role {
	if a.customer[in.chat] || (in.senderTenant != "" && in.tenant != "" && in.senderTenant != in.tenant) {
		return bot.RoleCustomer
	}
	if in.group && a.externalChat(ctx, in.chat) {
		return bot.RoleCustomer
	}
	return bot.RoleEmployee
}

// externalChat reports whether a group is external, asking Feishu once an
// hour per chat. When Feishu cannot say, the chat counts as external: a
// wrong "employee" would show internal content to customers.
func (a *Adapter) externalChat(ctx context.Context, chat string) bool {
	if ext, ok := a.external.Get(chat); ok {
		return ext
	}
	ext, err := a.api.chatExternal(ctx, chat)
	if err != nil {
		a.log.Warn("feishu: chat info failed; answering as to customers", "chat", chat, "err", err)
		return true
	}
	a.external.Set(chat, ext)
	return ext
}

// answer asks the Engine and replies to the message (in a thread in
// groups). With follow, later replies in that thread are answered without a
// mention. A reply of just a number picks one of the choices the bot last
// offered this person in this chat.
func (a *Adapter) answer(ctx context.Context, in inbound, follow bool) {
	if follow {
		a.follow(in)
	}
	text := a.plainText(in)
	if text == "" {
		if in.group {
			a.replyText(ctx, in, chatreply.MentionHelp)
		}
		return
	}
	a.places.Set(in.user, place{ChatID: in.chat, MessageID: in.messageID, Group: in.group})
	msg := bot.Message{Channel: Channel, ExternalUserID: in.user, Text: text, Time: in.created,
		Role: a.role(ctx, in), ProviderMessageID: in.messageID}
	a.offered.Pick(in.chat+":"+in.user, &msg)
	a.log.Debug("feishu: message", "chat", in.chat, "message", in.messageID, "role", string(msg.Role), "text", text)
	reply, err := a.opts.Handler.Handle(ctx, msg)
	a.postReply(ctx, in, msg, reply, err)
}

// postReply replies with the Engine's answer (or its error, in
// customer-safe words). While a human has the conversation the Engine's
// reply is silent and nothing is posted.
func (a *Adapter) postReply(ctx context.Context, in inbound, msg bot.Message, reply bot.Reply, err error) {
	if err != nil {
		a.log.Warn("feishu: engine failed", "chat", in.chat, "code", bot.ErrorCode(err), "err", err)
		a.replyText(ctx, in, bot.ErrorMessage(err))
		return
	}
	a.offered.Remember(in.chat+":"+in.user, reply)
	if chatreply.Silent(reply) {
		a.log.Info("feishu: no answer posted", "chat", in.chat, "conversation", reply.ConversationID, "action", string(reply.Action))
		return
	}
	card := a.replyCard(reply, msg)
	uuid := in.uuid
	if uuid == "" {
		uuid = "r-" + in.messageID
	}
	if _, err := a.api.reply(ctx, in.messageID, "interactive", card, in.group, uuid); err != nil {
		a.log.Error("feishu: posting answer", "chat", in.chat, "conversation", reply.ConversationID, "err", err)
		return
	}
	a.log.Info("feishu: answered", "chat", in.chat, "conversation", reply.ConversationID,
		"action", string(reply.Action), "intent", reply.Intent, "sources", len(reply.Sources))
}

// replyText replies with a short text of ours, logging failure.
func (a *Adapter) replyText(ctx context.Context, in inbound, text string) {
	if _, err := a.api.reply(ctx, in.messageID, "interactive", textCard(text), in.group, "t-"+in.messageID); err != nil {
		a.log.Error("feishu: posting message", "chat", in.chat, "err", err)
	}
}
