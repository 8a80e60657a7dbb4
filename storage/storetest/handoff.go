package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

func testAgentMessageTakesOver(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, id := appendIn(t, s, "web", "u", "help", e.clk.Now())
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "wait",
		Action: bot.ActionEscalate, Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAgentMessage(ctx, conv.ID, "bob", ""); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("empty agent message: %v, want EINVALID", err)
	}
	if _, err := s.AppendAgentMessage(ctx, conv.ID, " ", "hi"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("agent message without an agent: %v, want EINVALID", err)
	}
	if _, err := s.AppendAgentMessage(ctx, 9999, "bob", "hi"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("agent message to an unknown conversation: %v, want ENOTFOUND", err)
	}
	e.clk.Add(time.Minute)
	mid, err := s.AppendAgentMessage(ctx, conv.ID, "bob", "Hi, Bob here.")
	if err != nil {
		t.Fatal(err)
	}
	info, _ := s.Conversation(ctx, conv.ID)
	if info.Status != bot.StatusHuman || info.Assignee != "bob" || info.Messages != 3 || !info.LastMessage.Equal(e.clk.Now()) {
		t.Errorf("after agent message: %+v, want human/bob with 3 messages, the last now", info)
	}
	esc, _ := s.Escalation(ctx, st.EscalationID)
	if esc.Status != bot.EscalationAcknowledged || esc.Assignee != "bob" || !esc.Acknowledged.Equal(e.clk.Now()) {
		t.Errorf("escalation after agent message: %+v", esc)
	}
	msgs, _ := s.Messages(ctx, conv.ID)
	if last := msgs[len(msgs)-1]; last.ID != mid || last.Author != bot.AuthorAgent || last.Inbound || last.Text != "Hi, Bob here." {
		t.Errorf("agent message stored as %+v", last)
	}
	// A second agent writing does not take it from bob.
	if _, err := s.AppendAgentMessage(ctx, conv.ID, "carol", "Carol too."); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.Conversation(ctx, conv.ID); info.Assignee != "bob" {
		t.Errorf("assignee after a second agent wrote = %q, want bob", info.Assignee)
	}
	if c, _ := s.Customer(ctx, conv.CustomerID); c.Outbound != 3 || c.Inbound != 1 {
		t.Errorf("customer counts %d in, %d out; want 1 and 3", c.Inbound, c.Outbound)
	}
	if err := s.ReturnToBot(ctx, conv.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if esc, _ := s.Escalation(ctx, st.EscalationID); esc.Status != bot.EscalationResolved {
		t.Errorf("escalation after return to bot: %q, want resolved", esc.Status)
	}
	if err := s.Resolve(ctx, conv.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAgentMessage(ctx, conv.ID, "bob", "one more"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("agent message to a resolved conversation: %v, want ECONFLICT", err)
	}
}

func testClaimExactlyOneWins(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, esc := escalateAt(t, s, e.clk, "u1", "bad", bot.Annotation{Complaint: 0.9, IsComplaint: true})
	const agents = 40
	var wg sync.WaitGroup
	errs := make([]error, agents)
	for i := range agents {
		wg.Go(func() { errs[i] = s.Claim(ctx, conv, fmt.Sprintf("agent-%d", i)) })
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
	c, err := s.Conversation(ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != bot.StatusHuman || c.Assignee == "" {
		t.Errorf("conversation %+v, want human with an assignee", c)
	}
	if err := s.Claim(ctx, conv, c.Assignee); err != nil {
		t.Errorf("winner re-claiming: %v", err)
	}
	ev, _ := s.Events(ctx, c.CustomerID)
	taken := 0
	for _, x := range ev {
		if x.Kind == bot.EventTakenOver {
			taken++
		}
	}
	if taken != 1 {
		t.Errorf("%d taken_over events, want 1", taken)
	}
	x, _ := s.Escalation(ctx, esc)
	if x.Status != bot.EscalationAcknowledged || x.Assignee != c.Assignee {
		t.Errorf("escalation %+v, want acknowledged by the winner", x)
	}
	if err := s.Resolve(ctx, conv, c.Assignee); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id    bot.ConversationID
		agent string
		code  string
	}{{conv, "late", bot.ECONFLICT}, {9999, "a", bot.ENOTFOUND}, {conv, " ", bot.EINVALID}} {
		if err := s.Claim(ctx, tt.id, tt.agent); bot.ErrorCode(err) != tt.code {
			t.Errorf("Claim(%d, %q) = %v, want %s", tt.id, tt.agent, err, tt.code)
		}
	}
}

func testReturnToBotAndResolve(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, esc := escalateAt(t, s, e.clk, "u1", "bad", bot.Annotation{})
	if err := s.ReturnToBot(ctx, 9999, "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("ReturnToBot(unknown) = %v, want ENOTFOUND", err)
	}
	if err := s.Resolve(ctx, 9999, "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Resolve(unknown) = %v, want ENOTFOUND", err)
	}
	e.clk.Add(time.Minute)
	if err := s.ReturnToBot(ctx, conv, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReturnToBot(ctx, conv, "alice"); err != nil {
		t.Errorf("ReturnToBot of a bot conversation: %v, want nil", err)
	}
	info, _ := s.Conversation(ctx, conv)
	if info.Status != bot.StatusBot || info.Assignee != "" {
		t.Errorf("after ReturnToBot: %+v", info)
	}
	x, _ := s.Escalation(ctx, esc)
	if x.Status != bot.EscalationResolved || !x.Resolved.Equal(e.clk.Now()) {
		t.Errorf("escalation after ReturnToBot: %+v", x)
	}
	e.clk.Add(time.Minute)
	if err := s.Resolve(ctx, conv, "alice"); err != nil {
		t.Fatal(err)
	}
	info, _ = s.Conversation(ctx, conv)
	if info.Status != bot.StatusResolved || !info.Closed.Equal(e.clk.Now()) {
		t.Errorf("after Resolve: %+v, want resolved and closed now", info)
	}
	if err := s.ReturnToBot(ctx, conv, "alice"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("ReturnToBot of a resolved conversation = %v, want ECONFLICT", err)
	}
	ev, _ := s.Events(ctx, info.CustomerID)
	var kinds []string
	for _, x := range ev {
		if x.ConversationID == conv {
			kinds = append(kinds, x.Kind+"/"+x.Actor)
		}
	}
	want := []string{bot.EventEscalated + "/", bot.EventReturnedToBot + "/alice", bot.EventResolved + "/alice"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("conversation events (-want +got):\n%s", diff)
	}
}

func testRatingRequestAndPending(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	conv, _ := escalateAt(t, s, clk, "u1", "bad", bot.Annotation{})
	cust := func() int64 { c, _ := s.Conversation(ctx, conv); return c.CustomerID }()
	if _, err := s.RequestRating(ctx, conv, "Rate us 1-5"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("rating asked for an open conversation: %v", err)
	}
	if _, err := s.RequestRating(ctx, 9999, "Rate us 1-5"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("rating asked for an unknown conversation: %v", err)
	}
	if err := s.Resolve(ctx, conv, "agent"); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); id != 0 {
		t.Errorf("pending rating %d before the question was asked", id)
	}
	id, err := s.RequestRating(ctx, conv, "Rate us 1-5")
	if err != nil || id == 0 {
		t.Fatalf("RequestRating = %d, %v", id, err)
	}
	if again, err := s.RequestRating(ctx, conv, "Rate us 1-5"); err != nil || again != 0 {
		t.Errorf("asking twice = %d, %v; want 0, nil", again, err)
	}
	msgs, _ := s.Messages(ctx, conv)
	if last := msgs[len(msgs)-1]; last.Author != bot.AuthorSystem || last.Text != "Rate us 1-5" || last.ID != id {
		t.Errorf("last message %+v, want the system question", last)
	}
	if got, _ := s.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); got != conv {
		t.Errorf("pending rating = %d, want %d", got, conv)
	}
	if got, _ := s.PendingRating(ctx, cust, "slack", clk.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("pending rating on another channel = %d", got)
	}
	if got, _ := s.PendingRating(ctx, cust, "web", clk.Now().Add(time.Minute)); got != 0 {
		t.Errorf("pending rating outside the window = %d", got)
	}
	if got, _ := s.PendingRating(ctx, 9999, "web", clk.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("pending rating of an unknown customer = %d", got)
	}
	if err := s.SetCSAT(ctx, conv, 4); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PendingRating(ctx, cust, "web", clk.Now().Add(-time.Hour)); got != 0 {
		t.Errorf("rated conversation still pending: %d", got)
	}
}

func testQueueIdleAndComplaints(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	c1, e1 := escalateAt(t, s, clk, "u1", "the tea was stale",
		bot.Annotation{Intent: "product_info", Complaint: 0.9, IsComplaint: true})
	clk.Add(time.Minute)
	c2, e2 := escalateAt(t, s, clk, "u2", "very late", bot.Annotation{Intent: "complaint", Complaint: 0.5, IsComplaint: true})
	clk.Add(time.Minute)
	// An ordinary question: not a complaint, not in the queue.
	conv, in, _ := s.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "u3", Text: "hours?", Time: clk.Now()})
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "9-5",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "store_visit", Complaint: 0.1}}); err != nil {
		t.Fatal(err)
	}
	q, err := s.HandoffQueue(ctx, 0)
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
	if diff := cmp.Diff([]entry{{c1, e1}, {c2, e2}}, got); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	c1info, _ := s.Conversation(ctx, c1)
	want := bot.HandoffEntry{ConversationID: c1, CustomerID: c1info.CustomerID, Channel: "web", Status: bot.StatusWaitingHuman,
		EscalationID: e1, Reason: bot.ReasonComplaint, Severity: "normal", Summary: "complaint",
		Since: clk.Now().Add(-2 * time.Minute), LastMessage: clk.Now().Add(-2 * time.Minute)}
	if diff := cmp.Diff(want, q[0]); diff != "" {
		t.Errorf("queue entry (-want +got):\n%s", diff)
	}
	if q, _ := s.HandoffQueue(ctx, 1); len(q) != 1 || q[0].ConversationID != c1 {
		t.Errorf("queue of 1 = %+v, want the longest waiting", q)
	}
	idle, _ := s.IdleHandoffs(ctx, clk.Now().Add(-90*time.Second), 0)
	if diff := cmp.Diff([]bot.ConversationID{c1}, idle); diff != "" {
		t.Errorf("idle (-want +got):\n%s", diff)
	}
	if idle, _ := s.IdleHandoffs(ctx, clk.Now(), 1); len(idle) != 1 || idle[0] != c1 {
		t.Errorf("idle with limit 1 = %v, want [%d]", idle, c1)
	}
	// An employee's complaint-sounding question is no customer complaint.
	emp, ein, _ := s.AppendInbound(ctx, bot.Inbound{Channel: "slack", ExternalUserID: "T:E1", Role: bot.RoleEmployee,
		Text: "how do we handle an angry customer?", Time: clk.Now()})
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: emp.ID, InboundID: ein, Text: "see wiki",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: "complaint", Complaint: 0.9, IsComplaint: true}}); err != nil {
		t.Fatal(err)
	}
	n, err := s.CountComplaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second))
	if err != nil || n != 2 {
		t.Errorf("CountComplaints = %d, %v; want 2", n, err)
	}
	if n, _ := s.CountComplaints(ctx, clk.Now().Add(-time.Minute), clk.Now().Add(time.Second)); n != 1 {
		t.Errorf("CountComplaints of the last minute = %d, want 1 ([from, to) by message time)", n)
	}
	msgs, err := s.Complaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second), 0)
	if err != nil || len(msgs) != 2 || msgs[0].Text != "very late" || msgs[1].Channel != "web" || msgs[0].Intent != "complaint" {
		t.Errorf("Complaints = %+v, %v", msgs, err)
	}
	if msgs, _ := s.Complaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Second), 1); len(msgs) != 1 || msgs[0].Text != "very late" {
		t.Errorf("Complaints with limit 1 = %+v, want the newest", msgs)
	}
	for _, tt := range []struct {
		id   bot.ConversationID
		want bool
	}{{c2, false}, {c1, true}, {c1, false}, {conv.ID, false}} {
		done, err := s.ResolveIfIdle(ctx, tt.id, clk.Now().Add(-90*time.Second), "system")
		if err != nil || done != tt.want {
			t.Errorf("ResolveIfIdle(%d) = %v, %v; want %v", tt.id, done, err, tt.want)
		}
	}
	if _, err := s.ResolveIfIdle(ctx, 999, clk.Now(), "system"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("ResolveIfIdle(unknown) = %v", err)
	}
	if info, _ := s.Conversation(ctx, c1); info.Status != bot.StatusResolved {
		t.Errorf("idle conversation after ResolveIfIdle: %q", info.Status)
	}
	if x, _ := s.Escalation(ctx, e1); x.Status != bot.EscalationResolved {
		t.Errorf("escalation of the idle conversation: %q, want resolved", x.Status)
	}
}

// testHandoffQueueSinceAndSeverity: a conversation waits from its earliest
// unresolved escalation, at the highest severity among them, while the
// entry names the latest escalation. The second escalation comes with a
// silent relay, which may escalate a handed-off conversation.
func testHandoffQueueSinceAndSeverity(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	first := clk.Now()
	conv, e1 := escalateAt(t, s, clk, "u1", "bad", bot.Annotation{})
	clk.Add(10 * time.Minute)
	_, in2, err := s.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "u1", Text: "a person, now", Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv, InboundID: in2, Action: bot.ActionRelay, Time: clk.Now(),
		Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "high", Summary: "wants a person"}})
	if err != nil {
		t.Fatal(err)
	}
	e2 := st.EscalationID
	if e2 == 0 || e2 == e1 {
		t.Fatalf("second escalation id %d", e2)
	}
	q, err := s.HandoffQueue(ctx, 0)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue = %+v, %v; want one conversation", q, err)
	}
	h := q[0]
	if h.EscalationID != e2 || h.Reason != bot.ReasonRequestedHuman || h.Summary != "wants a person" {
		t.Errorf("entry names escalation %d (%s, %q), want the latest %d", h.EscalationID, h.Reason, h.Summary, e2)
	}
	if !h.Since.Equal(first) || h.Severity != "high" {
		t.Errorf("since %v severity %q, want %v (the earliest open) and high (the highest open)", h.Since, h.Severity, first)
	}
	// An acknowledgement is not a resolve: still waiting since the first.
	if err := s.AcknowledgeEscalation(ctx, e1, "boss"); err != nil {
		t.Fatal(err)
	}
	q, _ = s.HandoffQueue(ctx, 0)
	if len(q) != 1 || !q[0].Since.Equal(first) || q[0].Severity != "high" || !q[0].Acknowledged.IsZero() {
		// The entry's Acknowledged is the latest escalation's, still open.
		t.Errorf("after acknowledging the first: %+v, want since %v, high, not acknowledged", q, first)
	}
	// A lead escalation never enters the queue.
	conv3, in3 := appendIn(t, s, "web", "buyer", "20 units please", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv3.ID, InboundID: in3, Text: "Sales will call.",
		Action: bot.ActionLead, Escalation: &bot.Escalation{Reason: bot.ReasonLead, Severity: "low", Summary: "lead"}}); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.HandoffQueue(ctx, 0); len(q) != 1 {
		t.Errorf("queue after a lead = %+v, want the one handed-off conversation", q)
	}
}

func testLeadEscalationDoesNotHandOff(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	conv, id := appendIn(t, s, "web", "buyer", "I want 20 units", e.clk.Now())
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Sales will call you.",
		Action: bot.ActionLead, Escalation: &bot.Escalation{Reason: bot.ReasonLead, Severity: "low", Summary: "lead"}})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := s.Conversation(ctx, conv.ID)
	if info.Status != bot.StatusBot {
		t.Errorf("status after a lead escalation = %q, want bot (Engine reports no handoff for leads)", info.Status)
	}
	if over, _ := s.OverdueEscalations(ctx, e.clk.Now().Add(time.Hour), 0); len(over) != 0 {
		t.Errorf("a lead escalation is overdue: %+v", over)
	}
	if x, _ := s.Escalation(ctx, st.EscalationID); x.Reason != bot.ReasonLead || x.Status != bot.EscalationOpen {
		t.Errorf("lead escalation = %+v", x)
	}
}

func testEscalationAlert(t *testing.T, e *env) {
	s := e.open(t, Options{Alerts: testAlerts{}})
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	conv, inID := appendIn(t, s, "web", "u1", "your product broke my kitchen", at)
	out := bot.Outbound{ConversationID: conv.ID, InboundID: inID, Text: "A colleague will contact you.",
		Action: bot.ActionEscalate, Annotation: bot.Annotation{Intent: "complaint", Confidence: 0.9, Complaint: 0.92, Sentiment: -0.7,
			IsComplaint: true, IsNegative: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint on web"},
		Time:       at.Add(time.Second)}
	st, err := s.AppendOutbound(ctx, out)
	if err != nil {
		t.Fatalf("AppendOutbound: %v", err)
	}
	esc, err := s.Escalation(ctx, st.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.EscalationInfo{ID: st.EscalationID, ConversationID: conv.ID, CustomerID: conv.CustomerID, MessageID: inID,
		Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint on web", Status: bot.EscalationOpen,
		Created: at.Add(time.Second)}
	if diff := cmp.Diff(want, esc); diff != "" {
		t.Errorf("escalation (-want +got):\n%s", diff)
	}
	if _, err := s.Escalation(ctx, 9999); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Escalation(unknown) = %v, want ENOTFOUND", err)
	}
	items, err := s.DueOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != kindTestEscalation || items[0].CustomerID != conv.CustomerID ||
		items[0].Key != fmt.Sprintf("escalation:%d", st.EscalationID) {
		t.Fatalf("due outbox = %+v, want the encoder's one escalation item", items)
	}
	var alert testEscalationPayload
	if err := json.Unmarshal(items[0].Payload, &alert); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testEscalationPayload{want, "web"}, alert); diff != "" {
		t.Errorf("what the store gave the encoder (-want +got):\n%s", diff)
	}
	info, err := s.Conversation(ctx, conv.ID)
	if err != nil || info.Status != bot.StatusWaitingHuman {
		t.Errorf("conversation after escalation: %+v, %v; want waiting_human", info, err)
	}
	c, err := s.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Segment != bot.SegmentAtRisk || c.Complaints != 1 {
		t.Errorf("customer after complaint: segment %q, complaints %d; want at_risk, 1", c.Segment, c.Complaints)
	}
	kinds := eventKinds(t, s, conv.CustomerID)
	if !contains(kinds, bot.EventEscalated) {
		t.Errorf("events %v lack %q", kinds, bot.EventEscalated)
	}
}

// testQuietEscalation: a quiet escalation (its origin opened too many; a
// grouped warning stands for it) is recorded and hands the conversation
// off like any other, but enqueues no alert of its own; the event says it
// was quiet. A loud one beside it still alerts.
func testQuietEscalation(t *testing.T, e *env) {
	s := e.open(t, Options{Alerts: testAlerts{}})
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	escalate := func(user string, quiet bool) (bot.Conversation, bot.EscalationID) {
		t.Helper()
		conv, inID := appendIn(t, s, "web", user, "I want to talk to a person", at)
		st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Text: "A colleague will join.",
			Action: bot.ActionEscalate, Annotation: bot.Annotation{Intent: bot.IntentAskHuman, Confidence: 1},
			Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal", Summary: "asked for a person",
				Quiet: quiet},
			Time: at.Add(time.Second)})
		if err != nil {
			t.Fatalf("AppendOutbound (quiet %v): %v", quiet, err)
		}
		if st.EscalationID == 0 {
			t.Fatalf("AppendOutbound (quiet %v) opened no escalation", quiet)
		}
		return conv, st.EscalationID
	}
	quiet, quietID := escalate("flooder", true)
	esc, err := s.Escalation(ctx, quietID)
	if err != nil || esc.Status != bot.EscalationOpen || esc.Reason != bot.ReasonRequestedHuman {
		t.Errorf("quiet escalation = %+v, %v; want it recorded and open", esc, err)
	}
	if info, err := s.Conversation(ctx, quiet.ID); err != nil || info.Status != bot.StatusWaitingHuman {
		t.Errorf("conversation after a quiet escalation: %+v, %v; want waiting_human", info, err)
	}
	if q, err := s.HandoffQueue(ctx, 10); err != nil || len(q) != 1 || q[0].EscalationID != quietID {
		t.Errorf("handoff queue = %+v, %v; want the quiet escalation in it", q, err)
	}
	if items, err := s.DueOutbox(ctx, 10); err != nil || len(items) != 0 {
		t.Errorf("due outbox after a quiet escalation: %d items, %v; want nothing", len(items), err)
	}
	if items, err := s.Outbox(ctx, "", 10); err != nil || len(items) != 0 {
		t.Errorf("outbox after a quiet escalation: %d items, %v; want nothing", len(items), err)
	}
	evs, err := s.Events(ctx, quiet.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	var detail struct {
		EscalationID bot.EscalationID `json:"escalation_id"`
		Quiet        bool             `json:"quiet"`
	}
	for _, ev := range evs {
		if ev.Kind == bot.EventEscalated {
			if err := json.Unmarshal(ev.Detail, &detail); err != nil {
				t.Fatalf("escalated event detail %s: %v", ev.Detail, err)
			}
		}
	}
	if detail.EscalationID != quietID || !detail.Quiet {
		t.Errorf("escalated event detail = %+v, want escalation %d marked quiet", detail, quietID)
	}

	loud, loudID := escalate("someone else", false)
	items, err := s.DueOutbox(ctx, 10)
	if err != nil || len(items) != 1 || items[0].CustomerID != loud.CustomerID ||
		items[0].Key != fmt.Sprintf("escalation:%d", loudID) {
		t.Errorf("due outbox after a loud escalation = %+v, %v; want its one alert", items, err)
	}
}

// testAlertEncoderOptional: without an encoder the store opens escalations
// and leads and queues nothing; an encoder's error undoes the whole reply.
func testAlertEncoderOptional(t *testing.T, e *env) {
	ctx := context.Background()
	escalating := func(conv bot.Conversation, id int64) bot.Outbound {
		return bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "A colleague will contact you.",
			Action: bot.ActionEscalate, Lead: true, Annotation: bot.Annotation{Intent: "human", Language: "en"},
			Escalation: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal", Summary: "wants a person"}}
	}
	s := e.s // no Alerts
	conv, id := appendIn(t, s, "web", "u1", "a person please", e.clk.Now())
	st, err := s.AppendOutbound(ctx, escalating(conv, id))
	if err != nil || st.EscalationID == 0 {
		t.Fatalf("AppendOutbound without an encoder = %+v, %v; want an escalation", st, err)
	}
	if c, _ := s.Customer(ctx, conv.CustomerID); c.Stage != bot.StageNew {
		t.Errorf("stage %q, want new (the lead is recorded)", c.Stage)
	}
	if items, err := s.DueOutbox(ctx, 10); err != nil || len(items) != 0 {
		t.Errorf("outbox without an encoder = %+v, %v; want empty", items, err)
	}

	failing := e.open(t, Options{Alerts: testAlerts{fail: true}})
	conv, id = appendIn(t, failing, "web", "u1", "a person please", e.clk.Now())
	if _, err := failing.AppendOutbound(ctx, escalating(conv, id)); err == nil {
		t.Fatal("AppendOutbound succeeded although the encoder failed")
	}
	if info, _ := failing.Conversation(ctx, conv.ID); info.Status != bot.StatusBot || info.Messages != 1 {
		t.Errorf("after the encoder failed: %+v, want the conversation untouched", info)
	}
	if escs, _ := failing.Escalations(ctx, bot.EscalationFilter{}); len(escs) != 0 {
		t.Errorf("after the encoder failed: escalations %+v", escs)
	}
	if msgs, _ := failing.Messages(ctx, conv.ID); len(msgs) != 1 || msgs[0].Intent != "" {
		t.Errorf("after the encoder failed: messages %+v, want the inbound message unannotated", msgs)
	}
	if c, _ := failing.Customer(ctx, conv.CustomerID); c.Stage != bot.StageNone {
		t.Errorf("after the encoder failed: stage %q, want none", c.Stage)
	}
}

func testEscalationsListAndAcknowledge(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	_, e1 := escalateAt(t, s, e.clk, "u1", "bad", bot.Annotation{})
	_, e2 := escalateAt(t, s, e.clk, "u2", "worse", bot.Annotation{})
	all, err := s.Escalations(ctx, bot.EscalationFilter{})
	if err != nil || len(all) != 2 || all[0].ID != e2 || all[1].ID != e1 {
		t.Fatalf("Escalations = %+v, %v; want both, newest first", all, err)
	}
	if err := s.AcknowledgeEscalation(ctx, 9999, "boss"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("AcknowledgeEscalation(unknown) = %v, want ENOTFOUND", err)
	}
	e.clk.Add(time.Minute)
	if err := s.AcknowledgeEscalation(ctx, e1, "boss"); err != nil {
		t.Fatal(err)
	}
	ackAt := e.clk.Now()
	e.clk.Add(time.Minute)
	if err := s.AcknowledgeEscalation(ctx, e1, "other"); err != nil {
		t.Errorf("acknowledging twice: %v", err)
	}
	x, _ := s.Escalation(ctx, e1)
	if x.Status != bot.EscalationAcknowledged || x.Assignee != "boss" || !x.Acknowledged.Equal(ackAt) {
		t.Errorf("acknowledged escalation = %+v, want boss at the first acknowledgement", x)
	}
	open, _ := s.Escalations(ctx, bot.EscalationFilter{Status: bot.EscalationOpen})
	if len(open) != 1 || open[0].ID != e2 {
		t.Errorf("open escalations = %+v, want only %d", open, e2)
	}
	if one, _ := s.Escalations(ctx, bot.EscalationFilter{Limit: 1}); len(one) != 1 || one[0].ID != e2 {
		t.Errorf("Escalations(limit 1) = %+v", one)
	}
	if of, _ := s.Escalations(ctx, bot.EscalationFilter{CustomerID: x.CustomerID}); len(of) != 1 || of[0].ID != e1 {
		t.Errorf("escalations of customer %d = %+v", x.CustomerID, of)
	}
	// The conversation still waits for a human: acknowledging is not taking over.
	if info, _ := s.Conversation(ctx, x.ConversationID); info.Status != bot.StatusWaitingHuman {
		t.Errorf("conversation after acknowledgement: %q", info.Status)
	}
}

func testOverdueAndRealert(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	_, esc := escalateAt(t, s, clk, "u1", "bad", bot.Annotation{})
	_, acked := escalateAt(t, s, clk, "u2", "bad", bot.Annotation{})
	if err := s.AcknowledgeEscalation(ctx, acked, "boss"); err != nil {
		t.Fatal(err)
	}
	clk.Add(20 * time.Minute)
	over, err := s.OverdueEscalations(ctx, clk.Now().Add(-15*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 1 || over[0].ID != esc || over[0].Level != 0 || over[0].Channel != "web" {
		t.Fatalf("overdue = %+v, want escalation %d at level 0", over, esc)
	}
	if over, _ := s.OverdueEscalations(ctx, clk.Now().Add(-30*time.Minute), 0); len(over) != 0 {
		t.Errorf("overdue before it was created: %+v", over)
	}
	m := bot.OutboxMessage{Kind: "alert", Key: fmt.Sprintf("escalation:%d:level:1", esc), CustomerID: over[0].CustomerID,
		Payload: json.RawMessage(`{"level":1}`)}
	var first int64
	for i := range 2 { // the second call finds the key and records nothing more
		id, err := s.EnqueueRealert(ctx, esc, 1, "lead", m)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = id
		} else if id != first {
			t.Errorf("second EnqueueRealert = item %d, want the first's %d", id, first)
		}
	}
	items, err := s.Outbox(ctx, "alert", 10)
	if err != nil || len(items) != 1 || items[0].Key != m.Key || string(items[0].Payload) != `{"level":1}` {
		t.Errorf("outbox after two re-alerts = %+v, %v; want the one message", items, err)
	}
	over, _ = s.OverdueEscalations(ctx, clk.Now(), 0)
	if len(over) != 1 || over[0].Level != 1 {
		t.Fatalf("after a re-alert: %+v, want level 1", over)
	}
	m2 := m
	m2.Key = fmt.Sprintf("escalation:%d:level:2", esc)
	if _, err := s.EnqueueRealert(ctx, esc, 2, "director", m2); err != nil {
		t.Fatal(err)
	}
	if over, _ := s.OverdueEscalations(ctx, clk.Now(), 0); len(over) != 1 || over[0].Level != 2 {
		t.Errorf("after a second re-alert: %+v, want level 2", over)
	}
	events, _ := s.Events(ctx, over[0].CustomerID)
	var realerts []bot.Event
	for _, e := range events {
		if e.Kind == eventRealerted {
			realerts = append(realerts, e)
		}
	}
	if len(realerts) != 2 {
		t.Fatalf("%d re-alert events, want 2", len(realerts))
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
	if _, err := s.EnqueueRealert(ctx, 12345, 1, "x", unknown); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("re-alert of an unknown escalation: %v", err)
	}
	if items, _ := s.Outbox(ctx, "alert", 10); len(items) != 2 {
		t.Errorf("a refused re-alert queued a message: %+v", items)
	}
	deliveries, err := s.EscalationDeliveries(ctx, esc)
	if err != nil || len(deliveries) != 2 || deliveries[0].Key != m.Key || deliveries[1].Key != m2.Key {
		t.Errorf("EscalationDeliveries = %+v, %v; want the two re-alerts, oldest first", deliveries, err)
	}
}

func testOutboxDelivery(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	conv, _ := appendIn(t, s, "web", "u", "hi", clk.Now())
	id, err := s.Enqueue(ctx, bot.OutboxMessage{Kind: "webhook", Key: "k-1", CustomerID: conv.CustomerID,
		Payload: json.RawMessage(`{"event":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Enqueue(ctx, bot.OutboxMessage{Kind: "webhook", Key: "k-1", CustomerID: conv.CustomerID,
		Payload: json.RawMessage(`{"event":"y"}`)})
	if err != nil || again != id {
		t.Errorf("Enqueue with the same key = %d, %v; want %d (idempotent)", again, err, id)
	}
	for _, bad := range []bot.OutboxMessage{
		{Kind: "", Key: "k-2", Payload: json.RawMessage(`{}`)},
		{Kind: "webhook", Key: "", Payload: json.RawMessage(`{}`)},
		{Kind: "webhook", Key: "k-3", Payload: json.RawMessage(`{not json`)},
	} {
		if _, err := s.Enqueue(ctx, bad); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("Enqueue(%+v) = %v, want EINVALID", bad, err)
		}
	}
	if _, err := s.Enqueue(ctx, bot.OutboxMessage{Kind: "test", Key: "k-4", CustomerID: 424242,
		Payload: json.RawMessage(`{"x":1}`)}); err == nil {
		t.Errorf("Enqueue naming a missing customer succeeded")
	}
	due, err := s.DueOutbox(ctx, 10)
	if err != nil || len(due) != 1 || due[0].ID != id || due[0].Kind != "webhook" || due[0].Key != "k-1" ||
		due[0].CustomerID != conv.CustomerID || !due[0].Created.Equal(clk.Now()) || due[0].Attempts != 0 {
		t.Fatalf("due outbox = %+v, %v", due, err)
	}
	if err := s.MarkFailed(ctx, id, "connection refused", clk.Now().Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueOutbox(ctx, 10); len(due) != 0 {
		t.Errorf("item due before its retry time: %+v", due)
	}
	clk.Add(2 * time.Minute)
	due, err = s.DueOutbox(ctx, 10)
	if err != nil || len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "connection refused" {
		t.Fatalf("due after retry time = %+v, %v", due, err)
	}
	if string(due[0].Payload) != `{"event":"x"}` {
		t.Errorf("payload = %s", due[0].Payload)
	}
	if err := s.MarkDelivered(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDelivered(ctx, id); err != nil {
		t.Errorf("MarkDelivered twice: %v", err)
	}
	if due, _ := s.DueOutbox(ctx, 10); len(due) != 0 {
		t.Errorf("delivered item still due: %+v", due)
	}
	if err := s.MarkDelivered(ctx, 999); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("MarkDelivered(unknown) = %v, want ENOTFOUND", err)
	}
	if err := s.MarkFailed(ctx, id, "late", clk.Now(), false); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("MarkFailed(delivered) = %v, want ENOTFOUND", err)
	}
	items, _ := s.Outbox(ctx, "webhook", 10)
	if len(items) != 1 || !items[0].Delivered.Equal(clk.Now()) {
		t.Errorf("delivered item = %+v, want delivered now", items)
	}
	// A dead item is never due again.
	dead, _ := s.Enqueue(ctx, bot.OutboxMessage{Kind: "webhook", Key: "k-dead", Payload: json.RawMessage(`{}`)})
	if err := s.MarkFailed(ctx, dead, "gone", clk.Now(), true); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if due, _ := s.DueOutbox(ctx, 10); len(due) != 0 {
		t.Errorf("dead item due: %+v", due)
	}
	items, _ = s.Outbox(ctx, "", 10)
	if len(items) != 2 || items[0].ID != dead || !items[0].Dead || items[0].Attempts != 1 || items[0].LastError != "gone" {
		t.Errorf("Outbox = %+v, want the dead item first (newest first)", items)
	}
}

// testOutboxFanOutKeys: items due come oldest first, the limit holds, and an
// escalation's deliveries are its first alert, its per-sink copies and its
// re-alerts — not another escalation's whose id starts the same.
func testOutboxFanOutKeys(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	enq := func(key string) int64 {
		t.Helper()
		id, err := s.Enqueue(ctx, bot.OutboxMessage{Kind: "alert", Key: key, Payload: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
		return id
	}
	a := enq("escalation:1")
	b := enq("escalation:1|slack")
	c := enq("escalation:1|email")
	enq("escalation:12")
	enq("escalation:12|slack")
	d := enq("escalation:1:level:1")
	got, err := s.EscalationDeliveries(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, it := range got {
		ids = append(ids, it.ID)
	}
	if diff := cmp.Diff([]int64{a, b, c, d}, ids); diff != "" {
		t.Errorf("deliveries of escalation 1 (-want +got):\n%s", diff)
	}
	due, err := s.DueOutbox(ctx, 3)
	if err != nil || len(due) != 3 || due[0].ID != a || due[1].ID != b || due[2].ID != c {
		t.Errorf("DueOutbox(3) = %+v, %v; want the three oldest", due, err)
	}
}

// testComplaintFlags: what counts as a complaint is the Engine's judgement
// (IsComplaint), never the score, and only customers' messages count.
func testComplaintFlags(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	for i, a := range []bot.Annotation{
		{Intent: "order_status", Complaint: 0.95},                   // high score, judged no complaint
		{Intent: "order_status", Complaint: 0.1, IsComplaint: true}, // low score, judged a complaint
		{Intent: "complaint", Complaint: 0.2},                       // intent complaint, judged not
		{Intent: "hours", Sentiment: -0.9, IsNegative: true},        // negative only
	} {
		conv, id := appendIn(t, s, "web", fmt.Sprintf("u%d", i), fmt.Sprintf("message %d", i), clk.Now())
		if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "ok",
			Action: bot.ActionAnswer, Annotation: a}); err != nil {
			t.Fatal(err)
		}
		c, _ := s.Customer(ctx, conv.CustomerID)
		wantRisk := a.IsComplaint || a.IsNegative
		if (c.Segment == bot.SegmentAtRisk) != wantRisk || (c.Complaints == 1) != a.IsComplaint {
			t.Errorf("message %d: segment %q, %d complaints; want at risk %v, complaint %v", i, c.Segment, c.Complaints,
				wantRisk, a.IsComplaint)
		}
	}
	n, err := s.CountComplaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Hour))
	if err != nil || n != 1 {
		t.Errorf("CountComplaints = %d, %v; want 1 (the flagged one)", n, err)
	}
	msgs, _ := s.Complaints(ctx, clk.Now().Add(-time.Hour), clk.Now().Add(time.Hour), 0)
	if len(msgs) != 1 || msgs[0].Text != "message 1" {
		t.Errorf("Complaints = %+v, want message 1", msgs)
	}
}

// testSessionRevocations: a signed-out console session stays signed out
// (the store, not a process, remembers it); other sessions are not
// affected; revoking twice is harmless; ids are bytes, NUL included.
func testSessionRevocations(t *testing.T, s storage.Store) {
	ctx := context.Background()
	a := []byte("session-a\x00\xff\x01 sixteen+")
	b := []byte("session-b\x00\xff\x01 sixteen+")
	expires := time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC)
	if r, err := s.SessionRevoked(ctx, a); err != nil || r {
		t.Fatalf("SessionRevoked before any sign-out = %v, %v; want false", r, err)
	}
	for range 2 {
		if err := s.RevokeSession(ctx, a, expires); err != nil {
			t.Fatalf("RevokeSession: %v", err)
		}
	}
	if r, err := s.SessionRevoked(ctx, a); err != nil || !r {
		t.Errorf("SessionRevoked(signed out) = %v, %v; want true", r, err)
	}
	if r, err := s.SessionRevoked(ctx, b); err != nil || r {
		t.Errorf("SessionRevoked(another session) = %v, %v; want false", r, err)
	}
	if r, err := s.SessionRevoked(ctx, a[:len(a)-1]); err != nil || r {
		t.Errorf("SessionRevoked(a prefix of a signed-out id) = %v, %v; want false", r, err)
	}
}
