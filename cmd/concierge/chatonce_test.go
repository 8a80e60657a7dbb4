package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// countingHandler answers every message and counts them.
type countingHandler struct{ n atomic.Int32 }

func (h *countingHandler) Handle(context.Context, bot.Message) (bot.Reply, error) {
	h.n.Add(1)
	return bot.Reply{Action: bot.ActionAnswer, Text: "answer"}, nil
}

// A chat app's retry that arrives after a restart (a new process on the
// same database) is not answered again: the adapters' in-memory claim is
// gone, the ledger's is not. A message whose handling a crash cut short
// (claimed, never finished) is handled when the platform retries it.
func TestChatAppRetryAfterRestartAnsweredOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concierge.db")
	open := func() *sqlite.DB {
		db, err := sqlite.Open(t.Context(), path, sqlite.Options{NoSync: true, Alerts: alert.Protocol{}})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	next := &countingHandler{}
	log := slog.New(slog.DiscardHandler)
	msg := func(id string) bot.Message {
		return bot.Message{Channel: "feishu", ExternalUserID: "ou_1", Text: "hello", ProviderMessageID: id, Time: time.Now()}
	}

	db := open()
	h := chatOnce{next: next, requests: sqliteLedger(db, time.Second, log), log: log}
	if r, err := h.Handle(t.Context(), msg("om_1")); err != nil || r.Action != bot.ActionAnswer {
		t.Fatalf("first delivery: %+v, %v", r, err)
	}
	// A crash while handling om_2: claimed, never finished.
	if _, _, err := sqliteLedger(db, time.Second, log).Claim(t.Context(), "chat:feishu:om_2"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open() // the restarted process
	defer db.Close()
	h = chatOnce{next: next, requests: sqliteLedger(db, time.Second, log), log: log}
	r, err := h.Handle(t.Context(), msg("om_1"))
	if err != nil || r.Action != bot.ActionRelay || next.n.Load() != 1 {
		t.Fatalf("retry after restart: %+v, %v; engine saw %d messages, want 1 and a silent reply", r, err, next.n.Load())
	}
	if r, err := h.Handle(t.Context(), msg("om_2")); err != nil || r.Action != bot.ActionAnswer || next.n.Load() != 2 {
		t.Fatalf("retry of a message cut short by a crash: %+v, %v (engine saw %d)", r, err, next.n.Load())
	}
	// No platform id: nothing to claim, handled as it comes.
	if r, _ := h.Handle(t.Context(), msg("")); r.Action != bot.ActionAnswer || next.n.Load() != 3 {
		t.Fatalf("message without an id: %+v", r)
	}
}
