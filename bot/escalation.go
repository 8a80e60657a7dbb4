package bot

import (
	"context"
	"time"
)

// ConversationInfo is a conversation as the CLI and the console show it.
type ConversationInfo struct {
	ID            ConversationID
	CustomerID    int64
	Channel       string
	Status        ConversationStatus
	Assignee      string
	Opened        time.Time
	Closed        time.Time // zero while open
	FirstResponse time.Time // first reply by the bot or an agent; zero if none
	LastMessage   time.Time
	Messages      int
	CSAT          int // 1..5, 0 when not rated
}

// EscalationInfo is one escalation of a conversation to a human.
type EscalationInfo struct {
	ID             EscalationID
	ConversationID ConversationID
	CustomerID     int64
	MessageID      int64 // the inbound message that caused it, 0 if none
	Reason         string
	Severity       string
	Summary        string
	Status         string // EscalationOpen, EscalationAcknowledged or EscalationResolved
	Assignee       string
	Created        time.Time
	Acknowledged   time.Time
	Resolved       time.Time
	// Quiet is Escalation.Quiet of a newly opened escalation: no alert of
	// its own.
	Quiet bool
}

// EscalationFilter selects escalations. Zero fields match everything; Limit
// ≤ 0 means 100.
type EscalationFilter struct {
	Status     string
	CustomerID int64
	Limit      int
}

// Escalation statuses.
const (
	EscalationOpen         = "open"
	EscalationAcknowledged = "acknowledged"
	EscalationResolved     = "resolved"
)

// HandoffEntry is one conversation of the agents' queue.
type HandoffEntry struct {
	ConversationID ConversationID
	CustomerID     int64
	CustomerName   string
	Channel        string
	Status         ConversationStatus // StatusWaitingHuman or StatusHuman
	Assignee       string
	EscalationID   EscalationID // the latest escalation; 0 if the conversation has none
	Reason         string       // of the latest escalation
	Severity       string       // the highest of the unresolved escalations (else the latest's)
	Summary        string       // of the latest escalation
	Since          time.Time    // when the earliest unresolved escalation was opened (else the conversation)
	Acknowledged   time.Time    // of the latest escalation; zero while unacknowledged
	LastMessage    time.Time
}

// QueueItem is one conversation of the agents' queue: handed to a human and
// not resolved, with how long it has waited.
type QueueItem struct {
	HandoffEntry
	Wait    time.Duration // since the earliest unresolved escalation
	Overdue bool          // unacknowledged past the SLA
}

// OverdueEscalation is an open (unacknowledged) escalation with the highest
// re-alert level sent for it so far.
type OverdueEscalation struct {
	EscalationInfo
	Channel string
	Level   int // 0 when it was never re-alerted
}

// ComplaintMessage is an inbound message read as a complaint, for the
// early-warning detector.
type ComplaintMessage struct {
	ID      int64
	Channel string
	Intent  string
	Text    string // customer text: never log it above Debug
	Time    time.Time
}

// ComplaintLabel is an agent's verdict on a customer's message: whether it
// was a complaint, whatever the bot made of it. The complaint detector
// learns from them, so that a shop's own wording stops being escalated (or
// starts to be) once an agent has said so.
type ComplaintLabel struct {
	MessageID int64
	Complaint bool
	Text      string // customer text: never log it above Debug
	Agent     string
	Time      time.Time
}

// ReviewMessage is a customer's message the bot did not judge a complaint
// but that reads negative or nearly a complaint, and that no agent has
// given a verdict on: a complaint the bot may have missed, for an agent to
// look at.
type ReviewMessage struct {
	ID             int64
	ConversationID ConversationID
	CustomerID     int64
	Channel        string
	Text           string // customer text: never log it above Debug
	Complaint      float64
	Sentiment      float64
	Time           time.Time
}

// Realert is an escalation nobody acknowledged in time, to be alerted again
// at a higher level.
type Realert struct {
	OverdueEscalation
	Level   int    // 1, 2, …: the n-th re-alert
	Notify  string // who this level is addressed to (escalation.next)
	Summary string // why it is re-sent, then the escalation's summary
}

// Warning is an early warning: messages of one kind, such as complaints or
// requests for a person, arriving well above their usual rate. One warning is
// sent per Period.
type Warning struct {
	Reason   string        // ReasonComplaint, or the reason of a flood's escalations
	Origin   string        // a flood's origin (Message.Origin); empty for a complaint spike
	Period   time.Time     // start of the cool-down period the warning belongs to
	End      time.Time     // end of the window counted
	Window   time.Duration // length of the window counted
	Count    int           // messages in the window
	Baseline float64       // expected messages per window
	Topics   []string      // the most common topics, most common first
	Channels []string      // channels the messages came from
	Summary  string        // one line for people
}

// EscalationGate limits the escalations one origin (a client address, an
// API key) or one customer opens, so that a flood of requests for a person
// neither fills the managers' alerts nor hides a real one among them. It is
// consulted for every escalation the Engine opens for a customer.
type EscalationGate interface {
	// Admit reports whether the escalation r describes alerts on its own.
	// When it does not, the escalation is opened quietly and the gate
	// stands for it with one grouped warning. Admit must be fast and safe
	// for concurrent use.
	Admit(ctx context.Context, r EscalationRequest) bool
}

// EscalationRequest is an escalation about to be opened, as an
// EscalationGate sees it.
type EscalationRequest struct {
	Origin     string // Message.Origin; empty when the channel vouches for its senders
	Channel    string
	CustomerID int64
	Reason     string
	Severity   string
	Time       time.Time
}
