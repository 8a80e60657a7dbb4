package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/concierge-bot/concierge/bot"
)

func testLeadAndKnowledgeGap(t *testing.T, e *env) {
	clk := e.clk
	s := e.open(t, Options{LeadOwner: "sales@example.com", Alerts: testAlerts{}})
	ctx := context.Background()
	conv, id := appendIn(t, s, "web", "u", "How much for 100 chairs?", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Sales will be in touch.",
		Action: bot.ActionLead, Lead: true, Annotation: bot.Annotation{Intent: bot.IntentPurchase, Language: "en"}}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != bot.StageNew || c.Owner != "sales@example.com" || c.Language != "en" {
		t.Errorf("after lead: stage %q owner %q language %q; want new, sales@example.com, en", c.Stage, c.Owner, c.Language)
	}
	items, _ := s.Outbox(ctx, kindTestLead, 10)
	if len(items) != 1 {
		t.Fatalf("lead alerts = %d, want 1", len(items))
	}
	var lead bot.LeadInfo
	if err := json.Unmarshal(items[0].Payload, &lead); err != nil {
		t.Fatal(err)
	}
	wantLead := bot.LeadInfo{CustomerID: conv.CustomerID, ConversationID: conv.ID, Channel: "web",
		Owner: "sales@example.com", Time: clk.Now()}
	if diff := cmp.Diff(wantLead, lead); diff != "" {
		t.Errorf("lead given to the encoder (-want +got):\n%s", diff)
	}
	// A second purchase message of a lead does not make it a lead again.
	_, id2 := appendIn(t, s, "web", "u", "and 200 tables?", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id2, Text: "Noted.",
		Action: bot.ActionLead, Lead: true, Annotation: bot.Annotation{Intent: bot.IntentPurchase, Language: "zh"}}); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.Outbox(ctx, kindTestLead, 10); len(items) != 1 {
		t.Errorf("lead alerts after a second purchase message = %d, want 1", len(items))
	}
	if c, _ := s.Customer(ctx, conv.CustomerID); c.Language != "en" {
		t.Errorf("language changed to %q; the first one known stays", c.Language)
	}

	for i, text := range []string{"Do you ship to Mars?", "  do you SHIP to mars ", "Other question"} {
		clk.Add(time.Second)
		conv, id := appendIn(t, s, "web", fmt.Sprintf("g%d", i), text, clk.Now())
		if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Not sure.",
			Action: bot.ActionClarify, Annotation: bot.Annotation{Language: "en"}, Time: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	gaps, err := s.KnowledgeGaps(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gaps {
		got = append(got, fmt.Sprintf("%s=%d", g.Question, g.Count))
	}
	if diff := cmp.Diff([]string{"do you ship to mars=2", "other question=1"}, got); diff != "" {
		t.Errorf("knowledge gaps (-want +got):\n%s", diff)
	}
	g := gaps[0]
	if g.Language != "en" || !g.FirstSeen.Equal(clk.Now().Add(-2*time.Second)) || !g.LastSeen.Equal(clk.Now().Add(-time.Second)) {
		t.Errorf("gap %+v, want language en, first and last seen at the two questions", g)
	}
	if one, _ := s.KnowledgeGaps(ctx, 1); len(one) != 1 || one[0].Question != "do you ship to mars" {
		t.Errorf("KnowledgeGaps(1) = %+v", one)
	}
}

func testKnowledgeGapPicks(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	ask := func(user, question string, picks ...string) {
		t.Helper()
		clk.Add(time.Second)
		conv, id := appendIn(t, s, "web", user, question, clk.Now())
		if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Did you mean…?",
			Action: bot.ActionClarify, Time: clk.Now(),
			Choices: []bot.Source{{ID: "faq-a", Title: "A"}, {ID: "faq-b", Title: "B"}}}); err != nil {
			t.Fatal(err)
		}
		for _, p := range picks {
			clk.Add(time.Second)
			_, pid := appendIn(t, s, "web", user, p, clk.Now())
			if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: pid, Text: "Here it is.",
				Action: bot.ActionAnswer, Picked: p, Time: clk.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ask("u1", "shipping costs?", "faq-b")
	ask("u2", "Shipping costs", "faq-a")
	ask("u3", "shipping costs!", "faq-b")
	ask("u4", "returns?")
	// A pick in a conversation without a gap counts nowhere.
	conv, id := appendIn(t, s, "api", "x", "hello", clk.Now())
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Hi",
		Action: bot.ActionAnswer, Picked: "faq-a"}); err != nil {
		t.Fatal(err)
	}
	gaps, err := s.KnowledgeGaps(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	type gp struct {
		Q      string
		N      int
		Picked string
		Picks  int
	}
	var got []gp
	for _, g := range gaps {
		got = append(got, gp{g.Question, g.Count, g.Picked, g.Picks})
	}
	want := []gp{{"shipping costs", 3, "faq-b", 2}, {"returns", 1, "", 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gaps with picks (-want +got):\n%s", diff)
	}
	// The choices offered are kept with the message.
	msgs, _ := s.VisitorHistory(ctx, "web", "u4", 0, 10)
	if len(msgs) != 2 || len(msgs[1].Choices) != 2 || msgs[1].Choices[1].ID != "faq-b" {
		t.Errorf("stored choices = %+v", msgs)
	}
}

func testFeedback(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	_, in, answer := answered(t, s, "web", "u", "hours?", "9 to 5", clk.Now())
	if err := s.RecordFeedback(ctx, answer, true, " "); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("vote without a voter = %v, want EINVALID", err)
	}
	if err := s.RecordFeedback(ctx, in, true, "v1"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("vote on a customer's message = %v, want ENOTFOUND", err)
	}
	if err := s.RecordFeedback(ctx, 9999, true, "v1"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("vote on an unknown message = %v, want ENOTFOUND", err)
	}
	votes := func() (int64, int64) {
		t.Helper()
		d, err := s.InsightData(ctx, bot.InsightQuery{From: clk.Now().Add(-time.Hour), To: clk.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var h, n int64
		for _, day := range d.Days {
			h += day.Helpful
			n += day.NotHelpful
		}
		return h, n
	}
	for _, v := range []struct {
		voter   string
		helpful bool
		h, n    int64
	}{
		{"v1", true, 1, 0},
		{"v1", true, 1, 0},  // the same vote again changes nothing
		{"v1", false, 0, 1}, // a changed vote moves
		{"v2", false, 0, 2},
		{"v2", true, 1, 1},
	} {
		if err := s.RecordFeedback(ctx, answer, v.helpful, v.voter); err != nil {
			t.Fatal(err)
		}
		if h, n := votes(); h != v.h || n != v.n {
			t.Errorf("after %s votes %v: %d helpful, %d not; want %d and %d", v.voter, v.helpful, h, n, v.h, v.n)
		}
	}
	// A not-helpful vote keeps the conversation from counting as resolved
	// by the bot.
	d, _ := s.InsightData(ctx, bot.InsightQuery{From: clk.Now().Add(-time.Hour), To: clk.Now().Add(time.Hour),
		IdleBefore: clk.Now().Add(time.Minute)})
	if len(d.Days) != 1 || d.Days[0].Closed != 1 || d.Days[0].BotResolved != 0 {
		t.Errorf("days = %+v, want one closed conversation not resolved by the bot (a not-helpful vote)", d.Days)
	}
}

// insightScenario fills s with a day of traffic on web and api (and one
// earlier conversation) whose every figure is known; it returns the query
// and the InsightData expected for it.
func insightScenario(t *testing.T, s interface {
	bot.Store
	Resolve(context.Context, bot.ConversationID, string) error
	AcknowledgeEscalation(context.Context, bot.EscalationID, string) error
	SetStage(context.Context, int64, string, string) error
	SetCSAT(context.Context, bot.ConversationID, int) error
	RecordFeedback(context.Context, int64, bool, string) error
}, clk *Clock) (bot.InsightQuery, bot.InsightData) {
	t.Helper()
	ctx := context.Background()
	T := clk.Now() // 2026-05-01 12:00 UTC
	at := func(d time.Duration) time.Time { return T.Add(d) }
	reply := func(conv bot.ConversationID, in int64, o bot.Outbound) bot.Stored {
		t.Helper()
		o.ConversationID, o.InboundID = conv, in
		st, err := s.AppendOutbound(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// E's earlier conversation, two days before, resolved.
	e1, ein := appendIn(t, s, "web", "e", "hello", at(-48*time.Hour))
	reply(e1.ID, ein, bot.Outbound{Text: "Hi!", Action: bot.ActionSmallTalk, Time: at(-48*time.Hour + time.Second),
		Annotation: bot.Annotation{Intent: "greeting", Language: "en"}})
	if err := s.Resolve(ctx, e1.ID, "x"); err != nil {
		t.Fatal(err)
	}
	// A: answered in 1.5 s, rated 2, voted helpful and not.
	a, ain := appendIn(t, s, "web", "a", "what are your hours", at(0))
	ast := reply(a.ID, ain, bot.Outbound{Text: "9 to 5", Action: bot.ActionAnswer, Time: at(1500 * time.Millisecond),
		Annotation: bot.Annotation{Intent: "hours", Confidence: 0.9, Language: "en"}})
	// B: a complaint, escalated after 2 s, acknowledged at 6 min.
	b, bin := appendIn(t, s, "web", "b", "this is awful", at(time.Minute))
	bst := reply(b.ID, bin, bot.Outbound{Text: "Sorry!", Action: bot.ActionEscalate, Time: at(time.Minute + 2*time.Second),
		Annotation: bot.Annotation{Intent: "complaint", Complaint: 0.9, Sentiment: -0.8, IsComplaint: true, IsNegative: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "awful"}})
	// C on the API: a purchase, a lead, won at 6 min.
	c, cin := appendIn(t, s, "api", "c", "I want to buy 10", at(2*time.Minute))
	reply(c.ID, cin, bot.Outbound{Text: "Sales will call.", Action: bot.ActionLead, Lead: true, Time: at(2*time.Minute + time.Second),
		Annotation: bot.Annotation{Intent: bot.IntentPurchase, Language: "en"},
		Escalation: &bot.Escalation{Reason: bot.ReasonLead, Severity: "low", Summary: "lead"}})
	// D: out of scope, asked to clarify: a knowledge gap.
	d, din := appendIn(t, s, "web", "d", "asdf", at(3*time.Minute))
	reply(d.ID, din, bot.Outbound{Text: "Could you rephrase?", Action: bot.ActionClarify, Time: at(3*time.Minute + time.Second),
		Annotation: bot.Annotation{Intent: "oos"}})
	// E again: a returning customer, still talking.
	e2, e2in := appendIn(t, s, "web", "e", "hello again", at(4*time.Minute))
	reply(e2.ID, e2in, bot.Outbound{Text: "Welcome back!", Action: bot.ActionSmallTalk, Time: at(4*time.Minute + time.Second),
		Annotation: bot.Annotation{Intent: "greeting"}})

	clk.Add(6 * time.Minute)
	if err := s.AcknowledgeEscalation(ctx, bst.EscalationID, "boss"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStage(ctx, c.CustomerID, bot.StageWon, "sam"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCSAT(ctx, a.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFeedback(ctx, ast.MessageID, true, "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordFeedback(ctx, ast.MessageID, false, "v2"); err != nil {
		t.Fatal(err)
	}

	day := T.Format(time.DateOnly)
	q := bot.InsightQuery{From: T.Truncate(24 * time.Hour), To: T.Truncate(24 * time.Hour).Add(24 * time.Hour),
		IdleBefore: at(3*time.Minute + 30*time.Second)}
	want := bot.InsightData{
		Days: []bot.InsightDay{
			{Day: day, Channel: "api", Conversations: 1, Messages: 2, Closed: 1, BotResolved: 1, Purchase: 1, Inbound: 1},
			{Day: day, Channel: "web", Conversations: 4, Messages: 8, Closed: 2, BotResolved: 1, Escalated: 1, Returning: 1,
				CSATSum: 2, CSATCount: 1, Inbound: 4, OutOfScope: 1, Complaints: 1, Negative: 1, Helpful: 1, NotHelpful: 1},
		},
		Customers: []bot.InsightCustomers{
			{Channel: "api", Customers: 1, New: 1, Won: 1},
			{Channel: "web", Customers: 4, New: 3, Returning: 1},
			{Customers: 5, New: 4, Returning: 1, Won: 1},
		},
		FirstResponse: []bot.InsightDuration{
			{Channel: "api", Millis: 1000, Count: 1},
			{Channel: "web", Millis: 1000, Count: 2}, {Channel: "web", Millis: 1500, Count: 1}, {Channel: "web", Millis: 2000, Count: 1},
		},
		TimeToHuman: []bot.InsightDuration{{Channel: "web", Millis: 298000, Count: 1}},
		Reasons:     []bot.InsightCount{{Channel: "api", Key: bot.ReasonLead, Count: 1}, {Channel: "web", Key: bot.ReasonComplaint, Count: 1}},
		Intents: []bot.InsightCount{{Channel: "api", Key: bot.IntentPurchase, Count: 1},
			{Channel: "web", Key: "complaint", Count: 1}, {Channel: "web", Key: "greeting", Count: 1},
			{Channel: "web", Key: "hours", Count: 1}, {Channel: "web", Key: "oos", Count: 1}},
		Gaps:            []bot.InsightCount{{Key: "asdf", Count: 1}},
		Channels:        []string{"api", "web"},
		EarliestMessage: at(-48 * time.Hour),
	}
	return q, want
}

// insightOpts compare InsightData whatever the order of its lists (Days
// and Channels are sorted by contract).
var insightOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.SortSlices(func(a, b bot.InsightCustomers) bool { return a.Channel < b.Channel }),
	cmpopts.SortSlices(func(a, b bot.InsightDuration) bool {
		return a.Channel < b.Channel || (a.Channel == b.Channel && a.Millis < b.Millis)
	}),
	cmpopts.SortSlices(func(a, b bot.InsightCount) bool {
		return a.Channel < b.Channel || (a.Channel == b.Channel && a.Key < b.Key)
	}),
}

func testInsightData(t *testing.T, e *env) {
	s, ctx := e.s, context.Background()
	q, want := insightScenario(t, s, e.clk)
	got, err := s.InsightData(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, insightOpts); diff != "" {
		t.Errorf("InsightData (-want +got):\n%s", diff)
	}
	// One channel only.
	q.Channel = "api"
	got, err = s.InsightData(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Days) != 1 || got.Days[0].Channel != "api" || len(got.Reasons) != 1 || len(got.Intents) != 1 ||
		len(got.Gaps) != 0 || len(got.TimeToHuman) != 0 {
		t.Errorf("InsightData of api = %+v", got)
	}
	// Gaps of the range only, and at most q.Gaps of them.
	q.Channel, q.From = "", q.To
	q.To = q.From.Add(24 * time.Hour)
	got, _ = s.InsightData(ctx, q)
	if len(got.Days) != 0 || len(got.Gaps) != 0 || len(got.Channels) != 2 {
		t.Errorf("InsightData of the next day = %+v, want no days and no gaps, channels still known", got)
	}
}

// testInsightThresholdFlags: the rollups count the Engine's flags
// (IsComplaint, IsNegative), never the scores, so the dashboard agrees with
// the bot whatever threshold it was configured with.
func testInsightThresholdFlags(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	for i, a := range []bot.Annotation{
		{Intent: "order_status", Complaint: 0.95, Sentiment: -0.9},                                    // scores high, flags off
		{Intent: "order_status", Complaint: 0.1, Sentiment: 0.5, IsComplaint: true, IsNegative: true}, // scores low, flags on
		{Intent: "complaint", Complaint: 0.7},                                                         // intent complaint, flag off
	} {
		conv, id := appendIn(t, s, "web", fmt.Sprintf("u%d", i), fmt.Sprintf("m%d", i), clk.Now())
		if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Action: bot.ActionRelay,
			Annotation: a}); err != nil {
			t.Fatal(err)
		}
	}
	// Day figures are exact for ranges of whole UTC days.
	day := bot.InsightQuery{From: clk.Now().Truncate(24 * time.Hour), To: clk.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)}
	d, err := s.InsightData(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Days) != 1 || d.Days[0].Inbound != 3 || d.Days[0].Complaints != 1 || d.Days[0].Negative != 1 {
		t.Errorf("days = %+v, want 3 annotated, 1 complaint and 1 negative (by the flags)", d.Days)
	}
	// An unannotated inbound message (no intent) is not counted.
	appendIn(t, s, "web", "u9", "not yet classified", clk.Now())
	d, _ = s.InsightData(ctx, day)
	if d.Days[0].Inbound != 3 || d.Days[0].Conversations != 4 {
		t.Errorf("after an unannotated message: %+v, want 3 annotated in 4 conversations", d.Days[0])
	}
}

func testInsightEmptyAndInvalid(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	if _, err := s.InsightData(ctx, bot.InsightQuery{From: clk.Now(), To: clk.Now()}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("InsightData of an empty range = %v, want EINVALID", err)
	}
	if _, err := s.InsightData(ctx, bot.InsightQuery{From: clk.Now(), To: clk.Now().Add(-time.Hour)}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("InsightData of a reversed range = %v, want EINVALID", err)
	}
	d, err := s.InsightData(ctx, bot.InsightQuery{From: clk.Now().Add(-time.Hour), To: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	want := bot.InsightData{Customers: []bot.InsightCustomers{{}}}
	if diff := cmp.Diff(want, d, insightOpts); diff != "" {
		t.Errorf("InsightData of an empty store (-want +got):\n%s", diff)
	}
	if gaps, err := s.KnowledgeGaps(ctx, 0); err != nil || len(gaps) != 0 {
		t.Errorf("KnowledgeGaps of an empty store = %+v, %v", gaps, err)
	}
	if n, err := s.RecomputeSegments(ctx); err != nil || n != 0 {
		t.Errorf("RecomputeSegments of an empty store = %d, %v", n, err)
	}
	if n, err := s.PurgeTextBefore(ctx, clk.Now()); err != nil || n != 0 {
		t.Errorf("PurgeTextBefore of an empty store = %d, %v", n, err)
	}
	if q, err := s.HandoffQueue(ctx, 0); err != nil || len(q) != 0 {
		t.Errorf("HandoffQueue of an empty store = %+v, %v", q, err)
	}
	if !d.EarliestMessage.IsZero() {
		t.Errorf("EarliestMessage of an empty store = %v", d.EarliestMessage)
	}
}
