package escalation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/escalation"
)

// warnings records the grouped warnings a gate sends.
type warnings struct {
	mu sync.Mutex
	ws []bot.Warning
}

func (w *warnings) Realert(ctx context.Context, r bot.Realert) error { return nil }
func (w *warnings) Warn(ctx context.Context, x bot.Warning) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ws = append(w.ws, x)
	return nil
}
func (w *warnings) all() []bot.Warning {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]bot.Warning(nil), w.ws...)
}

func newFlood(t *testing.T, now *time.Time, o escalation.FloodOptions) (*escalation.Flood, *warnings) {
	t.Helper()
	ws := &warnings{}
	o.Alerts = ws
	o.Now = func() time.Time { return *now }
	f, err := escalation.NewFlood(o)
	if err != nil {
		t.Fatal(err)
	}
	return f, ws
}

// TestFloodOneAddress: thirty visitors from one address asking for a
// person within a minute open thirty escalations, of which the first alerts
// on its own and the rest are grouped into one warning.
func TestFloodOneAddress(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f, ws := newFlood(t, &now, escalation.FloodOptions{})
	admitted := 0
	for i := range 30 {
		now = now.Add(2 * time.Second)
		if f.Admit(context.Background(), bot.EscalationRequest{Origin: "addr:203.0.113.7", Channel: "web",
			CustomerID: int64(100 + i), Reason: bot.ReasonRequestedHuman, Severity: "normal", Time: now}) {
			admitted++
		}
	}
	if admitted != 1 {
		t.Errorf("%d of 30 escalations from one address alerted on their own, want 1", admitted)
	}
	got := ws.all()
	if len(got) != 1 {
		t.Fatalf("%d grouped warnings, want 1: %+v", len(got), got)
	}
	if w := got[0]; w.Origin != "addr:203.0.113.7" || w.Reason != bot.ReasonRequestedHuman || w.Count < 3 {
		t.Errorf("warning %+v, want the origin, the reason and the count", w)
	}
	// Another address is not held back by the first one's flood.
	if !f.Admit(context.Background(), bot.EscalationRequest{Origin: "addr:198.51.100.1", CustomerID: 1, Reason: bot.ReasonComplaint, Time: now}) {
		t.Error("a customer from another address was held back by someone else's flood")
	}
	// After the window the address is admitted again, and a new flood gets
	// a new warning.
	now = now.Add(11 * time.Minute)
	if !f.Admit(context.Background(), bot.EscalationRequest{Origin: "addr:203.0.113.7", CustomerID: 999, Reason: bot.ReasonRequestedHuman, Time: now}) {
		t.Error("the address is still held back after its window")
	}
	for i := range 5 {
		f.Admit(context.Background(), bot.EscalationRequest{Origin: "addr:203.0.113.7", CustomerID: int64(2000 + i), Reason: bot.ReasonRequestedHuman, Time: now})
	}
	if n := len(ws.all()); n != 2 {
		t.Errorf("%d warnings after a second flood in a new window, want 2", n)
	}
}

// TestFloodOneCustomer: a customer reopening escalation after escalation
// through a channel that names no origin is limited too.
func TestFloodOneCustomer(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f, ws := newFlood(t, &now, escalation.FloodOptions{PerCustomer: 2})
	var got []bool
	for range 4 {
		got = append(got, f.Admit(context.Background(), bot.EscalationRequest{Channel: "slack", CustomerID: 7, Reason: bot.ReasonComplaint, Time: now}))
	}
	if fmt.Sprint(got) != "[true true false false]" {
		t.Errorf("admitted %v, want the first two", got)
	}
	if n := len(ws.all()); n != 0 {
		t.Errorf("%d warnings for one customer without an origin, want none (no origin to name)", n)
	}
}

// TestFloodManyAddresses: a flood from many addresses keeps memory bounded
// and still admits the first escalation of each.
func TestFloodManyAddresses(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f, _ := newFlood(t, &now, escalation.FloodOptions{MaxOrigins: 100})
	for i := range 1000 {
		now = now.Add(time.Millisecond)
		if !f.Admit(context.Background(), bot.EscalationRequest{Origin: fmt.Sprintf("addr:10.0.%d.%d", i/256, i%256), CustomerID: int64(i), Time: now}) {
			t.Fatalf("first escalation of address %d held back", i)
		}
	}
}

func TestNewFloodErrors(t *testing.T) {
	if _, err := escalation.NewFlood(escalation.FloodOptions{}); err == nil {
		t.Error("no Alerts accepted")
	}
	if _, err := escalation.NewFlood(escalation.FloodOptions{Alerts: &warnings{}, PerOrigin: -1}); err == nil {
		t.Error("negative limit accepted")
	}
}
