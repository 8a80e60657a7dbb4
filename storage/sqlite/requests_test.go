package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestKeyedRequestAfterCrash: a keyed request whose process stopped after
// storing the message (and its reply) but before recording the outcome is
// taken over by the next process, and handling it again under the key
// stores neither the message nor the reply nor the escalation twice.
func TestKeyedRequestAfterCrash(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "concierge.db")
	const key = "api:api:crm\x00order-42"
	in := bot.Inbound{Channel: "api", ExternalUserID: "u1", Text: "I want to talk to a person"}
	handle := func(db *sqlite.DB) (bot.Conversation, int64, bot.Stored) {
		t.Helper()
		kctx := sqlite.WithRequestKey(ctx, key)
		conv, msgID, err := db.AppendInbound(kctx, in)
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.AppendOutbound(kctx, bot.Outbound{ConversationID: conv.ID, InboundID: msgID, Text: "A person will answer.",
			Action: bot.ActionEscalate, Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal"}})
		if err != nil {
			t.Fatal(err)
		}
		return conv, msgID, st
	}

	db1, err := sqlite.Open(ctx, path, sqlite.Options{MaintenanceInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := db1.ClaimRequest(ctx, key, 0); err != nil || out != nil {
		t.Fatalf("first claim = %v, %v; want it owned", out, err)
	}
	// A duplicate while the first is handled waits, then is told to retry.
	if _, err := db1.ClaimRequest(ctx, key, 50*time.Millisecond); !errors.Is(err, sqlite.ErrRequestBusy) {
		t.Fatalf("claim while handled = %v, want ErrRequestBusy", err)
	}
	conv1, msg1, st1 := handle(db1)
	if err := db1.Close(); err != nil { // the crash: no FinishRequest
		t.Fatal(err)
	}

	db2 := openAt(t, path, sqlite.Options{MaintenanceInterval: -1})
	if out, err := db2.ClaimRequest(ctx, key, time.Second); err != nil || out != nil {
		t.Fatalf("claim after the crash = %v, %v; want it taken over", out, err)
	}
	conv2, msg2, st2 := handle(db2)
	if conv2.ID != conv1.ID || msg2 != msg1 || st2 != st1 {
		t.Errorf("handled again: conv %d msg %d %+v, first conv %d msg %d %+v; want what was stored the first time",
			conv2.ID, msg2, st2, conv1.ID, msg1, st1)
	}
	r := raw(t, path)
	if n := count(t, r, `SELECT count(*) FROM messages`); n != 2 {
		t.Errorf("%d messages stored, want 2 (the message and its reply, once)", n)
	}
	if n := count(t, r, `SELECT count(*) FROM escalations`); n != 1 {
		t.Errorf("%d escalations, want 1", n)
	}
	if err := db2.FinishRequest(ctx, key, 200, []byte(`{"reply":"A person will answer."}`)); err != nil {
		t.Fatal(err)
	}
	out, err := db2.ClaimRequest(ctx, key, 0)
	if err != nil || out == nil || out.Status != 200 || string(out.Body) != `{"reply":"A person will answer."}` {
		t.Fatalf("claim after finish = %+v, %v; want the recorded outcome", out, err)
	}
	// Another key is another request.
	if out, err := db2.ClaimRequest(ctx, "api:api:crm\x00order-43", 0); err != nil || out != nil {
		t.Errorf("claim of another key = %v, %v; want it owned", out, err)
	}
	// Erasing the customer removes the recorded answers.
	if err := db2.Erase(ctx, conv1.CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, r, `SELECT count(*) FROM requests WHERE body IS NOT NULL`); n != 0 {
		t.Errorf("%d recorded answers left after erase, want 0", n)
	}
}

// TestAbandonedRequestIsRetried: a request abandoned (a server error) is
// handled again by the next claim in the same process.
func TestAbandonedRequestIsRetried(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if out, err := db.ClaimRequest(ctx, "k", 0); err != nil || out != nil {
		t.Fatal(out, err)
	}
	if err := db.AbandonRequest(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if out, err := db.ClaimRequest(ctx, "k", 0); err != nil || out != nil {
		t.Errorf("claim after abandon = %v, %v; want it owned", out, err)
	}
}
