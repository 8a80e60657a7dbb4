package escalation_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// alertPipeline is the real Engine (demo classifier and index) on a real
// store wrapped by alert.KickOnAlert, a running Dispatcher, and an httptest
// generic webhook that reports the idempotency key of every alert it gets.
func alertPipeline(tb testing.TB) (*bot.Engine, <-chan string) {
	tb.Helper()
	arrived := make(chan string, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- r.Header.Get("Idempotency-Key")
	}))
	tb.Cleanup(srv.Close)
	hook, err := alert.NewWebhook(alert.WebhookOptions{Name: "hook", URL: srv.URL, Format: alert.FormatGeneric,
		Secret: "bench-secret-0123456789"})
	if err != nil {
		tb.Fatal(err)
	}
	var d *alert.Dispatcher
	e, _ := realEngine(tb, func(db *sqlite.DB) bot.Store {
		if d, err = alert.NewDispatcher(alert.DispatcherOptions{Outbox: db, Records: db, Sinks: []alert.Sink{hook},
			PollInterval: time.Hour, PublicURL: "http://127.0.0.1:8080"}); err != nil {
			tb.Fatal(err)
		}
		return alert.KickOnAlert(db, d)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	tb.Cleanup(func() { cancel(); <-done })
	return e, arrived
}

var benchComplaints = []string{
	"This is the worst service ever, my tea arrived broken",
	"你们的服务太差了，我要投诉",
	"I'm furious, you charged me twice",
	"收到的茶叶发霉了，太恶心了",
}

// waitFor reads keys until want arrives or the timeout passes.
func waitFor(arrived <-chan string, want string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case k := <-arrived:
			if k == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestComplaintReachesSink(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo classifier")
	}
	e, arrived := alertPipeline(t)
	for i, text := range benchComplaints {
		r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: fmt.Sprintf("t%d", i), Text: text})
		if err != nil || r.EscalationID == 0 {
			t.Fatalf("%q: %+v, %v; want an escalation", text, r, err)
		}
		if !waitFor(arrived, alert.EscalationKey(r.EscalationID), 30*time.Second) {
			t.Fatalf("the alert of escalation %d never reached the sink", r.EscalationID)
		}
	}
}

// BenchmarkComplaintToAlert measures the time from a customer's complaint
// entering Engine.Handle (classified, stored with its escalation and outbox
// item in one durable transaction) to its alert being accepted by an
// httptest webhook, the Dispatcher woken by KickOnAlert. Goal: p99 ≤ 1 s.
func BenchmarkComplaintToAlert(b *testing.B) {
	e, arrived := alertPipeline(b)
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: fmt.Sprintf("b%d", i),
			Text: benchComplaints[i%len(benchComplaints)]})
		if err != nil || r.EscalationID == 0 {
			b.Fatalf("complaint %d: %+v, %v; want an escalation", i, r, err)
		}
		if !waitFor(arrived, alert.EscalationKey(r.EscalationID), time.Minute) {
			b.Fatalf("alert %d lost", r.EscalationID)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
}
