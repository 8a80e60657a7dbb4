package slack

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/replay"
)

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"type":"event_callback","event_id":"Ev1"}`)
	ts := strconv.FormatInt(testNow.Unix(), 10)
	good := Sign(testSecret, ts, body)
	header := func(sig, ts string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set(headerSignature, sig)
		}
		if ts != "" {
			h.Set(headerTimestamp, ts)
		}
		return h
	}
	at := func(d time.Duration) string { return strconv.FormatInt(testNow.Add(d).Unix(), 10) }
	tests := []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"valid", header(good, ts), body, nil},
		{"valid at the edge of the window", header(Sign(testSecret, at(-ReplayWindow), body), at(-ReplayWindow)), body, nil},
		{"missing signature", header("", ts), body, errMissingSignature},
		{"missing timestamp", header(good, ""), body, errMissingSignature},
		{"missing both", header("", ""), body, errMissingSignature},
		{"stale", header(Sign(testSecret, at(-6*time.Minute), body), at(-6*time.Minute)), body, replay.ErrStale},
		{"from the future", header(Sign(testSecret, at(6*time.Minute), body), at(6*time.Minute)), body, replay.ErrStale},
		{"timestamp not a number", header(good, "yesterday"), body, replay.ErrMalformed},
		{"timestamp signed", header(good, "+"+ts), body, replay.ErrMalformed},
		{"timestamp overflow", header(good, "99999999999999999999"), body, replay.ErrMalformed},
		{"wrong secret (forged)", header(Sign("not-the-secret", ts, body), ts), body, errBadSignature},
		{"tampered body", header(good, ts), append(bytes.Clone(body), ' '), errBadSignature},
		{"tampered timestamp", header(good, at(time.Second)), body, errBadSignature},
		{"no v0 prefix", header(strings.TrimPrefix(good, "v0="), ts), body, errBadSignature},
		{"v1 scheme", header("v1="+strings.TrimPrefix(good, "v0="), ts), body, errBadSignature},
		{"not hex", header("v0="+strings.Repeat("zz", 32), ts), body, errBadSignature},
		{"truncated", header(good[:len(good)-2], ts), body, errBadSignature},
		{"upper-case hex of a wrong mac", header("v0="+strings.Repeat("AB", 32), ts), body, errBadSignature},
		{"empty body signed for another", header(good, ts), nil, errBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifySignature([]byte(testSecret), tt.h, tt.body, testNow, ReplayWindow)
			if !errors.Is(err, tt.want) {
				t.Fatalf("verifySignature = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestForgedRequestsRefused sends every endpoint forged, replayed, missing,
// stale and tampered requests and checks that none is accepted: each is
// refused with 401 (or 413) and nothing is queued.
func TestForgedRequestsRefused(t *testing.T) {
	bodies := map[string][]byte{
		"/slack/events":      eventBody("EvForged", dm("U1", "hello", "1.000001")),
		"/slack/commands":    commandBody("C1", "U1", "where is my order", "https://hooks.slack.com/commands/x"),
		"/slack/interactive": interactionBody(t, "C1", "U1", ActionFeedbackHelpful, "7", "https://hooks.slack.com/actions/x", nil),
	}
	now := strconv.FormatInt(testNow.Unix(), 10)
	old := strconv.FormatInt(testNow.Add(-ReplayWindow-time.Second).Unix(), 10)
	future := strconv.FormatInt(testNow.Add(ReplayWindow+time.Second).Unix(), 10)
	type req struct {
		sig, ts string
		body    []byte
	}
	cases := []struct {
		name string
		make func(body []byte) req
		want int
	}{
		{"forged with another secret", func(b []byte) req { return req{Sign("guess", now, b), now, b} }, 401},
		{"no signature", func(b []byte) req { return req{"", now, b} }, 401},
		{"no timestamp", func(b []byte) req { return req{Sign(testSecret, now, b), "", b} }, 401},
		{"stale (replayed after the window)", func(b []byte) req { return req{Sign(testSecret, old, b), old, b} }, 401},
		{"timestamp in the future", func(b []byte) req { return req{Sign(testSecret, future, b), future, b} }, 401},
		{"tampered body", func(b []byte) req {
			t := bytes.Replace(b, []byte("U1"), []byte("U9"), 1)
			return req{Sign(testSecret, now, b), now, t}
		}, 401},
		{"tampered timestamp", func(b []byte) req { return req{Sign(testSecret, old, b), now, b} }, 401},
		{"signature without scheme", func(b []byte) req {
			return req{strings.TrimPrefix(Sign(testSecret, now, b), "v0="), now, b}
		}, 401},
		{"oversized body", func(b []byte) req {
			big := append(bytes.Clone(b), bytes.Repeat([]byte(" "), 300<<10)...)
			return req{Sign(testSecret, now, big), now, big}
		}, 413},
	}
	for path, body := range bodies {
		for _, c := range cases {
			t.Run(strings.TrimPrefix(path, "/slack/")+"/"+c.name, func(t *testing.T) {
				a := testAdapter(t, nil, &fakeHandler{}, func(o *Options) { o.Feedback = &fakeFeedback{} })
				mux := http.NewServeMux()
				a.Register(mux)
				r := c.make(body)
				hr := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(r.body))
				hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if r.sig != "" {
					hr.Header.Set(headerSignature, r.sig)
				}
				if r.ts != "" {
					hr.Header.Set(headerTimestamp, r.ts)
				}
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, hr)
				if w.Code != c.want {
					t.Errorf("status %d, want %d", w.Code, c.want)
				}
				if n := a.jobs.Queued(); n != 0 {
					t.Errorf("%d jobs accepted, want 0", n)
				}
			})
		}
	}
}

// TestReplayedRequestsNotAccepted sends the same valid request twice: the
// copy of a slash command or click is refused; the copy of an event is
// acknowledged (Slack must not retry it) but not queued again.
func TestReplayedRequestsNotAccepted(t *testing.T) {
	tests := []struct {
		path       string
		body       []byte
		wantSecond int
	}{
		{"/slack/events", eventBody("EvReplay", dm("U1", "hello", "1.000001")), http.StatusOK},
		{"/slack/commands", commandBody("C1", "U1", "where is my order", "https://hooks.slack.com/x"), http.StatusUnauthorized},
		{"/slack/interactive", interactionBody(t, "C1", "U1", ActionFeedbackHelpful, "7", "https://hooks.slack.com/x", nil), http.StatusUnauthorized},
	}
	// The replay is sent as signed, and with the signature's hex in upper
	// case, which decodes to the same MAC.
	respell := map[string]func(string) string{"same": func(s string) string { return s },
		"upper-case hex": func(s string) string { return "v0=" + strings.ToUpper(strings.TrimPrefix(s, "v0=")) }}
	for _, tt := range tests {
		for spelling, f := range respell {
			t.Run(tt.path+"/"+spelling, func(t *testing.T) {
				a := testAdapter(t, nil, &fakeHandler{}, func(o *Options) { o.Feedback = &fakeFeedback{} })
				mux := http.NewServeMux()
				a.Register(mux)
				first := signedRequest(tt.path, "application/x-www-form-urlencoded", tt.body, testNow)
				second := signedRequest(tt.path, "application/x-www-form-urlencoded", tt.body, testNow)
				second.Header.Set("X-Slack-Signature", f(second.Header.Get("X-Slack-Signature")))
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, first)
				if w.Code != http.StatusOK || a.jobs.Queued() != 1 {
					t.Fatalf("first: status %d, %d queued; want 200, 1", w.Code, a.jobs.Queued())
				}
				w = httptest.NewRecorder()
				mux.ServeHTTP(w, second)
				if w.Code != tt.wantSecond {
					t.Errorf("replay: status %d, want %d", w.Code, tt.wantSecond)
				}
				if n := a.jobs.Queued(); n != 1 {
					t.Errorf("replay accepted: %d queued, want 1", n)
				}
			})
		}
	}
}

func TestURLVerification(t *testing.T) {
	a := testAdapter(t, nil, &fakeHandler{}, nil)
	mux := http.NewServeMux()
	a.Register(mux)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedRequest("/slack/events", "application/json", body, testNow))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("got %d %q", w.Code, w.Body.String())
	}
	// Unsigned, the challenge is not answered.
	r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	w = httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("unsigned verification: status %d, want 401", w.Code)
	}
}

func TestSignMatchesSlackExample(t *testing.T) {
	// The worked example of Slack's "Verifying requests from Slack" guide.
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	got := Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
	if want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}
