package bot

import (
	"encoding/json"
	"time"
)

// OutboxMessage is what a producer asks the outbox to deliver: the store
// writes it in the same transaction as the change it reports and treats its
// kind, key and payload as opaque. The alert package owns the protocol (the
// kinds, how keys are built and what payloads hold).
type OutboxMessage struct {
	Kind       string          // what the payload is; decides who delivers it
	Key        string          // idempotency key: a message with a key already queued is not queued again
	CustomerID int64           // the customer it concerns, 0 if none (erasing the customer removes it)
	Payload    json.RawMessage // JSON
}

// OutboxItem is one message waiting to be delivered to the outside world (an
// alert, a webhook), with its delivery state.
type OutboxItem struct {
	ID          int64
	Kind        string          // OutboxMessage.Kind
	Key         string          // idempotency key, unique
	CustomerID  int64           // the customer it concerns, 0 if none
	Payload     json.RawMessage // JSON
	Attempts    int
	LastError   string
	NextAttempt time.Time
	Created     time.Time
	Delivered   time.Time // zero until delivered
	Dead        bool      // given up
}

// LeadInfo is a customer who just became a sales lead, as the store records
// it for the sales owner's alert.
type LeadInfo struct {
	CustomerID     int64
	ConversationID ConversationID
	Channel        string
	Owner          string // the sales owner; may be empty
	Time           time.Time
}
