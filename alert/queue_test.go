package alert

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

// realertOutbox is a fake RealertOutbox and Enqueuer.
type realertOutbox struct {
	calls  []realertCall
	queued []bot.OutboxMessage
	err    error
}

type realertCall struct {
	ID     bot.EscalationID
	Level  int
	Notify string
	Msg    bot.OutboxMessage
}

func (o *realertOutbox) EnqueueRealert(ctx context.Context, id bot.EscalationID, level int, notify string, m bot.OutboxMessage) (int64, error) {
	if o.err != nil {
		return 0, o.err
	}
	o.calls = append(o.calls, realertCall{id, level, notify, m})
	return int64(len(o.calls)), nil
}

func (o *realertOutbox) Enqueue(ctx context.Context, m bot.OutboxMessage) (int64, error) {
	if o.err != nil {
		return 0, o.err
	}
	o.queued = append(o.queued, m)
	return int64(len(o.queued)), nil
}

func TestQueueRealert(t *testing.T) {
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	out := &realertOutbox{}
	kicks := 0
	q := Queue{Outbox: out, Realerts: out, Kick: func() { kicks++ }}
	r := bot.Realert{OverdueEscalation: bot.OverdueEscalation{EscalationInfo: bot.EscalationInfo{ID: 5, ConversationID: 9,
		CustomerID: 3, Reason: bot.ReasonComplaint, Severity: SeverityHigh, Summary: "broken teapot", Created: created},
		Channel: bot.ChannelWeb, Level: 1}, Level: 2, Notify: "head of support", Summary: "Not acknowledged after 30m0s. broken teapot"}
	if err := q.Realert(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if len(out.calls) != 1 || kicks != 1 {
		t.Fatalf("re-alert calls %+v, kicks %d; want one of each", out.calls, kicks)
	}
	c := out.calls[0]
	if c.ID != 5 || c.Level != 2 || c.Notify != "head of support" || c.Msg.Kind != OutboxAlert ||
		c.Msg.Key != RealertKey(5, 2) || c.Msg.CustomerID != 3 {
		t.Errorf("EnqueueRealert(%d, %d, %q, %+v), want escalation 5 level 2 keyed %s", c.ID, c.Level, c.Notify, c.Msg,
			RealertKey(5, 2))
	}
	a, err := DecodeAlert(c.Msg.Payload)
	if err != nil {
		t.Fatal(err)
	}
	want := Alert{Kind: KindEscalation, IdempotencyKey: RealertKey(5, 2), Time: created, Level: 2, Notify: "head of support",
		EscalationID: 5, ConversationID: 9, Customer: Customer{ID: 3}, Channel: bot.ChannelWeb, Reason: bot.ReasonComplaint,
		Severity: SeverityHigh, Summary: "Not acknowledged after 30m0s. broken teapot"}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("re-alert (-want +got):\n%s", diff)
	}

	if err := (Queue{Outbox: out}).Realert(context.Background(), r); err == nil {
		t.Error("Realert without a re-alert outbox succeeded")
	}
	out.err = errors.New("disk full")
	if err := q.Realert(context.Background(), r); !errors.Is(err, out.err) || kicks != 1 {
		t.Errorf("Realert with a failing outbox: %v (kicks %d), want the error and no kick", err, kicks)
	}
}

func TestQueueWarn(t *testing.T) {
	period := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	end := period.Add(20 * time.Minute)
	out := &realertOutbox{}
	kicks := 0
	q := Queue{Outbox: out, Kick: func() { kicks++ }}
	w := bot.Warning{Reason: bot.ReasonComplaint, Period: period, End: end, Window: 15 * time.Minute, Count: 9,
		Baseline: 1.5, Topics: []string{"parcel"}, Channels: []string{"web"}, Summary: "9 complaints"}
	if err := q.Warn(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if len(out.queued) != 1 || kicks != 1 {
		t.Fatalf("queued %+v, kicks %d; want one of each", out.queued, kicks)
	}
	a, err := DecodeAlert(out.queued[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	want := Alert{Kind: KindEarlyWarning, IdempotencyKey: EarlyWarningKey(bot.ReasonComplaint, period), Time: end,
		Severity: SeverityHigh, Reason: bot.ReasonComplaint, Summary: "9 complaints",
		Warning: &EarlyWarning{Window: 15 * time.Minute, Count: 9, Baseline: 1.5, Topics: []string{"parcel"},
			Channels: []string{"web"}, WindowEnd: end}}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("warning (-want +got):\n%s", diff)
	}
	// A warning with more topics than an alert may carry is refused, not
	// truncated silently.
	w.Topics = make([]string, MaxTopics+1)
	if err := q.Warn(context.Background(), w); !errors.Is(err, ErrInvalid) || kicks != 1 {
		t.Errorf("Warn with %d topics: %v (kicks %d), want ErrInvalid and no kick", len(w.Topics), err, kicks)
	}
}
