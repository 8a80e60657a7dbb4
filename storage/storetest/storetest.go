// Package storetest is the conformance suite of storage.Store: any
// implementation (storage/sqlite, storage/postgres) runs it from its own
// tests with the engine's Hooks:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Hooks{
//			New: func(t *testing.T, o storetest.Options) storage.Store { return openTestStore(t, o) },
//		})
//	}
//
// Every subtest gets a fresh, empty store made by Hooks.New with the
// Options it needs (a settable clock, an alert encoder, segment rules).
// The suite asks only for what storage.Store promises; what an engine does
// beyond it (SQLite's WAL and backup API, PostgreSQL's leases) is tested in
// the engine's own package.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Options are what a subtest asks of a fresh store. An engine maps them to
// its own options; zero fields mean the engine's defaults.
type Options struct {
	// Now is the clock of every time the store records by itself (events,
	// notes, delivery times, the due time of outbox items). Never nil.
	Now func() time.Time
	// Alerts, when set, encodes the outbox messages of escalations and leads.
	Alerts storage.AlertEncoder
	// LeadOwner is the owner given to a customer who becomes a lead.
	LeadOwner string
	// VIPWon makes customers whose lead stage is won VIP (segment rules).
	VIPWon bool
}

// Hooks are what the suite needs of an engine.
type Hooks struct {
	// New returns a fresh, empty store configured with o. It must register
	// the store's cleanup with t.Cleanup. Required.
	New func(t *testing.T, o Options) storage.Store
	// Dump returns the contents of every table the engine owns, as text, so
	// that the erase test can look for what must be gone. Nil skips that
	// check.
	Dump func(t *testing.T, s storage.Store) string
}

// Run runs the conformance suite against stores made by h.New, one fresh
// store per subtest.
func Run(t *testing.T, h Hooks) {
	t.Helper()
	if h.New == nil {
		t.Fatal("storetest: Hooks.New is required")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"FirstContact", simple(testFirstContact)},
		{"InvalidInbound", simple(testInvalidInbound)},
		{"RecentMessages", simple(testRecentMessages)},
		{"OutboundRoundTrip", simple(testOutboundRoundTrip)},
		{"UnknownConversation", simple(testUnknownConversation)},
		{"InboundOfAnotherConversation", simple(testInboundOfAnotherConversation)},
		{"EscalationHandsOff", simple(testEscalationHandsOff)},
		{"RelayWhileHandedOff", simple(testRelayWhileHandedOff)},
		{"TakeOverConflict", simple(testTakeOverConflict)},
		{"ClaimRace", simple(testClaimRace)},
		{"Reassign", simple(testReassign)},
		{"ReopenAfterResolve", simple(testReopenAfterResolve)},
		{"ConcurrentAppends", simple(testConcurrentAppends)},
		// Customers and their records.
		{"ReadViews", testReadViews},
		{"OneCustomerAcrossChannels", testOneCustomerAcrossChannels},
		{"MergeErrors", testMergeErrors},
		{"ConcurrentMerges", testConcurrentMerges},
		{"UpdateContactValidation", testUpdateContactValidation},
		{"PipelineAndSegments", testPipelineAndSegments},
		{"TagsAndVIP", testTagsAndVIP},
		{"NotesAndTimelineLimit", testNotesAndTimelineLimit},
		{"EraseLeavesNoTrace", testEraseLeavesNoTrace},
		{"EraseErrors", testEraseErrors},
		{"ExportFormats", testExportFormats},
		{"ExportEmptyAndOneCustomer", testExportEmptyAndOneCustomer},
		{"PurgeTextBefore", testPurgeTextBefore},
		{"VisitorHistory", testVisitorHistory},
		// The handoff.
		{"AgentMessageTakesOver", testAgentMessageTakesOver},
		{"ClaimExactlyOneWins", testClaimExactlyOneWins},
		{"ReturnToBotAndResolve", testReturnToBotAndResolve},
		{"RatingRequestAndPending", testRatingRequestAndPending},
		{"QueueIdleAndComplaints", testQueueIdleAndComplaints},
		{"HandoffQueueSinceAndSeverity", testHandoffQueueSinceAndSeverity},
		{"LeadEscalationDoesNotHandOff", testLeadEscalationDoesNotHandOff},
		// Escalations and the outbox.
		{"EscalationAlert", testEscalationAlert},
		{"QuietEscalation", testQuietEscalation},
		{"AlertEncoderOptional", testAlertEncoderOptional},
		{"EscalationsListAndAcknowledge", testEscalationsListAndAcknowledge},
		{"OverdueAndRealert", testOverdueAndRealert},
		{"OutboxDelivery", testOutboxDelivery},
		{"OutboxFanOutKeys", testOutboxFanOutKeys},
		{"ComplaintFlags", testComplaintFlags},
		// Console sign-outs.
		{"SessionRevocations", simple(testSessionRevocations)},
		// Reports.
		{"LeadAndKnowledgeGap", testLeadAndKnowledgeGap},
		{"KnowledgeGapPicks", testKnowledgeGapPicks},
		{"Feedback", testFeedback},
		{"ComplaintLabels", testComplaintLabels},
		{"ReviewMessages", testReviewMessages},
		{"InsightData", testInsightData},
		{"InsightThresholdFlags", testInsightThresholdFlags},
		{"InsightEmptyAndInvalid", testInsightEmptyAndInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newEnv(t, h))
		})
	}
}

// env is one subtest's world: a settable clock and the engine's hooks. The
// default store (s) is opened with the clock alone; open makes others.
type env struct {
	h   Hooks
	clk *Clock
	s   storage.Store
}

func newEnv(t *testing.T, h Hooks) *env {
	e := &env{h: h, clk: NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))}
	e.s = e.open(t, Options{})
	return e
}

// open returns another fresh store with o, on the env's clock unless o has
// its own.
func (e *env) open(t *testing.T, o Options) storage.Store {
	t.Helper()
	if o.Now == nil {
		o.Now = e.clk.Now
	}
	return e.h.New(t, o)
}

// simple adapts a test of the default store.
func simple(fn func(t *testing.T, s storage.Store)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) { fn(t, e.s) }
}

// Clock is a settable clock for stores under test. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t until moved.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// base is a fixed, microsecond-precise time for messages.
var base = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func inbound(channel, user, text string, i int) bot.Inbound {
	return bot.Inbound{Channel: channel, ExternalUserID: user, Role: bot.RoleCustomer, Text: text,
		Time: base.Add(time.Duration(i) * time.Second)}
}

func mustInbound(t *testing.T, s bot.Store, in bot.Inbound) (bot.Conversation, int64) {
	t.Helper()
	conv, id, err := s.AppendInbound(context.Background(), in)
	if err != nil {
		t.Fatalf("AppendInbound(%s/%s): %v", in.Channel, in.ExternalUserID, err)
	}
	if id <= 0 {
		t.Fatalf("AppendInbound returned message id %d, want > 0", id)
	}
	return conv, id
}

func recent(t *testing.T, s bot.Store, conv bot.ConversationID, n int) []bot.StoredMessage {
	t.Helper()
	msgs, err := s.RecentMessages(context.Background(), conv, n)
	if err != nil {
		t.Fatalf("RecentMessages(%d, %d): %v", conv, n, err)
	}
	return msgs
}

func testFirstContact(t *testing.T, s storage.Store) {
	c1, m1 := mustInbound(t, s, inbound("web", "u1", "hello", 0))
	if c1.ID <= 0 || c1.CustomerID <= 0 {
		t.Fatalf("first contact: conversation %+v, want positive ids", c1)
	}
	want := bot.Conversation{ID: c1.ID, CustomerID: c1.CustomerID, Channel: "web", Status: bot.StatusBot}
	if diff := cmp.Diff(want, c1); diff != "" {
		t.Errorf("first contact conversation (-want +got):\n%s", diff)
	}
	c2, m2 := mustInbound(t, s, inbound("web", "u1", "again", 1))
	if diff := cmp.Diff(c1, c2); diff != "" {
		t.Errorf("second message of the same sender: conversation changed (-first +second):\n%s", diff)
	}
	if m2 == m1 {
		t.Errorf("two messages got the same id %d", m1)
	}
	other, _ := mustInbound(t, s, inbound("web", "u2", "hi", 2))
	if other.CustomerID == c1.CustomerID || other.ID == c1.ID {
		t.Errorf("another sender shares customer or conversation: %+v vs %+v", other, c1)
	}
	slack, _ := mustInbound(t, s, inbound("slack", "u1", "hi", 3))
	if slack.CustomerID == c1.CustomerID || slack.ID == c1.ID {
		t.Errorf("the same id on another channel shares customer or conversation: %+v vs %+v", slack, c1)
	}
}

func testInvalidInbound(t *testing.T, s storage.Store) {
	for _, in := range []bot.Inbound{
		{Channel: "", ExternalUserID: "u", Text: "x", Time: base},
		{Channel: "web", ExternalUserID: "", Text: "x", Time: base},
		{Channel: "web", ExternalUserID: "u", Text: "bad \xff utf-8", Time: base},
	} {
		_, _, err := s.AppendInbound(context.Background(), in)
		if code := bot.ErrorCode(err); code != bot.EINVALID {
			t.Errorf("AppendInbound(%+v): error %v (code %q), want code %q", in, err, code, bot.EINVALID)
		}
	}
}

func testRecentMessages(t *testing.T, s storage.Store) {
	var conv bot.Conversation
	var ids []int64
	for i := range 5 {
		var id int64
		conv, id = mustInbound(t, s, inbound("web", "u1", fmt.Sprintf("message %d", i), i))
		ids = append(ids, id)
	}
	if got := recent(t, s, conv.ID, 0); len(got) != 0 {
		t.Errorf("RecentMessages(n=0) returned %d messages", len(got))
	}
	got := recent(t, s, conv.ID, 3)
	var gotText []string
	for _, m := range got {
		gotText = append(gotText, m.Text)
	}
	if diff := cmp.Diff([]string{"message 2", "message 3", "message 4"}, gotText); diff != "" {
		t.Errorf("RecentMessages(3) texts, oldest first (-want +got):\n%s", diff)
	}
	want := bot.StoredMessage{ID: ids[4], ConversationID: conv.ID, Inbound: true, Author: bot.AuthorCustomer,
		Text: "message 4", Time: base.Add(4 * time.Second)}
	if diff := cmp.Diff(want, got[2], cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
		t.Errorf("latest message (-want +got):\n%s", diff)
	}
	if all := recent(t, s, conv.ID, 100); len(all) != 5 {
		t.Errorf("RecentMessages(100) returned %d messages, want 5", len(all))
	}
}

func testOutboundRoundTrip(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv, in := mustInbound(t, s, inbound("api", "u1", "where is my order?", 0))
	ann := bot.Annotation{Intent: "order_status", Confidence: 0.91, Language: "en", Sentiment: -0.2, Complaint: 0.1}
	out := bot.Outbound{ConversationID: conv.ID, InboundID: in, Annotation: ann, Text: "It ships tomorrow.",
		Action: bot.ActionAnswer, Intent: "order_status", Confidence: 0.91, Language: "en",
		Sources: []bot.Source{{ID: "faq-shipping", Title: "Shipping", URL: "https://example.com/shipping"}},
		Time:    base.Add(time.Second)}
	st, err := s.AppendOutbound(ctx, out)
	if err != nil {
		t.Fatalf("AppendOutbound: %v", err)
	}
	if st.MessageID <= 0 || st.MessageID == in || st.EscalationID != 0 {
		t.Errorf("AppendOutbound = %+v, want a new message id and no escalation", st)
	}
	want := []bot.StoredMessage{
		{ID: in, ConversationID: conv.ID, Inbound: true, Author: bot.AuthorCustomer, Text: "where is my order?",
			Annotation: bot.Annotation{Intent: "order_status", Confidence: 0.91, Language: "en", Sentiment: -0.2, Complaint: 0.1},
			Time:       base},
		{ID: st.MessageID, ConversationID: conv.ID, Author: bot.AuthorBot, Text: "It ships tomorrow.",
			Annotation: bot.Annotation{Intent: "order_status", Confidence: 0.91, Language: "en"}, Action: bot.ActionAnswer,
			Sources: out.Sources, Time: base.Add(time.Second)},
	}
	if diff := cmp.Diff(want, recent(t, s, conv.ID, 10), cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
		t.Errorf("stored messages (-want +got):\n%s", diff)
	}
	// A silent outbound (no text) annotates without adding a message.
	conv2, in2 := mustInbound(t, s, inbound("api", "u1", "ok", 2))
	st, err = s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv2.ID, InboundID: in2, Action: bot.ActionSmallTalk,
		Annotation: bot.Annotation{Intent: "thanks", Confidence: 0.8, Language: "en"}, Time: base.Add(3 * time.Second)})
	if err != nil {
		t.Fatalf("silent AppendOutbound: %v", err)
	}
	if st.MessageID != 0 {
		t.Errorf("silent AppendOutbound stored message %d, want none", st.MessageID)
	}
	got := recent(t, s, conv2.ID, 10)
	if len(got) != 3 || got[2].Intent != "thanks" {
		t.Errorf("after silent outbound: %+v, want 3 messages, the last annotated as thanks", got)
	}
}

func testUnknownConversation(t *testing.T, s storage.Store) {
	_, err := s.AppendOutbound(context.Background(), bot.Outbound{ConversationID: 987654, Action: bot.ActionAnswer,
		Text: "hello", Time: base})
	if code := bot.ErrorCode(err); code != bot.ENOTFOUND {
		t.Errorf("AppendOutbound to an unknown conversation: %v (code %q), want %q", err, code, bot.ENOTFOUND)
	}
	if msgs := recent(t, s, 987654, 5); len(msgs) != 0 {
		t.Errorf("RecentMessages of an unknown conversation: %d messages", len(msgs))
	}
}

func testInboundOfAnotherConversation(t *testing.T, s storage.Store) {
	c1, _ := mustInbound(t, s, inbound("web", "a", "one", 0))
	_, m2 := mustInbound(t, s, inbound("web", "b", "two", 1))
	_, err := s.AppendOutbound(context.Background(), bot.Outbound{ConversationID: c1.ID, InboundID: m2,
		Action: bot.ActionAnswer, Text: "reply", Time: base})
	if code := bot.ErrorCode(err); code != bot.EINVALID {
		t.Errorf("AppendOutbound naming another conversation's message: %v (code %q), want %q", err, code, bot.EINVALID)
	}
	if n := len(recent(t, s, c1.ID, 10)); n != 1 {
		t.Errorf("conversation has %d messages after the failed reply, want 1", n)
	}
}

func escalateOutbound(conv bot.Conversation, in int64) bot.Outbound {
	return bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "A colleague will be with you shortly.",
		Action: bot.ActionEscalate, Intent: bot.IntentComplaint, Confidence: 0.9, Language: "en",
		Annotation: bot.Annotation{Intent: bot.IntentComplaint, Confidence: 0.9, Language: "en", Sentiment: -0.8, Complaint: 0.95},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint on web"},
		Time:       base.Add(time.Second)}
}

// mustEscalated stores in and the bot's reply escalating it
// (escalateOutbound), and returns the conversation.
func mustEscalated(t *testing.T, s bot.Store, in bot.Inbound) bot.Conversation {
	t.Helper()
	conv, id := mustInbound(t, s, in)
	if _, err := s.AppendOutbound(context.Background(), escalateOutbound(conv, id)); err != nil {
		t.Fatalf("escalate: %v", err)
	}
	return conv
}

func testEscalationHandsOff(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv, in := mustInbound(t, s, inbound("web", "angry", "this is unacceptable", 0))
	st, err := s.AppendOutbound(ctx, escalateOutbound(conv, in))
	if err != nil {
		t.Fatalf("AppendOutbound with escalation: %v", err)
	}
	if st.EscalationID <= 0 || st.MessageID <= 0 {
		t.Fatalf("AppendOutbound with escalation = %+v, want message and escalation ids", st)
	}
	conv2, in2 := mustInbound(t, s, inbound("web", "angry", "hello?", 2))
	if conv2.ID != conv.ID || conv2.Status != bot.StatusWaitingHuman {
		t.Fatalf("after escalation: conversation %+v, want id %d with status %q", conv2, conv.ID, bot.StatusWaitingHuman)
	}
	before := recent(t, s, conv.ID, 100)
	_, err = s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in2, Text: "Hi, how can I help?",
		Action: bot.ActionAnswer, Annotation: bot.Annotation{Intent: bot.IntentGreeting, Confidence: 0.7},
		Time: base.Add(3 * time.Second)})
	if code := bot.ErrorCode(err); code != bot.ECONFLICT {
		t.Fatalf("bot reply while handed off: %v (code %q), want %q", err, code, bot.ECONFLICT)
	}
	if diff := cmp.Diff(before, recent(t, s, conv.ID, 100)); diff != "" {
		t.Errorf("a refused reply changed the conversation (-before +after):\n%s", diff)
	}
	// A second escalation attempt is refused too: it is not a relay.
	if _, err := s.AppendOutbound(ctx, escalateOutbound(conv, in2)); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("escalating a handed-off conversation: %v, want %q", err, bot.ECONFLICT)
	}
}

func testRelayWhileHandedOff(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv := mustEscalated(t, s, inbound("slack", "c1", "I want a human", 0))
	_, in2 := mustInbound(t, s, inbound("slack", "c1", "still there?", 2))
	st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in2, Action: bot.ActionRelay,
		Annotation: bot.Annotation{Intent: "oos", Confidence: 0.3, Language: "en", Sentiment: -0.1},
		Intent:     "oos", Confidence: 0.3, Language: "en", Time: base.Add(3 * time.Second)})
	if err != nil {
		t.Fatalf("relay while handed off: %v", err)
	}
	if st.MessageID != 0 || st.EscalationID != 0 {
		t.Errorf("silent relay = %+v, want no message and no escalation", st)
	}
	msgs := recent(t, s, conv.ID, 100)
	last := msgs[len(msgs)-1]
	if last.ID != in2 || last.Intent != "oos" || last.Sentiment != -0.1 {
		t.Errorf("relay did not annotate the inbound message: last message %+v", last)
	}
}

func testTakeOverConflict(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv, in := mustInbound(t, s, inbound("web", "u", "question", 0))
	if err := s.Claim(ctx, conv.ID, "alice"); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if err := s.Claim(ctx, conv.ID, "alice"); err != nil {
		t.Errorf("Claim by the agent who holds it: %v, want nil", err)
	}
	if err := s.Claim(ctx, conv.ID, "bob"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Claim of alice's conversation by bob: %v, want %q", err, bot.ECONFLICT)
	}
	_, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "bot answer",
		Action: bot.ActionAnswer, Time: base})
	if bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("bot reply after take-over: %v, want %q", err, bot.ECONFLICT)
	}
	conv2, _ := mustInbound(t, s, inbound("web", "u", "more", 1))
	want := bot.Conversation{ID: conv.ID, CustomerID: conv.CustomerID, Channel: "web", Status: bot.StatusHuman, Assignee: "alice"}
	if diff := cmp.Diff(want, conv2); diff != "" {
		t.Errorf("conversation after take-over (-want +got):\n%s", diff)
	}
	if err := s.Claim(ctx, 987654, "alice"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Claim of an unknown conversation: %v, want %q", err, bot.ENOTFOUND)
	}
}

func testClaimRace(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv := mustEscalated(t, s, inbound("web", "u", "I want a human", 0))
	const agents = 8
	var wg sync.WaitGroup
	errs := make([]error, agents)
	for i := range agents {
		wg.Go(func() { errs[i] = s.Claim(ctx, conv.ID, fmt.Sprintf("agent-%d", i)) })
	}
	wg.Wait()
	var winner string
	for i, err := range errs {
		switch code := bot.ErrorCode(err); {
		case err == nil:
			if winner != "" {
				t.Errorf("both %s and agent-%d claimed the conversation", winner, i)
			}
			winner = fmt.Sprintf("agent-%d", i)
		case code != bot.ECONFLICT:
			t.Errorf("agent-%d: %v (code %q), want nil or %q", i, err, code, bot.ECONFLICT)
		}
	}
	if winner == "" {
		t.Fatal("no agent claimed the conversation")
	}
	info, err := s.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatalf("Conversation: %v", err)
	}
	if info.Status != bot.StatusHuman || info.Assignee != winner {
		t.Errorf("after the race: status %q assignee %q, want human and %s", info.Status, info.Assignee, winner)
	}
}

func testReassign(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv := mustEscalated(t, s, inbound("web", "u", "I want a human", 0))
	if err := s.Claim(ctx, conv.ID, "alice"); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if err := s.Reassign(ctx, conv.ID, "bob", ""); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("Reassign without a manager: %v, want %q", err, bot.EINVALID)
	}
	if err := s.Reassign(ctx, conv.ID, "bob", "carol"); err != nil {
		t.Fatalf("Reassign: %v", err)
	}
	info, err := s.Conversation(ctx, conv.ID)
	if err != nil {
		t.Fatalf("Conversation: %v", err)
	}
	if info.Status != bot.StatusHuman || info.Assignee != "bob" {
		t.Errorf("after reassign: status %q assignee %q, want human and bob", info.Status, info.Assignee)
	}
	if err := s.Claim(ctx, conv.ID, "alice"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("alice claiming it back from bob: %v, want %q", err, bot.ECONFLICT)
	}
	events, err := s.Events(ctx, conv.CustomerID)
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	var taken, reassigned []bot.Event
	for _, e := range events {
		switch e.Kind {
		case bot.EventTakenOver:
			taken = append(taken, e)
		case bot.EventReassigned:
			reassigned = append(reassigned, e)
		}
	}
	if len(taken) != 1 || taken[0].Actor != "alice" || taken[0].ConversationID != conv.ID {
		t.Errorf("taken_over events %+v, want one by alice on conversation %d", taken, conv.ID)
	}
	if len(reassigned) != 1 || reassigned[0].Actor != "carol" || reassigned[0].ConversationID != conv.ID {
		t.Fatalf("reassigned events %+v, want one by carol on conversation %d", reassigned, conv.ID)
	}
	var detail map[string]string
	if err := json.Unmarshal(reassigned[0].Detail, &detail); err != nil {
		t.Fatalf("reassigned detail %s: %v", reassigned[0].Detail, err)
	}
	if detail["from_agent"] != "alice" || detail["to_agent"] != "bob" {
		t.Errorf("reassigned detail %v, want from_agent alice and to_agent bob", detail)
	}
	if err := s.Resolve(ctx, conv.ID, "bob"); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if err := s.Reassign(ctx, conv.ID, "alice", "carol"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Reassign of a resolved conversation: %v, want %q", err, bot.ECONFLICT)
	}
	if err := s.Claim(ctx, conv.ID, "alice"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Claim of a resolved conversation: %v, want %q", err, bot.ECONFLICT)
	}
}

func testReopenAfterResolve(t *testing.T, s storage.Store) {
	ctx := context.Background()
	conv := mustEscalated(t, s, inbound("web", "u", "help", 0))
	if err := s.Resolve(ctx, conv.ID, "alice"); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if err := s.Resolve(ctx, conv.ID, "alice"); err != nil {
		t.Errorf("Resolve twice: %v, want nil", err)
	}
	next, _ := mustInbound(t, s, inbound("web", "u", "new question", 5))
	if next.ID == conv.ID || next.CustomerID != conv.CustomerID || next.Status != bot.StatusBot {
		t.Errorf("after resolve: %+v, want a new bot conversation of customer %d", next, conv.CustomerID)
	}
	if n := len(recent(t, s, next.ID, 10)); n != 1 {
		t.Errorf("new conversation has %d messages, want 1", n)
	}
	if n := len(recent(t, s, conv.ID, 10)); n != 2 {
		t.Errorf("resolved conversation has %d messages, want 2 (kept)", n)
	}
}

func testConcurrentAppends(t *testing.T, s storage.Store) {
	ctx := context.Background()
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	ids := make(chan int64, workers*each*2)
	convs := make(chan bot.ConversationID, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				// Half the workers share one sender, so appends to one
				// conversation race each other.
				user := fmt.Sprintf("user-%d", w)
				if w%2 == 0 {
					user = "shared"
				}
				conv, id, err := s.AppendInbound(ctx, inbound("web", user, fmt.Sprintf("w%d m%d", w, i), i))
				if err != nil {
					errs <- err
					return
				}
				ids <- id
				convs <- conv.ID
				st, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id,
					Text: "reply", Action: bot.ActionAnswer, Time: base.Add(time.Duration(i) * time.Second)})
				if err != nil {
					errs <- err
					return
				}
				ids <- st.MessageID
			}
		})
	}
	wg.Wait()
	close(errs)
	close(ids)
	close(convs)
	for err := range errs {
		t.Fatalf("concurrent append: %v", err)
	}
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("message id %d returned twice", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each*2 {
		t.Fatalf("got %d message ids, want %d", len(seen), workers*each*2)
	}
	perConv := map[bot.ConversationID]bool{}
	for c := range convs {
		perConv[c] = true
	}
	total := 0
	for c := range perConv {
		total += len(recent(t, s, c, 10*workers*each))
	}
	if total != workers*each*2 {
		t.Errorf("conversations hold %d messages, want %d", total, workers*each*2)
	}
	if len(perConv) != workers/2+1 {
		t.Errorf("got %d conversations, want %d (one shared, one per other sender)", len(perConv), workers/2+1)
	}
}
