// Package storage is the contract of Concierge's store: everything it keeps
// (customers and their channel identities, conversations and messages, the
// handoff state, escalations, the outbox of alerts, customer events, notes,
// tags, knowledge gaps, feedback and the rollups the reports read) and the
// rules every engine follows. The engines live beside it: storage/sqlite
// (embedded, the default) and, for several replicas, storage/postgres. The
// conformance suite storage/storetest proves an engine against this contract.
//
// Consumers do not use Store: each declares the few methods it needs (the
// console, the alert dispatcher, the escalation service, the reports), and
// cmd/concierge wires an engine in. Package storage imports only package bot.
package storage

import (
	"context"
	"io"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Store is everything Concierge needs of a storage engine. Implementations
// are safe for concurrent use and make every change durable before
// returning. Errors a person can act on are *bot.Error values (ENOTFOUND,
// EINVALID, ECONFLICT, EUNAVAILABLE).
type Store interface {
	bot.Store             // the Engine: append inbound and outbound messages, recent messages
	bot.Ratings           // satisfaction ratings after a resolve
	bot.CustomerDirectory // VIPs

	// Customers and their records.
	Customers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error)
	Customer(ctx context.Context, id int64) (bot.Customer, error)
	Timeline(ctx context.Context, customerID int64, opts bot.TimelineOptions) ([]bot.TimelineEntry, error)
	Events(ctx context.Context, customerID int64) ([]bot.Event, error)
	Notes(ctx context.Context, customerID int64) ([]bot.Note, error)
	AddNote(ctx context.Context, customerID int64, conversationID bot.ConversationID, author, text string) (int64, error)
	AddTag(ctx context.Context, id int64, tag, actor string) error
	RemoveTag(ctx context.Context, id int64, tag, actor string) error
	UpdateContact(ctx context.Context, id int64, u bot.ContactUpdate, actor string) (int64, error)
	SetStage(ctx context.Context, id int64, stage, actor string) error
	SetOwner(ctx context.Context, id int64, owner, actor string) error
	Merge(ctx context.Context, from, into int64, actor string) error
	// Erase removes a customer's personal data, leaving no trace of it.
	Erase(ctx context.Context, id int64, actor string) error
	// Export streams messages with their customers to w (bot.ExportCSV or
	// bot.ExportJSON) and returns how many rows it wrote.
	Export(ctx context.Context, w io.Writer, opts bot.ExportOptions) (int64, error)

	// Conversations and the handoff.
	Conversation(ctx context.Context, id bot.ConversationID) (bot.ConversationInfo, error)
	Conversations(ctx context.Context, customerID int64) ([]bot.ConversationInfo, error)
	Messages(ctx context.Context, conversationID bot.ConversationID) ([]bot.StoredMessage, error)
	VisitorHistory(ctx context.Context, channel, externalID string, afterID int64, limit int) ([]bot.StoredMessage, error)
	// Claim gives a conversation to agent unless another agent holds it
	// (ECONFLICT); of many claiming at once exactly one succeeds.
	Claim(ctx context.Context, conversationID bot.ConversationID, agent string) error
	// Reassign gives a conversation to agent to, whoever holds it, on the
	// say of by; it is recorded as a reassigned event.
	Reassign(ctx context.Context, conversationID bot.ConversationID, to, by string) error
	ReturnToBot(ctx context.Context, conversationID bot.ConversationID, actor string) error
	Resolve(ctx context.Context, conversationID bot.ConversationID, actor string) error
	ResolveIfIdle(ctx context.Context, conversationID bot.ConversationID, t time.Time, actor string) (bool, error)
	AppendAgentMessage(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error)
	RequestRating(ctx context.Context, conversationID bot.ConversationID, question string) (int64, error)
	HandoffQueue(ctx context.Context, limit int) ([]bot.HandoffEntry, error)
	IdleHandoffs(ctx context.Context, t time.Time, limit int) ([]bot.ConversationID, error)

	// Escalations.
	Escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error)
	Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.EscalationInfo, error)
	AcknowledgeEscalation(ctx context.Context, id bot.EscalationID, who string) error
	OverdueEscalations(ctx context.Context, t time.Time, limit int) ([]bot.OverdueEscalation, error)
	EscalationDeliveries(ctx context.Context, escalationID bot.EscalationID) ([]bot.OutboxItem, error)
	// CountComplaints and Complaints read the customers' inbound messages of
	// [from, to) that the Engine judged complaints.
	CountComplaints(ctx context.Context, from, to time.Time) (int, error)
	Complaints(ctx context.Context, from, to time.Time, limit int) ([]bot.ComplaintMessage, error)

	// The outbox: kind, key and payload are opaque to the store. DueOutbox
	// returns undelivered, live items that are due, oldest first; an engine
	// that several processes share (storage/postgres) hands each item to one
	// caller for a lease, so two delivery workers never take the same item,
	// and an item whose worker died is due again when its lease ends.
	Enqueue(ctx context.Context, m bot.OutboxMessage) (int64, error)
	EnqueueRealert(ctx context.Context, id bot.EscalationID, level int, notify string, m bot.OutboxMessage) (int64, error)
	DueOutbox(ctx context.Context, limit int) ([]bot.OutboxItem, error)
	Outbox(ctx context.Context, kind string, limit int) ([]bot.OutboxItem, error)
	MarkDelivered(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, cause string, retryAt time.Time, dead bool) error

	// Reports.
	InsightData(ctx context.Context, q bot.InsightQuery) (bot.InsightData, error)
	KnowledgeGaps(ctx context.Context, limit int) ([]bot.KnowledgeGap, error)
	RecordFeedback(ctx context.Context, messageID int64, helpful bool, voter string) error

	// Agents' verdicts on customers' messages. LabelMessage records one
	// (bot.LabelComplaint, bot.LabelNotComplaint, or "" to withdraw it) on
	// a customer's message: ENOTFOUND when no customer's message has the
	// id, EINVALID for another label or no agent. ComplaintLabels returns
	// those whose text is still kept, newest first.
	LabelMessage(ctx context.Context, messageID int64, label, agent string) error
	ComplaintLabels(ctx context.Context, limit int) ([]bot.ComplaintLabel, error)
	// ReviewMessages returns the customers' messages since since that the
	// bot did not judge complaints and nobody has judged, but that read
	// negative or score at least minComplaint: the highest score first,
	// at most limit (default 50).
	ReviewMessages(ctx context.Context, since time.Time, minComplaint float64, limit int) ([]bot.ReviewMessage, error)

	// Console sign-outs. RevokeSession records that the session id was
	// signed out, until expires (when it would have ended anyway);
	// SessionRevoked reports whether it was. They are kept in the store,
	// not in a process, so a signed-out cookie stays signed out after a
	// restart and on every replica. Revoking twice changes nothing.
	RevokeSession(ctx context.Context, id []byte, expires time.Time) error
	SessionRevoked(ctx context.Context, id []byte) (bool, error)

	// Maintenance.
	RecomputeSegments(ctx context.Context) (int, error)
	PurgeTextBefore(ctx context.Context, before time.Time) (int64, error)
	Ping(ctx context.Context) error
	Close() error
}

// AlertEncoder turns what the store records into outbox messages for the
// people who must know (package alert's Protocol implements it). The store
// writes each message in the transaction that records the change and treats
// its kind, key and payload as opaque.
type AlertEncoder interface {
	// EscalationAlert is the message for a newly opened escalation of a
	// conversation on channel.
	EscalationAlert(e bot.EscalationInfo, channel string) (bot.OutboxMessage, error)
	// LeadAlert is the message for a customer who just became a sales lead.
	LeadAlert(l bot.LeadInfo) (bot.OutboxMessage, error)
}
