package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestClientIDIsAnIdempotencyKey: client_id in the body of POST
// /api/v1/messages works as the Idempotency-Key header does, per API key:
// the same id from another key is another message; a header and a body
// that disagree are refused.
func TestClientIDIsAnIdempotencyKey(t *testing.T) {
	const other = "another-key-0123456789abcdef"
	ts, st := newServer(t, testKey, other)
	send := func(key, header, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		if header != "" {
			req.Header.Set("Idempotency-Key", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, decode(t, resp)
	}
	count := func() int {
		conv, _, err := st.AppendInbound(context.Background(), inboundOf("u7"))
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := st.RecentMessages(context.Background(), conv.ID, 1000)
		return len(msgs) - countProbes(msgs)
	}
	body := `{"user_id":"u7","text":"shipping?","client_id":"msg-0001"}`
	s1, first := send(testKey, "", body)
	s2, again := send(testKey, "", body)
	s3, header := send(testKey, "msg-0001", body)
	if s1 != 200 || s2 != 200 || s3 != 200 || first["reply"] != again["reply"] || first["reply"] != header["reply"] {
		t.Fatalf("answers %d %v, %d %v, %d %v; want the first three times", s1, first, s2, again, s3, header)
	}
	if n := count(); n != 2 {
		t.Errorf("%d messages stored after two retries, want 2", n)
	}
	if s, _ := send(other, "", body); s != 200 {
		t.Fatalf("the same client_id from another key: %d", s)
	}
	if n := count(); n != 4 {
		t.Errorf("%d messages stored after another key's message, want 4 (ids are per key)", n)
	}
	for _, tt := range []struct{ header, body string }{
		{"msg-0002", `{"user_id":"u7","text":"x","client_id":"msg-0003"}`},
		{"", `{"user_id":"u7","text":"x","client_id":"has space"}`},
		{"", `{"user_id":"u7","text":"x","client_id":"` + strings.Repeat("a", 256) + `"}`},
	} {
		if s, out := send(testKey, tt.header, tt.body); s != 400 {
			t.Errorf("header %q body %s: %d %v, want 400", tt.header, tt.body, s, out)
		}
	}
}

// countProbes counts the probe messages count() itself stored.
func countProbes(msgs []bot.StoredMessage) int {
	n := 0
	for _, m := range msgs {
		if m.Inbound && m.Text == "probe" {
			n++
		}
	}
	return n
}
