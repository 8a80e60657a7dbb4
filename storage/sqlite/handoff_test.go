package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// handoffDB opens a database in a temporary directory with a settable clock.
func handoffDB(t *testing.T) (*sqlite.DB, *handoffClock) {
	t.Helper()
	clk := &handoffClock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), sqlite.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clk
}

type handoffClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *handoffClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *handoffClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// escalate stores a customer message and an escalating reply; it returns
// the conversation and escalation ids.
func escalate(t *testing.T, db *sqlite.DB, clk *handoffClock, user, text string, ann bot.Annotation) (bot.ConversationID, bot.EscalationID) {
	t.Helper()
	ctx := context.Background()
	conv, in, err := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: user, Text: text, Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Annotation: ann,
		Text: "sorry", Action: bot.ActionEscalate, Time: clk.Now(),
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "normal", Summary: "complaint"}})
	if err != nil {
		t.Fatal(err)
	}
	return conv.ID, st.EscalationID
}

// TestHandoffQueueSinceAndSeverity: a conversation waits from its earliest
// unresolved escalation, at the highest severity among them, while the
// entry names the latest escalation.
func TestHandoffQueueSinceAndSeverity(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	first := clk.Now()
	conv, e1 := escalate(t, db, clk, "u1", "bad", bot.Annotation{})
	clk.Add(10 * time.Minute)
	// A second, later escalation of the same conversation, of higher
	// severity (the Engine does not open one while the conversation waits,
	// but an upgrade or a manual escalation may leave two open).
	r := raw(t, db.Path())
	later := clk.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	res, err := r.Exec(`INSERT INTO escalations (conversation_id, customer_id, reason, severity, summary, created)
		SELECT id, customer_id, 'requested_human', 'high', 'wants a person', ? FROM conversations WHERE id = ?`, later, conv)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.LastInsertId()
	e2 := bot.EscalationID(n)

	entry := func() bot.HandoffEntry {
		t.Helper()
		q, err := db.HandoffQueue(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 {
			t.Fatalf("queue = %+v, want one conversation", q)
		}
		return q[0]
	}
	h := entry()
	if h.EscalationID != e2 || h.Reason != bot.ReasonRequestedHuman || h.Summary != "wants a person" {
		t.Errorf("entry names escalation %d (%s, %q), want the latest %d", h.EscalationID, h.Reason, h.Summary, e2)
	}
	if !h.Since.Equal(first) || h.Severity != "high" {
		t.Errorf("since %v severity %q, want %v (the earliest open) and high (the highest open)", h.Since, h.Severity, first)
	}
	// Once the first is resolved the conversation waits from the second.
	if _, err := r.Exec(`UPDATE escalations SET status = 'resolved', resolved = ? WHERE id = ?`, later, e1); err != nil {
		t.Fatal(err)
	}
	if h := entry(); !h.Since.Equal(clk.Now()) || h.Severity != "high" {
		t.Errorf("after resolving the first: since %v severity %q, want %v and high", h.Since, h.Severity, clk.Now())
	}
	// The high one resolved, the normal one open again: severity normal.
	if _, err := r.Exec(`UPDATE escalations SET status = CASE id WHEN ? THEN 'open' ELSE 'resolved' END WHERE id IN (?, ?)`,
		e1, e1, e2); err != nil {
		t.Fatal(err)
	}
	if h := entry(); !h.Since.Equal(first) || h.Severity != "normal" {
		t.Errorf("only the first open: since %v severity %q, want %v and normal", h.Since, h.Severity, first)
	}
}
