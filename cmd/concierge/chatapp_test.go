package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// newChatTestApp is the app serve opens, made of the real store, Engine,
// escalation service and alert dispatcher (with the sinks of cfg.Alerts)
// but with fake classification and retrieval: "how long" is answered from
// a public page, "complain" is a complaint and hands off. Its workers (the
// dispatcher) start with startWorkers; everything closes when the test
// ends.
func newChatTestApp(t *testing.T, cfg Config) *app {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "concierge.db"), sqlite.Options{NoSync: true, Alerts: alert.Protocol{}})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg, log: log, store: db, deliverers: map[string]escalation.Deliverer{}, chats: &chatAdapters{}}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	if a.dispatcher, err = newDispatcher(cfg, db, log, nil, a.chats); err != nil {
		t.Fatal(err)
	}
	var store bot.Store = db
	if a.dispatcher != nil {
		store = alert.KickOnAlert(db, a.dispatcher)
	}
	if a.handoff, err = escalation.New(escalation.Options{Store: db, Logger: log, Deliverers: a.deliverers}); err != nil {
		t.Fatal(err)
	}
	a.engine, err = bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{
			Rules: map[string]bot.Classification{
				"how long": {Intent: "shipping", Confidence: 0.9, Language: "en"},
				"complain": {Intent: "complaint", Confidence: 0.9, Complaint: 0.95, Sentiment: -0.8, Language: "en"},
			},
			Default: bot.Classification{Intent: "other", Confidence: 0.9, Language: "en"},
		},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{{Hit: bot.Hit{ID: "shipping", Title: "Shipping", URL: "/kb/shipping",
			Audience: bot.AudiencePublic, Answer: "Parcels arrive in **2–3 days**.", Confidence: 0.9}, Keywords: []string{"how long"}}}},
		Store: store, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// watchHandler passes messages to the Engine and keeps its replies by
// provider message id, so a test can wait until a message was handled.
type watchHandler struct {
	engine interface {
		Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
	}
	mu      sync.Mutex
	replies map[string]bot.Reply
}

func (w *watchHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	r, err := w.engine.Handle(ctx, m)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.replies == nil {
		w.replies = map[string]bot.Reply{}
	}
	w.replies[m.ProviderMessageID] = r
	return r, err
}

// wait returns the Engine's reply to the message id, failing the test after
// 5 seconds.
func (w *watchHandler) wait(t *testing.T, id string) bot.Reply {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		w.mu.Lock()
		r, ok := w.replies[id]
		w.mu.Unlock()
		if ok {
			return r
		}
	}
	t.Fatalf("message %s was not handled", id)
	return bot.Reply{}
}
