package wecom_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// deliverer is the glue cmd/concierge puts between the escalation service
// and the adapter.
type deliverer struct{ a *wecom.Adapter }

func (d deliverer) Deliver(ctx context.Context, x escalation.Delivery) error {
	return d.a.Deliver(ctx, wecom.Delivery{Channel: x.Channel, ConversationID: int64(x.ConversationID),
		CustomerID: x.CustomerID, MessageID: x.MessageID, Text: x.Text})
}

// TestHandoffEndToEnd runs a WeChat customer's conversation through the real
// Engine and store and the escalation service against the fake WeCom: the
// bot answers, hands off when asked for a person, says once that someone
// is coming, then stays silent however often the customer writes; the
// agent's reply from the console reaches the customer on WeChat; after the
// resolve the bot answers again.
func TestHandoffEndToEnd(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{
			Rules: map[string]bot.Classification{
				"person": {Intent: bot.IntentAskHuman, AsksForPerson: true, Confidence: 0.95, Language: "en"},
			},
			Default: bot.Classification{Intent: "returns", Confidence: 0.9, Language: "en"},
		},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{
			{Hit: bot.Hit{ID: "returns", Title: "Returns", URL: "/kb/returns", Audience: bot.AudiencePublic,
				Answer: "You can return anything within **30 days**.", Confidence: 0.9}, Keywords: []string{"return"}},
			{Hit: bot.Hit{ID: "margins", Title: "Margins", Audience: bot.AudienceInternal,
				Answer: "Our margin on returns is 40%.", Confidence: 0.95}, Keywords: []string{"return"}},
		}},
		Store: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(s *setup) {
		s.opts.Handler = engine
		s.opts.Customers = db
	})
	svc, err := escalation.New(escalation.Options{Store: db,
		Deliverers: map[string]escalation.Deliverer{wecom.ChannelKF: deliverer{h.adapter}}})
	if err != nil {
		t.Fatal(err)
	}

	sent := func() []string { return h.sentTo("/cgi-bin/kf/send_msg") }
	write := func(text string, wantSent int) {
		t.Helper()
		h.fake.CustomerWrites(kfID, customer, text)
		h.fake.NotifyKF(ctx, kfID)
		waitFor(t, "the pull of "+text, func() bool { return len(sent()) >= wantSent && h.fake.Calls("/cgi-bin/kf/sync_msg") > 0 })
		time.Sleep(100 * time.Millisecond) // anything more would show now
		if n := len(sent()); n != wantSent {
			t.Fatalf("after %q: %d messages sent, want %d: %q", text, n, wantSent, sent())
		}
	}

	write("How do I return a teapot?", 1)
	if got := sent()[0]; !strings.Contains(got, "You can return anything within 30 days.") || strings.Contains(got, "margin") {
		t.Fatalf("the answer %q: want the public answer as plain text", got)
	}
	write("I want to talk to a person", 2)
	queue, err := db.HandoffQueue(ctx, 10)
	if err != nil || len(queue) != 1 {
		t.Fatalf("handoff queue %v, %v", queue, err)
	}
	conv := queue[0].ConversationID

	// Handed off: one holding message, then silence.
	write("hello?", 3)
	duringHandoff := 0
	for _, text := range []string{"anyone there?", "How do I return a teapot?", "please"} {
		before := len(sent())
		write(text, before)
		duringHandoff += len(sent()) - before
	}

	// The agent's reply from the console reaches the customer on WeChat.
	if _, err := svc.ReplyToConversation(ctx, conv, "li", "Hi, I'm Li from the shop. Let me check your order."); err != nil {
		t.Fatalf("agent reply: %v", err)
	}
	if got := sent(); len(got) != 4 || got[3] != "Hi, I'm Li from the shop. Let me check your order." {
		t.Fatalf("the agent's reply did not reach the customer: %q", got)
	}
	before := len(sent())
	write("thanks, waiting", before) // the agent owns it: the bot stays silent
	duringHandoff += len(sent()) - before

	// Resolved: the rating question is delivered, and the bot answers again.
	if err := svc.ResolveConversation(ctx, conv, "li"); err != nil {
		t.Fatal(err)
	}
	if got := sent(); len(got) != before+1 || !strings.Contains(got[len(got)-1], "1") {
		t.Errorf("the rating question did not reach the customer: %q", got[before:])
	}
	write("How do I return a mug?", before+2)
	t.Logf("bot messages during the handoff after the holding message: %d", duringHandoff)
	if duringHandoff != 0 {
		t.Errorf("the bot spoke %d times during the handoff", duringHandoff)
	}
}
