package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestIdempotencyKey: a retry of POST /api/v1/messages with the same
// Idempotency-Key gets the first answer and stores nothing more; another
// key is another message.
func TestIdempotencyKey(t *testing.T) {
	ts, st := newServer(t, testKey)
	send := func(key, text string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/messages",
			strings.NewReader(`{"channel":"api","user_id":"u1","text":"`+text+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testKey)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, decode(t, resp)
	}
	count := func() int {
		conv, _, err := st.AppendInbound(context.Background(), inboundOf("u1"))
		if err != nil {
			t.Fatal(err)
		}
		msgs, _ := st.RecentMessages(context.Background(), conv.ID, 1000)
		return len(msgs) - 1 // without the probe itself
	}
	s1, first := send("order-42-attempt", "shipping?")
	s2, again := send("order-42-attempt", "shipping?")
	if s1 != 200 || s2 != 200 || first["reply"] != again["reply"] || first["conversation_id"] != again["conversation_id"] {
		t.Fatalf("retry = %d %v, first = %d %v; want the same answer", s2, again, s1, first)
	}
	if n := count(); n != 2 { // the message and its reply, once
		t.Errorf("%d messages stored after a retry, want 2", n)
	}
	if s, body := send("bad key with spaces", "x"); s != 400 {
		t.Errorf("invalid key: %d %v, want 400", s, body)
	}
}

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return out
}

func inboundOf(user string) bot.Inbound {
	return bot.Inbound{Channel: "api", ExternalUserID: user, Text: "probe"}
}
