package insights_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/insights"
)

// fakeEscalations returns the reason stored for an id.
type fakeEscalations map[bot.EscalationID]string

func (f fakeEscalations) Escalation(_ context.Context, id bot.EscalationID) (bot.EscalationInfo, error) {
	r, ok := f[id]
	if !ok {
		return bot.EscalationInfo{}, errors.New("no such escalation")
	}
	return bot.EscalationInfo{ID: id, Reason: r}, nil
}

// scripted replies with the reply (or error) keyed by message text.
type scripted map[string]struct {
	reply bot.Reply
	err   error
}

func (s scripted) Handle(_ context.Context, m bot.Message) (bot.Reply, error) {
	r := s[m.Text]
	return r.reply, r.err
}

func TestInstrument(t *testing.T) {
	boom := errors.New("boom")
	h := scripted{
		"hi":     {reply: bot.Reply{Action: bot.ActionSmallTalk, Intent: bot.IntentGreeting}},
		"ship":   {reply: bot.Reply{Action: bot.ActionAnswer, Intent: "shipping"}},
		"weird":  {reply: bot.Reply{Action: bot.ActionAnswer, Intent: "made_up_intent"}},
		"angry":  {reply: bot.Reply{Action: bot.ActionEscalate, Intent: bot.IntentComplaint, EscalationID: 7}},
		"buy":    {reply: bot.Reply{Action: bot.ActionLead, Intent: bot.IntentPurchase, EscalationID: 8}},
		"lost":   {reply: bot.Reply{Action: bot.ActionEscalate, Intent: bot.IntentAskHuman, EscalationID: 99}},
		"broken": {err: boom},
	}
	msgs := []bot.Message{
		{Channel: "web", Text: "hi"},
		{Channel: "web", Text: "ship"},
		{Channel: "wecom", Text: "ship"}, // not a configured channel
		{Channel: "api", Text: "weird"},
		{Channel: "slack", Text: "angry"},
		{Channel: "web", Text: "buy"},
		{Channel: "web", Text: "lost"}, // lookup fails: reason unknown
		{Channel: "terminal", Text: "broken"},
	}
	reg := prometheus.NewRegistry()
	m, err := insights.NewMetrics(insights.MetricsOptions{
		Registerer: reg, Intents: []string{"shipping"},
		Escalations: fakeEscalations{7: bot.ReasonComplaint, 8: bot.ReasonLead},
	})
	if err != nil {
		t.Fatal(err)
	}
	ih := insights.Instrument(h, m)
	for _, msg := range msgs {
		reply, err := ih.Handle(context.Background(), msg)
		want := h[msg.Text]
		if !errors.Is(err, want.err) || reply.Action != want.reply.Action {
			t.Errorf("Handle(%q) = %+v, %v; the wrapper changed the reply %+v, %v", msg.Text, reply, err, want.reply, want.err)
		}
	}
	wantText := `
# HELP concierge_escalations_total Messages that opened an escalation, by channel and reason (lead = passed to sales).
# TYPE concierge_escalations_total counter
concierge_escalations_total{channel="slack",reason="complaint"} 1
concierge_escalations_total{channel="web",reason="lead"} 1
concierge_escalations_total{channel="web",reason="unknown"} 1
# HELP concierge_messages_total Inbound messages handled, by channel, classified intent and outcome (the action of the reply, or error).
# TYPE concierge_messages_total counter
concierge_messages_total{channel="api",intent="other",outcome="answer"} 1
concierge_messages_total{channel="other",intent="shipping",outcome="answer"} 1
concierge_messages_total{channel="slack",intent="complaint",outcome="escalate"} 1
concierge_messages_total{channel="terminal",intent="other",outcome="error"} 1
concierge_messages_total{channel="web",intent="ask_human",outcome="escalate"} 1
concierge_messages_total{channel="web",intent="greeting",outcome="small_talk"} 1
concierge_messages_total{channel="web",intent="purchase_intent",outcome="lead"} 1
concierge_messages_total{channel="web",intent="shipping",outcome="answer"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantText),
		"concierge_messages_total", "concierge_escalations_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "concierge_message_duration_seconds"); n != 5 {
		t.Errorf("duration histogram has %d series, want 5 (web, other, api, slack, terminal)", n)
	}
}

func TestInstrumentWithoutLookup(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := insights.NewMetrics(insights.MetricsOptions{Registerer: reg, Channels: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	h := scripted{
		"buy":   {reply: bot.Reply{Action: bot.ActionLead, Intent: bot.IntentPurchase, EscalationID: 1}},
		"angry": {reply: bot.Reply{Action: bot.ActionEscalate, Intent: bot.IntentComplaint, EscalationID: 2}},
		"odd":   {reply: bot.Reply{Action: "new_action", Intent: bot.IntentThanks}},
	}
	ih := insights.Instrument(h, m)
	for _, text := range []string{"buy", "angry", "odd"} {
		if _, err := ih.Handle(context.Background(), bot.Message{Channel: "web", Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	wantText := `
# HELP concierge_escalations_total Messages that opened an escalation, by channel and reason (lead = passed to sales).
# TYPE concierge_escalations_total counter
concierge_escalations_total{channel="web",reason="lead"} 1
concierge_escalations_total{channel="web",reason="unknown"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantText), "concierge_escalations_total"); err != nil {
		t.Error(err)
	}
	wantText = `
# HELP concierge_messages_total Inbound messages handled, by channel, classified intent and outcome (the action of the reply, or error).
# TYPE concierge_messages_total counter
concierge_messages_total{channel="web",intent="complaint",outcome="escalate"} 1
concierge_messages_total{channel="web",intent="purchase_intent",outcome="lead"} 1
concierge_messages_total{channel="web",intent="thanks",outcome="other"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantText), "concierge_messages_total"); err != nil {
		t.Error(err)
	}
}

func TestNewMetricsErrors(t *testing.T) {
	if _, err := insights.NewMetrics(insights.MetricsOptions{}); err == nil {
		t.Error("NewMetrics without a Registerer: no error")
	}
	reg := prometheus.NewRegistry()
	if _, err := insights.NewMetrics(insights.MetricsOptions{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := insights.NewMetrics(insights.MetricsOptions{Registerer: reg}); err == nil {
		t.Error("registering twice on one registry: no error")
	}
	many := make([]string, 201)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if _, err := insights.NewMetrics(insights.MetricsOptions{Registerer: prometheus.NewRegistry(), Intents: many}); err == nil {
		t.Error("201 intents: no error")
	}
}

func TestMetricsLabels(t *testing.T) {
	m, err := insights.NewMetrics(insights.MetricsOptions{Registerer: prometheus.NewRegistry(), Intents: []string{"hours"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range []string{"web", "api", "slack", "terminal", "wecom", ""} {
		got = append(got, m.Channel(v))
	}
	for _, v := range []string{"hours", "oos", "csat_rating", "text the customer typed", ""} {
		got = append(got, m.Intent(v))
	}
	want := []string{"web", "api", "slack", "terminal", "other", "other", "hours", "oos", "csat_rating", "other", "other"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}
