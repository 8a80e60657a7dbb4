package wecom_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// The test company: the published sample's corp id, token and key.
const (
	corpID   = "ww1436e0e65a779aee"
	token    = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
	aesKey   = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
	agentID  = 1000002
	kfID     = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q"
	customer = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw"
)

// fakeEngine records the messages it is asked about and answers with
// reply (default: an echo).
type fakeEngine struct {
	mu    sync.Mutex
	msgs  []bot.Message
	reply func(m bot.Message) (bot.Reply, error)
}

func (e *fakeEngine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.mu.Lock()
	e.msgs = append(e.msgs, m)
	f := e.reply
	e.mu.Unlock()
	if f != nil {
		return f(m)
	}
	return bot.Reply{Text: "echo: " + m.Text, Action: bot.ActionAnswer, Language: "en"}, nil
}

func (e *fakeEngine) messages() []bot.Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]bot.Message(nil), e.msgs...)
}

// clock is a settable clock shared by the fake and the adapter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t       *testing.T
	fake    *wecomtest.Server
	adapter *wecom.Adapter
	engine  *fakeEngine
	clock   *clock
	srv     *httptest.Server
	stop    func()
}

// setup is what a test may change before the adapter starts.
type setup struct {
	opts     wecom.Options
	fakeOpts wecomtest.Options
	front    func(http.Handler) http.Handler // wraps the adapter's mux
	noRun    bool
}

func newHarness(t *testing.T, configure ...func(*setup)) *harness {
	t.Helper()
	clk := &clock{t: time.Now()}
	eng := &fakeEngine{}
	s := &setup{
		fakeOpts: wecomtest.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, AgentID: agentID,
			Secret: "app-secret", KFSecret: "kf-secret", CallbackTimeout: 2 * time.Second, Now: clk.Now},
		opts: wecom.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, AgentID: agentID,
			Secret: "app-secret", KFSecret: "kf-secret", Handler: eng, Now: clk.Now,
			RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, DrainTimeout: 2 * time.Second,
			Logger: testLogger()},
	}
	for _, c := range configure {
		c(s)
	}
	fake, err := wecomtest.New(s.fakeOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	s.opts.APIURL = fake.URL
	a, err := wecom.New(s.opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	var h http.Handler = mux
	if s.front != nil {
		h = s.front(mux)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fake.Target = srv.URL
	hs := &harness{t: t, fake: fake, adapter: a, engine: eng, clock: clk, srv: srv, stop: func() {}}
	if !s.noRun {
		hs.start()
	}
	return hs
}

// start runs the adapter until the test ends (or stop is called).
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := h.adapter.Run(ctx); err != nil {
			h.t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	h.stop = func() { once.Do(func() { cancel(); <-done }) }
	h.t.Cleanup(h.stop)
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// waitFor polls cond until it holds or 5 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sentTo returns the texts the fake accepted on path.
func (h *harness) sentTo(path string) []string {
	var out []string
	for _, s := range h.fake.Sent() {
		if s.Path == path {
			out = append(out, s.Text)
		}
	}
	return out
}
