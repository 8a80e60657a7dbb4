package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// runCLI runs the command line in-process and returns its exit status and
// output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, envOf(map[string]string{}))
	return code, stdout.String(), stderr.String()
}

func decodeReplies(t *testing.T, out string) []web.MessageResponse {
	t.Helper()
	var replies []web.MessageResponse
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r web.MessageResponse
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("output is not a stream of JSON objects: %v\n%s", err, out)
		}
		replies = append(replies, r)
	}
	return replies
}

func sourceIDs(r web.MessageResponse) []string {
	var ids []string
	for _, s := range r.Sources {
		ids = append(ids, s.ID)
	}
	return ids
}

func TestChatOnDemo(t *testing.T) {
	data := t.TempDir()
	input := "How long does shipping take?\n\n运费怎么算？\nWhat is your return policy?\nI want to talk to a person\n"
	code, out, errOut := runCLI(t, input, "chat", "--json", "--data", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	replies := decodeReplies(t, out)
	if len(replies) != 4 {
		t.Fatalf("got %d replies for 4 non-empty lines:\n%s", len(replies), out)
	}
	// The keys of DESIGN.md's contract, the same object the REST API answers.
	var first map[string]any
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reply", "intent", "confidence", "language", "sources", "handoff", "escalation_id", "conversation_id"} {
		if _, ok := first[k]; !ok {
			t.Errorf("chat --json object lacks %q: %v", k, first)
		}
	}
	if src, _ := first["sources"].([]any); len(src) == 0 || src[0].(map[string]any)["id"] == nil || src[0].(map[string]any)["title"] == nil {
		t.Errorf("chat --json sources %v, want objects with id and title", first["sources"])
	}
	wants := []struct {
		source, intent, lang string
		handoff              bool
	}{
		{"faq-shipping-01", "", "en", false},
		{"faq-shipping-cost-01-zh", "", "zh", false},
		{"faq-returns-01", "", "en", false},
		{"", "ask_human", "en", true},
	}
	for i, w := range wants {
		r := replies[i]
		if w.source != "" && (len(r.Sources) == 0 || r.Sources[0].ID != w.source) {
			t.Errorf("reply %d sources = %v, want %s first (reply %q)", i, sourceIDs(r), w.source, r.Reply)
		}
		if w.intent != "" && r.Intent != w.intent {
			t.Errorf("reply %d intent = %q, want %q", i, r.Intent, w.intent)
		}
		if r.Language != w.lang || r.Handoff != w.handoff || r.Reply == "" {
			t.Errorf("reply %d = %+v, want language %s handoff %v and a text", i, r, w.lang, w.handoff)
		}
		if w.handoff && r.EscalationID == 0 {
			t.Errorf("reply %d: handoff without escalation id", i)
		}
	}

	// Everything is in the database: one customer, one conversation, both
	// messages of every exchange.
	db, err := sqlite.Open(context.Background(), filepath.Join(data, "concierge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	customers, err := db.Customers(context.Background(), bot.CustomerFilter{})
	if err != nil || len(customers) != 1 {
		t.Fatalf("customers = %v, %v; want 1", customers, err)
	}
	convs, err := db.Conversations(context.Background(), customers[0].ID)
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations = %v, %v; want 1", convs, err)
	}
	msgs, err := db.Messages(context.Background(), convs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 8 {
		t.Fatalf("stored %d messages, want 8 (4 in, 4 out)", len(msgs))
	}
	for i, m := range msgs {
		if m.Inbound != (i%2 == 0) {
			t.Errorf("message %d inbound=%v: want alternating inbound/outbound", i, m.Inbound)
		}
	}
	if msgs[0].Text != "How long does shipping take?" || msgs[1].Text != replies[0].Reply {
		t.Errorf("stored texts %q / %q do not match the exchange", msgs[0].Text, msgs[1].Text)
	}
}

// TestCustomersJSONIsTheAPIs: `customers list --json` and `customers show
// --json` print the customers API's own types, field for field.
func TestCustomersJSONIsTheAPIs(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := runCLI(t, "How long does shipping take?\n", "chat", "--user", "cli-7", "--data", data); code != 0 {
		t.Fatalf("chat: exit %d: %s", code, errOut)
	}
	strict := func(out string, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("output is not the API's JSON: %v\n%s", err, out)
		}
	}
	code, out, errOut := runCLI(t, "", "customers", "list", "--json", "--data", data)
	if code != 0 {
		t.Fatalf("customers list: exit %d: %s", code, errOut)
	}
	var list web.CustomerList
	strict(out, &list)
	if len(list.Customers) != 1 {
		t.Fatalf("customers list --json: %+v, want one customer", list)
	}
	c := list.Customers[0]
	if c.Inbound != 1 || c.Outbound != 1 || len(c.Identities) != 1 || c.Identities[0].ExternalID != "cli-7" || c.Tags == nil {
		t.Errorf("customer %+v, want one message each way, the identity cli-7 and a tag list", c)
	}
	code, out, errOut = runCLI(t, "", "customers", "show", strconv.FormatInt(c.ID, 10), "--json", "--data", data)
	if code != 0 {
		t.Fatalf("customers show: exit %d: %s", code, errOut)
	}
	var d web.CustomerDetail
	strict(out, &d)
	if diff := cmp.Diff(c, d.Customer); diff != "" {
		t.Errorf("show and list disagree on the customer (-list +show):\n%s", diff)
	}
	var texts []string
	for _, e := range d.Timeline {
		if e.Type == "message" {
			texts = append(texts, e.Message.Text)
		}
	}
	if len(texts) != 2 || texts[0] != "How long does shipping take?" {
		t.Errorf("timeline messages %q, want the question and its answer", texts)
	}
}

func TestChatAudiences(t *testing.T) {
	data := t.TempDir()
	const q = "What is the refund authority of a shift lead?\n"
	_, out, errOut := runCLI(t, q, "chat", "--json", "--as", "employee", "--data", data)
	emp := decodeReplies(t, out)
	if len(emp) != 1 || len(emp[0].Sources) == 0 || !strings.HasPrefix(emp[0].Sources[0].ID, "internal-refund-authority") {
		t.Fatalf("employee got %+v (%s), want the internal refund-authority page", emp, errOut)
	}
	_, out, _ = runCLI(t, q, "chat", "--json", "--as", "customer", "--data", data)
	cust := decodeReplies(t, out)
	if len(cust) != 1 {
		t.Fatalf("customer got %d replies", len(cust))
	}
	for _, s := range cust[0].Sources {
		if strings.HasPrefix(s.ID, "internal-") {
			t.Errorf("customer was shown internal page %s", s.ID)
		}
	}
	if strings.Contains(cust[0].Reply, emp[0].Reply) {
		t.Errorf("customer reply contains the internal answer: %q", cust[0].Reply)
	}
}

func TestChatBadLines(t *testing.T) {
	data := t.TempDir()
	input := strings.Repeat("a", 4001) + "\n" + "bad \xff utf8\n" + "hello\n"
	code, out, errOut := runCLI(t, input, "chat", "--json", "--data", data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := len(decodeReplies(t, out)); n != 1 {
		t.Errorf("got %d replies, want 1 (two lines refused)", n)
	}
	if !strings.Contains(errOut, "too long") || !strings.Contains(errOut, "UTF-8") {
		t.Errorf("stderr does not explain the refusals: %q", errOut)
	}
}

func TestUsageAndErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"chat", "--nope"}, 2, "unknown flag"},
		{"bad role", []string{"chat", "--as", "admin"}, 2, "--as"},
		{"search without query", []string{"search"}, 2, "QUERY"},
		{"missing config", []string{"chat", "--config", "/nonexistent/c.yaml"}, 2, "config"},
		{"extra args", []string{"version", "x"}, 2, "no arguments"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d mentioning %q", tt.name, code, errOut, tt.code, tt.want)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 0 || strings.Contains(errOut, "goroutine") {
			t.Errorf("%s: stderr is not one sentence: %q", tt.name, errOut)
		}
	}
}

func TestSearchAndIndex(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCLI(t, "", "index", "--data", data)
	if code != 0 || !strings.Contains(out, "Indexed") {
		t.Fatalf("index: exit %d, %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "", "search", "--json", "--data", data, "-n", "3", "shipping", "time")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errOut)
	}
	var res struct {
		Hits []searchHit `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Hits) == 0 || len(res.Hits) > 3 {
		t.Fatalf("search --json = %s (%v)", out, err)
	}
	for _, h := range res.Hits {
		if h.Audience != "public" || h.ID == "" || h.Title == "" {
			t.Errorf("hit %+v: want a public hit with id and title", h)
		}
	}
	_, out, _ = runCLI(t, "", "search", "--json", "--audience", "internal", "--data", data, "refund authority")
	if !strings.Contains(out, `"audience":"internal"`) {
		t.Errorf("internal search found no internal page: %s", out)
	}
}

// TestSearchRanksAsTheBotAnswers checks that search puts first what the bot
// answers from: it ranks for the intent the bot's classifier reads ("能开发票吗"
// is an invoice question, whose ranking differs from that of no intent), and
// --intent none ranks for none.
func TestSearchRanksAsTheBotAnswers(t *testing.T) {
	data := t.TempDir()
	for _, q := range []string{"能开发票吗", "can I get an invoice", "hi, how long does shipping take to Germany?"} {
		code, out, errOut := runCLI(t, q+"\n", "chat", "--json", "--data", data, "--user", "u-"+q)
		if code != 0 {
			t.Fatalf("chat %q: exit %d: %s", q, code, errOut)
		}
		r := decodeReplies(t, out)
		if len(r) != 1 || len(r[0].Sources) == 0 {
			t.Fatalf("chat %q = %s: want an answer with a source", q, out)
		}
		code, out, errOut = runCLI(t, "", "search", "--json", "--data", data, q)
		if code != 0 {
			t.Fatalf("search %q: exit %d: %s", q, code, errOut)
		}
		var res struct {
			Intent string      `json:"intent"`
			Hits   []searchHit `json:"hits"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Hits) == 0 {
			t.Fatalf("search --json %q = %s (%v)", q, out, err)
		}
		if res.Intent == "" || res.Hits[0].ID != r[0].Sources[0].ID {
			t.Errorf("search %q: first %s for intent %q; the bot answered from %s", q, res.Hits[0].ID, res.Intent, r[0].Sources[0].ID)
		}
	}
	_, out, _ := runCLI(t, "", "search", "--json", "--intent", "none", "--data", data, "能开发票吗")
	if strings.Contains(out, `"intent"`) || !strings.Contains(out, `"faq-invoice-01-zh"`) {
		t.Errorf("search --intent none = %s: want no intent", out)
	}
	// A misspelt intent is a usage error naming the near one, not a
	// ranking for an intent nothing is tagged with.
	code, out, errOut := runCLI(t, "", "search", "--intent", "invoce", "--data", data, "能开发票吗")
	if code != 2 || out != "" || !strings.Contains(errOut, `did you mean "invoice"?`) {
		t.Errorf("search --intent invoce: exit %d, stdout %q, stderr %q; want 2, nothing, a suggestion", code, out, errOut)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
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

func TestServe(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "concierge.yaml")
	key := "serve-test-key-0123456789"
	if err := os.WriteFile(cfgPath, []byte("api:\n  keys: [\"${TEST_KEY}\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := runServe(t, map[string]string{"TEST_KEY": key},
		"--config", cfgPath, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// Headers are bounded: 100 KB of them is refused, not read.
	big, _ := http.NewRequest("GET", base+"/healthz", nil)
	big.Header.Set("X-Padding", strings.Repeat("a", 100<<10))
	if resp, err := http.DefaultClient.Do(big); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KB of headers: %v %v, want 431", resp, err)
	} else {
		resp.Body.Close()
	}
	// The metrics answer this machine.
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /metrics from loopback: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/messages", strings.NewReader(`{"channel":"api","user_id":"app-7","text":"运费怎么算？"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 200 || out["language"] != "zh" || len(out["sources"].([]any)) == 0 {
		t.Errorf("POST /api/v1/messages: %d %v", resp.StatusCode, out)
	}
	// Every source the reply cites opens a page of the help center.
	for _, src := range out["sources"].([]any) {
		u := src.(map[string]any)["url"].(string)
		page, err := http.Get(base + u)
		if err != nil {
			t.Fatal(err)
		}
		page.Body.Close()
		if page.StatusCode != 200 {
			t.Errorf("source %s answered %d", u, page.StatusCode)
		}
	}
	if kb, err := http.Get(base + "/kb"); err != nil || kb.StatusCode != 200 {
		t.Errorf("GET /kb: %v %v", kb, err)
	} else {
		kb.Body.Close()
	}
	// The customers API is served beside it, with the same key.
	req, _ = http.NewRequest("GET", base+"/api/v1/customers", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list web.CustomerList
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(list.Customers) != 1 || list.Customers[0].Identities[0].ExternalID != "app-7" {
		t.Errorf("GET /api/v1/customers: %d %+v, want the one customer app-7", resp.StatusCode, list)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d after shutdown", code)
	}
}
