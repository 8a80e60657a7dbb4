package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/concierge-bot/concierge/bot"
)

const (
	testSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testTeam   = "T1"
	testApp    = "A1"
	testBot    = "UBOT"
	testBotID  = "BBOT"
)

// testNow is the adapter's clock in tests; signed requests use it too.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeSlack is a slacktest server with the Web API methods the adapter
// calls recorded: chat.postMessage, chat.postEphemeral, reactions.add,
// conversations.replies and a response_url endpoint.
type fakeSlack struct {
	*slacktest.Server
	mu        sync.Mutex
	posts     []post
	ephemeral []url.Values
	reactions []url.Values
	responses []slackapi.WebhookMessage
	parents   map[string]json.RawMessage // channel:ts → thread parent message
	notInChan map[string]bool
	changed   chan struct{}
	nextTS    int
}

// post is one recorded chat.postMessage.
type post struct {
	Channel, ThreadTS, Text, TS string
	Blocks                      []map[string]any
}

func newFakeSlack(t *testing.T, extra ...slacktest.Binder) *fakeSlack {
	t.Helper()
	f := &fakeSlack{parents: map[string]json.RawMessage{}, notInChan: map[string]bool{},
		changed: make(chan struct{}, 1000), nextTS: 1000}
	binders := append([]slacktest.Binder{func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"ok":true,"team_id":%q,"user_id":%q,"bot_id":%q}`, testTeam, testBot, testBotID)
		})
		c.Handle("/chat.postMessage", f.handlePost)
		c.Handle("/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
			v := form(r)
			f.record(func() { f.ephemeral = append(f.ephemeral, v) })
			fmt.Fprint(w, `{"ok":true,"message_ts":"1.1"}`)
		})
		c.Handle("/reactions.add", func(w http.ResponseWriter, r *http.Request) {
			v := form(r)
			f.record(func() { f.reactions = append(f.reactions, v) })
			fmt.Fprint(w, `{"ok":true}`)
		})
		c.Handle("/conversations.replies", func(w http.ResponseWriter, r *http.Request) {
			v := form(r)
			f.mu.Lock()
			parent, ok := f.parents[v.Get("channel")+":"+v.Get("ts")]
			f.mu.Unlock()
			if !ok {
				fmt.Fprint(w, `{"ok":false,"error":"thread_not_found"}`)
				return
			}
			fmt.Fprintf(w, `{"ok":true,"has_more":false,"messages":[%s]}`, parent)
		})
		c.Handle("/response/", func(w http.ResponseWriter, r *http.Request) {
			var m slackapi.WebhookMessage
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			f.record(func() { f.responses = append(f.responses, m) })
			fmt.Fprint(w, "ok")
		})
	}}, extra...)
	f.Server = slacktest.NewTestServer(binders...)
	f.Start()
	t.Cleanup(f.Stop)
	return f
}

func form(r *http.Request) url.Values {
	b, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(b))
	return v
}

func (f *fakeSlack) record(fn func()) {
	f.mu.Lock()
	fn()
	f.mu.Unlock()
	f.changed <- struct{}{}
}

func (f *fakeSlack) handlePost(w http.ResponseWriter, r *http.Request) {
	v := form(r)
	if f.notInChan[v.Get("channel")] {
		fmt.Fprint(w, `{"ok":false,"error":"not_in_channel"}`)
		return
	}
	p := post{Channel: v.Get("channel"), ThreadTS: v.Get("thread_ts"), Text: v.Get("text")}
	if b := v.Get("blocks"); b != "" {
		if err := json.Unmarshal([]byte(b), &p.Blocks); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
	}
	f.record(func() {
		f.nextTS++
		p.TS = strconv.Itoa(f.nextTS) + ".000100"
		f.posts = append(f.posts, p)
	})
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, p.Channel, p.TS)
}

// waitFor waits until cond holds on the recorded calls, failing the test
// after a generous deadline (a hang guard, not a timing assertion).
func (f *fakeSlack) waitFor(t *testing.T, what string, cond func(f *fakeSlack) bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		f.mu.Lock()
		ok := cond(f)
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-f.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (f *fakeSlack) Posts() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

func (f *fakeSlack) responseURL(name string) string { return f.GetAPIURL() + "response/" + name }

// fakeHandler is a Handler that records messages and answers "echo: text".
type fakeHandler struct {
	mu    sync.Mutex
	msgs  []bot.Message
	reply func(m bot.Message) (bot.Reply, error)
	block chan struct{} // when set, Handle waits for it
}

func (h *fakeHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	if h.block != nil {
		select {
		case <-h.block:
		case <-ctx.Done():
			return bot.Reply{}, ctx.Err()
		}
	}
	h.mu.Lock()
	h.msgs = append(h.msgs, m)
	n := len(h.msgs)
	h.mu.Unlock()
	if h.reply != nil {
		return h.reply(m)
	}
	return bot.Reply{ConversationID: 1, MessageID: int64(100 + n), Text: "echo: " + m.Text, Action: bot.ActionAnswer,
		Language: "en", Sources: []bot.Source{{ID: "returns", Title: "Returns & refunds", URL: "/kb/returns"}}}, nil
}

func (h *fakeHandler) Messages() []bot.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Message(nil), h.msgs...)
}

// fakeFeedback records votes.
type fakeFeedback struct {
	mu    sync.Mutex
	votes []vote
	err   error
}

type vote struct {
	MessageID int64
	Helpful   bool
	Voter     string
}

func (f *fakeFeedback) RecordFeedback(ctx context.Context, id int64, helpful bool, voter string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.votes = append(f.votes, vote{id, helpful, voter})
	return nil
}

func (f *fakeFeedback) Votes() []vote {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]vote(nil), f.votes...)
}

// fakeEscalations records alert actions and agent replies.
type fakeEscalations struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeEscalations) rec(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.calls = append(f.calls, s)
	return nil
}

func (f *fakeEscalations) Acknowledge(ctx context.Context, id bot.EscalationID, agent string) error {
	return f.rec(fmt.Sprintf("ack %d %s", id, agent))
}
func (f *fakeEscalations) TakeOver(ctx context.Context, id bot.EscalationID, agent string) error {
	return f.rec(fmt.Sprintf("take %d %s", id, agent))
}
func (f *fakeEscalations) Resolve(ctx context.Context, id bot.EscalationID, agent string) error {
	return f.rec(fmt.Sprintf("resolve %d %s", id, agent))
}
func (f *fakeEscalations) AgentReply(ctx context.Context, id bot.EscalationID, agent, text string) error {
	return f.rec(fmt.Sprintf("reply %d %s %s", id, agent, text))
}

func (f *fakeEscalations) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// testAdapter builds an adapter against fs with defaults for tests; edit
// adjusts the options.
func testAdapter(t testing.TB, fs *fakeSlack, h Handler, edit func(*Options)) *Adapter {
	t.Helper()
	opts := Options{
		BotToken: "xoxb-test", SigningSecret: testSecret, Handler: h,
		PublicURL: "https://help.example.com", CustomerChannels: []string{"CCUST"},
		Now: func() time.Time { return testNow }, Workers: 1,
	}
	if fs != nil {
		opts.APIURL = fs.GetAPIURL()
	}
	if edit != nil {
		edit(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// start runs the adapter until the test ends and returns a server with its
// routes mounted.
func start(t *testing.T, a *Adapter) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return srv
}

// signedRequest builds a request signed like Slack signs it, at time ts.
func signedRequest(path, contentType string, body []byte, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	sts := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set(headerTimestamp, sts)
	r.Header.Set(headerSignature, Sign(testSecret, sts, body))
	return r
}

// send signs body and posts it to srv, returning the status.
func send(t *testing.T, srv *httptest.Server, path string, body []byte, header ...string) int {
	t.Helper()
	ct := "application/json"
	if path != "/slack/events" {
		ct = "application/x-www-form-urlencoded"
	}
	r := signedRequest(path, ct, body, testNow)
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.Header
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// eventBody is an event_callback carrying inner, JSON-encoded.
func eventBody(eventID string, inner map[string]any, extra ...any) []byte {
	outer := map[string]any{"type": "event_callback", "team_id": testTeam, "api_app_id": testApp,
		"event_id": eventID, "event_time": testNow.Unix(), "event": inner}
	for i := 0; i+1 < len(extra); i += 2 {
		outer[extra[i].(string)] = extra[i+1]
	}
	b, err := json.Marshal(outer)
	if err != nil {
		panic(err)
	}
	return b
}

func dm(user, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel": "DUSER", "channel_type": "im", "user": user, "text": text, "ts": ts}
}

func mention(channel, user, text, ts, threadTS string) map[string]any {
	m := map[string]any{"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts}
	if threadTS != "" {
		m["thread_ts"] = threadTS
	}
	return m
}

func channelMsg(channel, user, text, ts, threadTS string) map[string]any {
	m := map[string]any{"type": "message", "channel": channel, "channel_type": "channel", "user": user, "text": text, "ts": ts}
	if threadTS != "" {
		m["thread_ts"] = threadTS
	}
	return m
}

// interactionBody is the form body of a block_actions click.
func interactionBody(t testing.TB, channel, user, actionID, value, responseURL string, message map[string]any) []byte {
	t.Helper()
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": testTeam}, "api_app_id": testApp,
		"user":         map[string]any{"id": user, "team_id": testTeam},
		"channel":      map[string]any{"id": channel},
		"response_url": responseURL,
		"actions":      []map[string]any{{"type": "button", "action_id": actionID, "value": value, "block_id": "b"}},
	}
	if message != nil {
		payload["message"] = message
	}
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

func commandBody(channel, user, text, responseURL string) []byte {
	return []byte(url.Values{"command": {"/ask"}, "text": {text}, "team_id": {testTeam}, "channel_id": {channel},
		"user_id": {user}, "response_url": {responseURL}, "api_app_id": {testApp}}.Encode())
}

// logBuffer is a concurrency-safe log sink for slog.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// toMaps renders blocks as Slack receives them.
func toMaps(t testing.TB, blocks any) []map[string]any {
	t.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
