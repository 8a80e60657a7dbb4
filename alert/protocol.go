package alert

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// This file is the outbox protocol: the one place that decides what an
// outbox message of an alert holds. Producers build an Alert and call
// Enqueue, or, for the escalations and leads the store opens inside its own
// transactions, the store calls Protocol. The store never looks inside.

// OutboxAlert is the outbox kind whose payload is an Alert in JSON.
const OutboxAlert = "alert"

// OutboxDelivery is the outbox kind of one alert's delivery to one sink.
// When an alert is routed to several sinks the Dispatcher replaces its item
// by one OutboxDelivery item per sink, keyed "<alert key>|<sink name>", so
// each sink's delivery is retried, and recorded, on its own.
const OutboxDelivery = "alert_delivery"

// Idempotency keys. Each names the event an alert reports, so that two
// producers reporting the same event queue one alert.

// EscalationKey is the key of the first alert of an escalation.
func EscalationKey(id bot.EscalationID) string { return fmt.Sprintf("escalation:%d", id) }

// RealertKey is the key of re-alert level (1, 2, …) of an escalation.
func RealertKey(id bot.EscalationID, level int) string {
	return fmt.Sprintf("escalation:%d:level:%d", id, level)
}

// LeadKey is the key of the alert that a customer became a lead at t.
func LeadKey(customerID int64, t time.Time) string {
	return fmt.Sprintf("lead:%d:%s", customerID, t.UTC().Format("2006-01-02T15:04:05.000000Z"))
}

// EarlyWarningKey is the key of the early warning about reason (complaints
// keep the key they always had) for the cool-down period that starts at
// period.
func EarlyWarningKey(reason string, period time.Time) string {
	if reason == bot.ReasonComplaint || reason == "" {
		return fmt.Sprintf("early_warning:%d", period.Unix())
	}
	return fmt.Sprintf("early_warning:%s:%d", reason, period.Unix())
}

// DigestKey is the key of the digest of the days [since, last].
func DigestKey(since, last time.Time) string {
	return "digest:" + since.Format(time.DateOnly) + ":" + last.Format(time.DateOnly)
}

// OutboxMessage returns the outbox message of a: an OutboxAlert keyed by its
// IdempotencyKey, for the customer it concerns. a must be valid.
func OutboxMessage(a Alert) (bot.OutboxMessage, error) {
	if err := a.Validate(); err != nil {
		return bot.OutboxMessage{}, err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return bot.OutboxMessage{}, fmt.Errorf("alert: encode %s: %w", a.IdempotencyKey, err)
	}
	return bot.OutboxMessage{Kind: OutboxAlert, Key: a.IdempotencyKey, CustomerID: a.Customer.ID, Payload: b}, nil
}

// Protocol writes the alerts of what the store records in its own
// transactions: a new escalation and a new lead. Its zero value is ready to
// use; it satisfies the store's alert encoder.
type Protocol struct{}

// EscalationAlert returns the first alert of a newly opened escalation of a
// conversation on channel.
func (Protocol) EscalationAlert(e bot.EscalationInfo, channel string) (bot.OutboxMessage, error) {
	return OutboxMessage(Alert{Kind: KindEscalation, IdempotencyKey: EscalationKey(e.ID), Time: e.Created,
		EscalationID: e.ID, ConversationID: e.ConversationID, Customer: Customer{ID: e.CustomerID}, Channel: channel,
		Reason: e.Reason, Severity: e.Severity, Summary: e.Summary})
}

// LeadAlert returns the alert that a customer became a sales lead.
func (Protocol) LeadAlert(l bot.LeadInfo) (bot.OutboxMessage, error) {
	return OutboxMessage(Alert{Kind: KindLead, IdempotencyKey: LeadKey(l.CustomerID, l.Time), Time: l.Time,
		ConversationID: l.ConversationID, Customer: Customer{ID: l.CustomerID}, Channel: l.Channel,
		Reason: bot.ReasonLead, Owner: l.Owner})
}

// legacy outbox kinds and payloads, written by the store itself before the
// protocol moved here; items of these kinds still queued after an upgrade
// are read as alerts.
const (
	legacyEscalation = "escalation"
	legacyLead       = "lead"
)

type legacyPayload struct {
	EscalationID   bot.EscalationID   `json:"escalation_id"`
	ConversationID bot.ConversationID `json:"conversation_id"`
	CustomerID     int64              `json:"customer_id"`
	Channel        string             `json:"channel"`
	Reason         string             `json:"reason"`
	Severity       string             `json:"severity"`
	Summary        string             `json:"summary"`
	Owner          string             `json:"owner"`
	Time           time.Time          `json:"time"`
}

// decodeItem returns the Alert an outbox item of kind OutboxAlert (or a
// legacy kind) carries. Errors wrap ErrInvalid.
func decodeItem(it bot.OutboxItem) (Alert, error) {
	switch it.Kind {
	case legacyEscalation, legacyLead:
		var p legacyPayload
		if err := json.Unmarshal(it.Payload, &p); err != nil {
			return Alert{}, fmt.Errorf("%w: %s payload: %w", ErrInvalid, it.Kind, err)
		}
		a := Alert{Kind: KindEscalation, IdempotencyKey: it.Key, Time: p.Time, EscalationID: p.EscalationID,
			ConversationID: p.ConversationID, Customer: Customer{ID: p.CustomerID}, Channel: p.Channel,
			Reason: p.Reason, Severity: p.Severity, Summary: p.Summary}
		if it.Kind == legacyLead {
			a = Alert{Kind: KindLead, IdempotencyKey: it.Key, Time: p.Time, ConversationID: p.ConversationID,
				Customer: Customer{ID: p.CustomerID}, Channel: p.Channel, Reason: bot.ReasonLead, Owner: p.Owner}
		}
		return a, nil
	}
	return DecodeAlert(it.Payload)
}
