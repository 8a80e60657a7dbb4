// Package replay holds the replay defence every chat adapter applies to
// the signed requests of its platform (DingTalk's callbacks, Feishu's
// events, Slack's requests, WeCom's callbacks): the timestamp a request is
// signed with must be a plain decimal number near the adapter's clock, and
// a request seen before is refused (ErrReplayed, with the adapter's own
// memory of what it saw). The reasons are logged, never shown to a caller.
package replay

import (
	"errors"
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
