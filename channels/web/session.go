package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Visitor session tokens.
//
// A widget visitor is anonymous: the server gives it a random visitor id
// (the customer's external id on the "web" channel) and a token that proves
// the holder was given that id:
//
//	v1.<base64url(16-byte id || 8-byte big-endian expiry, Unix seconds)>.<base64url(HMAC-SHA256)>
//
// The MAC covers the version tag and the payload, keyed with the server
// secret, so a token cannot be forged, altered, moved to another id or
// extended. Visitor ids are 128 random bits, so they cannot be guessed
// either; the token, not the id, is what grants access.

const (
	tokenVersion  = "v1"
	visitorPrefix = "v_"
	visitorBytes  = 16
	payloadBytes  = visitorBytes + 8
	// maxTokenLen bounds what is parsed at all.
	maxTokenLen = 128
)

var b64 = base64.RawURLEncoding

// errBadToken is returned for any token that does not verify; callers show
// one message whatever the reason, so they reveal nothing.
var errBadToken = errors.New("invalid visitor token")

// errExpiredToken is returned for a genuine token past its expiry.
var errExpiredToken = errors.New("expired visitor token")

// sessions issues and verifies visitor tokens.
type sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

func newSessions(secret []byte, ttl time.Duration, now func() time.Time) (*sessions, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("session secret must be at least 32 bytes, got %d", len(secret))
	}
	return &sessions{key: append([]byte(nil), secret...), ttl: ttl, now: now}, nil
}

// newVisitor returns a fresh random visitor id.
func newVisitor() (string, error) {
	b, err := randomBytes(visitorBytes)
	if err != nil {
		return "", err
	}
	return visitorPrefix + b64.EncodeToString(b), nil
}

// issue returns a token for visitor id (as made by newVisitor) and its
// expiry.
func (s *sessions) issue(visitor string) (string, time.Time, error) {
	raw, err := decodeVisitor(visitor)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	payload := make([]byte, payloadBytes)
	copy(payload, raw)
	binary.BigEndian.PutUint64(payload[visitorBytes:], uint64(exp.Unix()))
	p := b64.EncodeToString(payload)
	return tokenVersion + "." + p + "." + b64.EncodeToString(s.mac(p)), exp, nil
}

func (s *sessions) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(tokenVersion + "." + payload))
	return m.Sum(nil)
}

// verify checks a token and returns its visitor id and expiry. It fails with
// errBadToken for anything not issued by this secret (compared in constant
// time) and with errExpiredToken for a genuine token past its expiry.
func (s *sessions) verify(token string) (string, time.Time, error) {
	if len(token) > maxTokenLen {
		return "", time.Time{}, errBadToken
	}
	ver, rest, ok := strings.Cut(token, ".")
	if !ok || ver != tokenVersion {
		return "", time.Time{}, errBadToken
	}
	p, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return "", time.Time{}, errBadToken
	}
	gotMAC, err := b64.Strict().DecodeString(sig)
	if err != nil || !hmac.Equal(gotMAC, s.mac(p)) {
		return "", time.Time{}, errBadToken
	}
	payload, err := b64.Strict().DecodeString(p)
	if err != nil || len(payload) != payloadBytes {
		return "", time.Time{}, errBadToken
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(payload[visitorBytes:])), 0)
	visitor := visitorPrefix + b64.EncodeToString(payload[:visitorBytes])
	if !s.now().Before(exp) {
		return visitor, exp, errExpiredToken
	}
	return visitor, exp, nil
}

func decodeVisitor(v string) ([]byte, error) {
	raw, err := b64.Strict().DecodeString(strings.TrimPrefix(v, visitorPrefix))
	if err != nil || !strings.HasPrefix(v, visitorPrefix) || len(raw) != visitorBytes {
		return nil, fmt.Errorf("malformed visitor id %q", v)
	}
	return raw, nil
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("random bytes: %w", err)
	}
	return b, nil
}
