package dingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/replay"
)

// Reasons a callback is refused, besides replay's; logged, never shown.
var (
	errNoSignature  = errors.New("no timestamp or sign header")
	errBadSignature = errors.New("sign does not match")
)

// MaxClockSkew is how far a callback's timestamp may be from now: DingTalk
// documents one hour.
const MaxClockSkew = time.Hour

// Sign returns the sign header of a callback: Base64(HMAC-SHA256(key =
// appSecret, timestamp + "\n" + appSecret)), timestamp in milliseconds.
func Sign(timestamp, appSecret string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(timestamp + "\n" + appSecret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// verify checks the timestamp and sign headers of a callback: the sign
// must match and the timestamp (Unix milliseconds) be within MaxClockSkew
// of now.
func verify(h http.Header, appSecret string, now time.Time) error {
	ts, sign := h.Get("timestamp"), h.Get("sign")
	if ts == "" || sign == "" {
		return errNoSignature
	}
	if subtle.ConstantTimeCompare([]byte(sign), []byte(Sign(ts, appSecret))) != 1 {
		return errBadSignature
	}
	return replay.CheckTime(ts, time.Millisecond, now, MaxClockSkew)
}
