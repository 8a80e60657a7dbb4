package dingtalk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/dingtalk/dingtalktest"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

type handler struct {
	mu    sync.Mutex
	msgs  []bot.Message
	reply func(bot.Message) (bot.Reply, error)
}

func (h *handler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	h.mu.Lock()
	h.msgs = append(h.msgs, m)
	f := h.reply
	h.mu.Unlock()
	if f != nil {
		return f(m)
	}
	return bot.Reply{Text: "echo: " + m.Text, Action: bot.ActionAnswer}, nil
}

func (h *handler) Messages() []bot.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Message(nil), h.msgs...)
}

type escs struct {
	mu    sync.Mutex
	calls []string
}

func (e *escs) rec(s string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, s)
	return nil
}
func (e *escs) Acknowledge(_ context.Context, id bot.EscalationID, a string) error {
	return e.rec("ack " + a)
}
func (e *escs) TakeOver(_ context.Context, id bot.EscalationID, a string) error {
	return e.rec("take " + a)
}
func (e *escs) Resolve(_ context.Context, id bot.EscalationID, a string) error {
	return e.rec("resolve " + a)
}
func (e *escs) Calls() []string { e.mu.Lock(); defer e.mu.Unlock(); return slices.Clone(e.calls) }

type env struct {
	fake *dingtalktest.Server
	a    *dingtalk.Adapter
	h    *handler
	url  string
}

func newEnv(t *testing.T, h *handler, edit func(*dingtalk.Options)) *env {
	t.Helper()
	fake := dingtalktest.New(t)
	if h == nil {
		h = &handler{}
	}
	o := dingtalk.Options{AppKey: dingtalktest.AppKey, AppSecret: dingtalktest.AppSecret, APIURL: fake.URL, Handler: h,
		MaxBackoff: 5 * time.Millisecond, ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond}
	if edit != nil {
		edit(&o)
	}
	a, err := dingtalk.New(o)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &env{fake: fake, a: a, h: h, url: srv.URL + "/dingtalk/callback"}
}

func TestSignConstructedVector(t *testing.T) {
	// DingTalk publishes the algorithm, not a fixed example; constructed with
	// printf '1700000000000\nsecret' | openssl dgst -sha256 -hmac secret -binary | base64.
	if got := dingtalk.Sign("1700000000000", "secret"); got != "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=" {
		t.Fatalf("Sign = %s", got)
	}
}

func TestForgedRefused(t *testing.T) {
	e := newEnv(t, nil, nil)
	now := time.Now()
	msg := func(id string) map[string]any {
		return e.fake.Message(id, "cid-"+id, false, "staff1", dingtalktest.CorpID, "hi", now.Add(time.Hour))
	}
	type req struct {
		h    http.Header
		body []byte
	}
	cases := map[string]req{}
	add := func(name string, body any, secret string, at time.Time, edit func(http.Header, *[]byte)) {
		r, b := dingtalktest.Signed(body, secret, at)
		if edit != nil {
			edit(r.Header, &b)
		}
		cases[name] = req{r.Header, b}
	}
	add("no headers", msg("a"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Del("timestamp"); h.Del("sign") })
	add("no sign", msg("b"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Del("sign") })
	add("no timestamp", msg("c"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Del("timestamp") })
	add("signed with another secret", msg("d"), "other-secret", now, nil)
	add("sign garbage", msg("e"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Set("sign", "AAAA") })
	add("sign of another timestamp", msg("f"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) {
		h.Set("sign", dingtalk.Sign(strconv.FormatInt(now.Add(-time.Second).UnixMilli(), 10), dingtalktest.AppSecret))
	})
	add("timestamp changed after signing", msg("g"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Set("timestamp", "1") })
	add("two hours old", msg("h"), dingtalktest.AppSecret, now.Add(-2*time.Hour), nil)
	add("two hours ahead", msg("i"), dingtalktest.AppSecret, now.Add(2*time.Hour), nil)
	add("61 minutes old", msg("j"), dingtalktest.AppSecret, now.Add(-61*time.Minute), nil)
	add("timestamp in seconds", msg("k"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) {
		ts := strconv.FormatInt(now.Unix(), 10)
		h.Set("timestamp", ts)
		h.Set("sign", dingtalk.Sign(ts, dingtalktest.AppSecret))
	})
	add("timestamp not a number", msg("l"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) {
		h.Set("timestamp", "now")
		h.Set("sign", dingtalk.Sign("now", dingtalktest.AppSecret))
	})
	add("sign URL-encoded twice", msg("m"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) {
		h.Set("sign", strings.ReplaceAll(h.Get("sign"), "+", "%2B")+"%3D")
	})
	add("body not JSON", msg("n"), dingtalktest.AppSecret, now, func(_ http.Header, b *[]byte) { *b = []byte("not json") })
	add("empty body", msg("o"), dingtalktest.AppSecret, now, func(_ http.Header, b *[]byte) { *b = nil })
	add("no msgId", map[string]any{"msgtype": "text", "text": map[string]string{"content": "x"}}, dingtalktest.AppSecret, now, nil)
	add("body over the size limit", msg("p"), dingtalktest.AppSecret, now, func(_ http.Header, b *[]byte) {
		*b = append([]byte(`{"msgId":"big","x":"`), bytes.Repeat([]byte("a"), 300<<10)...)
	})
	add("sign lower-cased", msg("q"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) { h.Set("sign", strings.ToLower(h.Get("sign"))) })
	add("empty secret", msg("r"), "", now, nil)
	add("secret as key, no newline", msg("s"), dingtalktest.AppSecret, now, func(h http.Header, _ *[]byte) {
		h.Set("sign", dingtalk.Sign(h.Get("timestamp")+dingtalktest.AppSecret, ""))
	})
	other := msg("t")
	other["robotCode"] = "another-robot"
	add("message for another robot", other, dingtalktest.AppSecret, now, nil)
	card := msg("u")
	card["msgtype"] = "picture"
	add("not a text message", card, dingtalktest.AppSecret, now, nil)
	// A replay of an accepted request, as captured.
	r, b := dingtalktest.Signed(e.fake.Message("valid", "cid-valid", false, "staff1", dingtalktest.CorpID, "first", now.Add(time.Hour)), dingtalktest.AppSecret, now)
	if st := dingtalktest.Post(e.url, r.Header, b); st != 200 {
		t.Fatalf("valid refused: %d", st)
	}
	e.fake.WaitSent(1)
	cases["exact replay"] = req{r.Header, b}
	if len(cases) < 20 {
		t.Fatalf("%d cases", len(cases))
	}
	accepted := 0
	for name, c := range cases {
		st := dingtalktest.Post(e.url, c.h, c.body)
		if st == 200 && !strings.Contains(name, "another robot") && !strings.Contains(name, "not a text") {
			accepted++
			t.Errorf("%s: accepted", name)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.h.Messages()); n != 1 {
		t.Errorf("%d messages reached the Engine, want 1", n)
		accepted += n - 1
	}
	t.Logf("forged/replayed cases: %d, accepted: %d", len(cases), accepted)
}

// Retries (same msgId, freshly signed) are answered once; the answer goes
// through the sessionWebhook while valid, else the send API.
func TestRetriesOnceSessionThenAPI(t *testing.T) {
	e := newEnv(t, nil, nil)
	m := e.fake.Message("msg1", "cid-g", true, "staff1", dingtalktest.CorpID, "hello", time.Now().Add(time.Hour))
	for range 3 {
		if st := dingtalktest.Deliver(e.url, m); st != 200 {
			t.Fatal(st)
		}
		// DingTalk signs each retry afresh; two deliveries in the same
		// millisecond would carry the same signature, which is a replay.
		time.Sleep(2 * time.Millisecond)
	}
	sent := e.fake.WaitSent(1)
	expired := e.fake.Message("msg2", "cid-g", true, "staff1", dingtalktest.CorpID, "again", time.Now().Add(-time.Minute))
	dingtalktest.Deliver(e.url, expired)
	sent = e.fake.WaitSent(2)
	time.Sleep(30 * time.Millisecond)
	sent = e.fake.Sent()
	if len(sent) != 2 || sent[0].Path != "/robot/sendBySession" || sent[1].Path != "/v1.0/robot/groupMessages/send" || sent[1].Target != "cid-g" {
		t.Fatalf("sent %+v", sent)
	}
	if ms := e.h.Messages(); len(ms) != 2 || ms[0].ProviderMessageID != "msg1" || ms[0].Role != bot.RoleEmployee {
		t.Fatalf("messages %+v", ms)
	}
}

// A full queue answers 503 and forgets the request, so that DingTalk's
// retry of it is taken, even one with the same signature.
func TestQueueFullRetryTaken(t *testing.T) {
	block := make(chan struct{})
	h := &handler{reply: func(m bot.Message) (bot.Reply, error) {
		if m.Text == "block" {
			<-block
		}
		return bot.Reply{Text: "ok " + m.Text, Action: bot.ActionAnswer}, nil
	}}
	e := newEnv(t, h, func(o *dingtalk.Options) { o.Workers, o.QueueSize = 1, 1 })
	expires := time.Now().Add(time.Hour)
	msg := func(id, text string) map[string]any {
		return e.fake.Message(id, "cid-"+id, false, "staff-"+id, dingtalktest.CorpID, text, expires)
	}
	if st := dingtalktest.Deliver(e.url, msg("b", "block")); st != http.StatusOK {
		t.Fatalf("first message answered %d", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(h.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if st := dingtalktest.Deliver(e.url, msg("q", "queued")); st != http.StatusOK {
		t.Fatalf("queued message answered %d", st)
	}
	r, body := dingtalktest.Signed(msg("full", "retried"), dingtalktest.AppSecret, time.Now())
	if st := dingtalktest.Post(e.url, r.Header, body); st != http.StatusServiceUnavailable {
		close(block)
		t.Fatalf("full queue answered %d, want 503", st)
	}
	close(block)
	e.fake.WaitSent(2)
	if st := dingtalktest.Post(e.url, r.Header, body); st != http.StatusOK {
		t.Fatalf("retry answered %d, want 200", st)
	}
	e.fake.WaitSent(3)
}

func TestTokenAndRateLimit(t *testing.T) {
	e := newEnv(t, nil, nil)
	old := time.Now().Add(-time.Minute)
	dingtalktest.Deliver(e.url, e.fake.Message("t1", "cid-1", false, "staff1", dingtalktest.CorpID, "a", old))
	dingtalktest.Deliver(e.url, e.fake.Message("t2", "cid-1", false, "staff1", dingtalktest.CorpID, "b", old))
	e.fake.WaitSent(2)
	if n := e.fake.TokenCalls(); n != 1 {
		t.Fatalf("token fetched %d times, want 1", n)
	}
	e.fake.RevokeTokens()
	e.fake.RateLimit("/v1.0/robot/oToMessages/batchSend", 2)
	dingtalktest.Deliver(e.url, e.fake.Message("t3", "cid-1", false, "staff1", dingtalktest.CorpID, "c", old))
	e.fake.WaitSent(3)
	if n := e.fake.TokenCalls(); n != 2 {
		t.Fatalf("token fetched %d times, want 2 (revoked one replaced)", n)
	}
	if n := e.fake.Requests("/v1.0/robot/oToMessages/batchSend"); n < 5 {
		t.Fatalf("batchSend requests %d, want ≥5 (2 ok + 2 throttled + 1 retried)", n)
	}
	// The old API's errcode 130101 on a sessionWebhook is backed off too.
	e.fake.RateLimit("/robot/sendBySession", 1)
	dingtalktest.Deliver(e.url, e.fake.Message("t4", "cid-1", false, "staff1", dingtalktest.CorpID, "d", time.Now().Add(time.Hour)))
	sent := e.fake.WaitSent(4)
	if sent[3].Path != "/robot/sendBySession" {
		t.Fatalf("after 130101: %+v", sent[3])
	}
}

// Stream: messages and card clicks over the connection; reconnects after a
// drop and refused handshakes; pings echoed.
func TestStreamReconnectsAndCards(t *testing.T) {
	es := &escs{}
	e := newEnv(t, nil, func(o *dingtalk.Options) { o.Stream = true; o.Escalations = es })
	e.fake.WaitConnects(1)
	ack, ok := e.fake.Push("SYSTEM", "ping", map[string]string{"opaque": "x"})
	if !ok || ack.Code != 200 || !strings.Contains(ack.Data, "opaque") {
		t.Fatalf("ping ack %+v", ack)
	}
	ack, ok = e.fake.Push("CALLBACK", dingtalk.TopicBotMessage, e.fake.Message("s1", "cid-s", false, "staff1", dingtalktest.CorpID, "via stream", time.Now().Add(time.Hour)))
	if !ok || ack.Code != 200 {
		t.Fatalf("message ack %+v", ack)
	}
	e.fake.WaitSent(1)
	e.fake.RefuseConnections(true)
	e.fake.DropConnections()
	time.Sleep(30 * time.Millisecond)
	e.fake.RefuseConnections(false)
	e.fake.WaitConnects(2)
	e.fake.Push("CALLBACK", dingtalk.TopicBotMessage, e.fake.Message("s1", "cid-s", false, "staff1", dingtalktest.CorpID, "via stream", time.Now().Add(time.Hour)))
	if err := e.a.PostAlert(context.Background(), "cid-alerts", dingtalk.AlertCard{Title: "Escalation", Markdown: "**Customer:** Ann", EscalationID: 9}, "esc-9-0"); err != nil {
		t.Fatal(err)
	}
	sent := e.fake.WaitSent(2)
	if sent[1].Path != "/v1.0/im/v1.0/robot/interactiveCards/send" || !strings.Contains(sent[1].Text, `"id":"take"`) {
		t.Fatalf("alert card %+v", sent[1])
	}
	value, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{"actionIds": []string{"take"}, "params": map[string]any{}}})
	ack, ok = e.fake.Push("CALLBACK", dingtalk.TopicCardCallback, map[string]any{"userId": "agent7", "corpId": dingtalktest.CorpID,
		"outTrackId": "esc-9-0", "value": string(value), "type": "actionCallback"})
	if !ok || ack.Code != 200 {
		t.Fatalf("card ack %+v", ack)
	}
	e.fake.WaitSent(3)
	if c := es.Calls(); len(c) != 1 || c[0] != "take dingtalk:agent7" {
		t.Fatalf("escalation calls %v", c)
	}
	if n := len(e.h.Messages()); n != 1 {
		t.Fatalf("the stream retry was answered again: %d messages", n)
	}
}

type deliverer struct{ a *dingtalk.Adapter }

func (d deliverer) Deliver(ctx context.Context, dv escalation.Delivery) error {
	return d.a.Deliver(ctx, dv.CustomerID, dv.MessageID, dv.Agent, dv.Text)
}

// End to end: handoff silence, then the agent's reply reaches the customer.
func TestHandoffSilenceAndAgentReply(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Default: bot.Classification{Intent: "x", Confidence: 0.9, Language: "en"}},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{{Hit: bot.Hit{ID: "p", Title: "Discounts", Audience: bot.AudiencePublic,
			Answer: "10% off.", Confidence: 0.8}, Keywords: []string{"discount"}}}},
		Store: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{reply: func(m bot.Message) (bot.Reply, error) { return engine.Handle(ctx, m) }}
	e := newEnv(t, h, func(o *dingtalk.Options) { o.Customers = db; o.CustomerChats = []string{"cid-shop"} })
	svc, _ := escalation.New(escalation.Options{Store: db, Deliverers: map[string]escalation.Deliverer{"dingtalk": deliverer{e.a}}})
	exp := time.Now().Add(time.Hour)
	dingtalktest.Deliver(e.url, e.fake.Message("h1", "cid-shop", true, "cust1", "corp-customer", "any discount?", exp))
	e.fake.WaitSent(1)
	convs, _ := db.Conversations(ctx, 1)
	if len(convs) != 1 {
		t.Fatalf("conversations %v", convs)
	}
	if err := svc.TakeOverConversation(ctx, convs[0].ID, "Agent Lee"); err != nil {
		t.Fatal(err)
	}
	dingtalktest.Deliver(e.url, e.fake.Message("h2", "cid-shop", true, "cust1", "corp-customer", "hello?", exp))
	dingtalktest.Deliver(e.url, e.fake.Message("h3", "cid-shop", true, "cust1", "corp-customer", "anyone?", exp))
	deadline := time.Now().Add(5 * time.Second)
	for len(h.Messages()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(e.fake.Sent()); n != 1 {
		t.Fatalf("bot spoke during handoff: %d messages sent", n)
	}
	if _, err := svc.ReplyToConversation(ctx, convs[0].ID, "Agent Lee", "Hi, 15% *today*."); err != nil {
		t.Fatal(err)
	}
	sent := e.fake.Sent()
	last := sent[len(sent)-1]
	if last.Target != "cid-shop" || !strings.Contains(last.Text, "**Agent Lee**") || !strings.Contains(last.Text, "15% &#42;today&#42;.") {
		t.Fatalf("agent reply %+v", last)
	}
}

func BenchmarkAck(b *testing.B) {
	fake := dingtalktest.New(b)
	a, _ := dingtalk.New(dingtalk.Options{AppKey: dingtalktest.AppKey, AppSecret: dingtalktest.AppSecret, APIURL: fake.URL,
		Handler: quiet{}, QueueSize: 1 << 16, Workers: 2})
	mux := http.NewServeMux()
	a.Register(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	type rq struct {
		h http.Header
		b []byte
	}
	reqs := make([]rq, b.N)
	for i := range reqs {
		r, body := dingtalktest.Signed(fake.Message("b"+strconv.Itoa(i), "cid", false, "s", dingtalktest.CorpID, "hi", time.Now().Add(time.Hour)), dingtalktest.AppSecret, time.Now())
		reqs[i] = rq{r.Header, body}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := httptest.NewRequest(http.MethodPost, "/dingtalk/callback", bytes.NewReader(reqs[i].b))
		r.Header = reqs[i].h
		w := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(w, r)
		lat = append(lat, time.Since(start))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
}

type quiet struct{}

func (quiet) Handle(context.Context, bot.Message) (bot.Reply, error) {
	return bot.Reply{Action: bot.ActionRelay}, nil
}
