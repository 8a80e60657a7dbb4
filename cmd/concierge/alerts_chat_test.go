package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/channels/dingtalk/dingtalktest"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

func chatAlert() alert.Alert {
	return alert.Alert{Kind: alert.KindEscalation, IdempotencyKey: "escalation:9", Time: time.Now(), EscalationID: 9,
		ConversationID: 4, Customer: alert.Customer{ID: 2, Name: "Ann <at id=all></at>"}, Channel: "feishu",
		Reason: "complaint", Severity: alert.SeverityHigh,
		Messages:   []alert.Message{{Author: "customer", Text: "**refund** now [x](javascript:alert(1)) @all"}},
		ConsoleURL: "https://help.example.com/console/conversations/4"}
}

// Alert sinks of kind feishu and dingtalk post cards through a send-only
// adapter when the channel is not served (as in `concierge chat`), with the
// customer's words escaped; a retried delivery of the same alert posts the
// same card key, so the platform keeps one.
func TestChatAlertSinks(t *testing.T) {
	ctx := context.Background()
	fs := feishutest.New(t)
	dt := dingtalktest.New(t)
	cfg := DefaultConfig()
	cfg.Feishu = FeishuConfig{AppID: feishutest.AppID, AppSecret: feishutest.AppSecret, EncryptKey: feishutest.EncryptKey, APIURL: fs.URL}
	cfg.DingTalk = DingTalkConfig{AppKey: dingtalktest.AppKey, AppSecret: dingtalktest.AppSecret, APIURL: dt.URL}
	cfg.Alerts = []AlertConfig{{Kind: "feishu", To: "oc_alerts"}, {Kind: "dingtalk", To: "cid-alerts"},
		{Name: "boss", Kind: "feishu", To: "ou_boss"}, {Name: "boss-dt", Kind: "dingtalk", To: "user:boss1"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ads := &chatAdapters{}
	var sinks []alert.Sink
	for _, ac := range cfg.Alerts {
		s, err := newSink(cfg, ac, nil, ads)
		if err != nil {
			t.Fatal(err)
		}
		sinks = append(sinks, s)
	}
	if sinks[0].Name() != "feishu" || sinks[1].Name() != "dingtalk" || sinks[2].Name() != "boss" {
		t.Errorf("names %s %s %s", sinks[0].Name(), sinks[1].Name(), sinks[2].Name())
	}
	a := chatAlert()
	for _, s := range sinks {
		for range 2 { // the dispatcher's retry after a lost answer
			if err := s.Send(ctx, a); err != nil {
				t.Fatalf("%s: %v", s.Name(), err)
			}
		}
	}
	sent := fs.Sent()
	if len(sent) != 2 {
		t.Fatalf("feishu got %d cards, want one per destination: %+v", len(sent), sent)
	}
	if sent[0].ReceiveID != "oc_alerts" || sent[0].ReceiveIDType != "chat_id" || sent[1].ReceiveID != "ou_boss" ||
		sent[1].ReceiveIDType != "open_id" || sent[0].UUID == sent[1].UUID || len(sent[0].UUID) > 50 {
		t.Errorf("feishu cards %+v", sent)
	}
	text := feishutest.CardText(sent[0].Content)
	for _, want := range []string{"Escalation: Complaint (high)", "[Acknowledge 确认]", "[Take over 接手]", "[Resolve 解决]",
		"[Open the conversation]", "&#42;&#42;refund&#42;&#42;", "&#60;at id=all&#62;"} {
		if !strings.Contains(text, want) {
			t.Errorf("feishu card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<at") || strings.Contains(text, "](javascript") {
		t.Errorf("feishu card carries live markup:\n%s", text)
	}
	dsent := dt.Sent()
	if len(dsent) != 4 {
		t.Fatalf("dingtalk got %d posts: %+v", len(dsent), dsent)
	}
	if dsent[0].Target != "cid-alerts" || dsent[0].Body["cardBizId"] != dsent[1].Body["cardBizId"] ||
		dsent[0].Body["cardBizId"] == dsent[2].Body["cardBizId"] || !strings.Contains(dsent[2].Target, "boss1") {
		t.Errorf("dingtalk cards %+v", dsent)
	}
	if !strings.Contains(dsent[0].Text, `"id":"take"`) || strings.Contains(dsent[0].Text, "**refund**") ||
		strings.Contains(dsent[0].Text, "<at") {
		t.Errorf("dingtalk card %s", dsent[0].Text)
	}

	// A platform that keeps refusing for rate limits: the dispatcher is told
	// to wait.
	fs.RateLimit("/open-apis/im/v1/messages", 100)
	b := chatAlert()
	b.IdempotencyKey = "escalation:10"
	err := sinks[0].Send(ctx, b)
	var ra *alert.RetryAfterError
	if !errors.As(err, &ra) || ra.After < time.Minute {
		t.Errorf("rate limited: %v, want a RetryAfterError", err)
	}
}
