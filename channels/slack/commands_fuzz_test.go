package slack

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// FuzzCommandsEndpoint posts correctly signed arbitrary form bodies to
// /slack/commands (the /ask slash command): the endpoint must never panic
// and must answer 200 (taken, ignored or explained), 400, 401 (a replay)
// or 503.
func FuzzCommandsEndpoint(f *testing.F) {
	f.Add(string(commandBody("C1", "U1", "how long is delivery?", "https://hooks.slack.com/commands/1")))
	f.Add(string(commandBody("C1", "U1", "", "https://evil.example/x")))
	f.Add("command=%2Fask&text=%00%E2%80%AE&user_id=&channel_id=")
	f.Add("text=" + "%41%41%41%41")
	f.Add("%zz")
	a := testAdapter(f, nil, &fakeHandler{}, func(o *Options) { o.QueueSize = 1 << 20 })
	mux := http.NewServeMux()
	a.Register(mux)
	n := 0
	f.Fuzz(func(t *testing.T, body string) {
		n++
		r := signedRequest("/slack/commands", "application/x-www-form-urlencoded", []byte(body), testNow)
		ts := strconv.FormatInt(testNow.Unix()-int64(n%200), 10)
		r.Header.Set(headerTimestamp, ts)
		r.Header.Set(headerSignature, Sign(testSecret, ts, []byte(body)))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 401, 503:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
}
