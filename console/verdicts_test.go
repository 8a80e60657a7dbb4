package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestAgentsJudgeMessages: an agent marks a message the bot escalated as
// not a complaint and one it did not as a complaint; the store keeps the
// verdicts with the agent's name (the complaint detector reads them there),
// the page shows them in the agent's language, and bad posts lose nothing.
func TestAgentsJudgeMessages(t *testing.T) {
	e := newEnv(t, nil)
	e.opts.Verdicts = e.db
	e.restart()
	ctx := context.Background()
	conv, in1, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "v1", Role: bot.RoleCustomer,
		Text: "spelled my niece's name wrong, can it be changed?", Time: base})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in1, Text: "A colleague will join.",
		Action: bot.ActionEscalate, Time: base, Annotation: bot.Annotation{Complaint: 0.94, IsComplaint: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "name"}}); err != nil {
		t.Fatal(err)
	}
	_, in2, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "v1", Role: bot.RoleCustomer,
		Text: "and the last cake came squashed", Time: base.Add(1)})
	if err != nil {
		t.Fatal(err)
	}
	a := e.client()
	a.login("alice")
	path := convPath(conv.ID)
	_, body, _ := a.get(path)
	for _, want := range []string{"read as a complaint", `id="mark-` + itoa(in1) + `"`, "Not a complaint", `id="mark-` + itoa(in2) + `"`, "It was a complaint"} {
		if !strings.Contains(body, want) {
			t.Errorf("conversation page lacks %q:\n%s", want, body)
		}
	}

	if st, _, _ := a.post(path+"/label", url.Values{"message": {itoa(in1)}, "label": {bot.LabelNotComplaint}}); st != http.StatusSeeOther {
		t.Fatalf("label not_complaint: status %d", st)
	}
	if st, _, _ := a.post(path+"/label", url.Values{"message": {itoa(in2)}, "label": {bot.LabelComplaint}}); st != http.StatusSeeOther {
		t.Fatalf("label complaint: status %d", st)
	}
	got, err := e.db.ComplaintLabels(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].MessageID != in2 || !got[0].Complaint || got[1].MessageID != in1 || got[1].Complaint ||
		got[0].Agent != "alice" || got[1].Agent != "alice" {
		t.Fatalf("stored verdicts = %+v, want message %d a complaint and %d not, both by alice", got, in2, in1)
	}
	_, body, _ = a.get(path + "/archive?lang=zh")
	for _, want := range []string{"alice 标为非投诉", "alice 标为投诉", "这是投诉", "不是投诉"} {
		if !strings.Contains(body, want) {
			t.Errorf("Chinese archive lacks %q:\n%s", want, body)
		}
	}

	// Bad posts: a bot message, no message, an unknown label, no token.
	msgs, _ := e.db.Messages(ctx, conv.ID)
	for _, f := range []url.Values{
		{"message": {itoa(msgs[1].ID)}, "label": {bot.LabelComplaint}},
		{"message": {"x"}, "label": {bot.LabelComplaint}},
		{"message": {itoa(in1)}, "label": {"furious"}},
		{"message": {itoa(in1)}, "label": {bot.LabelComplaint}, "csrf": {"forged"}},
	} {
		if st, _, _ := a.post(path+"/label", f); st < 400 {
			t.Errorf("post %v: status %d, want an error", f, st)
		}
	}
	if got, _ := e.db.ComplaintLabels(ctx, 0); len(got) != 2 || got[1].Complaint {
		t.Errorf("after bad posts verdicts = %+v, want the two unchanged", got)
	}
}

// TestVerdictsNeedTheOption: without Options.Verdicts there are no buttons
// and posting a verdict is not found.
func TestVerdictsNeedTheOption(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "where is my order", base, bot.ReasonComplaint, "high")
	a := e.client()
	a.login("alice")
	if _, body, _ := a.get(convPath(id)); strings.Contains(body, "mark-") {
		t.Errorf("verdict buttons without Options.Verdicts:\n%s", body)
	}
	msgs, _ := e.db.Messages(context.Background(), id)
	if st, _, _ := a.post(convPath(id)+"/label", url.Values{"message": {itoa(msgs[0].ID)}, "label": {bot.LabelComplaint}}); st != http.StatusNotFound {
		t.Errorf("label without Options.Verdicts: status %d, want 404", st)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestReviewPage: the messages the bot answered that may have been
// complaints are listed for the agents, highest score first, with the
// verdict buttons; a verdict takes a message off the list and is kept.
func TestReviewPage(t *testing.T) {
	e := newEnv(t, nil)
	e.opts.Verdicts, e.opts.Review = e.db, e.db
	e.restart()
	ctx := context.Background()
	answered := func(user, text string, ann bot.Annotation) (bot.ConversationID, int64) {
		t.Helper()
		conv, in, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: user, Role: bot.RoleCustomer,
			Text: text, Time: base})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "Here you go.",
			Action: bot.ActionAnswer, Time: base, Annotation: ann}); err != nil {
			t.Fatal(err)
		}
		return conv.ID, in
	}
	conv, nearly := answered("v1", "the photo prints came out much darker than my file", bot.Annotation{Complaint: 0.45})
	_, negative := answered("v2", "meh, the slot you gave me is useless <b>really</b>", bot.Annotation{Complaint: 0.1, Sentiment: -0.6, IsNegative: true})
	answered("v3", "what time do you open", bot.Annotation{Complaint: 0.05})
	a := e.client()
	a.login("alice")
	st, body, _ := a.get("/console/review")
	if st != http.StatusOK {
		t.Fatalf("GET /console/review: %d", st)
	}
	i1, i2 := strings.Index(body, "much darker than my file"), strings.Index(body, "the slot you gave me")
	if i1 < 0 || i2 < 0 || i1 > i2 || strings.Contains(body, "what time do you open") {
		t.Errorf("review page does not list the two messages, highest score first, and only them:\n%s", body)
	}
	for _, want := range []string{`id="nav-review"`, "complaint score 0.45", "negative", `id="complaint-` + itoa(nearly) + `"`,
		`id="not-complaint-` + itoa(negative) + `"`, `href="/console/c/` + itoa(int64(conv)) + `"`, "&lt;b&gt;really&lt;/b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("review page lacks %q:\n%s", want, body)
		}
	}
	if st, _, _ := a.post("/console/review", url.Values{"message": {itoa(nearly)}, "label": {bot.LabelComplaint}}); st != http.StatusSeeOther {
		t.Fatalf("verdict on the review page: status %d", st)
	}
	_, body, _ = a.get("/console/review?lang=zh")
	if strings.Contains(body, "much darker") || !strings.Contains(body, "the slot you gave me") || !strings.Contains(body, "待复核") {
		t.Errorf("after the verdict the Chinese review page:\n%s", body)
	}
	if got, _ := e.db.ComplaintLabels(ctx, 0); len(got) != 1 || got[0].MessageID != nearly || !got[0].Complaint || got[0].Agent != "alice" {
		t.Errorf("stored verdicts %+v", got)
	}
	if st, _, _ := a.post("/console/review", url.Values{"message": {itoa(negative)}, "label": {bot.LabelComplaint}, "csrf": {"forged"}}); st != http.StatusForbidden {
		t.Errorf("verdict with a forged token: status %d, want 403", st)
	}
}

func TestReviewPageNeedsTheOptions(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()
	a.login("alice")
	if st, body, _ := a.get("/console/review"); st != http.StatusNotFound {
		t.Errorf("GET /console/review without Options.Review: %d", st)
	} else if _, q, _ := a.get("/console"); strings.Contains(q, "nav-review") {
		t.Errorf("the queue links to a review page that is off:\n%s", body)
	}
}
