package bot

import (
	"encoding/json"
	"time"
)

// Customer is one person's record across channels.
type Customer struct {
	ID       int64
	Name     string
	Email    string
	Phone    string
	Language string
	Segment  string // SegmentNew, SegmentActive, SegmentAtRisk, SegmentVIP or SegmentInactive
	Stage    string // lead stage; StageNone when the customer is not a lead
	Owner    string // sales owner
	Created  time.Time
	Updated  time.Time
	// Identities are the customer's ids on each channel, by channel then id.
	Identities []Identity

	Role       string    // "customer" or "employee"
	Tags       []string  // sorted
	Inbound    int       // messages the customer wrote (kept after erase)
	Outbound   int       // replies by the bot and agents (kept after erase)
	Complaints int       // messages counted as complaints (kept after erase)
	LastSeen   time.Time // time of the customer's latest message
	Erased     time.Time // when personal data was erased; zero if never
	MergedInto int64     // the customer this record was merged into; 0 if none
}

// Identity is a customer's id on one channel.
type Identity struct {
	Channel    string
	ExternalID string
}

// CustomerFilter selects customers. Empty fields match everything. Limit ≤ 0
// means no limit. AfterID pages: only customers with a larger id are returned.
type CustomerFilter struct {
	Segment string
	Stage   string
	Limit   int
	AfterID int64
	Tag     string
	// Query matches a substring of name, email or phone, case-insensitively.
	Query string
}

// ContactUpdate changes a customer's contact data. Empty fields are left
// unchanged; personal data is removed with Erase.
type ContactUpdate struct {
	Name     string
	Email    string // stored trimmed and lower-case
	Phone    string // stored as digits with an optional leading +
	Language string // "en", "zh", …
}

// Note is an agent's private note on a customer.
type Note struct {
	ID             int64
	CustomerID     int64
	ConversationID ConversationID // 0 when not about one conversation
	Author         string
	Text           string
	Created        time.Time
}

// Event is one recorded change of a customer or of one of its conversations.
type Event struct {
	ID             int64
	CustomerID     int64
	ConversationID ConversationID // 0 when about the customer as a whole
	Kind           string
	// Detail holds the kind's facts (from/to stages, escalation reason, …)
	// as JSON; it never holds customer text.
	Detail json.RawMessage
	Actor  string // the person who made the change; empty for the bot
	Time   time.Time
}

// Kinds of customer events. Every change of a customer's or conversation's
// status is recorded as one.
const (
	EventCreated        = "created"         // first contact
	EventNewLead        = "new_lead"        // became a sales lead
	EventStageChanged   = "stage_changed"   // lead stage moved
	EventSegmentChanged = "segment_changed" // segment recomputed to a new value
	EventEscalated      = "escalated"       // a conversation was handed to a human
	EventTakenOver      = "taken_over"      // an agent took a conversation
	EventReassigned     = "reassigned"      // a manager gave a conversation to another agent
	EventReturnedToBot  = "returned_to_bot" // an agent gave a conversation back to the bot
	EventResolved       = "resolved"        // a conversation was resolved
	EventMerged         = "merged"          // another customer was merged into this one
	EventMergedInto     = "merged_into"     // this customer was merged into another
	EventContactChanged = "contact_changed" // name, email, phone or language changed
	EventOwnerChanged   = "owner_changed"   // the sales owner changed
	EventTagged         = "tagged"          // a tag was added
	EventUntagged       = "untagged"        // a tag was removed
	EventCSAT           = "csat"            // the customer rated a conversation
	EventErased         = "erased"          // personal data was erased
)

// TimelineEntry is one item of a customer's timeline: exactly one of
// Message, Event and Note is set.
type TimelineEntry struct {
	Time    time.Time
	Channel string // channel of the conversation it belongs to; empty for customer-wide events and notes
	Message *StoredMessage
	Event   *Event
	Note    *Note
}

// TimelineOptions shapes a timeline. Limit > 0 keeps only the latest Limit
// entries; 0 returns all of them.
type TimelineOptions struct {
	Limit int
}

// Lead stages of the sales pipeline: new → contacted → qualified → won | lost.
// A customer who is not a lead has the empty stage.
const (
	StageNone      = ""
	StageNew       = "new"
	StageContacted = "contacted"
	StageQualified = "qualified"
	StageWon       = "won"
	StageLost      = "lost"
)

// Customer segments, from most to least urgent. A customer is in exactly one
// segment: the first whose rule matches, in this order.
const (
	SegmentAtRisk   = "at_risk"  // complained, was escalated for a complaint, or wrote negatively, recently
	SegmentVIP      = "vip"      // matches the VIP rule of SegmentRules
	SegmentNew      = "new"      // first contact recently
	SegmentActive   = "active"   // wrote recently
	SegmentInactive = "inactive" // none of the above
)

// ExportOptions selects what Export writes.
type ExportOptions struct {
	Format     string // ExportCSV (default) or ExportJSON
	CustomerID int64  // only this customer's messages; 0 for all
}

// ExportRow is one exported message with its customer and channel. Its JSON
// form is one line of ExportJSON.
type ExportRow struct {
	MessageID      int64          `json:"message_id"`
	Time           string         `json:"time"` // RFC 3339, UTC
	CustomerID     int64          `json:"customer_id"`
	CustomerName   string         `json:"customer_name"`
	CustomerEmail  string         `json:"customer_email"`
	CustomerPhone  string         `json:"customer_phone"`
	Channel        string         `json:"channel"`
	ConversationID ConversationID `json:"conversation_id"`
	Direction      string         `json:"direction"` // "in" or "out"
	Author         string         `json:"author"`
	Text           string         `json:"text"`
	Intent         string         `json:"intent"`
	Confidence     float64        `json:"confidence"`
	Language       string         `json:"language"`
	Sentiment      float64        `json:"sentiment"`
	Action         string         `json:"action"`
	Redacted       bool           `json:"redacted"` // text removed by erase or retention
}

// Export formats.
const (
	ExportCSV  = "csv"  // RFC 4180 with a header row; cells that a spreadsheet would run as formulas are neutralised
	ExportJSON = "json" // JSON Lines: one object per message
)

// Segments lists the segment names in order of precedence.
func Segments() []string {
	return []string{SegmentAtRisk, SegmentVIP, SegmentNew, SegmentActive, SegmentInactive}
}

// Stages lists the lead stages in pipeline order.
func Stages() []string {
	return []string{StageNew, StageContacted, StageQualified, StageWon, StageLost}
}
