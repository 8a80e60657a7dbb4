package feishu_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// deliverer is how cmd/concierge wires the adapter into the escalation
// service.
type deliverer struct{ a *feishu.Adapter }

func (d deliverer) Deliver(ctx context.Context, dv escalation.Delivery) error {
	return d.a.Deliver(ctx, dv.CustomerID, dv.MessageID, dv.Agent, dv.Text)
}

// End to end against the fake: a customer in an external group asks, an
// agent takes the conversation over, the bot stays silent while they hold
// it, and the agent's reply from the console reaches the customer in the
// chat they wrote from, in the thread of their last message.
func TestHandoffSilenceAndAgentReply(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Default: bot.Classification{Intent: "discounts", Confidence: 0.9, Language: "en"}},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{
			{Hit: bot.Hit{ID: "staff", Title: "Staff discount", Audience: bot.AudienceInternal, Answer: "Staff get 30%.", Confidence: 0.9}, Keywords: []string{"discount"}},
			{Hit: bot.Hit{ID: "public", Title: "Discounts", URL: "/kb/discounts", Audience: bot.AudiencePublic, Answer: "10% off your first order.", Confidence: 0.8}, Keywords: []string{"discount"}},
		}},
		Store: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	var adapter *feishu.Adapter
	svc, err := escalation.New(escalation.Options{Store: db, Deliverers: map[string]escalation.Deliverer{}})
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHandler{reply: func(m bot.Message) (bot.Reply, error) { return engine.Handle(ctx, m) }}
	e := newEnv(t, h, func(o *feishu.Options) { o.Customers = db; o.Escalations = svc })
	adapter = e.a
	svc2, _ := escalation.New(escalation.Options{Store: db, Deliverers: map[string]escalation.Deliverer{"feishu": deliverer{adapter}}})

	ask := func(id, text string) {
		t.Helper()
		if st := feishutest.Deliver(e.url, feishutest.MessageEvent("ev-"+id, id, "oc_shop", "group", "ou_customer", "tenant-customer", text, true, ""), 1); st != http.StatusOK {
			t.Fatalf("%s: %d", id, st)
		}
	}
	ask("om_1", "any discount?")
	sent := e.fake.WaitSent(1)
	if got := feishutest.CardText(sent[0].Content); !strings.Contains(got, "10% off") || strings.Contains(got, "30%") {
		t.Fatalf("customer got %q", got)
	}
	convs, err := db.Conversations(ctx, 1)
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations %v %v", convs, err)
	}
	if err := svc2.TakeOverConversation(ctx, convs[0].ID, "Agent Lee"); err != nil {
		t.Fatal(err)
	}
	ask("om_2", "hello? discount?")
	ask("om_3", "anyone?")
	// Both messages are handled (stored, the bot silent) before the agent
	// replies: the reply goes to the thread of the last one. A sentinel in
	// another chat alone does not say so: chats are handled concurrently.
	waitInbound(t, db, convs[0].ID, 3)
	e.settle(t, 1)
	for _, s := range e.fake.Sent() {
		if s.ReplyTo == "om_2" || s.ReplyTo == "om_3" {
			t.Fatalf("bot spoke during handoff: %s", feishutest.CardText(s.Content))
		}
	}
	if _, err := svc2.ReplyToConversation(ctx, convs[0].ID, "Agent Lee", "Hi, I can give you 15% *today*."); err != nil {
		t.Fatal(err)
	}
	all := e.fake.Sent()
	last := all[len(all)-1]
	if last.ReplyTo != "om_3" || !last.ReplyInThread {
		t.Fatalf("agent reply went to %+v", last)
	}
	if got := feishutest.CardText(last.Content); !strings.Contains(got, "**Agent Lee**") || !strings.Contains(got, "15% &#42;today&#42;.") {
		t.Fatalf("agent reply %q", got)
	}
	t.Logf("bot messages during handoff: 0; agent reply delivered to %s", last.ReplyTo)
}

// waitInbound waits up to 5 s for the conversation to hold want inbound
// messages in the store.
func waitInbound(t *testing.T, db bot.Store, conv bot.ConversationID, want int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		msgs, err := db.RecentMessages(context.Background(), conv, 50)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range msgs {
			if m.Inbound {
				n++
			}
		}
		if n >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d inbound messages stored, want %d", n, want)
		}
	}
}
