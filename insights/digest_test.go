package insights_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/insights"
)

// alertSender is the wiring cmd uses: a digest becomes an alert of kind
// digest in the outbox.
type alertSender struct{ q alert.Enqueuer }

func (s alertSender) SendDigest(ctx context.Context, d insights.Digest) error {
	_, err := alert.Enqueue(ctx, s.q, alert.Alert{Kind: alert.KindDigest, IdempotencyKey: d.Key, Time: d.Until,
		Digest: &alert.Digest{Title: d.Title, Lines: d.Lines}})
	return err
}

type sink struct {
	mu  sync.Mutex
	got []alert.Alert
}

func (s *sink) Name() string { return "test" }
func (s *sink) Send(ctx context.Context, a alert.Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, a)
	return nil
}

func TestDigestReachesSink(t *testing.T) {
	db := openDB(t, seeded(t))
	sched, err := insights.NewScheduler(insights.SchedulerOptions{Reporter: reporter(t, db, demoEnd),
		Sender: alertSender{db}, Now: func() time.Time { return demoEnd }})
	if err != nil {
		t.Fatal(err)
	}
	d, err := sched.SendNow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sched.SendNow(context.Background()); err != nil { // the same period again: delivered once
		t.Fatal(err)
	}
	s := &sink{}
	disp, err := alert.NewDispatcher(alert.DispatcherOptions{Outbox: db, Sinks: []alert.Sink{s},
		Routes: []alert.Route{{Kinds: []alert.Kind{alert.KindDigest}, Sinks: []string{"test"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := disp.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var digests []alert.Alert
	for _, a := range s.got {
		if a.Kind == alert.KindDigest {
			digests = append(digests, a)
		}
	}
	if len(digests) != 1 {
		t.Fatalf("sink got %d digests, want 1", len(digests))
	}
	got := digests[0].Digest
	if got.Title != d.Title || !strings.Contains(strings.Join(got.Lines, "\n"), "Bot resolution") ||
		!strings.Contains(strings.Join(got.Lines, "\n"), "without an answer") {
		t.Fatalf("digest = %q %q", got.Title, got.Lines)
	}
}
