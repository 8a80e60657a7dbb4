package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Agent session cookies.
//
// A signed-in agent holds a cookie
//
//	v1.<base64url(8-byte expiry || 16-byte session id || 8-byte password fingerprint || agent name)>.<base64url(HMAC-SHA256)>
//
// The MAC, keyed with a key derived from the console secret, covers the
// version and the payload, so the cookie cannot be forged, altered or
// extended. The password fingerprint (a hash of the agent's configured
// password hash) ends every session of an agent whose password is changed in
// the config. The session id keys the CSRF token and the logout revocation.

const (
	sessionVersion = "v1"
	sessionIDBytes = 16
	fixedBytes     = 8 + sessionIDBytes + 8
	maxAgentName   = 100
	// maxSessionLen bounds what is parsed at all.
	maxSessionLen = 512
)

var b64 = base64.RawURLEncoding

// errBadSession is returned for any cookie that does not verify, whatever
// the reason, so nothing is revealed.
var errBadSession = errors.New("invalid console session")

// session is a verified agent session.
type session struct {
	Agent   string
	ID      [sessionIDBytes]byte
	Expires time.Time
	pwPrint [8]byte
}

// keys holds the keys derived from the console secret, one per purpose.
type keys struct {
	session, csrf, login []byte
}

func deriveKeys(secret []byte) (keys, error) {
	if len(secret) < 32 {
		return keys{}, fmt.Errorf("console secret must be at least 32 bytes, got %d", len(secret))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("concierge console " + label))
		return m.Sum(nil)
	}
	return keys{session: derive("session"), csrf: derive("csrf"), login: derive("login")}, nil
}

func mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// passwordPrint fingerprints a password hash, so that a session ends when
// the agent's password changes.
func passwordPrint(hash string) [8]byte {
	sum := sha256.Sum256([]byte(hash))
	var p [8]byte
	copy(p[:], sum[:8])
	return p
}

// newSessionID returns a random session id.
func newSessionID() ([sessionIDBytes]byte, error) {
	var id [sessionIDBytes]byte
	_, err := rand.Read(id[:])
	return id, err
}

// encodeSession returns the cookie value of s.
func (k keys) encodeSession(s session) string {
	payload := make([]byte, fixedBytes, fixedBytes+len(s.Agent))
	binary.BigEndian.PutUint64(payload[:8], uint64(s.Expires.Unix()))
	copy(payload[8:8+sessionIDBytes], s.ID[:])
	copy(payload[8+sessionIDBytes:], s.pwPrint[:])
	payload = append(payload, s.Agent...)
	sig := mac(k.session, []byte(sessionVersion), payload)
	return sessionVersion + "." + b64.EncodeToString(payload) + "." + b64.EncodeToString(sig)
}

// decodeSession verifies a cookie value and returns its session. It checks
// the signature and the expiry at now; whether the agent still exists is the
// caller's business.
func (k keys) decodeSession(v string, now time.Time) (session, error) {
	var s session
	if len(v) > maxSessionLen {
		return s, errBadSession
	}
	version, rest, ok := strings.Cut(v, ".")
	if !ok || version != sessionVersion {
		return s, errBadSession
	}
	p64, s64, ok := strings.Cut(rest, ".")
	if !ok {
		return s, errBadSession
	}
	payload, err := b64.DecodeString(p64)
	if err != nil || len(payload) <= fixedBytes || len(payload) > fixedBytes+maxAgentName {
		return s, errBadSession
	}
	sig, err := b64.DecodeString(s64)
	if err != nil || !hmac.Equal(sig, mac(k.session, []byte(sessionVersion), payload)) {
		return s, errBadSession
	}
	exp := binary.BigEndian.Uint64(payload[:8])
	if exp > 1<<62 {
		return s, errBadSession
	}
	s.Expires = time.Unix(int64(exp), 0)
	if !now.Before(s.Expires) {
		return s, errBadSession
	}
	copy(s.ID[:], payload[8:8+sessionIDBytes])
	copy(s.pwPrint[:], payload[8+sessionIDBytes:fixedBytes])
	s.Agent = string(payload[fixedBytes:])
	if !utf8.ValidString(s.Agent) {
		return s, errBadSession
	}
	return s, nil
}

// csrfToken returns the CSRF token of a session: forms carry it in the field
// "csrf", scripts in the header X-CSRF-Token.
func (k keys) csrfToken(id [sessionIDBytes]byte) string {
	return b64.EncodeToString(mac(k.csrf, id[:])[:24])
}

// checkCSRF reports, in constant time, whether token is the session's.
func (k keys) checkCSRF(id [sessionIDBytes]byte, token string) bool {
	want := k.csrfToken(id)
	return len(token) == len(want) && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// loginToken returns the CSRF token of the login form for a pre-session
// nonce (held in its own cookie), so that a third-party page cannot sign a
// browser in to an account of its choosing.
func (k keys) loginToken(nonce string) string {
	return b64.EncodeToString(mac(k.login, []byte(nonce))[:24])
}

func (k keys) checkLoginToken(nonce, token string) bool {
	if nonce == "" || len(nonce) > 64 {
		return false
	}
	want := k.loginToken(nonce)
	return len(token) == len(want) && subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
}

// revocations remembers the sessions ended by logout until they would have
// expired, in memory: a restart forgets them. It is what a Console without
// Options.SignOuts uses (tests, embedding); serve keeps sign-outs in the
// store.
type revocations struct {
	mu   sync.Mutex
	ids  map[[sessionIDBytes]byte]time.Time
	max  int
	now  func() time.Time
	last time.Time
}

func newRevocations(max int, now func() time.Time) *revocations {
	return &revocations{ids: map[[sessionIDBytes]byte]time.Time{}, max: max, now: now}
}

// revoke ends the session s.
func (r *revocations) revoke(_ context.Context, s session) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prune()
	if len(r.ids) >= r.max { // full of live revocations: drop the one that expires first
		var first [sessionIDBytes]byte
		var at time.Time
		for id, exp := range r.ids {
			if at.IsZero() || exp.Before(at) {
				first, at = id, exp
			}
		}
		delete(r.ids, first)
	}
	r.ids[s.ID] = s.Expires
	return nil
}

// revoked reports whether the session was ended.
func (r *revocations) revoked(_ context.Context, id [sessionIDBytes]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

// prune drops revocations of expired sessions, at most once a minute.
func (r *revocations) prune() {
	now := r.now()
	if now.Sub(r.last) < time.Minute {
		return
	}
	r.last = now
	for id, exp := range r.ids {
		if !now.Before(exp) {
			delete(r.ids, id)
		}
	}
}

// Limiter is a set of token buckets keyed by string: guard.Limiter, or one
// that several replicas share.
type Limiter interface {
	// Allow takes a token from key's bucket; when none is left it returns
	// false and how long until there will be one.
	Allow(key string) (bool, time.Duration)
	// Wait reports, without taking a token, whether key's bucket is empty
	// and for how long it stays so.
	Wait(key string) (bool, time.Duration)
	// Used returns how many tokens key has taken and not yet regained.
	Used(key string) int
	// Reset forgets key's bucket.
	Reset(key string)
}

// SignIns keeps what the sign-in limits of several console replicas must
// agree on. Implementations that cannot reach their store must fail closed
// (refuse sign-ins).
type SignIns interface {
	// Limiter returns the shared limiter named scope: rate tokens regained
	// per second, burst the bucket's size.
	Limiter(scope string, rate float64, burst int) Limiter
}

// SignOuts keeps the sessions ended by sign-out until they would have
// expired, outside the process: storage.Store (SQLite and PostgreSQL)
// implements it. A session id is opaque bytes.
type SignOuts interface {
	RevokeSession(ctx context.Context, id []byte, expires time.Time) error
	SessionRevoked(ctx context.Context, id []byte) (bool, error)
}

// revocationStore is where sign-outs are kept: revocations in memory, or
// storedRevocations.
type revocationStore interface {
	revoke(ctx context.Context, s session) error
	revoked(ctx context.Context, id [sessionIDBytes]byte) bool
}

// storedRevocations keeps sign-outs in a SignOuts. It fails closed: a
// session whose sign-out cannot be checked counts as signed out.
type storedRevocations struct {
	so  SignOuts
	log *slog.Logger
}

func (r storedRevocations) revoke(ctx context.Context, s session) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return r.so.RevokeSession(ctx, s.ID[:], s.Expires)
}

func (r storedRevocations) revoked(ctx context.Context, id [sessionIDBytes]byte) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	revoked, err := r.so.SessionRevoked(ctx, id[:])
	if err != nil {
		r.log.Warn("console: cannot check sign-outs; treating the session as signed out", "err", err)
		return true
	}
	return revoked
}
