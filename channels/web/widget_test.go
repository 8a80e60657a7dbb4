package web_test

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
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// demoEngine returns a real Engine over fakes that know two questions, one
// in English and one in Chinese, and a real store in a temp dir.
func demoEngine(t testing.TB) (*bot.Engine, *sqlite.DB) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	eng, err := bot.NewEngine(bot.EngineOptions{
		Classifier: demoClassifier(), Retriever: demoRetriever(),
		Store: db,
	})
	if err != nil {
		t.Fatal(err)
	}
	return eng, db
}

// demoClassifier knows an English and a Chinese shipping question and a
// request for a human.
func demoClassifier() *bottest.Classifier {
	return &bottest.Classifier{Rules: map[string]bot.Classification{
		"shipping": {Intent: "shipping_info", Confidence: 0.9, Language: "en"},
		"发货":       {Intent: "shipping_info", Confidence: 0.9, Language: "zh"},
		"human":    {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true},
	}}
}

// demoRetriever has one English and one Chinese shipping FAQ.
func demoRetriever() *bottest.Retriever {
	return &bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"shipping"}, Hit: bot.Hit{ID: "faq-shipping-01", Title: "How long does shipping take?",
			URL: "/kb/faq-shipping-01", Answer: "Orders paid by 16:00 leave the same day; SF Express delivers in 1–4 days.",
			Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"发货"}, Hit: bot.Hit{ID: "faq-shipping-01-zh", Title: "发货后多久能收到？",
			URL: "/kb/faq-shipping-01-zh", Answer: "16:00前付款的订单当天发出，顺丰1–4天送达。",
			Audience: bot.AudiencePublic, Confidence: 0.9}},
	}}
}

type widgetEnv struct {
	ts  *httptest.Server
	srv *web.Server
	db  *sqlite.DB
}

func newWidgetEnv(t testing.TB, change func(*web.Options)) widgetEnv {
	t.Helper()
	eng, db := demoEngine(t)
	opts := web.Options{Engine: eng, History: db, APIKeys: []string{testKey},
		SessionSecret: []byte("0123456789abcdef0123456789abcdef"), PollInterval: 20 * time.Millisecond}
	if change != nil {
		change(&opts)
	}
	srv, err := web.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return widgetEnv{ts: ts, srv: srv, db: db}
}

// call makes a request and decodes the JSON answer into out (if not nil).
func call(t testing.TB, method, url, token string, body any, hdr map[string]string, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp
}

func (e widgetEnv) session(t testing.TB) web.SessionResponse {
	t.Helper()
	var s web.SessionResponse
	if resp := call(t, "POST", e.ts.URL+"/api/v1/widget/session", "", map[string]string{}, nil, &s); resp.StatusCode != 200 {
		t.Fatalf("session: %d", resp.StatusCode)
	}
	return s
}

func (e widgetEnv) post(t testing.TB, token, cid, text string) (web.WidgetPostResponse, int) {
	t.Helper()
	var out web.WidgetPostResponse
	resp := call(t, "POST", e.ts.URL+"/api/v1/widget/messages", token, web.WidgetPostRequest{ClientID: cid, Text: text}, nil, &out)
	return out, resp.StatusCode
}

func (e widgetEnv) history(t testing.TB, token, query string) (web.WidgetMessagesResponse, int) {
	t.Helper()
	var out web.WidgetMessagesResponse
	resp := call(t, "GET", e.ts.URL+"/api/v1/widget/messages"+query, token, nil, nil, &out)
	return out, resp.StatusCode
}

func TestWidgetChat(t *testing.T) {
	e := newWidgetEnv(t, nil)
	s := e.session(t)
	if !strings.HasPrefix(s.VisitorID, "v_") || s.Token == "" || s.Renewed || time.Until(s.ExpiresAt) < 29*24*time.Hour {
		t.Fatalf("session: %+v", s)
	}
	out, status := e.post(t, s.Token, "client-msg-0001", "How long does shipping take?")
	if status != 200 {
		t.Fatalf("post: %d", status)
	}
	if out.Reply == nil || out.Message.ID == 0 || out.Reply.ID <= out.Message.ID || out.Handoff {
		t.Fatalf("post answer: %+v", out)
	}
	wantSrc := []bot.Source{{ID: "faq-shipping-01", Title: "How long does shipping take?", URL: "/kb/faq-shipping-01"}}
	if diff := cmp.Diff(wantSrc, out.Reply.Sources); diff != "" {
		t.Errorf("reply sources (-want +got):\n%s", diff)
	}
	zh, _ := e.post(t, s.Token, "client-msg-0002", "发货后多久能收到？")
	if zh.Reply == nil || !strings.Contains(zh.Reply.Text, "顺丰") {
		t.Fatalf("Chinese reply: %+v", zh)
	}

	h, status := e.history(t, s.Token, "")
	if status != 200 {
		t.Fatalf("history: %d", status)
	}
	type row struct {
		ID           int64
		Author, Text string
	}
	var got []row
	for _, m := range h.Messages {
		got = append(got, row{m.ID, m.Author, m.Text})
	}
	want := []row{
		{out.Message.ID, "customer", "How long does shipping take?"}, {out.Reply.ID, "bot", out.Reply.Text},
		{zh.Message.ID, "customer", "发货后多久能收到？"}, {zh.Reply.ID, "bot", zh.Reply.Text},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if h.LastID != zh.Reply.ID || h.More {
		t.Errorf("last_id %d more %v", h.LastID, h.More)
	}
	// Paging forward from an id.
	page, _ := e.history(t, s.Token, fmt.Sprintf("?after=%d&limit=2", out.Message.ID))
	if len(page.Messages) != 2 || page.Messages[0].ID != out.Reply.ID || !page.More {
		t.Errorf("page after %d: %+v", out.Message.ID, page)
	}

	// Renewal keeps the visitor.
	var renewed web.SessionResponse
	call(t, "POST", e.ts.URL+"/api/v1/widget/session", "", web.SessionRequest{Token: s.Token}, nil, &renewed)
	if !renewed.Renewed || renewed.VisitorID != s.VisitorID {
		t.Errorf("renewal: %+v", renewed)
	}
	if h2, _ := e.history(t, renewed.Token, ""); len(h2.Messages) != 4 {
		t.Errorf("renewed token sees %d messages, want 4", len(h2.Messages))
	}
}

// TestWidgetNoCrossReads is the target "cross-customer reads through the
// widget API: 0": two visitors, and every way of presenting a token that is
// not one's own.
func TestWidgetNoCrossReads(t *testing.T) {
	clk := &struct {
		sync.Mutex
		t time.Time
	}{t: time.Now()}
	now := func() time.Time { clk.Lock(); defer clk.Unlock(); return clk.t }
	e := newWidgetEnv(t, func(o *web.Options) { o.Now = now; o.SessionTTL = time.Hour })
	other := newWidgetEnv(t, func(o *web.Options) { o.SessionSecret = []byte("another-secret-another-secret-xx") })

	a, b := e.session(t), e.session(t)
	if a.VisitorID == b.VisitorID {
		t.Fatal("two sessions share a visitor id")
	}
	const secretA = "my order number is A-7731 shipping"
	if _, st := e.post(t, a.Token, "a-message-01", secretA); st != 200 {
		t.Fatalf("post A: %d", st)
	}
	if _, st := e.post(t, b.Token, "b-message-01", "B asks about shipping"); st != 200 {
		t.Fatalf("post B: %d", st)
	}
	foreign := other.session(t) // valid elsewhere, signed with another secret
	pa, pb := strings.Split(a.Token, "."), strings.Split(b.Token, ".")
	flip := func(s string, i int) string {
		r := []byte(s)
		r[i] ^= 1
		if r[i] == '.' || r[i] == '/' || r[i] == '+' { // stay in the alphabet
			r[i] = 'Q'
		}
		return string(r)
	}
	tokens := map[string]string{
		"none":                     "",
		"B's visitor id as token":  a.VisitorID,
		"other server's token":     foreign.Token,
		"A's payload with B's MAC": pa[0] + "." + pa[1] + "." + pb[2],
		"B's payload with A's MAC": pb[0] + "." + pa[1] + "." + pb[2],
		"payload bit flipped":      pb[0] + "." + flip(pb[1], 2) + "." + pb[2],
		"MAC bit flipped":          pb[0] + "." + pb[1] + "." + flip(pb[2], 4),
		"version changed":          "v2." + pa[1] + "." + pa[2],
		"MAC dropped":              pa[0] + "." + pa[1],
		"A's token with a suffix":  a.Token + "A",
		"A's token, lower-case":    strings.ToLower(a.Token),
	}
	crossReads := 0
	check := func(name string, resp *http.Response, body []byte) {
		if bytes.Contains(body, []byte("A-7731")) {
			crossReads++
			t.Errorf("%s: read visitor A's message: %s", name, body)
		}
	}
	for name, tok := range tokens {
		for _, q := range []string{"", "?after=0", "?after=0&visitor=" + a.VisitorID} {
			req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/widget/messages"+q, nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			check(name, resp, body)
			if resp.StatusCode != 401 {
				t.Errorf("%s%s: status %d, want 401", name, q, resp.StatusCode)
			}
		}
		if _, st := e.post(t, tok, "x-message-01", "write into someone's conversation shipping"); st != 401 {
			t.Errorf("%s: post status %d, want 401", name, st)
		}
	}
	// B's own valid token, whatever it asks for, sees only B's messages.
	for _, q := range []string{"", "?after=0", "?after=0&visitor=" + a.VisitorID, "?limit=100"} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/widget/messages"+q, nil)
		req.Header.Set("Authorization", "Bearer "+b.Token)
		resp, _ := http.DefaultClient.Do(req)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		check("B's own token"+q, resp, body)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("B asks")) {
			t.Errorf("B reading its own history%s: %d %s", q, resp.StatusCode, body)
		}
	}
	// A's own token reads A's message, until it expires.
	if h, _ := e.history(t, a.Token, ""); len(h.Messages) != 2 || h.Messages[0].Text != secretA {
		t.Errorf("A's own history: %+v", h)
	}
	clk.Lock()
	clk.t = clk.t.Add(2 * time.Hour)
	clk.Unlock()
	if _, st := e.history(t, a.Token, ""); st != 401 {
		t.Errorf("expired token: status %d, want 401", st)
	}
	// The REST API cannot write into a widget visitor's conversation.
	st, _ := post(t, e.ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey,
		fmt.Sprintf(`{"channel":"web","user_id":%q,"text":"shipping"}`, a.VisitorID))
	if st != 400 {
		t.Errorf("REST post on channel web: %d, want 400", st)
	}
	t.Logf("cross-customer reads: %d of %d attempts", crossReads, len(tokens)*3+4)
}

func TestWidgetIdempotentPost(t *testing.T) {
	e := newWidgetEnv(t, nil)
	s := e.session(t)
	// Ten concurrent posts of one client message id and two sequential
	// replays: one message stored, one answer.
	var wg sync.WaitGroup
	answers := make([]web.WidgetPostResponse, 10)
	for i := range answers {
		wg.Go(func() {
			out, st := e.post(t, s.Token, "same-client-id-1", "How long does shipping take?")
			if st != 200 {
				t.Errorf("post %d: status %d", i, st)
			}
			answers[i] = out
		})
	}
	wg.Wait()
	for range 2 {
		out, _ := e.post(t, s.Token, "same-client-id-1", "How long does shipping take?")
		answers = append(answers, out)
	}
	for i, a := range answers[1:] {
		if diff := cmp.Diff(answers[0], a); diff != "" {
			t.Errorf("answer %d differs (-first +this):\n%s", i+1, diff)
		}
	}
	h, _ := e.history(t, s.Token, "")
	if len(h.Messages) != 2 {
		t.Errorf("stored %d messages, want 2 (one question, one reply)", len(h.Messages))
	}
	// The same client id from another visitor is another message.
	s2 := e.session(t)
	if out, _ := e.post(t, s2.Token, "same-client-id-1", "shipping?"); out.Message.ID == answers[0].Message.ID {
		t.Error("client ids are not scoped to the visitor")
	}
	// A refused message is refused again on replay, and stores nothing.
	for range 2 {
		if _, st := e.post(t, s.Token, "empty-text-0001", "   "); st != 400 {
			t.Errorf("blank text: %d, want 400", st)
		}
	}
	if _, st := e.post(t, s.Token, "bad id", "shipping"); st != 400 {
		t.Errorf("bad client id: %d, want 400", st)
	}
	if h, _ := e.history(t, s.Token, ""); len(h.Messages) != 2 {
		t.Errorf("after refused posts: %d messages, want 2", len(h.Messages))
	}
}

func TestWidgetLongPoll(t *testing.T) {
	e := newWidgetEnv(t, nil)
	s := e.session(t)
	first, _ := e.post(t, s.Token, "client-msg-0001", "I want to talk to a human")
	if !first.Handoff || first.Reply == nil {
		t.Fatalf("escalation: %+v", first)
	}
	// An agent answers from the console (another writer of the store): the
	// waiting poll sees it.
	got := make(chan web.WidgetMessagesResponse, 1)
	go func() {
		h, _ := e.history(t, s.Token, fmt.Sprintf("?after=%d&wait=10", first.Reply.ID))
		got <- h
	}()
	time.Sleep(50 * time.Millisecond)
	convs, err := e.db.VisitorHistory(context.Background(), bot.ChannelWeb, s.VisitorID, -1, 1)
	if err != nil || len(convs) == 0 {
		t.Fatal(err)
	}
	agentID, err := e.db.AppendAgentMessage(context.Background(), convs[0].ConversationID, "Mei", "Hi, this is Mei. How can I help?")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-got:
		if len(h.Messages) != 1 || h.Messages[0].ID != agentID || h.Messages[0].Author != "agent" {
			t.Errorf("poll returned %+v", h)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the poll did not return the agent's message")
	}

	// While a human has the conversation the bot stays silent.
	relay, _ := e.post(t, s.Token, "client-msg-0002", "thanks, my parcel is late")
	if relay.Reply != nil || !relay.Handoff || relay.Message.ID <= agentID {
		t.Errorf("relay: %+v", relay)
	}

	// An empty poll returns after its wait; Close ends waiting polls at once.
	start := time.Now()
	h, st := e.history(t, s.Token, fmt.Sprintf("?after=%d&wait=1", relay.Message.ID))
	if st != 200 || len(h.Messages) != 0 || h.LastID != relay.Message.ID || time.Since(start) < 900*time.Millisecond {
		t.Errorf("empty poll: %d %+v after %v", st, h, time.Since(start))
	}
	done := make(chan int, 1)
	go func() {
		_, st := e.history(t, s.Token, fmt.Sprintf("?after=%d&wait=20", relay.Message.ID))
		done <- st
	}()
	time.Sleep(50 * time.Millisecond)
	e.srv.Close()
	select {
	case st := <-done:
		if st != 200 {
			t.Errorf("poll at close: %d", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the waiting poll")
	}
}

func TestWidgetBadRequests(t *testing.T) {
	e := newWidgetEnv(t, nil)
	s := e.session(t)
	tests := []struct {
		name, query string
		status      int
	}{
		{"negative after", "?after=-1", 400},
		{"after not a number", "?after=x", 400},
		{"limit zero", "?limit=0", 400},
		{"limit too big", "?limit=101", 400},
		{"wait without after", "?wait=5", 400},
		{"wait not a number", "?after=0&wait=soon", 400},
	}
	for _, tt := range tests {
		if _, st := e.history(t, s.Token, tt.query); st != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, st, tt.status)
		}
	}
	big := strings.Repeat("a", 70<<10)
	if _, st := e.post(t, s.Token, "client-msg-0001", big); st != 413 {
		t.Errorf("oversize body: %d, want 413", st)
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/widget/messages", strings.NewReader(`{"client_id":"client-msg-0002","text":"hi"}`))
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "text/plain")
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 415 {
		t.Errorf("text/plain: %d, want 415", resp.StatusCode)
	}
	if resp := call(t, "GET", e.ts.URL+"/api/v1/widget/nothing", s.Token, nil, nil, nil); resp.StatusCode != 404 {
		t.Errorf("unknown endpoint: %d", resp.StatusCode)
	}
}

func TestWidgetWithoutHistory(t *testing.T) {
	e := newWidgetEnv(t, func(o *web.Options) { o.History = nil })
	s := e.session(t)
	out, st := e.post(t, s.Token, "client-msg-0001", "shipping?")
	if st != 200 || out.Reply == nil || out.Message.ID != 0 {
		t.Errorf("post without history: %d %+v", st, out)
	}
	if _, st := e.history(t, s.Token, ""); st != 503 {
		t.Errorf("history without a store: %d, want 503", st)
	}
}

func TestRateLimits(t *testing.T) {
	e := newWidgetEnv(t, func(o *web.Options) {
		o.Limits = web.Limits{VisitorRate: 0.001, VisitorBurst: 2, IPRate: 0.001, IPBurst: 8, APIKeyRate: 0.001, APIKeyBurst: 3}
	})
	s := e.session(t) // IP: 1
	for i := range 2 {
		if _, st := e.post(t, s.Token, fmt.Sprintf("client-msg-%04d", i), "shipping?"); st != 200 {
			t.Fatalf("post %d: %d", i, st)
		}
	}
	resp := call(t, "POST", e.ts.URL+"/api/v1/widget/messages", s.Token, web.WidgetPostRequest{ClientID: "client-msg-0099", Text: "shipping?"}, nil, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third post of a visitor: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// A replay of an answered message is not a new message: it is answered.
	if _, st := e.post(t, s.Token, "client-msg-0000", "shipping?"); st != 200 {
		t.Errorf("replay while throttled: %d", st)
	}
	// Per IP: 8 requests in all, then 429, whatever the visitor.
	var last int
	for range 6 {
		last = call(t, "POST", e.ts.URL+"/api/v1/widget/session", "", map[string]string{}, nil, nil).StatusCode
	}
	if last != 429 {
		t.Errorf("session flood from one IP: last status %d, want 429", last)
	}
	// Per API key.
	for i := range 4 {
		st, out := post(t, e.ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey, `{"user_id":"u","text":"shipping"}`)
		if want := map[bool]int{true: 200, false: 429}[i < 3]; st != want {
			t.Errorf("API request %d: %d %v, want %d", i, st, out, want)
		}
	}
}

func TestCORS(t *testing.T) {
	e := newWidgetEnv(t, func(o *web.Options) { o.AllowedOrigins = []string{"https://shop.example.com"} })
	s := e.session(t)
	tests := []struct {
		name, method, path, origin string
		status                     int
		allow                      string
	}{
		{"allowed preflight", "OPTIONS", "/api/v1/widget/messages", "https://shop.example.com", 204, "https://shop.example.com"},
		{"allowed get", "GET", "/api/v1/widget/messages", "https://shop.example.com", 200, "https://shop.example.com"},
		{"other origin preflight", "OPTIONS", "/api/v1/widget/messages", "https://evil.example", 403, ""},
		{"other origin get", "GET", "/api/v1/widget/messages", "https://evil.example", 403, ""},
		{"other origin session", "POST", "/api/v1/widget/session", "https://evil.example", 403, ""},
		{"same origin", "GET", "/api/v1/widget/messages", e.ts.URL, 200, ""},
		{"no origin", "GET", "/api/v1/widget/messages", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tt.origin != "" {
				hdr["Origin"] = tt.origin
				hdr["Access-Control-Request-Method"] = "POST"
			}
			var body any
			if tt.method == "POST" {
				body = map[string]string{}
			}
			resp := call(t, tt.method, e.ts.URL+tt.path, s.Token, body, hdr, nil)
			if resp.StatusCode != tt.status || resp.Header.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Errorf("%d with Access-Control-Allow-Origin %q; want %d %q", resp.StatusCode,
					resp.Header.Get("Access-Control-Allow-Origin"), tt.status, tt.allow)
			}
			if tt.status == 204 && !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
				t.Errorf("preflight allows headers %q", resp.Header.Get("Access-Control-Allow-Headers"))
			}
		})
	}
	// The REST API is server-to-server: no CORS for it.
	resp := call(t, "POST", e.ts.URL+"/api/v1/messages", testKey, web.MessageRequest{UserID: "u", Text: "shipping"},
		map[string]string{"Origin": "https://shop.example.com"}, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("REST API from a browser origin: %d, Access-Control-Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	eng, _ := demoEngine(t)
	if _, err := web.New(web.Options{Engine: eng, AllowedOrigins: []string{"*"}}); err == nil {
		t.Error(`AllowedOrigins "*" was accepted`)
	}
}

func TestPagesAndHeaders(t *testing.T) {
	e := newWidgetEnv(t, func(o *web.Options) {
		o.Site = web.Site{Name: map[string]string{"en": "Jade Leaf Tea House", "zh": "翠叶茶庄"}}
	})
	tests := []struct {
		path, accept, ctype, csp, contains string
	}{
		{"/", "", "text/html", "script-src 'self'", `<html lang="en">`},
		{"/?lang=zh", "", "text/html", "script-src 'self'", "翠叶茶庄"},
		{"/", "zh-CN,zh;q=0.9,en;q=0.5", "text/html", "default-src 'none'", `<html lang="zh-CN">`},
		{"/", "en;q=0.2, zh-TW;q=0.9", "text/html", "script-src 'self'", `<html lang="zh-CN">`}, // the highest q wins
		{"/", "fr, en-GB;q=0.8, zh;q=0.5", "text/html", "script-src 'self'", `<html lang="en">`},
		{"/widget.js", "", "text/javascript", "", "textContent"},
		{"/widget.css", "", "text/css", "", ".cjw-root"},
		{"/demo.css", "", "text/css", "", "body"},
		{"/api/v1/openapi.json", "", "application/json", "default-src 'none'", `"openapi"`},
		{"/healthz", "", "application/json", "", "ok"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", e.ts.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Language", tt.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Type"), tt.ctype) ||
			!strings.Contains(h.Get("Content-Security-Policy"), tt.csp) || !strings.Contains(string(body), tt.contains) ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s (%s): %d %s CSP %q, body has %q: %v", tt.path, tt.accept, resp.StatusCode,
				h.Get("Content-Type"), h.Get("Content-Security-Policy"), tt.contains, strings.Contains(string(body), tt.contains))
		}
	}
	// The demo page carries no inline script or style: the CSP forbids them.
	page := get(t, e.ts.URL+"/")
	for _, bad := range []string{"<script>", "style=", "onclick", "onload"} {
		if strings.Contains(page, bad) {
			t.Errorf("demo page contains %q", bad)
		}
	}
	if resp := call(t, "GET", e.ts.URL+"/nothing-here", "", nil, nil, nil); resp.StatusCode != 404 {
		t.Errorf("unknown page: %d", resp.StatusCode)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestWidgetScriptSize is the target "widget script size ≤ 30 KB
// uncompressed", for the script and for script and style sheet together.
func TestWidgetScriptSize(t *testing.T) {
	e := newWidgetEnv(t, nil)
	js, css := len(get(t, e.ts.URL+"/widget.js")), len(get(t, e.ts.URL+"/widget.css"))
	t.Logf("widget.js %d bytes, widget.css %d bytes, together %d bytes (limit 30720)", js, css, js+css)
	if js+css > 30<<10 {
		t.Errorf("widget.js + widget.css = %d bytes, over 30 KB", js+css)
	}
	if js < 1000 {
		t.Errorf("widget.js is only %d bytes", js)
	}
}

func FuzzWidgetPost(f *testing.F) {
	e := newWidgetEnv(f, func(o *web.Options) { o.Limits = web.Limits{VisitorRate: -1, IPRate: -1} })
	s := e.session(f)
	f.Add(`{"client_id":"client-msg-0001","text":"shipping?"}`)
	f.Add(`{"client_id":"x","text":""}`)
	f.Add(`{"client_id":"client-msg-0002","text":"<img src=x onerror=alert(1)>"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/widget/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q: %v", resp.StatusCode, body, out)
		}
	})
}

// blockingEngine holds every message until release is closed.
type blockingEngine struct {
	entered chan struct{}
	release chan struct{}
	handled atomic.Int32
}

func (b *blockingEngine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	b.entered <- struct{}{}
	<-b.release
	b.handled.Add(1)
	return bot.Reply{ConversationID: 1, MessageID: 1, Text: "ok", Language: "en"}, nil
}

func TestOverloadIsRefusedQuickly(t *testing.T) {
	eng := &blockingEngine{entered: make(chan struct{}, 10), release: make(chan struct{})}
	srv, err := web.New(web.Options{Engine: eng, APIKeys: []string{testKey},
		Limits: web.Limits{MaxInFlight: 1, QueueWait: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	first := make(chan int, 1)
	go func() {
		st, _ := post(t, ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey, `{"user_id":"u1","text":"hi"}`)
		first <- st
	}()
	<-eng.entered // the only slot is taken
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/messages", strings.NewReader(`{"user_id":"u2","text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("second message while full: %d, Retry-After %q; want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(eng.release)
	if st := <-first; st != 200 {
		t.Errorf("first message: %d", st)
	}
	if n := eng.handled.Load(); n != 1 {
		t.Errorf("the engine handled %d messages, want 1 (the refused one must not reach it)", n)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes by a logger.
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

func TestNoCustomerTextInLogs(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e := newWidgetEnv(t, func(o *web.Options) { o.Logger = log })
	const secret = "TOPSECRET-customer-text shipping"
	s := e.session(t)
	e.post(t, s.Token, "client-msg-0001", secret)
	e.history(t, s.Token, "?after=0&wait=1")
	post(t, e.ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey, `{"user_id":"u","text":"`+secret+`"}`)
	post(t, e.ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey, `{"user_id":"u","text":"`+secret+`",`)
	call(t, "GET", e.ts.URL+"/api/v1/widget/messages?after=0&q="+url.QueryEscape(secret), s.Token, nil, nil, nil)
	if strings.Contains(logs.String(), "TOPSECRET") || strings.Contains(logs.String(), s.Token) {
		t.Errorf("customer text or a token in the logs at Info level:\n%s", logs.String())
	}
}

func TestMount(t *testing.T) {
	eng, _ := demoEngine(t)
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "console "+r.URL.Path) })
	srv, err := web.New(web.Options{Engine: eng, Mount: map[string]http.Handler{"/console/": console}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/console/queue")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "console /console/queue" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("mounted handler: %q, headers %v", body, resp.Header)
	}
	for _, bad := range []string{"GET /widget.js", "/{$"} {
		if _, err := web.New(web.Options{Engine: eng, Mount: map[string]http.Handler{bad: console}}); err == nil {
			t.Errorf("pattern %q was accepted", bad)
		}
	}
}
