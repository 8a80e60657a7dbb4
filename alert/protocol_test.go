package alert

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// The protocol's encoder is what the store is given.
var _ storage.AlertEncoder = Protocol{}

// TestKeys pins the idempotency keys: they are stored in outboxes and
// parsed by the escalation history (":level:"), so a change would deliver
// an alert twice across an upgrade or lose its history.
func TestKeys(t *testing.T) {
	period := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 2, 9, 1, 2, 345678000, time.FixedZone("CET", 3600))
	for _, tt := range []struct{ got, want string }{
		{EscalationKey(42), "escalation:42"},
		{RealertKey(42, 2), "escalation:42:level:2"},
		{LeadKey(7, at), "lead:7:2026-03-02T08:01:02.345678Z"},
		{EarlyWarningKey(bot.ReasonComplaint, period), "early_warning:1772442000"},
		{EarlyWarningKey("", period), "early_warning:1772442000"},
		{EarlyWarningKey(bot.ReasonRequestedHuman, period), "early_warning:requested_human:1772442000"},
		{DigestKey(period.AddDate(0, 0, -7), period.AddDate(0, 0, -1)), "digest:2026-02-23:2026-03-01"},
	} {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

func TestOutboxMessage(t *testing.T) {
	a := Alert{Kind: KindLead, IdempotencyKey: "lead:7:x", Customer: Customer{ID: 7}, Owner: "sam"}
	m, err := OutboxMessage(a)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != OutboxAlert || m.Key != a.IdempotencyKey || m.CustomerID != 7 {
		t.Errorf("message %+v, want kind %q, the alert's key and customer", m, OutboxAlert)
	}
	back, err := DecodeAlert(m.Payload)
	if err != nil || !cmp.Equal(a, back) {
		t.Errorf("payload decodes to %+v, %v; want %+v", back, err, a)
	}
	if _, err := OutboxMessage(Alert{Kind: KindEscalation, IdempotencyKey: "escalation:0"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("OutboxMessage of an escalation without id: %v, want ErrInvalid", err)
	}
}

// TestProtocolRoundTrip: what Protocol encodes for the store decodes into
// the alert the sinks get.
func TestProtocolRoundTrip(t *testing.T) {
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m, err := Protocol{}.EscalationAlert(bot.EscalationInfo{ID: 5, ConversationID: 9, CustomerID: 3, Reason: bot.ReasonComplaint,
		Severity: SeverityHigh, Summary: "broken teapot", Status: bot.EscalationOpen, Created: created}, bot.ChannelWeb)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeItem(bot.OutboxItem{Kind: m.Kind, Key: m.Key, CustomerID: m.CustomerID, Payload: m.Payload})
	if err != nil {
		t.Fatal(err)
	}
	want := Alert{Kind: KindEscalation, IdempotencyKey: "escalation:5", Time: created, EscalationID: 5, ConversationID: 9,
		Customer: Customer{ID: 3}, Channel: bot.ChannelWeb, Reason: bot.ReasonComplaint, Severity: SeverityHigh,
		Summary: "broken teapot"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("escalation alert (-want +got):\n%s", diff)
	}
	if m.Kind != OutboxAlert || m.CustomerID != 3 {
		t.Errorf("escalation message %+v", m)
	}

	m, err = Protocol{}.LeadAlert(bot.LeadInfo{CustomerID: 3, ConversationID: 9, Channel: bot.ChannelWeb, Owner: "sam",
		Time: created})
	if err != nil {
		t.Fatal(err)
	}
	got, err = decodeItem(bot.OutboxItem{Kind: m.Kind, Key: m.Key, Payload: m.Payload})
	if err != nil {
		t.Fatal(err)
	}
	want = Alert{Kind: KindLead, IdempotencyKey: LeadKey(3, created), Time: created, ConversationID: 9,
		Customer: Customer{ID: 3}, Channel: bot.ChannelWeb, Reason: bot.ReasonLead, Owner: "sam"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lead alert (-want +got):\n%s", diff)
	}
	if _, err := (Protocol{}).EscalationAlert(bot.EscalationInfo{}, "web"); !errors.Is(err, ErrInvalid) {
		t.Errorf("EscalationAlert without an id: %v, want ErrInvalid", err)
	}
}

// TestLegacyItemsAreDelivered: items the store queued under the kinds it
// wrote before the protocol moved to this package ("escalation", "lead")
// are still delivered after an upgrade; a broken one is given up.
func TestLegacyItemsAreDelivered(t *testing.T) {
	clk := newClock()
	db := openStore(t, clk.Now, true)
	ctx := context.Background()
	conv, _, err := db.AppendInbound(ctx, bot.Inbound{Channel: bot.ChannelWeb, ExternalUserID: "old", Text: "hi", Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	at := clk.Now().Add(-time.Minute)
	legacy := func(kind, key string, p map[string]any) {
		t.Helper()
		b, _ := json.Marshal(p)
		if _, err := db.Enqueue(ctx, bot.OutboxMessage{Kind: kind, Key: key, CustomerID: conv.CustomerID, Payload: b}); err != nil {
			t.Fatal(err)
		}
	}
	legacy(legacyEscalation, "escalation:77", map[string]any{"escalation_id": 77, "conversation_id": conv.ID,
		"customer_id": conv.CustomerID, "channel": "web", "reason": "complaint", "severity": "high", "summary": "old one",
		"time": at})
	legacy(legacyLead, "lead:old", map[string]any{"customer_id": conv.CustomerID, "conversation_id": conv.ID,
		"channel": "web", "owner": "sam", "time": at})
	if _, err := db.Enqueue(ctx, bot.OutboxMessage{Kind: legacyEscalation, Key: "escalation:78",
		Payload: []byte(`{"escalation_id": "not a number"}`)}); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{name: "mem"}
	d, err := NewDispatcher(DispatcherOptions{Outbox: db, Sinks: []Sink{sink}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range sink.all() {
		got = append(got, strings.Join([]string{string(a.Kind), a.IdempotencyKey, a.Reason, a.Severity, a.Summary, a.Owner,
			a.Time.UTC().Format(time.RFC3339)}, "|"))
	}
	want := []string{
		"escalation|escalation:77|complaint|high|old one||" + at.Format(time.RFC3339),
		"lead|lead:old|lead|||sam|" + at.Format(time.RFC3339),
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("delivered legacy items (-want +got):\n%s", diff)
	}
	items, _ := db.Outbox(ctx, legacyEscalation, 10)
	for _, it := range items {
		if wantDead := it.Key == "escalation:78"; it.Dead != wantDead {
			t.Errorf("legacy item %s: dead=%v, want %v", it.Key, it.Dead, wantDead)
		}
	}
}
