// Package alert tells managers and agents that something needs a human: an
// escalated conversation, a new sales lead, an early warning that complaints
// are spiking, or the weekly digest.
//
// An Alert is delivered through Sinks: Slack (Block Kit with Acknowledge /
// Take over / Resolve buttons), SMTP email (plain text and HTML), and robot
// webhooks in the formats of WeCom, DingTalk and Feishu, plus a generic signed
// JSON webhook. The Dispatcher is the outbox worker: it reads alerts that the
// store wrote in the same transaction as the change they report, routes each
// to its sinks and delivers it at least once, retrying with exponential
// backoff and full jitter, recording delivery per sink so that a sink that got
// an alert is never sent it again because another sink failed.
package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// Kind says what an Alert is about; it decides which fields are set and how
// sinks render it.
type Kind string

// The kinds of alerts.
const (
	// KindEscalation: a conversation was handed to a human. EscalationID,
	// ConversationID, Customer, Reason and Severity are set; sinks offer the
	// Acknowledge / Take over / Resolve actions.
	KindEscalation Kind = "escalation"
	// KindLead: a customer showed purchase intent and was passed to sales.
	KindLead Kind = "lead"
	// KindEarlyWarning: complaints spiked, or one source opened many
	// escalations (Warning.Origin); Warning is set. One grouped alert
	// stands for many complaints.
	KindEarlyWarning Kind = "early_warning"
	// KindDigest: periodic figures (e.g. the weekly report); Digest is set.
	KindDigest Kind = "digest"
)

// Severities of an alert, lowest first.
const (
	SeverityLow    = "low"
	SeverityNormal = "normal"
	SeverityHigh   = "high"
)

// severityRank orders severities; unknown severities rank as normal.
func severityRank(s string) int {
	switch s {
	case SeverityLow:
		return 0
	case SeverityHigh:
		return 2
	default:
		return 1
	}
}

// Customer names the customer an alert is about.
type Customer struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
}

// Label returns the customer's name, or "Customer #<id>" when the name is
// unknown, or "" for the zero Customer.
func (c Customer) Label() string {
	if n := strings.TrimSpace(c.Name); n != "" {
		return n
	}
	if c.ID != 0 {
		return "Customer #" + strconv.FormatInt(int64(c.ID), 10)
	}
	return ""
}

// Message is one message of the conversation, quoted in an alert so the
// reader sees what happened without opening the console. Text is customer
// text: sinks escape it for their format and logs never carry it above Debug.
type Message struct {
	Author string    `json:"author"` // "customer", "bot", "agent" or "system"
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
}

// EarlyWarning is the body of a KindEarlyWarning alert: the complaints of a
// window compared with their recent baseline.
type EarlyWarning struct {
	Window    time.Duration `json:"window"`     // length of the window counted
	Count     int           `json:"count"`      // complaints in the window
	Baseline  float64       `json:"baseline"`   // expected complaints per window
	Topics    []string      `json:"topics"`     // the most common topics, most common first
	Channels  []string      `json:"channels"`   // channels the complaints came from
	WindowEnd time.Time     `json:"window_end"` // end of the window counted
	// Origin is where a flood of escalations came from (an address, an API
	// key); empty for a complaint spike.
	Origin string `json:"origin,omitempty"`
}

// Digest is the body of a KindDigest alert. Lines are plain text, one figure
// or finding a line; sinks render them as a list and escape them.
type Digest struct {
	Title string   `json:"title"`
	Lines []string `json:"lines"`
}

// Alert is one notification for the people who handle escalations. The JSON
// form is the payload of an OutboxAlert item and the body of the generic
// webhook.
type Alert struct {
	Kind Kind `json:"kind"`
	// IdempotencyKey identifies the alert: every delivery attempt of the same
	// alert carries the same key, so a receiver that sees it twice can drop
	// the second copy. Re-alerts at a higher Level have their own key.
	IdempotencyKey string    `json:"idempotency_key"`
	Time           time.Time `json:"time"` // when the event happened
	// Level is 0 for the first alert of an escalation and 1, 2, ... for the
	// re-alerts sent when its SLA passed without acknowledgement.
	Level int `json:"level"`
	// Notify names who this alert is addressed to at this level (e.g. the
	// entry of escalation.next); empty means the sink's usual audience.
	Notify string `json:"notify,omitempty"`

	EscalationID   bot.EscalationID   `json:"escalation_id,omitempty"`
	ConversationID bot.ConversationID `json:"conversation_id,omitempty"`
	Customer       Customer           `json:"customer"`
	Channel        string             `json:"channel,omitempty"`
	Reason         string             `json:"reason,omitempty"`
	Severity       string             `json:"severity,omitempty"` // SeverityLow, SeverityNormal or SeverityHigh
	Summary        string             `json:"summary,omitempty"`  // short plain text
	Messages       []Message          `json:"messages,omitempty"` // the last messages, oldest first
	Owner          string             `json:"owner,omitempty"`    // sales owner of a lead
	// ConsoleURL links to the conversation in the agent console:
	// <PublicURL>/console/conversations/<ConversationID>.
	ConsoleURL string `json:"console_url,omitempty"`

	// Company is the name of the company the alert is about, for managers
	// who receive the alerts of more than one; the Dispatcher sets it from
	// its options when the payload has none. Sinks put it in the title and
	// the footer.
	Company string `json:"company,omitempty"`

	Warning *EarlyWarning `json:"early_warning,omitempty"` // set for KindEarlyWarning
	Digest  *Digest       `json:"digest,omitempty"`        // set for KindDigest
}

// Limits on what an Alert may carry, so that one alert fits every sink.
const (
	MaxMessages     = 20   // quoted messages
	MaxTextRunes    = 4000 // runes of one text field (summary, message, line)
	MaxDigestLines  = 200  // lines of a digest
	MaxTopics       = 20   // topics of an early warning
	MaxKeyBytes     = 200  // bytes of an idempotency key
	maxPayloadBytes = 1 << 20
)

// ErrInvalid is wrapped by the errors of Validate and DecodeAlert.
var ErrInvalid = errors.New("invalid alert")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate reports whether a is complete and within the limits: a known kind,
// an idempotency key, valid UTF-8 text, the body its kind needs, and a known
// severity when one is set. The error wraps ErrInvalid.
func (a Alert) Validate() error {
	switch a.Kind {
	case KindEscalation:
		if a.EscalationID <= 0 {
			return invalid("escalation alert without an escalation id")
		}
	case KindLead:
	case KindEarlyWarning:
		if a.Warning == nil {
			return invalid("early warning without its figures")
		}
		if len(a.Warning.Topics) > MaxTopics {
			return invalid("early warning with %d topics, more than %d", len(a.Warning.Topics), MaxTopics)
		}
	case KindDigest:
		if a.Digest == nil {
			return invalid("digest without its lines")
		}
		if len(a.Digest.Lines) > MaxDigestLines {
			return invalid("digest with %d lines, more than %d", len(a.Digest.Lines), MaxDigestLines)
		}
	default:
		return invalid("unknown kind %q", a.Kind)
	}
	if a.IdempotencyKey == "" || len(a.IdempotencyKey) > MaxKeyBytes {
		return invalid("idempotency key must have 1 to %d bytes", MaxKeyBytes)
	}
	if a.Level < 0 {
		return invalid("negative level %d", a.Level)
	}
	switch a.Severity {
	case "", SeverityLow, SeverityNormal, SeverityHigh:
	default:
		return invalid("unknown severity %q", a.Severity)
	}
	if len(a.Messages) > MaxMessages {
		return invalid("%d messages, more than %d", len(a.Messages), MaxMessages)
	}
	texts := []string{a.IdempotencyKey, a.Notify, a.Customer.Name, a.Channel, a.Reason, a.Summary, a.Owner, a.ConsoleURL}
	for _, m := range a.Messages {
		texts = append(texts, m.Author, m.Text)
	}
	if w := a.Warning; w != nil {
		texts = append(texts, w.Topics...)
		texts = append(texts, w.Channels...)
	}
	if d := a.Digest; d != nil {
		texts = append(texts, d.Title)
		texts = append(texts, d.Lines...)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return invalid("text is not valid UTF-8")
		}
		if utf8.RuneCountInString(s) > MaxTextRunes {
			return invalid("a text field is longer than %d characters", MaxTextRunes)
		}
	}
	if a.ConsoleURL != "" && !strings.HasPrefix(a.ConsoleURL, "https://") && !strings.HasPrefix(a.ConsoleURL, "http://") {
		return invalid("console URL must be http or https")
	}
	return nil
}

// DecodeAlert parses the JSON form of an Alert (an OutboxAlert payload) and
// validates it. Unknown fields are ignored so that older workers can read
// alerts written by newer ones. The error wraps ErrInvalid.
func DecodeAlert(payload []byte) (Alert, error) {
	var a Alert
	if len(payload) > maxPayloadBytes {
		return a, invalid("payload of %d bytes is over the limit", len(payload))
	}
	if err := json.Unmarshal(payload, &a); err != nil {
		return Alert{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := a.Validate(); err != nil {
		return Alert{}, err
	}
	return a, nil
}

// Sink delivers alerts to one destination. Send must return only once the
// destination accepted the alert, honour ctx's deadline, and be safe for
// concurrent use. A Sink may receive the same alert more than once (delivery
// is at least once); it passes a.IdempotencyKey on where its destination can
// use it.
type Sink interface {
	// Name identifies the sink in routing rules, logs and metrics: short,
	// unique among the sinks of a Dispatcher, stable across restarts.
	Name() string
	Send(ctx context.Context, a Alert) error
}

// RetryAfterError is returned by a sink whose destination asked to be called
// again no sooner than After (HTTP 429 with Retry-After, robot rate limits).
// The Dispatcher waits at least that long before the next attempt.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the cause.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// Enqueuer adds messages to a transactional outbox; the store satisfies it.
// A message whose key is already queued is not added again.
type Enqueuer interface {
	Enqueue(ctx context.Context, m bot.OutboxMessage) (int64, error)
}

// Enqueue validates a and adds it to the outbox as an OutboxAlert item keyed
// by a.IdempotencyKey, so enqueueing the same alert twice delivers it once.
// It returns the item's id. Call Dispatcher.Kick afterwards to deliver it at
// once instead of at the next poll.
func Enqueue(ctx context.Context, q Enqueuer, a Alert) (int64, error) {
	m, err := OutboxMessage(a)
	if err != nil {
		return 0, fmt.Errorf("alert: enqueue: %w", err)
	}
	id, err := q.Enqueue(ctx, m)
	if err != nil {
		return 0, fmt.Errorf("alert: enqueue %s: %w", a.IdempotencyKey, err)
	}
	return id, nil
}
