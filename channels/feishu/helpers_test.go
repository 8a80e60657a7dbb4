package feishu_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

// fakeHandler records messages and answers with reply(m) or an echo.
type fakeHandler struct {
	mu    sync.Mutex
	msgs  []bot.Message
	reply func(bot.Message) (bot.Reply, error)
}

func (h *fakeHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	h.mu.Lock()
	h.msgs = append(h.msgs, m)
	f := h.reply
	h.mu.Unlock()
	if f != nil {
		return f(m)
	}
	return bot.Reply{Text: "echo: " + m.Text, Action: bot.ActionAnswer}, nil
}

func (h *fakeHandler) Messages() []bot.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Message(nil), h.msgs...)
}

type fakeEscalations struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeEscalations) rec(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
	return f.err
}
func (f *fakeEscalations) Acknowledge(_ context.Context, id bot.EscalationID, agent string) error {
	return f.rec("ack " + agent)
}
func (f *fakeEscalations) TakeOver(_ context.Context, id bot.EscalationID, agent string) error {
	return f.rec("take " + agent)
}
func (f *fakeEscalations) Resolve(_ context.Context, id bot.EscalationID, agent string) error {
	return f.rec("resolve " + agent)
}
func (f *fakeEscalations) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// env is an adapter running against a fake platform, its events endpoint
// served by srv.
type env struct {
	fake *feishutest.Server
	a    *feishu.Adapter
	srv  *httptest.Server
	h    *fakeHandler
	url  string
}

func newEnv(t *testing.T, h *fakeHandler, edit func(*feishu.Options)) *env {
	t.Helper()
	fake := feishutest.New(t)
	if h == nil {
		h = &fakeHandler{}
	}
	opts := feishu.Options{
		AppID: feishutest.AppID, AppSecret: feishutest.AppSecret, VerificationToken: feishutest.VerificationToken,
		EncryptKey: feishutest.EncryptKey, APIURL: fake.URL, Handler: h, Logger: testLogger(t),
		MaxBackoff: 5 * time.Millisecond, ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
		// Several workers: tests send a sender's messages back to back and
		// read what follows in order (a thread followed after its mention,
		// the latest message an agent replies to), which the queue keeps per
		// sender however many workers run.
		Workers: 4,
	}
	if edit != nil {
		edit(&opts)
	}
	a, err := feishu.New(opts)
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
	return &env{fake: fake, a: a, srv: srv, h: h, url: srv.URL + "/feishu/events"}
}

// settle delivers a sentinel direct message and waits until n messages
// and the sentinel's answer were sent.
func (e *env) settle(t *testing.T, n int) {
	t.Helper()
	id := "sentinel-" + time.Now().Format("150405.000000000")
	if st := feishutest.Deliver(e.url, feishutest.MessageEvent("ev-"+id, "om-"+id, "oc_dm_sentinel", "p2p", "ou_sentinel",
		feishutest.TenantKey, "sentinel", false, ""), 1); st != http.StatusOK {
		t.Fatalf("sentinel refused: %d", st)
	}
	e.fake.WaitSent(n + 1)
}
