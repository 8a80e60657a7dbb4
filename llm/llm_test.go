package llm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/llm"
	"github.com/concierge-bot/concierge/llm/llmtest"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newClient starts a fake server and a client against it; logs at Info and
// above go to the returned buffer.
func newClient(t *testing.T, opts llm.Options, srvOpts llmtest.Options) (*llm.Client, *llmtest.Server, *syncBuffer) {
	t.Helper()
	srv := llmtest.NewServer(srvOpts)
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	opts.BaseURL = srv.BaseURL()
	if opts.Model == "" {
		opts.Model = "fake-chat"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if opts.Backoff == 0 {
		opts.Backoff = time.Millisecond
	}
	c, err := llm.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, logs
}

func passages() []bot.Hit {
	return []bot.Hit{
		{ID: "returns", Title: "Returns and refunds", Audience: bot.AudiencePublic, Language: "en",
			Answer: "Unopened tea can be returned within 30 days for a full refund. Opened tea cannot be returned."},
		{ID: "shipping", Title: "Shipping", Audience: bot.AudiencePublic, Language: "en",
			Answer: "Orders ship within two working days. Delivery in mainland China takes three to five days."},
		{ID: "returns-zh", Title: "退换货政策", Audience: bot.AudiencePublic, Language: "zh",
			Answer: "未开封的茶叶可在30天内退货并全额退款。已开封的茶叶不支持退货。"},
	}
}

func TestGenerateGrounded(t *testing.T) {
	c, srv, _ := newClient(t, llm.Options{}, llmtest.Options{})
	ctx := context.Background()
	tests := []struct {
		name   string
		req    bot.GenerateRequest
		chat   llmtest.ChatFunc
		want   bot.Generated
		wantIn string // a substring of the system prompt
	}{
		{
			name: "english, default fake model",
			req:  bot.GenerateRequest{Question: "Can I return tea?", Language: "en", Role: bot.RoleCustomer, Passages: passages()[:2]},
			want: bot.Generated{Text: "Here is what I found: Unopened tea can be returned within 30 days for a full refund. [1]", Cited: []int{0}},
		},
		{
			name: "chinese",
			req:  bot.GenerateRequest{Question: "茶叶可以退货吗？", Language: "zh", Role: bot.RoleCustomer, Passages: passages()[2:]},
			want: bot.Generated{Text: "根据我们的资料：未开封的茶叶可在30天内退货并全额退款。 [1]", Cited: []int{0}},
		},
		{
			name: "citations renumbered in order of use",
			req:  bot.GenerateRequest{Question: "Shipping and returns?", Language: "en", Role: bot.RoleCustomer, Passages: passages()[:2]},
			chat: func(llmtest.ChatRequest) llmtest.Reply {
				return llmtest.Reply{Text: "Orders ship within two working days [2]. Unopened tea can be returned [1]."}
			},
			want: bot.Generated{Text: "Orders ship within two working days [1]. Unopened tea can be returned [2].", Cited: []int{1, 0}},
		},
		{
			name: "refusal offers a human in the asked language",
			req:  bot.GenerateRequest{Question: "Do you sell coffee?", Language: "zh", Role: bot.RoleCustomer, Passages: passages()[2:]},
			chat: func(llmtest.ChatRequest) llmtest.Reply { return llmtest.Reply{Text: "NO_ANSWER"} },
			want: bot.Generated{Refused: true, Text: "抱歉，我们的资料中没有找到这个问题的确切答案。需要我为您转接人工客服吗？"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetChat(tt.chat)
			if tt.chat == nil {
				srv.SetChat(llmtest.Grounded)
			}
			got, err := c.Generate(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Generated (-want +got):\n%s", diff)
			}
		})
	}
	last := srv.Requests()[len(srv.Requests())-1].Chat
	if !strings.Contains(last.System, "Simplified Chinese") || !strings.Contains(last.User, "[1] 退换货政策") {
		t.Errorf("prompt lacks the language or numbered passages:\n%s\n%s", last.System, last.User)
	}
}

// TestBadProviderOutput: each kind of bad answer is an error (so the Engine
// falls back) and the logs above Debug hold no customer text.
func TestBadProviderOutput(t *testing.T) {
	const secret = "Zanzibar-teapot-question"
	tests := []struct {
		name    string
		stream  bool
		reply   llmtest.Reply
		wantErr error
	}{
		{"html page with 200", false, llmtest.Reply{Body: "<html><body>Welcome to nginx!</body></html>"}, llm.ErrBadResponse},
		{"html page with 502", false, llmtest.Reply{Status: 502, Body: "<html><body>Bad gateway</body></html>"}, llm.ErrUnavailable},
		{"error JSON 500", false, llmtest.Reply{Status: 500}, llm.ErrUnavailable},
		{"unauthorized", false, llmtest.Reply{Status: 401}, llm.ErrUnavailable},
		{"empty completion", false, llmtest.Reply{Text: ""}, llm.ErrBadResponse},
		{"whitespace completion", false, llmtest.Reply{Text: " \n "}, llm.ErrBadResponse},
		{"truncated completion", false, llmtest.Reply{Text: "Unopened tea can be returned within", FinishReason: "length"}, llm.ErrBadResponse},
		{"invented source", false, llmtest.Reply{Text: "Everything is free [7]."}, llm.ErrInventedSource},
		{"no citation", false, llmtest.Reply{Text: "Unopened tea can be returned within 30 days."}, llm.ErrInventedSource},
		{"wrong language", false, llmtest.Reply{Text: "未开封的茶叶可在30天内退货 [1]。"}, llm.ErrWrongLanguage},
		{"echoes the prompt", false, llmtest.Reply{Text: "<passages> [1] Returns"}, llm.ErrBadResponse},
		{"10 MB response", false, llmtest.Reply{Text: strings.Repeat("tea ", 10<<20/4) + "[1]"}, llm.ErrBadResponse},
		{"stream that never closes", true, llmtest.Reply{Text: "Unopened tea can be returned [1].", Hang: true}, llm.ErrTimeout},
		{"stream cut without finish", true, llmtest.Reply{Text: "Unopened tea can", FinishReason: "-"}, llm.ErrBadResponse},
		{"stream truncated", true, llmtest.Reply{Text: "Unopened tea can", FinishReason: "length"}, llm.ErrBadResponse},
		{"stream of 10 MB", true, llmtest.Reply{Text: strings.Repeat("tea ", 10<<20/4) + "[1]"}, llm.ErrBadResponse},
		{"slower than the timeout", false, llmtest.Reply{Text: "Fine [1].", Delay: time.Second}, llm.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timeout := 5 * time.Second
			if errors.Is(tt.wantErr, llm.ErrTimeout) {
				timeout = 150 * time.Millisecond
			}
			c, srv, logs := newClient(t, llm.Options{Stream: tt.stream, Timeout: timeout, MaxRetries: -1},
				llmtest.Options{Chat: func(llmtest.ChatRequest) llmtest.Reply { return tt.reply }})
			_, err := c.Generate(context.Background(), bot.GenerateRequest{
				Question: "Can I return my " + secret + "?", Language: "en", Role: bot.RoleCustomer, Passages: passages()[:2],
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if srv.Count("/v1/chat/completions") != 1 {
				t.Errorf("%d chat requests, want 1", srv.Count("/v1/chat/completions"))
			}
			if strings.Contains(logs.String(), secret) || strings.Contains(err.Error(), secret) {
				t.Errorf("customer text in logs or error:\n%s\n%v", logs.String(), err)
			}
			if !strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("failure not logged:\n%s", logs.String())
			}
		})
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		statuses   []int // per attempt; 0 = success
		wantErr    error
		wantTries  int
		maxRetries int
	}{
		{"503 then success", []int{503, 503, 0}, nil, 3, 2},
		{"429 then success", []int{429, 0}, nil, 2, 2},
		{"500 thrice", []int{500, 500, 500, 0}, llm.ErrUnavailable, 3, 2},
		{"400 is not retried", []int{400, 0}, llm.ErrUnavailable, 1, 2},
		{"no retries", []int{503, 0}, llm.ErrUnavailable, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			c, srv, _ := newClient(t, llm.Options{MaxRetries: tt.maxRetries}, llmtest.Options{Chat: func(r llmtest.ChatRequest) llmtest.Reply {
				mu.Lock()
				defer mu.Unlock()
				s := tt.statuses[n]
				n++
				if s != 0 {
					return llmtest.Reply{Status: s}
				}
				return llmtest.Grounded(r)
			}})
			_, err := c.Generate(context.Background(), bot.GenerateRequest{Question: "Returns?", Language: "en", Passages: passages()[:1]})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := srv.Count("/v1/chat/completions"); got != tt.wantTries {
				t.Errorf("%d attempts, want %d", got, tt.wantTries)
			}
		})
	}
}

func TestCircuitBreakerRecovers(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	down := true
	reg := prometheus.NewRegistry()
	c, srv, _ := newClient(t, llm.Options{MaxRetries: -1, BreakerThreshold: 3, BreakerCoolDown: time.Minute, Registerer: reg,
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }},
		llmtest.Options{Chat: func(r llmtest.ChatRequest) llmtest.Reply {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return llmtest.Reply{Status: 503}
			}
			return llmtest.Grounded(r)
		}})
	req := bot.GenerateRequest{Question: "Returns?", Language: "en", Passages: passages()[:1]}
	ctx := context.Background()
	for range 3 {
		if _, err := c.Generate(ctx, req); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v, want unavailable", err)
		}
	}
	for range 5 {
		if _, err := c.Generate(ctx, req); !errors.Is(err, llm.ErrCircuitOpen) {
			t.Fatalf("err = %v, want circuit open", err)
		}
	}
	if got := srv.Count(""); got != 3 {
		t.Errorf("%d requests while open, want 3 (the failures only)", got)
	}
	mu.Lock()
	now, down = now.Add(time.Minute), false
	mu.Unlock()
	if _, err := c.Generate(ctx, req); err != nil {
		t.Fatalf("probe after cool-down: %v", err)
	}
	if _, err := c.Generate(ctx, req); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	if got := metricValue(t, reg, "concierge_llm_circuit_open"); got != 0 {
		t.Errorf("circuit_open = %v after recovery", got)
	}
	if got := metricValue(t, reg, "concierge_llm_tokens_total"); got == 0 {
		t.Error("no tokens counted")
	}
}

// metricValue sums a gauge's or counter's values over its label sets.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		sum := 0.0
		for _, m := range mf.GetMetric() {
			sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
		return sum
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func TestDailyTokenBudget(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	c, srv, _ := newClient(t, llm.Options{DailyTokenBudget: 250, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }},
		llmtest.Options{Chat: func(r llmtest.ChatRequest) llmtest.Reply {
			rep := llmtest.Grounded(r)
			rep.PromptTokens, rep.CompletionTokens = 100, 20
			return rep
		}})
	req := bot.GenerateRequest{Question: "Returns?", Language: "en", Passages: passages()[:1]}
	for i := range 3 { // 120 + 120 + 120 > 250: the third call is still allowed, the fourth not
		if _, err := c.Generate(context.Background(), req); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if _, err := c.Generate(context.Background(), req); !errors.Is(err, llm.ErrBudgetExhausted) {
		t.Fatalf("err = %v, want budget exhausted", err)
	}
	if got := srv.Count(""); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
	mu.Lock()
	now = now.Add(24 * time.Hour)
	mu.Unlock()
	if _, err := c.Generate(context.Background(), req); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

func TestPromptOverride(t *testing.T) {
	custom := `{{define "system"}}You are Jade Leaf's tea sommelier. Refuse with {{.Refusal}}.{{end}}` +
		`{{define "user"}}<passages>{{range .Passages}}
[{{.N}}] {{.Title}}
{{.Text}}
{{end}}</passages>
<customer_message>{{.Question}}</customer_message>{{end}}`
	c, srv, _ := newClient(t, llm.Options{Prompts: fstest.MapFS{llm.AnswerPrompt: {Data: []byte(custom)}}}, llmtest.Options{})
	if _, err := c.Generate(context.Background(), bot.GenerateRequest{Question: "Returns?", Language: "en", Passages: passages()[:1]}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests()[0].Chat.System; got != "You are Jade Leaf's tea sommelier. Refuse with NO_ANSWER." {
		t.Errorf("system prompt = %q", got)
	}
	for name, bad := range map[string]string{
		"syntax":        `{{define "system"}}{{.Nope`,
		"missing block": `{{define "system"}}hi{{end}}`,
	} {
		_, err := llm.New(llm.Options{BaseURL: "http://127.0.0.1:1/v1", Model: "m", Prompts: fstest.MapFS{llm.AnswerPrompt: {Data: []byte(bad)}}})
		if err == nil || !strings.Contains(err.Error(), llm.AnswerPrompt) {
			t.Errorf("%s: New error = %v, want one naming %s", name, err, llm.AnswerPrompt)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for name, o := range map[string]llm.Options{
		"no base url":     {Model: "m"},
		"no model":        {BaseURL: "http://x/v1"},
		"bad temperature": {BaseURL: "http://x/v1", Model: "m", Temperature: 3},
	} {
		if _, err := llm.New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	reg := prometheus.NewRegistry()
	if _, err := llm.New(llm.Options{BaseURL: "http://x/v1", Model: "m", Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := llm.New(llm.Options{BaseURL: "http://x/v1", Model: "m", Registerer: reg}); err == nil {
		t.Error("second client on one Registerer did not fail")
	}
}

func TestSummarize(t *testing.T) {
	c, srv, _ := newClient(t, llm.Options{}, llmtest.Options{})
	msgs := []bot.StoredMessage{
		{Inbound: true, Author: bot.AuthorCustomer, Text: "My teapot arrived broken, call me on 13812345678", Annotation: bot.Annotation{Sentiment: -0.6}},
		{Author: bot.AuthorBot, Text: "I'm sorry to hear that."},
	}
	got, err := c.Summarize(context.Background(), msgs, "en")
	if err != nil {
		t.Fatal(err)
	}
	want := "Issue: My teapot arrived broken, call me on 13812345678\nWants: a quick resolution\nSentiment: neutral"
	if got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	if body := string(srv.Requests()[0].Body); strings.Contains(body, "13812345678") {
		t.Error("phone number sent to the provider")
	}
	zh, err := c.Summarize(context.Background(), msgs, "zh")
	if err != nil || !strings.HasPrefix(zh, "问题：") || strings.Count(zh, "\n") != 2 {
		t.Errorf("zh summary = %q, %v", zh, err)
	}
	srv.SetChat(func(llmtest.ChatRequest) llmtest.Reply { return llmtest.Reply{Text: "The customer is upset."} })
	if _, err := c.Summarize(context.Background(), msgs, "en"); !errors.Is(err, llm.ErrBadResponse) {
		t.Errorf("prose summary: err = %v, want bad response", err)
	}
}

func TestExtractive(t *testing.T) {
	msgs := []bot.StoredMessage{
		{Inbound: true, Author: bot.AuthorCustomer, Text: "hi", Annotation: bot.Annotation{Intent: bot.IntentGreeting, Sentiment: 0.2}},
		{Author: bot.AuthorBot, Text: "Hello! How can I help you today?"},
		{Inbound: true, Author: bot.AuthorCustomer, Text: "My order arrived with a cracked teapot.", Annotation: bot.Annotation{Intent: "complaint", Sentiment: -0.5}},
		{Author: bot.AuthorBot, Text: "I'm sorry."},
		{Inbound: true, Author: bot.AuthorCustomer, Text: "I want a replacement sent this week!", Annotation: bot.Annotation{Intent: "complaint", Sentiment: -0.8}},
	}
	tests := []struct {
		lang string
		msgs []bot.StoredMessage
		want string
	}{
		{"en", msgs, "Issue: “My order arrived with a cracked teapot.”\nWants: “I want a replacement sent this week!”\nSentiment: angry (mean -0.7, latest message angry)"},
		{"zh", msgs, "问题：“My order arrived with a cracked teapot.”\n诉求：“I want a replacement sent this week!”\n情绪：愤怒（平均 -0.7，最近一条 愤怒）"},
		{"en", nil, "Issue: (no customer message)\nWants: (no customer message)\nSentiment: unknown"},
	}
	for _, tt := range tests {
		if got := llm.Extractive(tt.msgs, tt.lang); got != tt.want {
			t.Errorf("Extractive(%s) =\n%s\nwant\n%s", tt.lang, got, tt.want)
		}
	}
}

func TestEmbed(t *testing.T) {
	c, srv, _ := newClient(t, llm.Options{EmbeddingModel: "fake-embed", EmbedBatchSize: 4}, llmtest.Options{})
	texts := []string{"green tea", "black tea", "teapot", "gift box", "oolong", "mail x@y.com", "puer", "白茶", "绿茶"}
	vecs, err := c.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("%d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		if diff := cmp.Diff(llmtest.HashEmbed(strings.ReplaceAll(texts[i], "x@y.com", "[EMAIL_1]"), 64), v); diff != "" {
			t.Errorf("vector %d out of order:\n%s", i, diff)
		}
	}
	if got := srv.Count("/v1/embeddings"); got != 3 {
		t.Errorf("%d embedding requests, want 3 batches", got)
	}
	srv.SetEmbed(func(s string) []float32 { return make([]float32, len(s)) })
	if _, err := c.Embed(context.Background(), []string{"a", "bb"}); !errors.Is(err, llm.ErrBadResponse) {
		t.Errorf("mismatched dimensions: err = %v", err)
	}
	noModel, _, _ := newClient(t, llm.Options{}, llmtest.Options{})
	if _, err := noModel.Embed(context.Background(), texts); !errors.Is(err, llm.ErrNoEmbeddingModel) {
		t.Errorf("err = %v, want no embedding model", err)
	}
}

func TestCheck(t *testing.T) {
	c, _, _ := newClient(t, llm.Options{EmbeddingModel: "fake-embed"}, llmtest.Options{})
	rep, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.ModelFound || !rep.EmbeddingModelFound || rep.Chat.Reply != "OK" || rep.Chat.PromptTokens == 0 ||
		rep.Embedding == nil || rep.Embedding.Dimensions != 64 {
		t.Errorf("report = %+v", rep)
	}
	bad, _, _ := newClient(t, llm.Options{}, llmtest.Options{Chat: func(llmtest.ChatRequest) llmtest.Reply {
		return llmtest.Reply{Status: http.StatusUnauthorized}
	}})
	if _, err := bad.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "chat with model") {
		t.Errorf("err = %v, want a chat failure", err)
	}
}
