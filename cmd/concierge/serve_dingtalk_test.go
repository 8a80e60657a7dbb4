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
	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/dingtalk/dingtalktest"
	"github.com/concierge-bot/concierge/escalation"
)

// TestStartDingTalk wires the adapter as serve does, against the fake
// DingTalk in Stream mode with the HTTP callback beside it: a signed
// callback is answered and an unsigned one refused; a complaint hands off
// and posts an alert card (kind dingtalk) whose Take over button, clicked
// over Stream, acts through the escalation service; the bot stays silent
// while the agent holds the conversation, and the agent's reply reaches the
// customer in the group they wrote from.
func TestStartDingTalk(t *testing.T) {
	ctx := context.Background()
	fake := dingtalktest.New(t)
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.DingTalk = DingTalkConfig{AppKey: dingtalktest.AppKey, AppSecret: dingtalktest.AppSecret, Stream: true,
		CustomerChats: []string{"cid-shop"}, APIURL: fake.URL}
	cfg.Alerts = []AlertConfig{{Kind: "dingtalk", To: "cid-alerts"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := newChatTestApp(t, cfg)
	mux := http.NewServeMux()
	h := &watchHandler{engine: a.engine}
	stop, err := startDingTalk(ctx, cfg, a, h, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	a.startWorkers(ctx, false)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	url := srv.URL + "/dingtalk/callback"
	if a.deliverers[dingtalk.Channel] == nil {
		t.Fatal("no Deliverer for dingtalk")
	}
	fake.WaitConnects(1)

	exp := time.Now().Add(time.Hour)
	say := func(id, text string) {
		t.Helper()
		if st := dingtalktest.Deliver(url, fake.Message(id, "cid-shop", true, "cust1", "corp-customer", text, exp)); st != http.StatusOK {
			t.Fatalf("%s refused: %d", id, st)
		}
	}
	say("m1", "how long does delivery take?")
	sent := fake.WaitSent(1)
	if sent[0].Path != "/robot/sendBySession" || sent[0].Target != "cid-shop" || !strings.Contains(sent[0].Text, "**2–3 days**") {
		t.Fatalf("answer %+v", sent[0])
	}
	if m := h.wait(t, "m1"); m.Action != bot.ActionAnswer {
		t.Fatalf("reply %+v", m)
	}
	// Unsigned, and signed with another secret: refused.
	body, _ := json.Marshal(fake.Message("m-forged", "cid-shop", true, "cust1", "corp-customer", "how long?", exp))
	if st := dingtalktest.Post(url, http.Header{"Content-Type": {"application/json"}}, body); st != http.StatusUnauthorized {
		t.Fatalf("unsigned callback: %d", st)
	}
	r, b := dingtalktest.Signed(fake.Message("m-forged2", "cid-shop", true, "cust1", "corp-customer", "how long?", exp), "not-the-secret", time.Now())
	if st := dingtalktest.Post(url, r.Header, b); st != http.StatusUnauthorized {
		t.Fatalf("callback signed with another secret: %d", st)
	}

	// A complaint over Stream hands off and posts the alert card.
	ack, ok := fake.Push("CALLBACK", dingtalk.TopicBotMessage, fake.Message("m2", "cid-shop", true, "cust1", "corp-customer",
		"I want to complain, **nobody** answers [here](javascript:alert(1))", exp))
	if !ok || ack.Code != 200 {
		t.Fatalf("stream ack %+v", ack)
	}
	if r := h.wait(t, "m2"); !r.Handoff || r.EscalationID == 0 {
		t.Fatalf("complaint not handed off: %+v", r)
	}
	var card dingtalktest.Sent
	for deadline := time.Now().Add(10 * time.Second); card.Path == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, s := range fake.Sent() {
			if s.Path == "/v1.0/im/v1.0/robot/interactiveCards/send" {
				card = s
			}
		}
	}
	if card.Target != "cid-alerts" || !strings.Contains(card.Text, `"id":"take"`) {
		t.Fatalf("alert card %+v", card)
	}
	if strings.Contains(card.Text, "**nobody**") || strings.Contains(card.Text, "(javascript:") {
		t.Fatalf("customer text not escaped on the card: %s", card.Text)
	}
	bizID, _ := card.Body["cardBizId"].(string)
	value, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{"take"}, "params": map[string]any{}}})
	ack, ok = fake.Push("CALLBACK", dingtalk.TopicCardCallback, map[string]any{"userId": "lead7", "corpId": dingtalktest.CorpID,
		"outTrackId": bizID, "value": string(value), "type": "actionCallback"})
	if !ok || ack.Code != 200 {
		t.Fatalf("card click ack %+v", ack)
	}
	esc, err := a.store.Escalation(ctx, h.wait(t, "m2").EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	conv, err := a.store.Conversation(ctx, esc.ConversationID)
	if err != nil || conv.Assignee != "dingtalk:lead7" {
		t.Fatalf("after Take over: %+v %v", conv, err)
	}

	// Handed off: one holding message, then silence.
	say("m3", "hello?")
	if r := h.wait(t, "m3"); r.Action != bot.ActionHold {
		t.Fatalf("first message after handoff: %+v", r)
	}
	say("m4", "how long does delivery take? anyone?")
	if r := h.wait(t, "m4"); r.Action != bot.ActionRelay || r.Text != "" {
		t.Fatalf("reply during handoff: %+v", r)
	}
	time.Sleep(50 * time.Millisecond) // a post would follow at once
	n := len(fake.Sent())
	// The agent's reply reaches the customer in their group.
	if _, err := a.handoff.ReplyToConversation(ctx, esc.ConversationID, "dingtalk:lead7", "Hi, sorry about that. *We* are on it."); err != nil {
		t.Fatal(err)
	}
	all := fake.WaitSent(n + 1)
	last := all[len(all)-1]
	if last.Target != "cid-shop" || !strings.Contains(last.Text, "**dingtalk:lead7**") || !strings.Contains(last.Text, "&#42;We&#42; are on it.") {
		t.Fatalf("agent reply %+v", last)
	}
	stop()

	// Without a dingtalk section nothing is mounted.
	cfg.DingTalk = DingTalkConfig{}
	mux = http.NewServeMux()
	stop, err = startDingTalk(ctx, cfg, &app{deliverers: map[string]escalation.Deliverer{}}, echoEngine{}, mux, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dingtalk/callback", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without dingtalk, POST /dingtalk/callback answered %d", rec.Code)
	}
}
