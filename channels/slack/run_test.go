package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

func TestNewValidates(t *testing.T) {
	h := &fakeHandler{}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no handler", Options{BotToken: "x", SigningSecret: "s"}, "Handler is required"},
		{"no bot token", Options{Handler: h, SigningSecret: "s"}, "BotToken"},
		{"no secret nor app token", Options{Handler: h, BotToken: "x"}, "SigningSecret"},
		{"relative public URL", Options{Handler: h, BotToken: "x", SigningSecret: "s", PublicURL: "/kb"}, "PublicURL"},
		{"bad API URL", Options{Handler: h, BotToken: "x", SigningSecret: "s", APIURL: "localhost:9"}, "APIURL"},
		{"socket mode only", Options{Handler: h, BotToken: "x", AppToken: "xapp"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("New: %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func TestRegisterWithoutSecretMountsNothing(t *testing.T) {
	a, err := New(Options{Handler: &fakeHandler{}, BotToken: "x", AppToken: "xapp"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedRequest("/slack/events", "application/json", []byte(`{}`), testNow))
	if w.Code != http.StatusNotFound {
		t.Fatalf("status %d, want 404", w.Code)
	}
}

// TestQueueFullAsksSlackToRetry fills the queue: the next event gets 503
// and is not remembered, so Slack's retry of it is accepted once there is
// room.
func TestQueueFullAsksSlackToRetry(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	a := testAdapter(t, fs, h, func(o *Options) { o.QueueSize = 1 })
	mux := http.NewServeMux()
	a.Register(mux)
	do := func(body []byte, retry string) int {
		r := signedRequest("/slack/events", "application/json", body, testNow)
		if retry != "" {
			r.Header.Set(headerRetryNum, retry)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Code
	}
	if got := do(eventBody("Ev1", dm("U1", "one", "1.000001")), ""); got != 200 {
		t.Fatalf("first: %d", got)
	}
	second := eventBody("Ev2", dm("U1", "two", "1.000002"))
	if got := do(second, ""); got != http.StatusServiceUnavailable {
		t.Fatalf("second: %d, want 503", got)
	}
	cmd := signedRequest("/slack/commands", "application/x-www-form-urlencoded", commandBody("C1", "U1", "q", fs.responseURL("x")), testNow)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, cmd)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("command: %d, want 503", w.Code)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	fs.waitFor(t, "first answer", func(f *fakeSlack) bool { return len(f.posts) == 1 })
	if got := do(second, "1"); got != 200 {
		t.Fatalf("retry of second: %d, want 200", got)
	}
	fs.waitFor(t, "second answer", func(f *fakeSlack) bool { return len(f.posts) == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRunDrainsAcceptedWork stops the adapter while answers are pending:
// Run answers every accepted message before it returns, and refuses new
// ones with 503 meanwhile.
func TestRunDrainsAcceptedWork(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{block: make(chan struct{})}
	a := testAdapter(t, fs, h, func(o *Options) { o.Workers = 2 })
	mux := http.NewServeMux()
	a.Register(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	for i, ts := range []string{"1.000001", "1.000002", "1.000003", "1.000004", "1.000005"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, signedRequest("/slack/events", "application/json", eventBody("Ev"+ts, dm("U1", "q", ts)), testNow))
		if w.Code != 200 {
			t.Fatalf("event %d: %d", i, w.Code)
		}
	}
	cancel()
	// Wait until intake is closed, then check new work is refused.
	for !a.jobs.Stopped() {
		time.Sleep(time.Millisecond)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, signedRequest("/slack/events", "application/json", eventBody("EvLate", dm("U1", "late", "2.000001")), testNow))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("after shutdown: %d, want 503", w.Code)
	}
	close(h.block)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(fs.Posts()); n != 5 {
		t.Fatalf("%d answers posted before Run returned, want 5", n)
	}
}

func TestRunTwice(t *testing.T) {
	a := testAdapter(t, newFakeSlack(t), &fakeHandler{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err == nil {
		t.Fatal("second Run succeeded")
	}
}

// socketServer plays Slack's side of Socket Mode on the slacktest server:
// apps.connections.open hands out a WebSocket URL, which greets with hello
// and then sends the envelopes given, collecting the acknowledgements.
type socketServer struct {
	mu   sync.Mutex
	acks map[string]json.RawMessage // envelope id → ack payload
	got  chan struct{}
}

func (s *socketServer) binder(envelopes []map[string]any) slacktest.Binder {
	return func(c slacktest.Customize) {
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer xapp-test" {
				w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
				return
			}
			w.Write([]byte(`{"ok":true,"url":"ws://` + r.Host + `/socket"}`))
		})
		c.Handle("/socket", slacktest.Websocket(func(conn *websocket.Conn) {
			if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
				return
			}
			for _, e := range envelopes {
				if err := conn.WriteJSON(e); err != nil {
					return
				}
			}
			for {
				var ack struct {
					EnvelopeID string          `json:"envelope_id"`
					Payload    json.RawMessage `json:"payload"`
				}
				if err := conn.ReadJSON(&ack); err != nil {
					return
				}
				s.mu.Lock()
				s.acks[ack.EnvelopeID] = ack.Payload
				s.mu.Unlock()
				s.got <- struct{}{}
			}
		}))
	}
}

func TestSocketMode(t *testing.T) {
	var event map[string]any
	if err := json.Unmarshal(eventBody("EvS1", dm("U1", "over the socket", "3.000001")), &event); err != nil {
		t.Fatal(err)
	}
	envelopes := []map[string]any{
		{"type": "events_api", "envelope_id": "env-1", "payload": event, "accepts_response_payload": false},
		{"type": "events_api", "envelope_id": "env-2", "payload": event, "retry_attempt": 1, "retry_reason": "timeout"},
		{"type": "slash_commands", "envelope_id": "env-3", "payload": map[string]any{"command": "/ask", "text": "socket question",
			"team_id": testTeam, "channel_id": "CGEN", "user_id": "U2", "response_url": "https://hooks.slack.com/x"}},
	}
	ss := &socketServer{acks: map[string]json.RawMessage{}, got: make(chan struct{}, 10)}
	fs := newFakeSlack(t, ss.binder(envelopes))
	h := &fakeHandler{}
	a := testAdapter(t, fs, h, func(o *Options) { o.SigningSecret = ""; o.AppToken = "xapp-test" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	fs.waitFor(t, "answers", func(f *fakeSlack) bool { return len(f.posts) == 3 }) // DM answer, question, its answer
	for range 3 {
		select {
		case <-ss.got:
		case <-time.After(20 * time.Second):
			t.Fatal("timed out waiting for acks")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	var texts []string
	for _, m := range h.Messages() {
		texts = append(texts, m.Text)
	}
	if strings.Join(texts, "|") != "over the socket|socket question" && strings.Join(texts, "|") != "socket question|over the socket" {
		t.Errorf("engine got %q; want each question once", texts)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, id := range []string{"env-1", "env-2", "env-3"} {
		if _, ok := ss.acks[id]; !ok {
			t.Errorf("envelope %s not acknowledged", id)
		}
	}
	if !strings.Contains(string(ss.acks["env-3"]), textOnIt) {
		t.Errorf("slash command ack payload %s", ss.acks["env-3"])
	}
}

func TestSocketModeInvalidTokenEndsRun(t *testing.T) {
	ss := &socketServer{acks: map[string]json.RawMessage{}, got: make(chan struct{}, 1)}
	fs := newFakeSlack(t, ss.binder(nil))
	a := testAdapter(t, fs, &fakeHandler{}, func(o *Options) { o.AppToken = "xapp-wrong" })
	err := a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Fatalf("Run = %v, want invalid_auth", err)
	}
}
