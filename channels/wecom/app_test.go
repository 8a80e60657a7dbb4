package wecom_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

func TestURLVerification(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/wecom/callback", "/wecom/kf/callback"} {
		status, body, want, err := h.fake.VerifyURL(context.Background(), path)
		if err != nil || status != http.StatusOK || body != want {
			t.Errorf("GET %s = %d %q, %v; want 200 %q", path, status, body, err, want)
		}
	}
}

func TestDirectMessageAnsweredAsEmployee(t *testing.T) {
	h := newHarness(t)
	r := h.fake.SendApp(context.Background(), wecomtest.AppMessage{From: "zhangsan", Content: "staff discount?", MsgID: "101"})
	if !r.Acked() || len(r.Attempts) != 1 {
		t.Fatalf("callback attempts %v", r.Attempts)
	}
	waitFor(t, "the answer", func() bool { return len(h.sentTo("/cgi-bin/message/send")) == 1 })
	sent := h.fake.Sent()[0]
	if sent.ToUser != "zhangsan" || sent.AgentID != agentID || sent.Text != "echo: staff discount?" {
		t.Errorf("sent %+v", sent)
	}
	m := h.engine.messages()[0]
	if m.Channel != wecom.ChannelApp || m.ExternalUserID != "zhangsan" || m.Role != bot.RoleEmployee || m.ProviderMessageID != "101" {
		t.Errorf("engine got %+v", m)
	}
}

func TestGroupChatOnlyWhenMentioned(t *testing.T) {
	h := newHarness(t, func(s *setup) { s.opts.CustomerChats = []string{"wrCustomers"} })
	waitFor(t, "agent/get", func() bool { return h.fake.Calls("/cgi-bin/agent/get") == 1 })
	ctx := context.Background()
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "lisi", Content: "lunch anyone?", ChatID: "wrStaff"})
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "lisi", Content: "@Concierge\u2005how long is delivery?", ChatID: "wrStaff"})
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "wmGuest", Content: "@Concierge price of tea?", ChatID: "wrCustomers"})
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "lisi", Content: "@Concierge", ChatID: "wrStaff"})
	waitFor(t, "three group answers", func() bool { return len(h.sentTo("/cgi-bin/appchat/send")) == 3 })
	msgs := h.engine.messages()
	if len(msgs) != 2 {
		t.Fatalf("engine got %d messages, want 2: %+v", len(msgs), msgs)
	}
	byText := map[string]bot.Message{}
	for _, m := range msgs {
		byText[m.Text] = m
	}
	if m := byText["how long is delivery?"]; m.Role != bot.RoleEmployee || m.ExternalUserID != "wrStaff:lisi" {
		t.Errorf("staff group message %+v", m)
	}
	if m := byText["price of tea?"]; m.Role != bot.RoleCustomer || m.ExternalUserID != "wrCustomers:wmGuest" {
		t.Errorf("customer group message %+v", m)
	}
	var help int
	for _, s := range h.fake.Sent() {
		if strings.Contains(s.Text, "@Concierge") && s.ChatID == "wrStaff" {
			help++
		}
	}
	if help != 1 {
		t.Errorf("a bare mention got %d help texts, want 1", help)
	}
}

func TestReplyIsPlainTextWithNumberedChoices(t *testing.T) {
	h := newHarness(t, func(s *setup) { s.opts.PublicURL = "https://help.example.com" })
	h.engine.reply = func(m bot.Message) (bot.Reply, error) {
		if m.Choice != "" {
			return bot.Reply{Text: "You picked " + m.Choice, Action: bot.ActionAnswer, Language: "en"}, nil
		}
		return bot.Reply{Text: "Did you mean **one** of these? See [returns](/kb/returns).", Action: bot.ActionClarify,
			Language: "en", Choices: []bot.Source{{ID: "ship", Title: "Shipping times"}, {ID: "ret", Title: "Returns"}},
			Sources: []bot.Source{{ID: "returns", Title: "Returns policy", URL: "/kb/returns"}}}, nil
	}
	ctx := context.Background()
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "wangwu", Content: "delivery"})
	waitFor(t, "the clarification", func() bool { return len(h.fake.Sent()) == 1 })
	got := h.fake.Sent()[0].Text
	for _, want := range []string{"Did you mean one of these? See returns (https://help.example.com/kb/returns).",
		"1. Shipping times", "2. Returns", "(reply 1–2 to choose)", "Returns policy https://help.example.com/kb/returns"} {
		if !strings.Contains(got, want) {
			t.Errorf("reply %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "**") || strings.Contains(got, "](") {
		t.Errorf("reply %q keeps Markdown", got)
	}
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "wangwu", Content: "２"})
	waitFor(t, "the pick", func() bool { return len(h.fake.Sent()) == 2 })
	if m := h.engine.messages()[1]; m.Choice != "ret" || m.Text != "Returns" {
		t.Errorf("a reply of 2 gave %+v", m)
	}
	// A number with nothing offered is an ordinary message.
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "wangwu", Content: "2"})
	waitFor(t, "the third answer", func() bool { return len(h.fake.Sent()) == 3 })
	if m := h.engine.messages()[2]; m.Choice != "" || m.Text != "2" {
		t.Errorf("a number after an answer gave %+v", m)
	}
}

func TestEngineErrorIsShownSafely(t *testing.T) {
	h := newHarness(t)
	h.engine.reply = func(bot.Message) (bot.Reply, error) {
		return bot.Reply{}, bot.Errorf(bot.ETOOLARGE, "The message is too long.")
	}
	h.fake.SendApp(context.Background(), wecomtest.AppMessage{From: "zhaoliu", Content: "x"})
	waitFor(t, "the error", func() bool { return len(h.fake.Sent()) == 1 })
	if got := h.fake.Sent()[0].Text; got != "The message is too long." {
		t.Errorf("error shown as %q", got)
	}
}
