package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/replay"
)

// Slack's request-signing headers.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
	headerRetryNum  = "X-Slack-Retry-Num"
)

// ReplayWindow is how far a signed request's timestamp may be from the
// adapter's clock, either way, before the request is refused as stale.
const ReplayWindow = 5 * time.Minute

// Reasons a request fails verification, besides replay's. They are logged,
// never shown to the caller, who only sees 401.
var (
	errMissingSignature = errors.New("missing signature or timestamp header")
	errBadSignature     = errors.New("signature does not match")
)

// verifySignature checks Slack's v0 request signature: an HMAC-SHA256, keyed
// with the signing secret, of "v0:<timestamp>:<body>", sent hex-encoded as
// "v0=<hex>" in X-Slack-Signature. The timestamp must be within window of now.
// The comparison is constant-time.
//
// slack-go's SecretsVerifier does the same but reads the wall clock itself;
// this version takes the clock so the replay window is testable and follows
// the adapter's Now.
func verifySignature(secret []byte, h http.Header, body []byte, now time.Time, window time.Duration) error {
	sig, ts := h.Get(headerSignature), h.Get(headerTimestamp)
	if sig == "" || ts == "" {
		return errMissingSignature
	}
	if err := replay.CheckTime(ts, time.Second, now, window); err != nil {
		return err
	}
	hexSig, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return errBadSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return errBadSignature
	}
	return nil
}

// replayKey returns the key a verified signature header is remembered by
// against replays: the MAC it carries, however its hex is spelled.
func replayKey(sig string) string {
	return strings.ToLower(strings.TrimPrefix(sig, "v0="))
}

// Sign returns the X-Slack-Signature value Slack would send for body at
// timestamp ts (Unix seconds, as sent in X-Slack-Request-Timestamp). It is
// exported for tests and tools that drive the adapter like Slack does.
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
