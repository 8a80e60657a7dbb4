package bot

import "time"

// InsightQuery selects the conversations and messages an insights report
// counts. See insights/METRICS.md for what each figure means.
type InsightQuery struct {
	// From and To bound the range, [From, To). Conversations count by the
	// time they were opened, messages and votes by their own time,
	// escalations by the time they were created, stage changes by the time
	// they happened. Day figures use UTC days: for exact day figures, From
	// and To should be UTC midnights.
	From, To time.Time
	// Channel, when set, keeps only that channel's conversations.
	Channel string
	// IdleBefore: a conversation still with the bot whose last message is
	// at or before IdleBefore counts as closed (the customer went quiet).
	IdleBefore time.Time
	// Gaps is the most knowledge gaps returned; ≤ 0 means 10.
	Gaps int
}

// InsightDay holds the figures of one UTC day and channel. The conversation
// figures are of the conversations opened that day; the message figures of
// the annotated inbound messages of that day; the votes of that day.
type InsightDay struct {
	Day     string // YYYY-MM-DD
	Channel string

	Conversations int64 // opened that day
	Messages      int64 // all messages of those conversations (customer, bot, agent, system)
	Closed        int64 // resolved, or with the bot and idle
	BotResolved   int64 // closed without handoff, negative signal or repeat within 24 h
	Escalated     int64 // handed to a human at least once
	Purchase      int64 // with at least one purchase_intent message
	Returning     int64 // opened within 30 days of the customer's previous conversation
	CSATSum       int64 // sum of the ratings given
	CSATCount     int64 // conversations rated

	Inbound    int64 // annotated inbound messages of that day
	OutOfScope int64 // ... with intent oos
	Complaints int64 // ... that are complaints
	Negative   int64 // ... that are negative

	Helpful    int64 // helpful votes cast that day
	NotHelpful int64 // not helpful votes cast that day
}

// InsightCustomers are the distinct customers of the range on one channel
// (Channel "" for all channels together).
type InsightCustomers struct {
	Channel   string
	Customers int64 // with a conversation opened in the range
	New       int64 // ... whose first contact is in the range
	Returning int64 // ... with a conversation opened within 30 days of their previous one
	Won       int64 // ... who moved to the lead stage won in the range
}

// InsightDuration is one bucket of a histogram of durations: Count values of
// exactly Millis milliseconds on Channel.
type InsightDuration struct {
	Channel string
	Millis  int64
	Count   int64
}

// InsightCount is a count of one key (an intent, an escalation reason, a
// knowledge-gap question) on one channel (empty when not split by channel).
type InsightCount struct {
	Channel string
	Key     string
	Count   int64
}

// InsightData is everything an insights report is computed from.
type InsightData struct {
	Days      []InsightDay       // by day, then channel; only days with something to count
	Customers []InsightCustomers // one per channel with conversations, then Channel "" for all
	// FirstResponse is the histogram of the time from a conversation's
	// opening to its first reply (bot or agent), per channel.
	FirstResponse []InsightDuration
	// TimeToHuman is the histogram of the time from an escalation (reason
	// other than lead) to its acknowledgement or takeover by a person, per
	// channel; unacknowledged escalations are left out.
	TimeToHuman     []InsightDuration
	Unacknowledged  int64          // escalations of the range no person has acknowledged yet
	Reasons         []InsightCount // escalations by channel and reason (lead included)
	Intents         []InsightCount // annotated inbound messages by channel and intent
	Gaps            []InsightCount // the most asked knowledge gaps of the range (Channel empty)
	Channels        []string       // channels with any recorded traffic, sorted
	EarliestMessage time.Time      // of the whole database; zero when it is empty
}

// KnowledgeGap is a question the bot could not answer (it asked the customer
// to clarify), counted over all customers under its normalised form.
type KnowledgeGap struct {
	ID        int64
	Question  string // NormalizeQuestion of the customer's text
	Language  string
	Count     int
	FirstSeen time.Time
	LastSeen  time.Time
	// Picked is the document customers most often picked when the bot
	// offered choices for this question, and Picks how often; empty when
	// none was picked.
	Picked string
	Picks  int
}
