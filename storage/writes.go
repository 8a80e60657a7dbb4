package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// CustomerState is what the write paths of every engine need of a customer
// row.
type CustomerState struct {
	ID       int64
	Segment  string // the segment stored, which UpdateSegment compares with the rules' verdict
	Language string
	Owner    string // the sales owner
	SegmentInput
}

// Dialect is how an engine's SQL names parameters, takes and stores times
// and refuses text, for the statements engine-neutral code builds.
type Dialect struct {
	Param Placeholder               // how the engine's SQL names parameters
	At    func(time.Time) any       // a time as the engine's statements take it
	Round func(time.Time) time.Time // a time as the engine compares it with the ones it stores
	// Refuse returns an EINVALID error with msg when the engine cannot
	// store one of texts; nil means it stores any text.
	Refuse func(msg string, texts ...string) error
}

// refuse is d.Refuse; without one it refuses nothing.
func (d Dialect) refuse(msg string, texts ...string) error {
	if d.Refuse == nil {
		return nil
	}
	return d.Refuse(msg, texts...)
}

// Tx is an engine's write transaction as the engine-neutral write paths
// (Writes, ConversationEdits, Replies) use it. Its methods run statements,
// with parameters named by the engine's Dialect; they decide nothing. Their
// errors are the engine's own, described; the write paths say what failed.
type Tx interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(query string, args ...any) (int64, error)
	// Insert runs an INSERT statement that makes one row with an id
	// column and returns that id.
	Insert(query string, args ...any) (int64, error)
	// Each runs a query and calls fn for each row of its result, stopping
	// at fn's first error.
	Each(query string, args []any, fn func(RowScanner) error) error
	// ScanRow runs a query and scans its first row into dest; found is
	// false when it has none.
	ScanRow(query string, args []any, dest ...any) (found bool, err error)
	// AddEvent records a customer event; conversationID 0 is none. detail
	// must never hold customer text.
	AddEvent(customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error
}

// WriteTx is an engine's write transaction as Writes uses it.
type WriteTx interface {
	ReplyTx
	// Live loads a customer that may be changed, locking its row where the
	// engine locks rows: one that does not exist is ENOTFOUND, one merged
	// into another or erased ECONFLICT.
	Live(id int64) (CustomerState, error)
	// LiveAfter loads for change, as Live does, up to size customers that
	// were neither merged nor erased, with ids above after, by id.
	LiveAfter(after int64, size int) ([]CustomerState, error)
	// Merge makes customer from part of customer into at t (see
	// Writes.Merge), recording reason, if any, with the merge; it checks
	// that both are live.
	Merge(from, into int64, actor, reason string, t time.Time) error
	// Keyed returns the conversation and the id of the message stored for
	// a keyed request (WithRequestKey), and whether there is one, locking
	// the request where the engine locks rows.
	Keyed(key string) (conv bot.Conversation, messageID int64, found bool, err error)
	// Resolve finds the customer of a channel identity and its open
	// conversation on that channel, creating the customer (on first
	// contact) and the conversation (when none is open) as needed, so that
	// concurrent first messages make one customer and one conversation.
	Resolve(channel, externalID string, role bot.Role, t time.Time) (CustomerState, bot.Conversation, error)
	// ReplyTo loads for change a conversation's channel and status and its
	// customer: a conversation that does not exist is ENOTFOUND.
	ReplyTo(id bot.ConversationID) (ConversationState, CustomerState, error)
}

// Writes makes the changes of an engine's store that are the same in
// every engine: customer records (contact data, stage, owner, tags, merges,
// segments) and the messages of conversations and of the outbox, each
// change with its events, in one write transaction of the engine.
type Writes struct {
	write   func(ctx context.Context, fn func(tx WriteTx) error) error
	now     func() time.Time
	rules   SegmentRules
	replies Replies
	d       Dialect
}

// NewWrites returns the writes of an engine: write runs fn in one write
// transaction, committed when fn returns nil (its error is fn's, or says
// what failed); now is the time of a change; rules are the segment rules,
// with their defaults; replies stores the bot's replies, in the engine's
// dialect (replies.Dialect).
func NewWrites(write func(ctx context.Context, fn func(tx WriteTx) error) error, now func() time.Time,
	rules SegmentRules, replies Replies) Writes {
	return Writes{write: write, now: now, rules: rules, replies: replies, d: replies.Dialect}
}

// Execer runs a statement in an engine's write transaction and returns the
// number of rows it changed (Tx.Exec).
type Execer interface {
	Exec(query string, args ...any) (int64, error)
}

// AddEvent records a customer event through tx, in d's dialect;
// conversationID 0 is none. detail, stored as JSON ("{}" when nil), must
// never hold customer text.
func AddEvent(tx Execer, d Dialect, customerID int64, conversationID bot.ConversationID, kind string, detail any, actor string, t time.Time) error {
	js := "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("event %s: %w", kind, err)
		}
		js = string(b)
	}
	var conv *bot.ConversationID
	if conversationID != 0 {
		conv = &conversationID
	}
	p := d.Param
	if _, err := tx.Exec(`INSERT INTO customer_events (customer_id, conversation_id, kind, detail, actor, time)
		VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`, `+p(6)+`)`, customerID, conv, kind, js, actor, d.At(t)); err != nil {
		return fmt.Errorf("event %s: %w", kind, err)
	}
	return nil
}
