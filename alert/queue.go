package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// RealertOutbox is the store's outbox for re-alerts: it records the
// re-alert (level, who is notified) together with queueing its message.
type RealertOutbox interface {
	EnqueueRealert(ctx context.Context, id bot.EscalationID, level int, notify string, m bot.OutboxMessage) (int64, error)
}

// Queue turns the decisions of the escalation watchers (re-alert an
// escalation, warn of a spike) into queued alerts. Outbox is required;
// Realerts is required for Realert.
type Queue struct {
	Outbox   Enqueuer
	Realerts RealertOutbox
	// Kick, optional, is called after an alert was queued (the Dispatcher's
	// Kick), so it goes out at once.
	Kick func()
}

// Realert queues re-alert r.Level of an escalation, keyed RealertKey, so a
// re-alert is queued once however often it is decided.
func (q Queue) Realert(ctx context.Context, r bot.Realert) error {
	if q.Realerts == nil {
		return fmt.Errorf("alert: realert escalation %d: no re-alert outbox", r.ID)
	}
	a := Alert{Kind: KindEscalation, IdempotencyKey: RealertKey(r.ID, r.Level), Time: r.Created, Level: r.Level,
		Notify: r.Notify, EscalationID: r.ID, ConversationID: r.ConversationID, Customer: Customer{ID: r.CustomerID},
		Channel: r.Channel, Reason: r.Reason, Severity: r.Severity, Summary: r.Summary}
	m, err := OutboxMessage(a)
	if err != nil {
		return fmt.Errorf("alert: realert escalation %d: %w", r.ID, err)
	}
	if _, err := q.Realerts.EnqueueRealert(ctx, r.ID, r.Level, r.Notify, m); err != nil {
		return fmt.Errorf("alert: realert escalation %d: %w", r.ID, err)
	}
	q.kick()
	return nil
}

// Warn queues one early warning per period and reason, and for a flood per
// origin too.
func (q Queue) Warn(ctx context.Context, w bot.Warning) error {
	key := EarlyWarningKey(w.Reason, w.Period)
	if w.Origin != "" {
		sum := sha256.Sum256([]byte(w.Origin))
		key += ":" + hex.EncodeToString(sum[:8])
	}
	a := Alert{Kind: KindEarlyWarning, Time: w.End, Severity: SeverityHigh, Reason: w.Reason,
		IdempotencyKey: key, Summary: w.Summary,
		Warning: &EarlyWarning{Window: w.Window, Count: w.Count, Baseline: w.Baseline, Topics: w.Topics,
			Channels: w.Channels, WindowEnd: w.End, Origin: w.Origin}}
	if _, err := Enqueue(ctx, q.Outbox, a); err != nil {
		return err
	}
	q.kick()
	return nil
}

func (q Queue) kick() {
	if q.Kick != nil {
		q.Kick()
	}
}
