package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/reconnect"
	"github.com/concierge-bot/concierge/channels/internal/wsconn"
)

// Stream topics the adapter subscribes to.
const (
	TopicBotMessage   = "/v1.0/im/bot/messages/get"
	TopicCardCallback = "/v1.0/card/instances/callback"
)

// StreamFrame is one message of the Stream protocol (JSON over WebSocket).
type StreamFrame struct {
	SpecVersion string            `json:"specVersion"`
	Type        string            `json:"type"` // SYSTEM, EVENT, CALLBACK
	Headers     map[string]string `json:"headers"`
	Data        string            `json:"data"`
}

// StreamAck is the client's answer to a frame.
type StreamAck struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

// runStream keeps the Stream connection up until ctx ends; a refusal
// other than a rate limit (HTTP 4xx) ends it for good.
func (a *Adapter) runStream(ctx context.Context) error {
	return reconnect.Loop(ctx, reconnect.Options{
		Min: a.opts.ReconnectMin, Max: a.opts.ReconnectMax, Logger: a.log, Lost: "dingtalk: stream lost; reconnecting",
		Permanent: func(err error) error {
			var ae *APIError
			if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
				return fmt.Errorf("dingtalk: stream refused for good: %w", err)
			}
			return nil
		},
	}, a.streamOnce)
}

func (a *Adapter) streamOnce(ctx context.Context) (bool, error) {
	var ep struct {
		Endpoint string `json:"endpoint"`
		Ticket   string `json:"ticket"`
	}
	err := a.api.call(ctx, http.MethodPost, a.api.base+"/v1.0/gateway/connections/open", "", map[string]any{
		"clientId": a.opts.AppKey, "clientSecret": a.opts.AppSecret, "ua": "concierge/1",
		"subscriptions": []map[string]string{{"type": "CALLBACK", "topic": TopicBotMessage}, {"type": "CALLBACK", "topic": TopicCardCallback}},
	}, &ep)
	if err != nil {
		return false, err
	}
	if ep.Endpoint == "" || ep.Ticket == "" {
		return false, errors.New("dingtalk: stream endpoint is empty")
	}
	u, err := url.Parse(ep.Endpoint)
	if err != nil {
		return false, err
	}
	q := u.Query()
	q.Set("ticket", ep.Ticket)
	u.RawQuery = q.Encode()
	conn, _, err := wsconn.Dial(ctx, u.String())
	if err != nil {
		return false, fmt.Errorf("dingtalk: stream dial: %w", err)
	}
	a.log.Info("dingtalk: stream connected")
	return true, wsconn.Serve(ctx, conn, 16, func(ctx context.Context, c *wsconn.Conn) error {
		for {
			_, data, err := c.Read(5 * time.Minute) // DingTalk pings every few seconds
			if err != nil {
				return fmt.Errorf("dingtalk: stream read: %w", err)
			}
			var f StreamFrame
			if json.Unmarshal(data, &f) != nil {
				continue
			}
			if f.Type == "SYSTEM" && f.Headers["topic"] == "disconnect" {
				return errors.New("dingtalk: stream asked to reconnect")
			}
			c.Handle(func() {
				if ack, ok := a.handleStreamFrame(ctx, f); ok {
					if err := c.WriteJSON(ack); err != nil {
						a.log.Warn("dingtalk: answering a stream frame failed", "err", err)
					}
				}
			})
		}
	})
}

// handleStreamFrame answers one frame: pings are echoed, robot messages
// accepted (or refused with 503 for a retry), card clicks carried out.
func (a *Adapter) handleStreamFrame(ctx context.Context, f StreamFrame) (StreamAck, bool) {
	ack := StreamAck{Code: http.StatusOK, Message: "OK",
		Headers: map[string]string{"contentType": "application/json", "messageId": f.Headers["messageId"]}}
	switch {
	case f.Type == "SYSTEM" && f.Headers["topic"] == "ping":
		ack.Data = f.Data
	case f.Type == "CALLBACK" && f.Headers["topic"] == TopicBotMessage:
		var m robotMessage
		if json.Unmarshal([]byte(f.Data), &m) != nil || m.MsgID == "" {
			ack.Code, ack.Message = http.StatusBadRequest, "malformed message"
			break
		}
		if st := a.accept(ctx, m); st != http.StatusOK {
			ack.Code, ack.Message = st, http.StatusText(st)
		}
		ack.Data = `{"response":null}`
	case f.Type == "CALLBACK" && f.Headers["topic"] == TopicCardCallback:
		ack.Data = a.cardCallback(ctx, f.Data)
	default:
		return StreamAck{}, false
	}
	return ack, true
}

// Alert actions: the ids of an alert card's buttons.
const (
	AlertAcknowledge = "ack"
	AlertTakeOver    = "take"
	AlertResolve     = "resolve"
)

// alertKinds are the buttons the alert actions stand for.
var alertKinds = map[string]alertaction.Kind{
	AlertAcknowledge: alertaction.Acknowledge,
	AlertTakeOver:    alertaction.TakeOver,
	AlertResolve:     alertaction.Resolve,
}

// alertRef is what the adapter remembers of an alert card it posted.
type alertRef struct {
	Escalation     bot.EscalationID
	ConversationID string // group it went to ("" for 1:1)
	StaffID        string
}

// AlertCard is a manager alert as the robot posts it.
type AlertCard struct {
	Title        string
	Markdown     string // body in the chat-Markdown subset, already escaped
	Link         string // console URL; empty for none
	EscalationID bot.EscalationID
}

// PostAlert posts an alert as an interactive card (template StandardCard)
// to a group (openConversationId) or, with to of the form "user:<staffId>",
// to one person. Escalations get Acknowledge / Take over / Resolve buttons;
// their clicks come back over Stream (CALLBACK topic
// /v1.0/card/instances/callback). bizID identifies the card (use the
// alert's idempotency key, so a retried post replaces rather than repeats).
func (a *Adapter) PostAlert(ctx context.Context, to string, ac AlertCard, bizID string) error {
	contents := []any{map[string]any{"type": "markdown", "text": ac.Markdown, "id": "body"}}
	var actions []any
	if ac.EscalationID > 0 {
		for _, b := range [][2]string{{AlertAcknowledge, "Acknowledge 确认"}, {AlertTakeOver, "Take over 接手"}, {AlertResolve, "Resolve 解决"}} {
			actions = append(actions, map[string]any{"type": "button", "id": b[0], "actionType": "request", "status": "primary",
				"label": map[string]any{"type": "text", "text": b[1], "id": "label_" + b[0]}})
		}
	}
	if ac.Link != "" {
		actions = append(actions, map[string]any{"type": "button", "id": "open", "actionType": "openLink", "status": "normal",
			"url": map[string]string{"all": ac.Link}, "label": map[string]any{"type": "text", "text": "Open the conversation", "id": "label_open"}})
	}
	if len(actions) > 0 {
		contents = append(contents, map[string]any{"type": "action", "actions": actions, "id": "actions"})
	}
	data, _ := json.Marshal(map[string]any{"config": map[string]bool{"autoLayout": true},
		"header": map[string]any{"title": map[string]string{"type": "text", "text": ac.Title}}, "contents": contents})
	body := map[string]any{"cardTemplateId": "StandardCard", "robotCode": a.opts.RobotCode, "cardBizId": bizID,
		"cardData": string(data), "sendOptions": map[string]any{}}
	ref := alertRef{Escalation: ac.EscalationID}
	if staff, ok := strings.CutPrefix(to, "user:"); ok {
		rcv, _ := json.Marshal(map[string]string{"userId": staff})
		body["singleChatReceiver"] = string(rcv)
		ref.StaffID = staff
	} else {
		body["openConversationId"] = to
		ref.ConversationID = to
	}
	// Known before it is sent: a click may come back before the send
	// call returns.
	a.alerts.Set(bizID, ref)
	if err := a.api.do(ctx, http.MethodPost, "/v1.0/im/v1.0/robot/interactiveCards/send", body, nil); err != nil {
		a.alerts.Delete(bizID)
		return err
	}
	return nil
}

// cardCallback carries out a click on an alert card's button and tells the
// card's conversation who did what.
func (a *Adapter) cardCallback(ctx context.Context, data string) string {
	var cb struct {
		UserID     string `json:"userId"`
		CorpID     string `json:"corpId"`
		OutTrackID string `json:"outTrackId"`
		Value      string `json:"value"`
		Content    string `json:"content"`
	}
	if json.Unmarshal([]byte(data), &cb) != nil || cb.UserID == "" {
		return "{}"
	}
	var v struct {
		CardPrivateData struct {
			ActionIDs []string `json:"actionIds"`
		} `json:"cardPrivateData"`
	}
	raw := cb.Value
	if raw == "" {
		raw = cb.Content
	}
	_ = json.Unmarshal([]byte(raw), &v)
	ref, ok := a.alerts.Get(cb.OutTrackID)
	if !ok || len(v.CardPrivateData.ActionIDs) == 0 || a.opts.Escalations == nil {
		a.log.Warn("dingtalk: card click on an unknown alert or button ignored")
		return "{}"
	}
	action := v.CardPrivateData.ActionIDs[0]
	kind, ok := alertKinds[action]
	if !ok {
		return "{}"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2500*time.Millisecond)
	defer cancel()
	err := alertaction.Do(ctx, a.opts.Escalations, kind, ref.Escalation, "dingtalk:"+cb.UserID)
	text := kind.Verb() + " " + cb.UserID + " (escalation #" + strconv.FormatInt(int64(ref.Escalation), 10) + ")"
	if err != nil {
		a.log.Warn("dingtalk: alert action failed", "action", action, "escalation", ref.Escalation, "err", err)
		text = bot.ErrorMessage(err)
	}
	pl := place{ConversationID: ref.ConversationID, Group: ref.ConversationID != "", StaffID: ref.StaffID}
	if ref.ConversationID == "" {
		pl.StaffID = cb.UserID
	}
	a.jobs.Enqueue("alert-status", func(ctx context.Context) { _ = a.post(ctx, pl, "Concierge", text) })
	return "{}"
}
