package replay

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestCheckTime(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	sec := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	ms := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).UnixMilli(), 10) }
	for _, tc := range []struct {
		name   string
		ts     string
		unit   time.Duration
		window time.Duration
		want   error
	}{
		{"now", sec(0), time.Second, time.Minute, nil},
		{"edge of the window", sec(-time.Minute), time.Second, time.Minute, nil},
		{"stale", sec(-61 * time.Second), time.Second, time.Minute, ErrStale},
		{"from the future", sec(61 * time.Second), time.Second, time.Minute, ErrStale},
		{"milliseconds", ms(-30 * time.Minute), time.Millisecond, time.Hour, nil},
		{"milliseconds stale", ms(-61 * time.Minute), time.Millisecond, time.Hour, ErrStale},
		{"seconds read as milliseconds", sec(0), time.Millisecond, time.Hour, ErrStale},
		{"no window", sec(-24 * time.Hour), time.Second, 0, nil},
		{"empty", "", time.Second, time.Minute, ErrMalformed},
		{"signed", "+" + sec(0), time.Second, time.Minute, ErrMalformed},
		{"negative", "-" + sec(0), time.Second, 0, ErrMalformed},
		{"not a number", "yesterday", time.Second, time.Minute, ErrMalformed},
		{"overflow", "99999999999999999999", time.Second, time.Minute, ErrMalformed},
		{"overflow in 19 digits", "9999999999999999999", time.Second, 0, ErrMalformed},
	} {
		if err := CheckTime(tc.ts, tc.unit, now, tc.window); !errors.Is(err, tc.want) {
			t.Errorf("%s: CheckTime(%q) = %v, want %v", tc.name, tc.ts, err, tc.want)
		}
	}
}

// seenSet is a memory of taken requests, as an adapter's ttlcache.
type seenSet map[string]bool

func (s seenSet) Delete(key string) { delete(s, key) }

func TestNotTaken(t *testing.T) {
	seen := seenSet{"k": true}
	w := httptest.NewRecorder()
	if NotTaken(w, http.StatusOK, seen, "k") {
		t.Fatal("NotTaken(200) = true, want false")
	}
	if !seen["k"] || w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("after 200: seen %v, answer %d %q; want the key kept and nothing written", seen, w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	if !NotTaken(w, http.StatusServiceUnavailable, seen, "k") {
		t.Fatal("NotTaken(503) = false, want true")
	}
	if seen["k"] {
		t.Error("after 503 the key is still remembered: the platform's retry would be refused as a replay")
	}
	if w.Code != http.StatusServiceUnavailable || w.Body.String() != "Service Unavailable\n" {
		t.Errorf("after 503: answer %d %q, want 503 %q", w.Code, w.Body, "Service Unavailable\n")
	}
}
