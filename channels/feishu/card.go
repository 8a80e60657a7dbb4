package feishu

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
)

// Texts shown to the person who clicked, in both languages the bot speaks.
const (
	textNotAvailable  = "This action is not available here. 此操作在此不可用。"
	textStaleButton   = "This button is no longer valid. 此按钮已失效。"
	textAgentsOnly    = "Alert actions are for the support team only. 仅限支持团队操作。"
	textNotYourChoice = "Only the person who asked can pick one of these. 只有提问的人可以选择。"
	textChoiceTaken   = "Got it — the answer follows. 收到，马上回答。"
	textBusy          = "Busy, please try again. 系统繁忙，请重试。"
)

// Alert actions, the "a" of an alert button's value.
const (
	AlertAcknowledge = "ack"
	AlertTakeOver    = "take"
	AlertResolve     = "resolve"
)

// cardActionEvent is the event of a card.action.trigger callback.
type cardActionEvent struct {
	Operator struct {
		TenantKey string `json:"tenant_key"`
		OpenID    string `json:"open_id"`
	} `json:"operator"`
	Action struct {
		Value json.RawMessage `json:"value"`
		Tag   string          `json:"tag"`
	} `json:"action"`
	Context struct {
		OpenMessageID string `json:"open_message_id"`
		OpenChatID    string `json:"open_chat_id"`
	} `json:"context"`
}

// cardResponse is the answer to a card callback: a toast for the clicker
// and, optionally, the card that replaces the clicked one.
type cardResponse struct {
	Toast *toast            `json:"toast,omitempty"`
	Card  *cardResponseCard `json:"card,omitempty"`
}

type toast struct {
	Type    string `json:"type"` // info, success, error, warning
	Content string `json:"content"`
}

type cardResponseCard struct {
	Type string `json:"type"` // "raw"
	Data card   `json:"data"`
}

func toastOf(kind, text string) cardResponse {
	return cardResponse{Toast: &toast{Type: kind, Content: text}}
}

// cardAction answers a button click on one of the adapter's cards. Alert
// actions are carried out at once (they are quick store updates, bounded to
// stay inside Feishu's 3 seconds); a choice is answered by a worker.
func (a *Adapter) cardAction(ctx context.Context, env envelope) any {
	var ev cardActionEvent
	if err := json.Unmarshal(env.Event, &ev); err != nil || ev.Operator.OpenID == "" {
		return toastOf("error", textStaleButton)
	}
	if env.Header.EventID != "" {
		won, err := a.dedup.Claim(ctx, "feishu:event:"+env.Header.EventID)
		if err == nil && !won {
			return map[string]any{} // a retry of a click already handled
		}
	}
	var v buttonValue
	if err := json.Unmarshal(ev.Action.Value, &v); err != nil {
		var s string // some clients send the value as a JSON string
		if json.Unmarshal(ev.Action.Value, &s) != nil || json.Unmarshal([]byte(s), &v) != nil {
			return toastOf("error", textStaleButton)
		}
	}
	switch v.Kind {
	case valueAlert:
		return a.alertAction(ctx, env, ev, v)
	case valueChoice:
		return a.choiceAction(env, ev, v)
	}
	return toastOf("error", textStaleButton)
}

// choiceAction answers a click on a "did you mean" button: only the person
// who asked may pick; the Engine gets their message with Choice set.
func (a *Adapter) choiceAction(env envelope, ev cardActionEvent, v buttonValue) any {
	if v.Doc == "" || v.Asker == "" {
		return toastOf("error", textStaleButton)
	}
	if ev.Operator.OpenID != v.Asker {
		return toastOf("warning", textNotYourChoice)
	}
	role := bot.RoleEmployee
	if v.Role != "e" || a.customer[ev.Context.OpenChatID] ||
		(ev.Operator.TenantKey != "" && env.Header.TenantKey != "" && ev.Operator.TenantKey != env.Header.TenantKey) {
		role = bot.RoleCustomer
	}
	msgID, chat := ev.Context.OpenMessageID, ev.Context.OpenChatID
	if msgID == "" {
		return toastOf("error", textStaleButton)
	}
	title := v.Title
	if title == "" {
		title = v.Doc
	}
	m := bot.Message{Channel: Channel, ExternalUserID: v.Asker, Text: title, Choice: v.Doc, Time: a.opts.Now(), Role: role}
	in := inbound{user: v.Asker, chat: chat, messageID: msgID, group: true, uuid: "c-" + env.Header.EventID}
	if pl, ok := a.places.Get(v.Asker); ok && pl.ChatID == chat {
		in.group = pl.Group
	}
	if !a.jobs.EnqueueFor("choice", v.Asker, func(ctx context.Context) {
		reply, err := a.opts.Handler.Handle(ctx, m)
		a.postReply(ctx, in, m, reply, err)
	}) {
		return toastOf("warning", textBusy)
	}
	return toastOf("success", textChoiceTaken)
}

// alertKinds are the buttons the alert actions stand for.
var alertKinds = map[string]alertaction.Kind{
	AlertAcknowledge: alertaction.Acknowledge,
	AlertTakeOver:    alertaction.TakeOver,
	AlertResolve:     alertaction.Resolve,
}

// alertTransitions lists, for each alert action, the buttons that stay.
var alertTransitions = map[string][]string{
	AlertAcknowledge: {AlertTakeOver, AlertResolve},
	AlertTakeOver:    {AlertResolve},
	AlertResolve:     nil,
}

// alertAction carries out Acknowledge / Take over / Resolve and answers
// with a toast and the card updated: a status line, and only the buttons
// that still make sense.
func (a *Adapter) alertAction(ctx context.Context, env envelope, ev cardActionEvent, v buttonValue) any {
	if ev.Operator.TenantKey != "" && env.Header.TenantKey != "" && ev.Operator.TenantKey != env.Header.TenantKey {
		a.log.Warn("feishu: alert action refused outside the organisation")
		return toastOf("error", textAgentsOnly)
	}
	if a.customer[ev.Context.OpenChatID] {
		return toastOf("error", textAgentsOnly)
	}
	if a.opts.Escalations == nil {
		return toastOf("info", textNotAvailable)
	}
	if v.Escalation <= 0 {
		return toastOf("error", textStaleButton)
	}
	if _, ok := alertTransitions[v.Action]; !ok {
		return toastOf("error", textStaleButton)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2500*time.Millisecond)
	defer cancel()
	id, agent := bot.EscalationID(v.Escalation), "feishu:"+ev.Operator.OpenID
	kind := alertKinds[v.Action]
	if err := alertaction.Do(ctx, a.opts.Escalations, kind, id, agent); err != nil {
		a.log.Warn("feishu: alert action failed", "action", v.Action, "escalation", id, "code", bot.ErrorCode(err), "err", err)
		return toastOf("error", bot.ErrorMessage(err))
	}
	a.log.Info("feishu: alert action", "action", v.Action, "escalation", id)
	ac, ok := a.alertCards.Get(ev.Context.OpenMessageID)
	if !ok {
		ac = AlertCard{Title: v.Title, EscalationID: id}
	}
	ac.Status = append(ac.Status, kind.Verb()+" <at id="+atID(ev.Operator.OpenID)+"></at> · "+
		a.opts.Now().Format("2006-01-02 15:04"))
	ac.Buttons = alertTransitions[v.Action]
	a.alertCards.Set(ev.Context.OpenMessageID, ac)
	resp := toastOf("success", kind.Verb()+" you")
	resp.Card = &cardResponseCard{Type: "raw", Data: ac.card()}
	return resp
}

// atID keeps an open_id safe inside <at id=…>.
func atID(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

// AlertCard is a manager alert as the app posts it: a title, a body in the
// chat-Markdown subset (already escaped by the caller), a link to the
// console, and — for an escalation — Acknowledge / Take over / Resolve
// buttons whose clicks come back as card callbacks.
type AlertCard struct {
	Title        string
	Markdown     string
	Link         string           // console URL; empty for none
	EscalationID bot.EscalationID // 0: no action buttons
	// Template colours the header: "red", "orange", "blue" (default).
	Template string
	// Status lines and remaining Buttons after actions; Buttons nil with no
	// Status means all three.
	Status  []string
	Buttons []string
}

func (ac AlertCard) card() card {
	c := newCard()
	tpl := ac.Template
	if tpl == "" {
		tpl = "blue"
	}
	c.Header = &cardHeader{Title: plainText{"plain_text", ellipsis.Runes(ac.Title, 150)}, Template: tpl}
	if ac.Markdown != "" {
		c.Elements = append(c.Elements, mdElement(ellipsis.Bytes(ac.Markdown, maxCardMarkdown)))
	}
	for _, s := range ac.Status {
		c.Elements = append(c.Elements, map[string]any{"tag": "note", "elements": []any{plainText{"lark_md", s}}})
	}
	var actions []any
	buttons := ac.Buttons
	if buttons == nil && len(ac.Status) == 0 {
		buttons = []string{AlertAcknowledge, AlertTakeOver, AlertResolve}
	}
	if ac.EscalationID > 0 {
		labels := map[string]string{AlertAcknowledge: "Acknowledge 确认", AlertTakeOver: "Take over 接手", AlertResolve: "Resolve 解决"}
		types := map[string]string{AlertAcknowledge: "default", AlertTakeOver: "primary", AlertResolve: "default"}
		for _, b := range buttons {
			actions = append(actions, map[string]any{
				"tag": "button", "text": plainText{"plain_text", labels[b]}, "type": types[b],
				"value": buttonValue{Kind: valueAlert, Action: b, Escalation: int64(ac.EscalationID), Title: ellipsis.Runes(ac.Title, 150)},
			})
		}
	}
	if ac.Link != "" {
		actions = append(actions, map[string]any{"tag": "button", "text": plainText{"plain_text", "Open the conversation"},
			"type": "default", "url": ac.Link})
	}
	if len(actions) > 0 {
		c.Elements = append(c.Elements, map[string]any{"tag": "action", "actions": actions})
	}
	return c
}

// PostAlert posts an alert card to a chat (chat id oc_… or, with an
// "ou_" prefix, a person's open_id) and remembers it, so its buttons can
// update it. uuid (the alert's idempotency key) keeps a retried post from
// appearing twice. It returns the message id.
func (a *Adapter) PostAlert(ctx context.Context, to string, ac AlertCard, uuid string) (string, error) {
	idType := "chat_id"
	if strings.HasPrefix(to, "ou_") {
		idType = "open_id"
	}
	if len(uuid) > 50 { // Feishu accepts at most 50 characters
		uuid = uuid[len(uuid)-50:]
	}
	sent, err := a.api.send(ctx, idType, to, "interactive", ac.card().String(), uuid)
	if err != nil {
		return "", err
	}
	a.alertCards.Set(sent.MessageID, ac)
	return sent.MessageID, nil
}
