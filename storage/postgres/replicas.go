package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// What several replicas on one database share, beyond storage.Store.

func defaultHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// WithRequestKey returns ctx carrying the key of the request being handled
// (as claimed with ClaimRequest). AppendInbound and AppendOutbound called
// with it are idempotent per key: a replica that takes over the request of
// one that died stores neither the message nor the reply a second time.
func WithRequestKey(ctx context.Context, key string) context.Context {
	return storage.WithRequestKey(ctx, key)
}

// keyedInbound returns the conversation and message already stored for a
// request key, if any.
func keyedInbound(ctx context.Context, tx pgx.Tx, key string) (bot.Conversation, int64, bool, error) {
	var conv bot.Conversation
	var msgID int64
	var status string
	err := tx.QueryRow(ctx, `SELECT m.id, v.id, v.customer_id, v.channel, v.status, v.assignee
		FROM requests r JOIN messages m ON m.id = r.message_id JOIN conversations v ON v.id = m.conversation_id
		WHERE r.key = $1 FOR UPDATE OF r`, key).Scan(&msgID, &conv.ID, &conv.CustomerID, &conv.Channel, &status, &conv.Assignee)
	if noRows(err) {
		return conv, 0, false, nil
	} else if err != nil {
		return conv, 0, false, fmt.Errorf("find request: %w", describe(err))
	}
	conv.Status = bot.ConversationStatus(status)
	return conv, msgID, true, nil
}

// RequestOutcome is the recorded answer to a keyed request.
type RequestOutcome = storage.RequestOutcome

// ErrRequestBusy is returned by ClaimRequest when another replica holds the
// key's lease and did not finish within the wait.
var ErrRequestBusy = errors.New("postgres: the request is being handled elsewhere")

// ClaimRequest claims a request key for this process for lease. It returns
// (nil, nil) when the caller now owns the key and must handle the request,
// then FinishRequest or AbandonRequest; or the outcome recorded by whoever
// handled it first. While another live holder handles it, ClaimRequest
// waits (polling) up to wait for its outcome, and takes the key over when
// that holder's lease runs out (it died). After wait it returns
// ErrRequestBusy.
func (db *DB) ClaimRequest(ctx context.Context, key string, lease, wait time.Duration) (*RequestOutcome, error) {
	key = storage.LedgerKey(key)
	return storage.ClaimUntil(ctx, wait, 50*time.Millisecond, ErrRequestBusy, func() (*RequestOutcome, bool, error) {
		now := us(db.now())
		var status *int
		var body []byte
		var holder string
		err := db.pool.QueryRow(ctx, `INSERT INTO requests AS r (key, holder, lease_until, created) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
				WHERE r.status IS NULL AND r.lease_until < $4
			RETURNING holder, status, body`, key, db.holder, now.Add(lease), now).Scan(&holder, &status, &body)
		if err == nil {
			return nil, true, nil // ours: new, or taken over from a holder whose lease ran out
		}
		if !noRows(err) {
			return nil, false, fmt.Errorf("storage: claim request: %w", describe(err))
		}
		err = db.pool.QueryRow(ctx, `SELECT holder, status, body FROM requests WHERE key = $1`, key).Scan(&holder, &status, &body)
		if err != nil && !noRows(err) {
			return nil, false, fmt.Errorf("storage: claim request: %w", describe(err))
		}
		if err == nil && status != nil {
			return &RequestOutcome{Status: *status, Body: body}, true, nil
		}
		return nil, false, nil
	})
}

// FinishRequest records the outcome of a request this process claimed.
func (db *DB) FinishRequest(ctx context.Context, key string, status int, body []byte) error {
	key = storage.LedgerKey(key)
	_, err := db.pool.Exec(ctx, `UPDATE requests SET status = $1, body = $2 WHERE key = $3 AND holder = $4`,
		status, body, key, db.holder)
	if err != nil {
		return fmt.Errorf("storage: finish request: %w", describe(err))
	}
	return nil
}

// AbandonRequest gives up a request this process claimed, so that a retry
// handles it afresh. A message it stored stays remembered with the key.
func (db *DB) AbandonRequest(ctx context.Context, key string) error {
	key = storage.LedgerKey(key)
	_, err := db.pool.Exec(ctx, `UPDATE requests SET lease_until = '-infinity' WHERE key = $1 AND holder = $2 AND status IS NULL`,
		key, db.holder)
	if err != nil {
		return fmt.Errorf("storage: abandon request: %w", describe(err))
	}
	return nil
}

// AcquireLease takes or renews the named lease for this process for ttl. It
// reports whether this process holds it now; a lease whose holder did not
// renew it in time is taken over.
func (db *DB) AcquireLease(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	now := us(db.now())
	var holder string
	err := db.pool.QueryRow(ctx, `INSERT INTO leases AS l (name, holder, expires) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires = EXCLUDED.expires
			WHERE l.holder = EXCLUDED.holder OR l.expires < $4
		RETURNING holder`, name, db.holder, now.Add(ttl), now).Scan(&holder)
	if noRows(err) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("storage: lease %s: %w", name, describe(err))
	}
	return true, nil
}

// ReleaseLease gives up the named lease if this process holds it.
func (db *DB) ReleaseLease(ctx context.Context, name string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, db.holder); err != nil {
		return fmt.Errorf("storage: release lease %s: %w", name, describe(err))
	}
	return nil
}

// LeaseHolder returns who holds the named lease and until when ("" when
// nobody does).
func (db *DB) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	var holder string
	var until time.Time
	err := db.pool.QueryRow(ctx, `SELECT holder, expires FROM leases WHERE name = $1 AND expires >= $2`, name, us(db.now())).
		Scan(&holder, &until)
	if noRows(err) {
		return "", time.Time{}, nil
	} else if err != nil {
		return "", time.Time{}, fmt.Errorf("storage: lease %s: %w", name, describe(err))
	}
	return holder, until, nil
}

// Secret returns the shared secret of name, creating it (size random bytes)
// the first time: every replica gets the same value.
func (db *DB) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("storage: secret %s: %w", name, err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO secrets (name, value, created) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, b, us(db.now())); err != nil {
		return nil, fmt.Errorf("storage: secret %s: %w", name, describe(err))
	}
	// Another statement, so it sees the row of whichever replica won.
	var v []byte
	if err := db.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("storage: secret %s: %w", name, describe(err))
	}
	return v, nil
}

// A rate limit in the database: a token bucket per (scope, key) that every
// replica takes from, so that a limit holds across replicas. rate is tokens
// regained per second, burst the bucket's size.

// TakeToken takes a token from the bucket of (scope, key). When none is
// left it returns false and how long until there is one. Concurrent takes
// from any replica are serialised on the bucket's row.
func (db *DB) TakeToken(ctx context.Context, scope, key string, rate float64, burst int) (bool, time.Duration, error) {
	key = storage.LedgerKey(key)
	var took bool
	var tokens float64
	err := db.write(ctx, func(tx pgx.Tx) error {
		now := us(db.now())
		if _, err := tx.Exec(ctx, `INSERT INTO rate_buckets (scope, key, tokens, last) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, scope, key, float64(burst), now); err != nil {
			return describe(err)
		}
		var last time.Time
		if err := tx.QueryRow(ctx, `SELECT tokens, last FROM rate_buckets WHERE scope = $1 AND key = $2 FOR UPDATE`,
			scope, key).Scan(&tokens, &last); err != nil {
			return describe(err)
		}
		if dt := now.Sub(last).Seconds(); dt > 0 && rate > 0 {
			tokens = math.Min(float64(burst), tokens+dt*rate)
		}
		took = tokens >= 1
		if took {
			tokens--
		}
		if now.Before(last) {
			now = last
		}
		_, err := tx.Exec(ctx, `UPDATE rate_buckets SET tokens = $3, last = $4 WHERE scope = $1 AND key = $2`, scope, key, tokens, now)
		return describe(err)
	})
	if err != nil {
		return false, 0, fmt.Errorf("storage: rate limit: %w", err)
	}
	if took {
		return true, 0, nil
	}
	return false, waitFor(tokens, rate), nil
}

func waitFor(tokens, rate float64) time.Duration {
	if rate <= 0 {
		return time.Hour
	}
	return time.Duration(math.Max(0, 1-tokens) / rate * float64(time.Second))
}

// PeekTokens reports, without taking a token, whether the bucket of (scope,
// key) is empty and for how long it stays so.
func (db *DB) PeekTokens(ctx context.Context, scope, key string, rate float64, burst int) (bool, time.Duration, error) {
	tokens, ok, err := db.tokens(ctx, scope, key, rate, burst)
	if err != nil || !ok || tokens >= 1 {
		return false, 0, err
	}
	return true, waitFor(tokens, rate), nil
}

// UsedTokens returns how many tokens the bucket of (scope, key) has given
// and not regained.
func (db *DB) UsedTokens(ctx context.Context, scope, key string, rate float64, burst int) (int, error) {
	tokens, ok, err := db.tokens(ctx, scope, key, rate, burst)
	if err != nil || !ok {
		return 0, err
	}
	return int(float64(burst) - tokens), nil
}

func (db *DB) tokens(ctx context.Context, scope, key string, rate float64, burst int) (float64, bool, error) {
	key = storage.LedgerKey(key)
	var tokens float64
	var last time.Time
	err := db.pool.QueryRow(ctx, `SELECT tokens, last FROM rate_buckets WHERE scope = $1 AND key = $2`, scope, key).Scan(&tokens, &last)
	if noRows(err) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("storage: rate limit: %w", describe(err))
	}
	if dt := db.now().Sub(last).Seconds(); dt > 0 && rate > 0 {
		tokens = math.Min(float64(burst), tokens+dt*rate)
	}
	return tokens, true, nil
}

// ResetTokens forgets the bucket of (scope, key).
func (db *DB) ResetTokens(ctx context.Context, scope, key string) error {
	key = storage.LedgerKey(key)
	if _, err := db.pool.Exec(ctx, `DELETE FROM rate_buckets WHERE scope = $1 AND key = $2`, scope, key); err != nil {
		return fmt.Errorf("storage: rate limit: %w", describe(err))
	}
	return nil
}

// RevokeSession records that a console session ended (sign-out) until it
// would have expired, for every replica.
func (db *DB) RevokeSession(ctx context.Context, id []byte, expires time.Time) error {
	if _, err := db.pool.Exec(ctx, `INSERT INTO revoked_sessions (id, expires) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
		id, us(expires)); err != nil {
		return fmt.Errorf("storage: revoke session: %w", describe(err))
	}
	return nil
}

// SessionRevoked reports whether a console session was ended.
func (db *DB) SessionRevoked(ctx context.Context, id []byte) (bool, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM revoked_sessions WHERE id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("storage: session revoked: %w", describe(err))
	}
	return n > 0, nil
}

// MessageNotice is what a LISTEN/NOTIFY wake-up carries: ids only.
type MessageNotice struct {
	ConversationID bot.ConversationID
	MessageID      int64
}

// ListenMessages calls fn with the notice of every agent or system message
// any replica stores (the messages a waiting widget must see at once),
// until ctx ends. It reconnects after a lost connection and then calls
// lost, because notices sent meanwhile were missed: a waiter that re-reads
// from its cursor loses nothing, only latency.
func (db *DB) ListenMessages(ctx context.Context, fn func(MessageNotice), lost func()) error {
	first := true
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, fn, func() {
			if !first && lost != nil {
				lost()
			}
			first = false
		})
		if ctx.Err() != nil {
			return nil
		}
		db.log.Warn("postgres: listening for messages failed; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (db *DB) listenOnce(ctx context.Context, fn func(MessageNotice), listening func()) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return describe(err)
	}
	// The connection is closed, not returned: it was listening.
	defer func() { _ = conn.Conn().Close(context.Background()); conn.Release() }()
	if _, err := conn.Exec(ctx, `LISTEN concierge_messages`); err != nil {
		return describe(err)
	}
	listening()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return describe(err)
		}
		conv, msg, ok := strings.Cut(n.Payload, ":")
		c, err1 := strconv.ParseInt(conv, 10, 64)
		m, err2 := strconv.ParseInt(msg, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		fn(MessageNotice{ConversationID: bot.ConversationID(c), MessageID: m})
	}
}

// ConversationIdentity returns the external id on a conversation's channel
// of its customer ("" when it has none, as after an erase).
func (db *DB) ConversationIdentity(ctx context.Context, id bot.ConversationID) (channel, externalID string, err error) {
	err = db.pool.QueryRow(ctx, `SELECT v.channel, coalesce((SELECT external_id FROM channel_identities i
			WHERE i.customer_id = v.customer_id AND i.channel = v.channel ORDER BY i.id LIMIT 1), '')
		FROM conversations v WHERE v.id = $1`, id).Scan(&channel, &externalID)
	if noRows(err) {
		return "", "", nil
	} else if err != nil {
		return "", "", fmt.Errorf("storage: conversation identity: %w", describe(err))
	}
	return channel, externalID, nil
}
