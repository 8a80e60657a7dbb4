package bot

import (
	"context"
	"time"
)

// ConversationStatus is where a conversation stands in the handoff lifecycle.
type ConversationStatus string

// Conversation statuses: bot → waiting_human → human → resolved.
const (
	StatusBot          ConversationStatus = "bot"
	StatusWaitingHuman ConversationStatus = "waiting_human"
	StatusHuman        ConversationStatus = "human"
	StatusResolved     ConversationStatus = "resolved"
)

// HandedOff reports whether a human owns the conversation, so the bot must not
// answer.
func (s ConversationStatus) HandedOff() bool {
	return s == StatusWaitingHuman || s == StatusHuman
}

// Conversation is the state the Engine needs of a conversation.
type Conversation struct {
	ID         ConversationID
	CustomerID int64
	Channel    string
	Status     ConversationStatus
	Assignee   string
}

// Inbound is a customer's or employee's message to be stored before anything
// else happens.
type Inbound struct {
	Channel        string
	ExternalUserID string
	Role           Role
	Text           string
	Time           time.Time
}

// Annotation is what the classifier found in an inbound message, stored with
// it.
type Annotation struct {
	Intent     string
	Confidence float64
	Language   string
	Sentiment  float64
	Complaint  float64
	// IsComplaint and IsNegative are the Engine's judgement with its
	// thresholds (EngineOptions.ComplaintThreshold, NegativeSentiment):
	// segments, the spike warning and the reports count these flags and
	// never compare scores themselves, so they always agree with the bot.
	IsComplaint bool
	IsNegative  bool
}

// Escalation asks the store to hand a conversation to a human.
type Escalation struct {
	Reason   string // e.g. "complaint", "requested_human", "escalation_words"
	Severity string // "low", "normal", "high"
	Summary  string // a short, plain-text summary for the alert
	// Quiet opens the escalation without an alert of its own: its origin
	// opened too many (see EscalationGate), and a grouped warning stands
	// for them. It is in the queue like any other.
	Quiet bool
}

// Escalation reasons the Engine records.
const (
	ReasonComplaint       = "complaint"
	ReasonRequestedHuman  = "requested_human"
	ReasonEscalationWords = "escalation_words"
	ReasonRepeatedFailure = "repeated_failure"
	ReasonNegativeTrend   = "negative_trend"
	ReasonLead            = "lead"
)

// Outbound is the bot's reply and decision for one inbound message, stored in
// one transaction with the annotation of the inbound message and any
// escalation.
type Outbound struct {
	ConversationID ConversationID
	InboundID      int64
	Annotation     Annotation // of the inbound message
	Text           string     // the reply; empty when the bot stays silent
	Action         Action
	Intent         string
	Confidence     float64
	Language       string
	Sources        []Source
	Choices        []Source // offered "did you mean" choices, stored with the reply
	// Picked is the id of the offered choice the customer picked, which
	// this reply answers with; the store counts it against the knowledge
	// gap of the question that was not sure.
	Picked string
	Time   time.Time
	// Escalation, when set, moves the conversation to waiting_human, records
	// the escalation and enqueues its alert in the outbox, atomically.
	Escalation *Escalation
	// Lead, when set, marks the customer as a sales lead.
	Lead bool
}

// Stored is what the store returns for a recorded outbound message.
type Stored struct {
	MessageID    int64
	EscalationID EscalationID // non-zero when an escalation was opened
}

// Store keeps customers, conversations and messages. It is deliberately
// narrow so that another database can implement it. Implementations must be
// safe for concurrent use and must make every call durable before returning.
type Store interface {
	// AppendInbound resolves the customer of (channel, external user id),
	// creating it on first contact, finds the open conversation on that channel
	// or opens one, and appends the message. It returns the conversation as it
	// stands after the append and the stored message id.
	AppendInbound(ctx context.Context, in Inbound) (Conversation, int64, error)
	// RecentMessages returns up to n of the latest messages of a conversation,
	// oldest first.
	RecentMessages(ctx context.Context, conversationID ConversationID, n int) ([]StoredMessage, error)
	// AppendOutbound stores the bot's reply and decision (see Outbound).
	// If the conversation was handed off in the meantime and o is not a silent
	// relay, it fails with an *Error of code ECONFLICT and stores nothing, so
	// the bot can never talk over a human.
	AppendOutbound(ctx context.Context, o Outbound) (Stored, error)
}

// Message authors.
const (
	AuthorCustomer = "customer"
	AuthorBot      = "bot"
	AuthorAgent    = "agent"
	AuthorSystem   = "system"
)

// StoredMessage is one message of a conversation as the store keeps it.
type StoredMessage struct {
	ID             int64
	ConversationID ConversationID
	Inbound        bool
	Author         string // AuthorCustomer, AuthorBot, AuthorAgent or AuthorSystem
	Text           string
	// Annotation is what the classifier found in an inbound message; a
	// bot's message carries the intent, confidence and language of the
	// reply.
	Annotation
	// Label is an agent's verdict on an inbound message (LabelComplaint or
	// LabelNotComplaint), empty when nobody gave one; LabelAgent gave it.
	Label      string
	LabelAgent string
	Action     Action
	Sources    []Source
	Choices    []Source // "did you mean" choices a bot message offered
	Time       time.Time
}

// An agent's verdict on a customer's message (StoredMessage.Label).
const (
	LabelComplaint    = "complaint"
	LabelNotComplaint = "not_complaint"
)

// ConversationID identifies a conversation. It is a distinct type so that a
// conversation id can never be passed where an escalation id is meant.
type ConversationID int64

// EscalationID identifies an escalation: one handoff of a conversation to a
// human (a conversation may have several).
type EscalationID int64
