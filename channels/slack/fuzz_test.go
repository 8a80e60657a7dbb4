package slack

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<@UBOT> hi", "<https://x|y> &amp;", "<!subteam^S|@t>", "<", "<>", "<|>", "&lt;<@U|>", "<#C|>"} {
		f.Add(s, "UBOT", true)
	}
	f.Fuzz(func(t *testing.T, s, botID string, leading bool) {
		out := plainText(s, botID, leading)
		if len(out) > len(s) {
			t.Fatalf("plainText grew %q to %q", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("plainText(%q) = invalid UTF-8 %q", s, out)
		}
	})
}

func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"a & b", "<script>", "&lt;", "&amp;lt;", "<!channel>", "退货 < 30 天"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeMrkdwn(s)
		if strings.ContainsAny(e, "<>") {
			t.Fatalf("escape(%q) = %q keeps markup", s, e)
		}
		if got := plainText(e, "", false); got != strings.TrimSpace(s) {
			t.Fatalf("unescape(escape(%q)) = %q", s, got)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	f.Add("v0=abc", "1772366400", []byte("{}"))
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		h := http.Header{}
		h.Set(headerSignature, sig)
		h.Set(headerTimestamp, ts)
		err := verifySignature([]byte(testSecret), h, body, testNow, ReplayWindow)
		if err == nil && sig != Sign(testSecret, ts, body) {
			t.Fatalf("accepted a signature that is not Slack's: %q %q", sig, ts)
		}
	})
}

// FuzzEventsEndpoint posts correctly signed arbitrary bodies: the endpoint
// must never panic and must answer 200 (taken or ignored), 400 or 503.
func FuzzEventsEndpoint(f *testing.F) {
	f.Add(eventBody("Ev1", dm("U1", "hi", "1.1")))
	f.Add(eventBody("Ev2", mention("C1", "U1", "<@UBOT> hi", "1.2", "1.0")))
	f.Add([]byte(`{"type":"url_verification","challenge":"x"}`))
	f.Add([]byte(`{"type":"event_callback","event":{"type":"message","subtype":"message_changed","message":{}}}`))
	f.Add([]byte(`{"type":"event_callback","event":[1,2]}`))
	a := testAdapter(f, nil, &fakeHandler{}, func(o *Options) { o.QueueSize = 1 << 20 })
	mux := http.NewServeMux()
	a.Register(mux)
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, signedRequest("/slack/events", "application/json", body, testNow))
		switch w.Code {
		case 200, 400, 503:
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}

// FuzzInteractiveEndpoint does the same for clicks, whose payload is JSON
// inside a form field.
func FuzzInteractiveEndpoint(f *testing.F) {
	f.Add(string(interactionBody(f, "C1", "U1", ActionFeedbackHelpful, "1", "https://hooks.slack.com/x", nil)))
	f.Add("payload=" + `{"type":"block_actions","actions":[null]}`)
	f.Add("payload=%7B")
	a := testAdapter(f, nil, &fakeHandler{}, func(o *Options) { o.QueueSize = 1 << 20 })
	mux := http.NewServeMux()
	a.Register(mux)
	n := 0
	f.Fuzz(func(t *testing.T, body string) {
		n++
		r := signedRequest("/slack/interactive", "application/x-www-form-urlencoded", []byte(body), testNow)
		// Each input gets its own timestamp so none is taken for a replay.
		ts := strconv.FormatInt(testNow.Unix()-int64(n%200), 10)
		r.Header.Set(headerTimestamp, ts)
		r.Header.Set(headerSignature, Sign(testSecret, ts, []byte(body)))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 503: // 401: the same body and timestamp came twice
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}
