package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// testComplaintLabels: agents label customers' messages; the labels are
// read back newest first with the text, can be changed and withdrawn, and
// are forgotten with the text (retention).
func testComplaintLabels(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	conv, in1, answer := answered(t, s, "web", "u", "where is my order, no rush", "Sorry to hear that.", clk.Now())
	for _, c := range []struct {
		id           int64
		label, agent string
		want         string
	}{
		{in1, "angry", "ana", bot.EINVALID},
		{in1, bot.LabelComplaint, " ", bot.EINVALID},
		{answer, bot.LabelComplaint, "ana", bot.ENOTFOUND}, // the bot's: no customer's message
		{999999, bot.LabelComplaint, "ana", bot.ENOTFOUND},
	} {
		if err := s.LabelMessage(ctx, c.id, c.label, c.agent); bot.ErrorCode(err) != c.want {
			t.Errorf("LabelMessage(%d, %q, %q) = %v, want %s", c.id, c.label, c.agent, err, c.want)
		}
	}
	if got, err := s.ComplaintLabels(ctx, 0); err != nil || len(got) != 0 {
		t.Fatalf("ComplaintLabels before any = %+v, %v; want none", got, err)
	}

	clk.Add(time.Minute)
	if err := s.LabelMessage(ctx, in1, bot.LabelNotComplaint, "ana"); err != nil {
		t.Fatal(err)
	}
	_, in2 := appendIn(t, s, "api", "v", "third time the cake arrived squashed", clk.Now())
	clk.Add(time.Minute)
	if err := s.LabelMessage(ctx, in2, bot.LabelComplaint, "bo"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ComplaintLabels(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].MessageID != in2 || !got[0].Complaint || got[0].Agent != "bo" ||
		got[0].Text != "third time the cake arrived squashed" || !got[0].Time.Equal(clk.Now()) ||
		got[1].MessageID != in1 || got[1].Complaint || got[1].Text != "where is my order, no rush" {
		t.Fatalf("ComplaintLabels = %+v, want the complaint (bo) then the other (ana), newest first", got)
	}
	if got, _ := s.ComplaintLabels(ctx, 1); len(got) != 1 || got[0].MessageID != in2 {
		t.Errorf("ComplaintLabels(1) = %+v, want the newest only", got)
	}
	msgs, err := s.Messages(ctx, conv.ID)
	if err != nil || len(msgs) != 2 || msgs[0].Label != bot.LabelNotComplaint || msgs[0].LabelAgent != "ana" || msgs[1].Label != "" {
		t.Errorf("Messages = %+v, %v; want the customer's labelled %s, the bot's not", msgs, err, bot.LabelNotComplaint)
	}

	// Changed, then withdrawn.
	clk.Add(time.Minute)
	if err := s.LabelMessage(ctx, in1, bot.LabelComplaint, "cy"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ComplaintLabels(ctx, 0); len(got) != 2 || got[0].MessageID != in1 || !got[0].Complaint || got[0].Agent != "cy" {
		t.Errorf("after a change ComplaintLabels = %+v, want message %d a complaint by cy", got, in1)
	}
	if err := s.LabelMessage(ctx, in1, "", "cy"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ComplaintLabels(ctx, 0); len(got) != 1 || got[0].MessageID != in2 {
		t.Errorf("after withdrawing ComplaintLabels = %+v, want message %d only", got, in2)
	}

	// Retention blanks the text, and the lesson goes with it.
	clk.Add(24 * time.Hour)
	if _, err := s.PurgeTextBefore(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ComplaintLabels(ctx, 0); len(got) != 0 {
		t.Errorf("after PurgeTextBefore ComplaintLabels = %+v, want none", got)
	}
}

// testReviewMessages: the messages an agent should look at are the
// customers' that the bot answered although they read negative or nearly
// a complaint, not yet judged, newest range only, highest score first.
func testReviewMessages(t *testing.T, e *env) {
	s, ctx, clk := e.s, context.Background(), e.clk
	store := func(user, text string, ann bot.Annotation, at time.Time) int64 {
		t.Helper()
		conv, in := appendIn(t, s, "web", user, text, at)
		if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Annotation: ann,
			Text: "ok", Action: bot.ActionAnswer, Time: at}); err != nil {
			t.Fatal(err)
		}
		return in
	}
	since := clk.Now()
	store("old", "the cake was dry again", bot.Annotation{Complaint: 0.5}, since.Add(-time.Hour))
	nearly := store("a", "the cake was a bit dry this time", bot.Annotation{Complaint: 0.45, Sentiment: -0.2}, since)
	negative := store("b", "not happy with the delivery slot", bot.Annotation{Complaint: 0.1, Sentiment: -0.6, IsNegative: true}, since)
	store("c", "this is the third broken cake, refund me", bot.Annotation{Complaint: 0.9, IsComplaint: true, IsNegative: true}, since)
	store("d", "what time do you open", bot.Annotation{Complaint: 0.05}, since)
	judged := store("e", "slightly late but fine", bot.Annotation{Complaint: 0.5}, since)
	// An employee's words about a complaint are their work, not one.
	staff := bot.Inbound{Channel: "slack", ExternalUserID: "U9", Role: bot.RoleEmployee, Text: "how do we refund an angry customer", Time: since}
	sconv, sin, err := s.AppendInbound(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendOutbound(ctx, bot.Outbound{ConversationID: sconv.ID, InboundID: sin, Text: "See the refund page.",
		Action: bot.ActionAnswer, Time: since, Annotation: bot.Annotation{Complaint: 0.7, Sentiment: -0.5, IsNegative: true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.LabelMessage(ctx, judged, bot.LabelNotComplaint, "ana"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReviewMessages(ctx, since, 0.3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != nearly || got[1].ID != negative {
		t.Fatalf("ReviewMessages = %+v, want messages %d then %d", got, nearly, negative)
	}
	if r := got[0]; r.Channel != "web" || r.Text != "the cake was a bit dry this time" || r.Complaint != 0.45 ||
		r.Sentiment != -0.2 || r.ConversationID == 0 || r.CustomerID == 0 || !r.Time.Equal(since) {
		t.Errorf("first message to review = %+v", r)
	}
	if got, _ := s.ReviewMessages(ctx, since, 0.3, 1); len(got) != 1 {
		t.Errorf("ReviewMessages(limit 1) = %d messages", len(got))
	}
	// A verdict takes it off the list.
	if err := s.LabelMessage(ctx, nearly, bot.LabelComplaint, "ana"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReviewMessages(ctx, since, 0.3, 0); len(got) != 1 || got[0].ID != negative {
		t.Errorf("after a verdict ReviewMessages = %+v, want message %d only", got, negative)
	}
}
