package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

func TestClaimExactlyOneWins(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	conv, esc := escalate(t, db, clk, "u1", "bad", bot.Annotation{Complaint: 0.9, IsComplaint: true})
	const agents = 40
	var wg sync.WaitGroup
	errs := make([]error, agents)
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Claim(ctx, conv, fmt.Sprintf("agent-%d", i))
		}()
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch bot.ErrorCode(err) {
		case "":
			winners++
		case bot.ECONFLICT:
		default:
			t.Errorf("claim failed with %v, want ECONFLICT", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d agents won the takeover, want exactly 1", winners)
	}
	c, err := db.Conversation(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != bot.StatusHuman || c.Assignee == "" {
		t.Errorf("conversation %+v, want human with an assignee", c)
	}
	if err := db.Claim(ctx, conv, c.Assignee); err != nil {
		t.Errorf("winner re-claiming: %v", err)
	}
	e, _ := db.Escalation(ctx, esc)
	if e.Status != bot.EscalationAcknowledged || e.Assignee != c.Assignee {
		t.Errorf("escalation %+v, want acknowledged by the winner", e)
	}
	if err := db.Resolve(ctx, conv, c.Assignee); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id    bot.ConversationID
		agent string
		code  string
	}{{conv, "late", bot.ECONFLICT}, {9999, "a", bot.ENOTFOUND}, {conv, " ", bot.EINVALID}} {
		if err := db.Claim(ctx, tt.id, tt.agent); bot.ErrorCode(err) != tt.code {
			t.Errorf("Claim(%d, %q) = %v, want %s", tt.id, tt.agent, err, tt.code)
		}
	}
}

func TestRatingRequestAndPending(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	conv, _ := escalate(t, db, clk, "u1", "bad", bot.Annotation{})
	cust := func() int64 { c, _ := db.Conversation(ctx, conv); return c.CustomerID }()
	if _, err := db.RequestRating(ctx, conv, "Rate us 1-5"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("rating asked for an open conversation: %v", err)
	}
	if err := db.Resolve(ctx, conv, "agent"); err != nil {
		t.Fatal(err)
	}
	if id, _ := db.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); id != 0 {
		t.Errorf("pending rating %d before the question was asked", id)
	}
	id, err := db.RequestRating(ctx, conv, "Rate us 1-5")
	if err != nil || id == 0 {
		t.Fatalf("RequestRating = %d, %v", id, err)
	}
	if again, err := db.RequestRating(ctx, conv, "Rate us 1-5"); err != nil || again != 0 {
		t.Errorf("asking twice = %d, %v; want 0, nil", again, err)
	}
	msgs, _ := db.Messages(ctx, conv)
	if last := msgs[len(msgs)-1]; last.Author != bot.AuthorSystem || last.Text != "Rate us 1-5" {
		t.Errorf("last message %+v, want the system question", last)
	}
	if got, _ := db.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); got != conv {
		t.Errorf("pending rating = %d, want %d", got, conv)
	}
	if got, _ := db.PendingRating(ctx, cust, "slack", clk.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("pending rating on another channel = %d", got)
	}
	if got, _ := db.PendingRating(ctx, cust, "web", clk.Now().Add(time.Minute)); got != 0 {
		t.Errorf("pending rating outside the window = %d", got)
	}
	if err := db.SetCSAT(ctx, conv, 4); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("rated conversation still pending: %d", got)
	}
}

func TestIsVIP(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	conv, _ := escalate(t, db, clk, "u1", "bad", bot.Annotation{Complaint: 0.9, IsComplaint: true})
	c, _ := db.Conversation(ctx, conv)
	if vip, err := db.IsVIP(ctx, c.CustomerID); err != nil || vip {
		t.Errorf("IsVIP before tagging = %v, %v", vip, err)
	}
	if err := db.AddTag(ctx, c.CustomerID, "VIP", "agent"); err != nil {
		t.Fatal(err)
	}
	// At risk (a complaint) and VIP: still a VIP.
	if vip, err := db.IsVIP(ctx, c.CustomerID); err != nil || !vip {
		t.Errorf("IsVIP after tagging = %v, %v", vip, err)
	}
	if vip, err := db.IsVIP(ctx, 999); err != nil || vip {
		t.Errorf("IsVIP(unknown) = %v, %v", vip, err)
	}
}

func TestOverdueAndRealert(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	_, esc := escalate(t, db, clk, "u1", "bad", bot.Annotation{})
	_, acked := escalate(t, db, clk, "u2", "bad", bot.Annotation{})
	if err := db.AcknowledgeEscalation(ctx, acked, "boss"); err != nil {
		t.Fatal(err)
	}
	clk.Add(20 * time.Minute)
	over, err := db.OverdueEscalations(ctx, clk.Now().Add(-15*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].ID != esc || over[0].Level != 0 || over[0].Channel != "web" {
		t.Fatalf("overdue = %+v, want escalation %d at level 0", over, esc)
	}
	m := bot.OutboxMessage{Kind: "alert", Key: fmt.Sprintf("escalation:%d:level:1", esc), CustomerID: over[0].CustomerID,
		Payload: json.RawMessage(`{"level":1}`)}
	var first int64
	for i := range 2 { // the second call finds the key and records nothing more
		id, err := db.EnqueueRealert(ctx, esc, 1, "lead", m)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = id
		} else if id != first {
			t.Errorf("second EnqueueRealert = item %d, want the first's %d", id, first)
		}
	}
	items, err := db.Outbox(ctx, "alert", 10)
	if err != nil || len(items) != 1 || items[0].Key != m.Key || string(items[0].Payload) != `{"level":1}` {
		t.Errorf("outbox after two re-alerts = %+v, %v; want the one message", items, err)
	}
	over, _ = db.OverdueEscalations(ctx, clk.Now(), 0)
	if len(over) != 1 || over[0].Level != 1 {
		t.Fatalf("after a re-alert: %+v, want level 1", over)
	}
	events, _ := db.Events(ctx, over[0].CustomerID)
	var realerts []bot.Event
	for _, e := range events {
		if e.Kind == sqlite.EventRealerted {
			realerts = append(realerts, e)
		}
	}
	if len(realerts) != 1 {
		t.Fatalf("%d re-alert events, want 1", len(realerts))
	}
	var detail struct {
		EscalationID bot.EscalationID `json:"escalation_id"`
		Level        int              `json:"level"`
		Notify       string           `json:"notify"`
	}
	if err := json.Unmarshal(realerts[0].Detail, &detail); err != nil || detail.EscalationID != esc || detail.Level != 1 ||
		detail.Notify != "lead" {
		t.Errorf("re-alert event detail %s (%v), want escalation %d, level 1, notify lead", realerts[0].Detail, err, esc)
	}
	unknown := bot.OutboxMessage{Kind: "alert", Key: "k", Payload: json.RawMessage(`1`)}
	if _, err := db.EnqueueRealert(ctx, 12345, 1, "x", unknown); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("re-alert of an unknown escalation: %v", err)
	}
	if items, _ := db.Outbox(ctx, "alert", 10); len(items) != 1 {
		t.Errorf("a refused re-alert queued a message: %+v", items)
	}
}

func TestQueueIdleAndComplaints(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	c1, e1 := escalate(t, db, clk, "u1", "the tea was stale",
		bot.Annotation{Intent: "product_info", Complaint: 0.9, IsComplaint: true})
	clk.Add(time.Minute)
	c2, _ := escalate(t, db, clk, "u2", "very late", bot.Annotation{Intent: "complaint", Complaint: 0.5, IsComplaint: true})
	clk.Add(time.Minute)
	// An ordinary question: not a complaint, not in the queue.
	conv, in, _ := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "u3", Text: "hours?", Time: clk.Now()})
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "9-5",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "store_visit", Complaint: 0.1}}); err != nil {
		t.Fatal(err)
	}
	q, err := db.HandoffQueue(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Conv bot.ConversationID
		Esc  bot.EscalationID
	}
	var got []entry
	for _, h := range q {
		got = append(got, entry{h.ConversationID, h.EscalationID})
	}
	if diff := cmp.Diff([]entry{{c1, e1}, {c2, e1 + 1}}, got); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	if q[0].Reason != bot.ReasonComplaint || q[0].Status != bot.StatusWaitingHuman {
		t.Errorf("queue entry %+v", q[0])
	}
	idle, _ := db.IdleHandoffs(ctx, clk.Now().Add(-90*time.Second), 0)
	if diff := cmp.Diff([]bot.ConversationID{c1}, idle); diff != "" {
		t.Errorf("idle (-want +got):\n%s", diff)
	}
	// An employee's complaint-sounding question is no customer complaint.
	emp, ein, _ := db.AppendInbound(ctx, bot.Inbound{Channel: "slack", ExternalUserID: "T:E1", Role: bot.RoleEmployee,
		Text: "how do we handle an angry customer?", Time: clk.Now()})
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: emp.ID, InboundID: ein, Text: "see wiki",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "complaint", Complaint: 0.9, IsComplaint: true}}); err != nil {
		t.Fatal(err)
	}
	n, err := db.CountComplaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second))
	if err != nil || n != 2 {
		t.Errorf("CountComplaints = %d, %v; want 2", n, err)
	}
	msgs, err := db.Complaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second), 0)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "very late" || msgs[1].Channel != "web" {
		t.Errorf("Complaints = %+v, %v", msgs, err)
	}
	for _, tt := range []struct {
		id   bot.ConversationID
		want bool
	}{{c2, false}, {c1, true}, {c1, false}, {conv.ID, false}} {
		done, err := db.ResolveIfIdle(ctx, tt.id, clk.Now().Add(-90*time.Second), "system")
		if err != nil || done != tt.want {
			t.Errorf("ResolveIfIdle(%d) = %v, %v; want %v", tt.id, done, err, tt.want)
		}
	}
	if _, err := db.ResolveIfIdle(ctx, 999, clk.Now(), "system"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("ResolveIfIdle(unknown) = %v", err)
	}
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
