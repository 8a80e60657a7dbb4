package sqlite_test

import (
	"context"
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
func escalate(t *testing.T, db *sqlite.DB, clk *handoffClock, user, text string, ann bot.Annotation) (int64, int64) {
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
	conv, esc := escalate(t, db, clk, "u1", "bad", bot.Annotation{Complaint: 0.9})
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
		id    int64
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
	conv, _ := escalate(t, db, clk, "u1", "bad", bot.Annotation{Complaint: 0.9})
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
	for range 2 { // the second call finds the key and records nothing more
		if _, err := db.Realert(esc, 1, "lead").Enqueue(ctx, "alert", fmt.Sprintf("escalation:%d:level:1", esc),
			over[0].CustomerID, map[string]int{"level": 1}); err != nil {
			t.Fatal(err)
		}
	}
	over, _ = db.OverdueEscalations(ctx, clk.Now(), 0)
	if len(over) != 1 || over[0].Level != 1 {
		t.Fatalf("after a re-alert: %+v, want level 1", over)
	}
	events, _ := db.Events(ctx, over[0].CustomerID)
	n := 0
	for _, e := range events {
		if e.Kind == sqlite.EventRealerted {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d re-alert events, want 1", n)
	}
	if _, err := db.Realert(12345, 1, "x").Enqueue(ctx, "alert", "k", 0, 1); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("re-alert of an unknown escalation: %v", err)
	}
}

func TestQueueIdleAndComplaints(t *testing.T) {
	db, clk := handoffDB(t)
	ctx := context.Background()
	c1, e1 := escalate(t, db, clk, "u1", "the tea was stale", bot.Annotation{Intent: "product_info", Complaint: 0.9})
	clk.Add(time.Minute)
	c2, _ := escalate(t, db, clk, "u2", "very late", bot.Annotation{Intent: "complaint", Complaint: 0.5})
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
	var got [][2]int64
	for _, h := range q {
		got = append(got, [2]int64{h.ConversationID, h.EscalationID})
	}
	if diff := cmp.Diff([][2]int64{{c1, e1}, {c2, e1 + 1}}, got); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	if q[0].Reason != bot.ReasonComplaint || q[0].Status != bot.StatusWaitingHuman {
		t.Errorf("queue entry %+v", q[0])
	}
	idle, _ := db.IdleHandoffs(ctx, clk.Now().Add(-90*time.Second), 0)
	if diff := cmp.Diff([]int64{c1}, idle); diff != "" {
		t.Errorf("idle (-want +got):\n%s", diff)
	}
	// An employee's complaint-sounding question is no customer complaint.
	emp, ein, _ := db.AppendInbound(ctx, bot.Inbound{Channel: "slack", ExternalUserID: "T:E1", Role: bot.RoleEmployee,
		Text: "how do we handle an angry customer?", Time: clk.Now()})
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: emp.ID, InboundID: ein, Text: "see wiki",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "complaint", Complaint: 0.9}}); err != nil {
		t.Fatal(err)
	}
	n, err := db.CountComplaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second), 0.6)
	if err != nil || n != 2 {
		t.Errorf("CountComplaints = %d, %v; want 2", n, err)
	}
	msgs, err := db.Complaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second), 0.6, 0)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "very late" || msgs[1].Channel != "web" {
		t.Errorf("Complaints = %+v, %v", msgs, err)
	}
	for _, tt := range []struct {
		id   int64
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
