// Package replay holds the replay defence every chat adapter applies to
// the signed requests of its platform (DingTalk's callbacks, Feishu's
// events, Slack's requests, WeCom's callbacks): the timestamp a request is
// signed with must be a plain decimal number near the adapter's clock, and
// a request seen before is refused (ErrReplayed, with the adapter's own
// memory of what it saw). The reasons are logged, never shown to a caller.
// A request the adapter verified but could not take is forgotten again
// (NotTaken), so that the platform's retry of it is not a replay.
package replay

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Reasons a signed request is refused.
var (
	ErrMalformed = errors.New("malformed timestamp")
	ErrStale     = errors.New("timestamp outside the allowed window")
	ErrReplayed  = errors.New("request already seen (replay)")
)

// CheckTime checks the timestamp ts of a signed request: decimal digits
// only, counting units (time.Second or time.Millisecond) since the Unix
// epoch, at most window away from now either way. It returns ErrMalformed
// or ErrStale; a window of 0 or less turns the window check off.
func CheckTime(ts string, unit time.Duration, now time.Time, window time.Duration) error {
	if ts == "" || len(ts) > 19 || strings.TrimLeft(ts, "0123456789") != "" {
		return ErrMalformed
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrMalformed
	}
	if window <= 0 {
		return nil
	}
	var at time.Time
	if unit == time.Millisecond {
		at = time.UnixMilli(n)
	} else {
		at = time.Unix(n, 0)
	}
	if d := now.Sub(at); d > window || d < -window {
		return ErrStale
	}
	return nil
}

// NotTaken answers a verified request by status, what the adapter's accept
// step made of it. For http.StatusOK it does nothing and returns false: the
// caller writes its own acknowledgement. For any other status (the queue is
// full, the adapter is stopping) it deletes key, the request's entry, from
// seen, the adapter's memory of the requests it took, so that the
// platform's retry of the request is not refused as a replay; then it
// answers status with its status text and returns true.
func NotTaken(w http.ResponseWriter, status int, seen interface{ Delete(key string) }, key string) bool {
	if status == http.StatusOK {
		return false
	}
	seen.Delete(key)
	http.Error(w, http.StatusText(status), status)
	return true
}
