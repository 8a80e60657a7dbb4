package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Keyed requests: the same ledger storage/postgres keeps for its replicas,
// here for one process that may crash. A request key (the widget's client
// id, a REST client's Idempotency-Key) is claimed before the message is
// handled; the inbound message stored under it is remembered in the same
// transaction; the outcome is recorded when the request finishes. A retry
// gets the outcome; a retry of a request whose process died before it
// finished takes the key over and is handled again, but AppendInbound and
// AppendOutbound under the key return what was stored the first time.

// requestTTL is how long a keyed request's outcome is kept.
const requestTTL = 24 * time.Hour

// WithRequestKey returns ctx carrying the key of the request being handled
// (as claimed with ClaimRequest). AppendInbound and AppendOutbound called
// with it are idempotent per key.
func WithRequestKey(ctx context.Context, key string) context.Context {
	return storage.WithRequestKey(ctx, key)
}

// RequestOutcome is the recorded answer to a keyed request.
type RequestOutcome = storage.RequestOutcome

// ErrRequestBusy is returned by ClaimRequest when the request is still
// being handled in this process after the wait.
var ErrRequestBusy = errors.New("storage: the request is still being handled")

// newHolder names this opening of the database: a claim held under another
// name was made by a process that has ended (SQLite is one process's).
func newHolder() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ClaimRequest claims a request key. It returns (nil, nil) when the caller
// now owns the key and must handle the request (with WithRequestKey), then
// FinishRequest or AbandonRequest; or the outcome recorded by whoever
// handled it first. While another request of this process handles the key,
// it waits (polling) up to wait for that outcome, then returns
// ErrRequestBusy. A claim left unfinished by an earlier process (it
// crashed) or abandoned is taken over.
func (db *DB) ClaimRequest(ctx context.Context, key string, wait time.Duration) (*RequestOutcome, error) {
	key = storage.LedgerKey(key)
	return storage.ClaimUntil(ctx, wait, 20*time.Millisecond, ErrRequestBusy, func() (*RequestOutcome, bool, error) {
		var out *RequestOutcome
		owned := false
		err := db.write(ctx, func(tx *sql.Tx) error {
			out, owned = nil, false
			var holder string
			var status sql.NullInt64
			var body []byte
			err := tx.QueryRow(`SELECT holder, status, body FROM requests WHERE key = ?`, key).Scan(&holder, &status, &body)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.Exec(`INSERT INTO requests (key, holder, created) VALUES (?, ?, ?)`,
					key, db.holder, fmtTime(db.now())); err != nil {
					return fmt.Errorf("insert: %w", describe(err))
				}
				owned = true
			case err != nil:
				return fmt.Errorf("find: %w", describe(err))
			case status.Valid:
				out = &RequestOutcome{Status: int(status.Int64), Body: body}
			case holder != db.holder:
				if _, err := tx.Exec(`UPDATE requests SET holder = ? WHERE key = ?`, db.holder, key); err != nil {
					return fmt.Errorf("take over: %w", describe(err))
				}
				owned = true
			}
			return nil
		})
		if err != nil {
			return nil, false, fmt.Errorf("storage: claim request: %w", err)
		}
		return out, owned || out != nil, nil
	})
}

// FinishRequest records the outcome of a request this process claimed.
func (db *DB) FinishRequest(ctx context.Context, key string, status int, body []byte) error {
	key = storage.LedgerKey(key)
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE requests SET status = ?, body = ? WHERE key = ? AND holder = ?`, status, body, key, db.holder)
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: finish request: %w", err)
	}
	return nil
}

// AbandonRequest gives up a request this process claimed, so that a retry
// handles it afresh. A message it stored stays remembered with the key.
func (db *DB) AbandonRequest(ctx context.Context, key string) error {
	key = storage.LedgerKey(key)
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE requests SET holder = '' WHERE key = ? AND holder = ? AND status IS NULL`, key, db.holder)
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: abandon request: %w", err)
	}
	return nil
}

// PurgeRequestsBefore removes the keyed requests created before cutoff and
// returns how many.
func (db *DB) PurgeRequestsBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := db.writeCount(ctx, `DELETE FROM requests WHERE created < ?`, fmtTime(cutoff))
	if err != nil {
		return 0, fmt.Errorf("storage: purge requests: %w", err)
	}
	return n, nil
}

// keyedInbound returns the conversation and inbound message already stored
// for a request key, if any.
func keyedInbound(tx *sql.Tx, key string) (bot.Conversation, int64, bool, error) {
	var conv bot.Conversation
	var msgID int64
	var status string
	err := tx.QueryRow(`SELECT m.id, v.id, v.customer_id, v.channel, v.status, v.assignee
		FROM requests r JOIN messages m ON m.id = r.message_id JOIN conversations v ON v.id = m.conversation_id
		WHERE r.key = ?`, key).Scan(&msgID, &conv.ID, &conv.CustomerID, &conv.Channel, &status, &conv.Assignee)
	if errors.Is(err, sql.ErrNoRows) {
		return conv, 0, false, nil
	} else if err != nil {
		return conv, 0, false, fmt.Errorf("find request: %w", describe(err))
	}
	conv.Status = bot.ConversationStatus(status)
	return conv, msgID, true, nil
}
