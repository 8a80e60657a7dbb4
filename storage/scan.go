package storage

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Every engine's schema has the same columns for conversations, escalations,
// notes, events, customers and outbox items, so the functions that map a
// row to its bot type are written once, here. Only times come back from
// the engines in different forms: PostgreSQL returns a time.Time, SQLite
// the text it stores (TimeLayout). Time reads either.

// TimeLayout is how an engine that keeps times as text (SQLite) writes
// them: UTC, fixed width, so that text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time written in TimeLayout, or (written by hand or by
// an older tool) in RFC 3339; anything else is the zero time.
func ParseTime(s string) time.Time {
	if t, ok := parseFixed(s); ok {
		return t
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t
}

// parseFixed parses TimeLayout without the generality of time.Parse: it is
// on the path of every row read.
func parseFixed(s string) (time.Time, bool) {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var v [7]int
	for i, r := range [7][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, 26}} {
		n, ok := num(r[0], r[1])
		if !ok {
			return time.Time{}, false
		}
		v[i] = n
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60 {
		return time.Time{}, false
	}
	return time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], v[6]*1000, time.UTC), true
}

// Time is a Scan destination (a database/sql Scanner, which pgx honours
// too) that reads a time column of any engine into *t: a time.Time (in
// UTC), text (ParseTime) or NULL (the zero time).
func Time(t *time.Time) *TimeDest { return &TimeDest{t} }

// TimeDest is the Scan destination Time returns.
type TimeDest struct{ t *time.Time }

// Scan implements database/sql's Scanner.
func (d *TimeDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.t = time.Time{}
	case time.Time:
		*d.t = v.UTC()
	case string:
		*d.t = ParseTime(v)
	case []byte:
		*d.t = ParseTime(string(v))
	default:
		return fmt.Errorf("storage: cannot read a time from %T", src)
	}
	return nil
}

// ConversationCols are the columns of a conversations row that
// ScanConversation reads.
const ConversationCols = `id, customer_id, channel, status, assignee, opened, closed, first_response, last_message,
	message_count, coalesce(csat, 0)`

// ScanConversation reads a row of ConversationCols.
func ScanConversation(sc RowScanner) (bot.ConversationInfo, error) {
	var c bot.ConversationInfo
	var status string
	err := sc.Scan(&c.ID, &c.CustomerID, &c.Channel, &status, &c.Assignee, Time(&c.Opened), Time(&c.Closed),
		Time(&c.FirstResponse), Time(&c.LastMessage), &c.Messages, &c.CSAT)
	c.Status = bot.ConversationStatus(status)
	return c, err
}

// EscalationCols are the columns of an escalations row that ScanEscalation
// reads.
const EscalationCols = `id, conversation_id, customer_id, coalesce(message_id, 0), reason, severity, summary, status, assignee,
	created, acknowledged, resolved`

// ScanEscalation reads a row of EscalationCols.
func ScanEscalation(sc RowScanner) (bot.EscalationInfo, error) {
	var e bot.EscalationInfo
	err := sc.Scan(escalationDest(&e)...)
	return e, err
}

// ScanOverdue reads a row of EscalationCols (under any alias) followed by the
// conversation's channel and the escalation's re-alert level.
func ScanOverdue(sc RowScanner) (bot.OverdueEscalation, error) {
	var o bot.OverdueEscalation
	err := sc.Scan(append(escalationDest(&o.EscalationInfo), &o.Channel, &o.Level)...)
	return o, err
}

// escalationDest are the Scan destinations of EscalationCols in e.
func escalationDest(e *bot.EscalationInfo) []any {
	return []any{&e.ID, &e.ConversationID, &e.CustomerID, &e.MessageID, &e.Reason, &e.Severity, &e.Summary,
		&e.Status, &e.Assignee, Time(&e.Created), Time(&e.Acknowledged), Time(&e.Resolved)}
}

// NoteCols are the columns of a notes row that ScanNote reads.
const NoteCols = `id, customer_id, coalesce(conversation_id, 0), author, text, created`

// ScanNote reads a row of NoteCols.
func ScanNote(sc RowScanner) (bot.Note, error) {
	var n bot.Note
	err := sc.Scan(&n.ID, &n.CustomerID, &n.ConversationID, &n.Author, &n.Text, Time(&n.Created))
	return n, err
}

// EventCols are the columns of a customer_events row that ScanEvent reads.
const EventCols = `id, customer_id, coalesce(conversation_id, 0), kind, detail, actor, time`

// ScanEvent reads a row of EventCols.
func ScanEvent(sc RowScanner) (bot.Event, error) {
	var e bot.Event
	var detail string
	err := sc.Scan(&e.ID, &e.CustomerID, &e.ConversationID, &e.Kind, &detail, &e.Actor, Time(&e.Time))
	e.Detail = json.RawMessage(detail)
	return e, err
}

// ScanCustomer reads a row of CustomerCols.
func ScanCustomer(sc RowScanner) (bot.Customer, error) {
	var c bot.Customer
	err := sc.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Language, &c.Segment, &c.Stage, &c.Owner, Time(&c.Created),
		Time(&c.Updated), &c.Role, &c.Inbound, &c.Outbound, &c.Complaints, Time(&c.LastSeen), Time(&c.Erased), &c.MergedInto)
	return c, err
}

// ScanOutbox reads a row of OutboxCols.
func ScanOutbox(sc RowScanner) (bot.OutboxItem, error) {
	var it bot.OutboxItem
	var payload string
	err := sc.Scan(&it.ID, &it.Kind, &it.Key, &it.CustomerID, &payload, &it.Attempts, &it.LastError, Time(&it.NextAttempt),
		Time(&it.Created), Time(&it.Delivered), &it.Dead)
	it.Payload = json.RawMessage(payload)
	return it, err
}

// ScanComplaint reads a row (id, channel, intent, text, time) of a
// complaint message.
func ScanComplaint(sc RowScanner) (bot.ComplaintMessage, error) {
	var c bot.ComplaintMessage
	err := sc.Scan(&c.ID, &c.Channel, &c.Intent, &c.Text, Time(&c.Time))
	return c, err
}

// MessageCols are the columns of a messages row that ScanMessage reads.
const MessageCols = `id, conversation_id, inbound, author, text, intent, confidence, language, sentiment, complaint, is_complaint, is_negative, label, label_agent, action, sources, choices, time`

// Qualify returns a list of columns, such as MessageCols, with each column
// qualified by the table alias t.
func Qualify(t, cols string) string { return t + "." + strings.ReplaceAll(cols, ", ", ", "+t+".") }

// ScanMessage reads a row of MessageCols; sources and choices are JSON
// lists (JSONList), NULL or empty for none.
func ScanMessage(sc RowScanner) (bot.StoredMessage, error) {
	var m bot.StoredMessage
	var action string
	var sources, choices *string
	if err := sc.Scan(&m.ID, &m.ConversationID, &m.Inbound, &m.Author, &m.Text, &m.Intent, &m.Confidence,
		&m.Language, &m.Sentiment, &m.Complaint, &m.IsComplaint, &m.IsNegative, &m.Label, &m.LabelAgent, &action, &sources, &choices, Time(&m.Time)); err != nil {
		return m, err
	}
	m.Action = bot.Action(action)
	if sources != nil && *sources != "" {
		if err := json.Unmarshal([]byte(*sources), &m.Sources); err != nil {
			return m, fmt.Errorf("message %d: sources: %w", m.ID, err)
		}
	}
	if choices != nil && *choices != "" {
		if err := json.Unmarshal([]byte(*choices), &m.Choices); err != nil {
			return m, fmt.Errorf("message %d: choices: %w", m.ID, err)
		}
	}
	return m, nil
}

// JSONList is the JSON of a list of sources for the sources and choices
// columns of messages, or nil (NULL) when the list is empty.
func JSONList(list []bot.Source) (*string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}
