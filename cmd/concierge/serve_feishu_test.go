package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
	"github.com/concierge-bot/concierge/escalation"
)

// alertButton returns the value of the alert card button for action.
func alertButton(t *testing.T, content, action string) map[string]any {
	t.Helper()
	var c struct {
		Elements []struct {
			Actions []struct {
				Value map[string]any `json:"value"`
			} `json:"actions"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		t.Fatalf("card: %v", err)
	}
	for _, e := range c.Elements {
		for _, a := range e.Actions {
			if a.Value["a"] == action {
				return a.Value
			}
		}
	}
	t.Fatalf("no %s button on the card %s", action, content)
	return nil
}

// TestStartFeishu wires the adapter as serve does, against the fake Feishu:
// a signed event is answered and a forged one refused; a complaint hands
// off and posts an alert card (kind feishu) whose Acknowledge button acts
// through the escalation service; the bot stays silent while an agent holds
// the conversation, and the agent's reply reaches the customer in the chat
// they wrote from.
func TestStartFeishu(t *testing.T) {
	ctx := context.Background()
	fake := feishutest.New(t)
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Server.PublicURL = "https://help.example.com"
	cfg.Feishu = FeishuConfig{AppID: feishutest.AppID, AppSecret: feishutest.AppSecret,
		VerificationToken: feishutest.VerificationToken, EncryptKey: feishutest.EncryptKey, APIURL: fake.URL}
	cfg.Alerts = []AlertConfig{{Kind: "feishu", To: "oc_alerts"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := newChatTestApp(t, cfg)
	mux := http.NewServeMux()
	h := &watchHandler{engine: a.engine}
	stop, err := startFeishu(ctx, cfg, a, h, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	a.startWorkers(ctx, false)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + "/feishu/events"
	if a.deliverers[feishu.Channel] == nil {
		t.Fatal("no Deliverer for feishu")
	}

	// The URL check of the developer console.
	st, body, err := feishutest.Post(url, feishutest.Seal(map[string]any{"type": "url_verification", "challenge": "c-42",
		"token": feishutest.VerificationToken}, feishutest.EncryptKey, time.Now()))
	if err != nil || st != 200 || !strings.Contains(string(body), `"c-42"`) {
		t.Fatalf("url_verification: %d %s %v", st, body, err)
	}
	// A customer (of another organisation) asks in a direct message.
	ask := func(id, chat, user, text string) {
		t.Helper()
		ev := feishutest.MessageEvent("ev-"+id, id, chat, "p2p", user, "tenant-customer", text, false, "")
		if st := feishutest.Deliver(url, ev, 1); st != http.StatusOK {
			t.Fatalf("%s refused: %d", id, st)
		}
	}
	ask("om_1", "oc_dm", "ou_cust", "how long does delivery take?")
	sent := fake.WaitSent(1)
	if got := feishutest.CardText(sent[0].Content); sent[0].ReplyTo != "om_1" || !strings.Contains(got, "**2–3 days**") ||
		!strings.Contains(got, "https://help.example.com/kb/shipping") {
		t.Fatalf("answer %+v: %s", sent[0], got)
	}
	// Forged: sealed with another key.
	forged := feishutest.Seal(feishutest.MessageEvent("ev-x", "om_x", "oc_dm", "p2p", "ou_cust", "tenant-customer", "how long?", false, ""),
		"not-the-key", time.Now())
	if st, _, _ := feishutest.Post(url, forged); st != http.StatusUnauthorized {
		t.Fatalf("forged event: %d", st)
	}

	// A complaint hands off: the customer hears someone is coming, the
	// managers' chat gets an alert card with the buttons.
	ask("om_2", "oc_dm", "ou_cust", "I want to complain: <at id=all></at> nobody answers")
	var alertCard feishutest.Sent
	deadline := time.Now().Add(10 * time.Second)
	for alertCard.MessageID == "" && time.Now().Before(deadline) {
		for _, s := range fake.Sent() {
			if s.ReceiveID == "oc_alerts" {
				alertCard = s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if alertCard.MessageID == "" {
		t.Fatalf("no alert card; sent %+v", fake.Sent())
	}
	text := feishutest.CardText(alertCard.Content)
	if !strings.Contains(text, "Escalation") || !strings.Contains(text, "[Take over 接手]") ||
		!strings.Contains(text, "&#60;at id=all&#62;&#60;/at&#62;") || strings.Contains(text, "<at") {
		t.Fatalf("alert card: %s", text)
	}
	ack := alertButton(t, alertCard.Content, feishu.AlertAcknowledge)
	click := feishutest.Seal(feishutest.CardActionEvent("ev-click", "ou_lead", feishutest.TenantKey, alertCard.MessageID,
		"oc_alerts", ack), feishutest.EncryptKey, time.Now())
	if st, b, _ := feishutest.Post(url, click); st != 200 || !strings.Contains(string(b), "Acknowledged by") {
		t.Fatalf("acknowledge click: %d %s", st, b)
	}
	esc, err := a.store.Escalation(ctx, bot.EscalationID(ack["e"].(float64)))
	if err != nil || esc.Status != bot.EscalationAcknowledged {
		t.Fatalf("escalation after the click: %+v %v", esc, err)
	}

	// While an agent holds the conversation the bot says once that someone
	// is coming, then stays silent.
	if err := a.handoff.TakeOverConversation(ctx, esc.ConversationID, "Li"); err != nil {
		t.Fatal(err)
	}
	before := len(fake.Sent())
	ask("om_3", "oc_dm", "ou_cust", "hello?")
	if s := fake.WaitSent(before + 1)[before]; s.ReplyTo != "om_3" || !strings.Contains(feishutest.CardText(s.Content), "A member of our team will reply") {
		t.Fatalf("holding message %+v: %s", s, feishutest.CardText(s.Content))
	}
	ask("om_4", "oc_dm", "ou_cust", "how long does delivery take? anyone?")
	if r := h.wait(t, "om_4"); r.Action != bot.ActionRelay || r.Text != "" {
		t.Fatalf("reply during handoff: %+v", r)
	}
	time.Sleep(50 * time.Millisecond) // a post would follow at once
	for _, s := range fake.Sent()[before+1:] {
		if s.ReplyTo == "om_4" {
			t.Fatalf("bot spoke during handoff: %s", feishutest.CardText(s.Content))
		}
	}
	// The agent's reply from the console reaches the customer.
	if _, err := a.handoff.ReplyToConversation(ctx, esc.ConversationID, "Li", "Hi, Li here. *Sorry*."); err != nil {
		t.Fatal(err)
	}
	all := fake.Sent()
	last := all[len(all)-1]
	if got := feishutest.CardText(last.Content); last.ReplyTo != "om_4" || !strings.Contains(got, "**Li**") ||
		!strings.Contains(got, "Hi, Li here. &#42;Sorry&#42;.") {
		t.Fatalf("agent reply %+v: %s", last, got)
	}
	stop()

	// Without a feishu section nothing is mounted.
	cfg.Feishu = FeishuConfig{}
	mux = http.NewServeMux()
	stop, err = startFeishu(ctx, cfg, &app{deliverers: map[string]escalation.Deliverer{}}, echoEngine{}, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/feishu/events", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without feishu, POST /feishu/events answered %d", rec.Code)
	}
}
