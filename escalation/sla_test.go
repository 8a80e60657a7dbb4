package escalation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// realerts returns "key → notify" of the re-alerts (level 1 and up) in the
// outbox.
func realerts(t *testing.T, db *sqlite.DB) map[string]string {
	t.Helper()
	items, err := db.Outbox(context.Background(), alert.OutboxAlert, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, it := range items {
		a, err := alert.DecodeAlert(it.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind == alert.KindEscalation && a.Level > 0 {
			out[it.Key] = a.Notify
		}
	}
	return out
}

func TestSLAReAlertsUpTheChain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	kicks := 0
	alerts := alert.Queue{Outbox: f.db, Realerts: f.db, Kick: func() { kicks++ }}
	w, err := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alerts, SLA: 15 * time.Minute,
		Next: []string{"duty-manager", "head-of-support"}, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	a := f.say(t, "web", "v1", "terrible")
	b := f.say(t, "web", "v2", "terrible")
	lead := a.EscalationID
	key := alert.RealertKey
	steps := []struct {
		advance time.Duration
		ack     bool
		sent    int
		want    map[string]string
	}{
		{10 * time.Minute, false, 0, map[string]string{}},
		{6 * time.Minute, false, 2, map[string]string{key(lead, 1): "duty-manager", key(b.EscalationID, 1): "duty-manager"}},
		{time.Minute, true, 0, nil}, // b acknowledged; nothing new due for a
		{14 * time.Minute, false, 1, map[string]string{key(lead, 1): "duty-manager", key(b.EscalationID, 1): "duty-manager",
			key(lead, 2): "head-of-support"}},
		{time.Hour, false, 0, nil}, // the chain has two levels
	}
	for i, s := range steps {
		f.clk.Add(s.advance)
		if s.ack {
			if err := f.svc.Acknowledge(ctx, b.EscalationID, "boss"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := w.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != s.sent {
			t.Errorf("step %d: %d re-alerts, want %d", i, n, s.sent)
		}
		if s.want != nil {
			if diff := cmp.Diff(s.want, realerts(t, f.db)); diff != "" {
				t.Errorf("step %d: re-alerts (-want +got):\n%s", i, diff)
			}
		}
	}
	if kicks != 3 {
		t.Errorf("%d kicks, want one per re-alert queued (3)", kicks)
	}
	// Every re-alert is recorded on the customer with its level.
	c, _ := f.db.Conversation(ctx, a.ConversationID)
	events, _ := f.db.Events(ctx, c.CustomerID)
	var levels []int
	for _, e := range events {
		if e.Kind == sqlite.EventRealerted {
			var d struct{ Level int }
			if err := json.Unmarshal(e.Detail, &d); err != nil {
				t.Fatal(err)
			}
			levels = append(levels, d.Level)
		}
	}
	if !slices.Equal(levels, []int{1, 2}) {
		t.Errorf("recorded levels %v, want [1 2]", levels)
	}
	// A second watcher (a restart) sends nothing again.
	w2, _ := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alerts, SLA: 15 * time.Minute,
		Next: []string{"duty-manager", "head-of-support"}, Now: f.clk.Now})
	if n, err := w2.Check(ctx); err != nil || n != 0 {
		t.Errorf("restarted watcher sent %d, %v", n, err)
	}
}

func TestSLAOptions(t *testing.T) {
	f := newFixture(t)
	alerts := &fakeAlerts{}
	if _, err := escalation.NewSLA(escalation.SLAOptions{Alerts: alerts}); err == nil {
		t.Error("NewSLA without a store succeeded")
	}
	if _, err := escalation.NewSLA(escalation.SLAOptions{Store: f.db}); err == nil {
		t.Error("NewSLA without alerts succeeded")
	}
	if _, err := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alerts, Next: []string{"a", " "}}); err == nil {
		t.Error("NewSLA with a blank target succeeded")
	}
	// Without escalation.next nothing climbs.
	w, _ := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alerts, Now: f.clk.Now})
	f.say(t, "web", "v1", "terrible")
	f.clk.Add(24 * time.Hour)
	if n, err := w.Check(context.Background()); n != 0 || err != nil {
		t.Errorf("Check without next = %d, %v", n, err)
	}
}

// complaintAt stores a customer message annotated as a complaint at time at.
func complaintAt(t *testing.T, db *sqlite.DB, user, text, intent string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	conv, in, err := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: user, Text: text, Time: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Action: bot.ActionAnswer,
		Text: "ok", Time: at, Annotation: bot.Annotation{Intent: intent, Complaint: 0.9, Sentiment: -0.8,
			IsComplaint: true, IsNegative: true}}); err != nil {
		t.Fatal(err)
	}
}

func TestSpikeSendsOneGroupedWarning(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.clk.Now()
	// Baseline: one complaint a day for a week.
	for d := range 7 {
		complaintAt(t, f.db, "old", "the tea was stale", "product_info", start.Add(time.Duration(d-7)*24*time.Hour))
	}
	spikes, err := escalation.NewSpikes(escalation.SpikeOptions{Source: f.db, Alerts: alert.Queue{Outbox: f.db}, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"my parcel is damaged, the tin was crushed",
		"the courier lost my parcel",
		"parcel arrived damaged and late",
		"包裹破损了，快递太慢",
		"快递太慢了，包裹还没到",
		"damaged parcel again, very unhappy",
	}
	for i, text := range texts[:4] {
		complaintAt(t, f.db, "u"+string(rune('a'+i)), text, "shipping_info", start.Add(time.Duration(i)*time.Minute))
	}
	f.clk.Add(5 * time.Minute)
	if a, err := spikes.Check(ctx); err != nil || a != nil {
		t.Fatalf("4 complaints: warning %+v, %v; want none (minimum 5)", a, err)
	}
	for i, text := range texts[4:] {
		complaintAt(t, f.db, "v"+string(rune('a'+i)), text, bot.IntentComplaint, f.clk.Now().Add(time.Duration(i)*time.Second))
	}
	f.clk.Add(time.Minute)
	a, err := spikes.Check(ctx)
	if err != nil || a == nil {
		t.Fatalf("6 complaints against a baseline of 1/day: warning %v, %v; want one", a, err)
	}
	if a.Count != 6 || a.Reason != bot.ReasonComplaint || !a.End.Equal(f.clk.Now()) || a.Window != 15*time.Minute {
		t.Errorf("warning %+v, want 6 complaints in the 15 minutes to now", a)
	}
	for _, topic := range []string{"shipping_info", "parcel", "damaged", "包裹"} {
		if !slices.Contains(a.Topics, topic) {
			t.Errorf("topics %v lack %q", a.Topics, topic)
		}
	}
	// More complaints within the cool-down: no second warning, from this
	// detector or from a restarted one.
	for i := range 10 {
		complaintAt(t, f.db, "w"+string(rune('a'+i)), "damaged parcel", "shipping_info", f.clk.Now())
	}
	f.clk.Add(2 * time.Minute)
	if a, err := spikes.Check(ctx); err != nil || a != nil {
		t.Errorf("second check in the cool-down: %+v, %v", a, err)
	}
	restarted, _ := escalation.NewSpikes(escalation.SpikeOptions{Source: f.db, Alerts: alert.Queue{Outbox: f.db}, Now: f.clk.Now})
	if _, err := restarted.Check(ctx); err != nil {
		t.Fatal(err)
	}
	items, _ := f.db.Outbox(ctx, alert.OutboxAlert, 0)
	warnings := 0
	for _, it := range items {
		if a, _ := alert.DecodeAlert(it.Payload); a.Kind == alert.KindEarlyWarning {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d early warnings in the outbox, want 1 for 16 complaints", warnings)
	}
}

func TestSpikeRespectsBaseline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.clk.Now()
	// A busy shop: 5 complaints every 15 minutes is normal.
	for i := range 7 * 24 * 4 * 5 / 20 { // a sample of the week, weighted below
		at := start.Add(-time.Duration(i+1) * 20 * time.Minute)
		for j := range 5 {
			complaintAt(t, f.db, "b", "slow", "shipping_info", at.Add(time.Duration(j)*time.Second))
		}
	}
	for i := range 8 {
		complaintAt(t, f.db, "n", "slow", "shipping_info", start.Add(time.Duration(i)*time.Second))
	}
	f.clk.Add(time.Minute)
	spikes, _ := escalation.NewSpikes(escalation.SpikeOptions{Source: f.db, Alerts: alert.Queue{Outbox: f.db}, Now: f.clk.Now,
		Baseline: 24 * time.Hour})
	if a, err := spikes.Check(ctx); err != nil || a != nil {
		t.Errorf("8 complaints where ~3.75 per window is normal: %+v, %v; want no warning (below 3×)", a, err)
	}
}

func TestTopics(t *testing.T) {
	msgs := []bot.ComplaintMessage{
		{Channel: "web", Intent: "refund_request", Text: "Refund still missing for broken teapot"},
		{Channel: "slack", Intent: "refund_request", Text: "broken teapot, where is my refund?"},
		{Channel: "web", Intent: bot.IntentComplaint, Text: "茶壶坏了，要退款"},
		{Channel: "web", Intent: bot.IntentComplaint, Text: "茶壶又坏了"},
	}
	topics, channels := escalation.Topics(msgs, 5)
	if diff := cmp.Diff([]string{"refund_request", "broken", "refund", "teapot", "坏了"}, topics); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"web", "slack"}, channels); diff != "" {
		t.Errorf("channels (-want +got):\n%s", diff)
	}
}

func FuzzTopics(f *testing.F) {
	for _, s := range []string{"damaged parcel", "包裹破损了", "\xff\xfe", "a'b'c'd'e", "茶"} {
		f.Add(s, "web")
	}
	f.Fuzz(func(t *testing.T, text, channel string) {
		msgs := []bot.ComplaintMessage{{Channel: channel, Intent: "x", Text: text}, {Channel: channel, Text: text}}
		topics, channels := escalation.Topics(msgs, 5)
		if len(topics) > 5 || len(channels) > 1 {
			t.Fatalf("Topics(%q) = %v, %v", text, topics, channels)
		}
	})
}

// memSink is an alert.Sink that accepts everything.
type memSink struct{ name string }

func (m memSink) Name() string                                  { return m.name }
func (m memSink) Send(ctx context.Context, a alert.Alert) error { return nil }

func TestHistoryRecordsDeliveriesAndAcknowledgement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, _ := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alert.Queue{Outbox: f.db, Realerts: f.db},
		Next: []string{"boss"}, Now: f.clk.Now})
	d, err := alert.NewDispatcher(alert.DispatcherOptions{Outbox: f.db, Records: f.db, Now: f.clk.Now,
		Sinks: []alert.Sink{memSink{"slack"}, memSink{"email"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := f.say(t, "web", "v1", "terrible")
	f.clk.Add(16 * time.Minute)
	if _, err := w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 { // fan out, then deliver
		if err := d.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Add(time.Minute)
	if err := f.svc.Acknowledge(ctx, r.EscalationID, "boss"); err != nil {
		t.Fatal(err)
	}
	h, err := f.svc.History(ctx, r.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Key       string
		Level     int
		Sink      string
		Delivered bool
	}
	var got []row
	for _, d := range h.Deliveries {
		got = append(got, row{d.Key, d.Level, d.Sink, !d.Delivered.IsZero()})
	}
	k0, k1 := alert.EscalationKey(r.EscalationID), alert.RealertKey(r.EscalationID, 1)
	want := []row{{k0, 0, "email", true}, {k0, 0, "slack", true}, {k1, 1, "email", true}, {k1, 1, "slack", true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	if h.Acknowledged.Sub(h.Created) != 17*time.Minute || h.Assignee != "boss" {
		t.Errorf("history %+v, want acknowledged by boss 17 minutes after it opened", h.EscalationInfo)
	}
	if _, err := f.svc.History(ctx, 424242); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("history of an unknown escalation: %v", err)
	}
}

// fakeAlerts is an escalation.Alerts that records what the watchers decide.
type fakeAlerts struct {
	mu       sync.Mutex
	realerts []bot.Realert
	warnings []bot.Warning
	fail     error
}

func (a *fakeAlerts) Realert(ctx context.Context, r bot.Realert) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	a.realerts = append(a.realerts, r)
	return nil
}

func (a *fakeAlerts) Warn(ctx context.Context, w bot.Warning) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return a.fail
	}
	a.warnings = append(a.warnings, w)
	return nil
}

// TestWatchersDecideAlertsAlone: the watchers hand their decisions to
// Alerts (no outbox of their own): a re-alert names its escalation, level
// and target; a failing Alerts is an error, never a silent drop.
func TestWatchersDecideAlertsAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alerts := &fakeAlerts{}
	w, err := escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: alerts, SLA: 15 * time.Minute,
		Next: []string{"duty-manager"}, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := f.say(t, "web", "v1", "terrible")
	f.clk.Add(16 * time.Minute)
	if n, err := w.Check(ctx); err != nil || n != 1 {
		t.Fatalf("Check = %d, %v; want 1 re-alert", n, err)
	}
	got := alerts.realerts[0]
	if got.ID != r.EscalationID || got.ConversationID != r.ConversationID || got.Level != 1 ||
		got.Notify != "duty-manager" || got.Channel != "web" || !strings.HasPrefix(got.Summary, "Not acknowledged after 16m0s.") {
		t.Errorf("re-alert %+v, want escalation %d at level 1 to duty-manager", got, r.EscalationID)
	}
	failing := &fakeAlerts{fail: errors.New("outbox full")}
	w, _ = escalation.NewSLA(escalation.SLAOptions{Store: f.db, Alerts: failing, Next: []string{"duty-manager"},
		Now: f.clk.Now})
	if n, err := w.Check(ctx); err == nil || n != 0 {
		t.Errorf("Check with failing alerts = %d, %v; want 0 and an error", n, err)
	}

	// The spike detector's warning goes to Alerts; its failure is returned
	// and does not start the cool-down.
	for i := range 6 {
		complaintAt(t, f.db, fmt.Sprintf("s%d", i), "damaged parcel", "shipping_info", f.clk.Now().Add(-time.Minute))
	}
	spikes, _ := escalation.NewSpikes(escalation.SpikeOptions{Source: f.db, Alerts: failing, Now: f.clk.Now})
	if w, err := spikes.Check(ctx); err == nil || w != nil {
		t.Errorf("spike check with failing alerts = %+v, %v; want an error", w, err)
	}
	failing.mu.Lock()
	failing.fail = nil
	failing.mu.Unlock()
	warning, err := spikes.Check(ctx)
	if err != nil || warning == nil || len(failing.warnings) != 1 {
		t.Fatalf("spike check after the failure = %+v, %v; want the warning sent", warning, err)
	}
	if warning.Period != f.clk.Now().Truncate(time.Hour) || warning.Count != 6 {
		t.Errorf("warning %+v, want 6 complaints in the period of %v", warning, f.clk.Now().Truncate(time.Hour))
	}
}
