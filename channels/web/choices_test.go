package web_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/markdown"
)

// choosyEngine asks "did you mean" (with one choice too many, and one
// without an id) until a message picks a choice, and records what it got.
type choosyEngine struct {
	mu   sync.Mutex
	msgs []bot.Message
}

var offered = []bot.Source{
	{ID: "faq-returns", Title: "How do I return an item?", URL: "/kb/faq-returns"},
	{ID: "faq-exchange", Title: "Can I exchange a tea set?", URL: "/kb/faq-exchange"},
	{ID: "", Title: "no id"},
	{ID: "faq-refund", Title: "When is my refund paid?"},
	{ID: "faq-fourth", Title: "One too many"},
}

func (e *choosyEngine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.mu.Lock()
	e.msgs = append(e.msgs, m)
	n := int64(len(e.msgs))
	e.mu.Unlock()
	if m.Choice != "" {
		return bot.Reply{ConversationID: 1, MessageID: 2 * n, Text: "| Days | Refund |\n|---|---|\n| 1-7 | full |",
			Action: bot.ActionAnswer, Language: "en", Sources: []bot.Source{{ID: m.Choice, Title: m.Text}}}, nil
	}
	return bot.Reply{ConversationID: 1, MessageID: 2 * n, Text: "Did you mean one of these?", Action: bot.ActionClarify,
		Language: "en", Choices: offered}, nil
}

func (e *choosyEngine) last() bot.Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.msgs[len(e.msgs)-1]
}

var wantChoices = []bot.Source{offered[0], offered[1], offered[3]}

func TestPostMessageChoices(t *testing.T) {
	eng := &choosyEngine{}
	srv, err := web.New(web.Options{Engine: eng, APIKeys: []string{testKey}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	url, auth := ts.URL+"/api/v1/messages", "Bearer "+testKey

	status, out := post(t, url, "application/json", auth, `{"user_id":"u1","text":"I want to send it back"}`)
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	var got web.MessageResponse
	b, _ := json.Marshal(out)
	_ = json.Unmarshal(b, &got)
	if diff := cmp.Diff(wantChoices, got.Choices); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}

	// Picking one: the text and the choice reach the Engine.
	status, out = post(t, url, "application/json", auth, `{"user_id":"u1","text":"How do I return an item?","choice":"faq-returns"}`)
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	if m := eng.last(); m.Choice != "faq-returns" || m.Text != "How do I return an item?" || m.ExternalUserID != "u1" {
		t.Errorf("the Engine got %+v", m)
	}
	if c, ok := out["choices"].([]any); !ok || len(c) != 0 {
		t.Errorf("choices of an answer: %#v, want []", out["choices"])
	}

	// A choice is no substitute for text, and is bounded.
	for _, body := range []string{
		`{"user_id":"u1","text":"x","choice":"` + strings.Repeat("a", 300) + `"}`,
		`{"user_id":"u1","text":"x","choice":7}`,
	} {
		if status, out := post(t, url, "application/json", auth, body); status != 400 {
			t.Errorf("%.60s: %d %v, want 400", body, status, out)
		}
	}
}

func TestWidgetChoicesAndContent(t *testing.T) {
	eng := &choosyEngine{}
	srv, err := web.New(web.Options{Engine: eng, SessionSecret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer func() { srv.Close(); ts.Close() }()
	e := widgetEnv{ts: ts, srv: srv}
	s := e.session(t)

	out, status := e.post(t, s.Token, "client-0001", "I want to send it back")
	if status != 200 || out.Reply == nil {
		t.Fatalf("post: %d %+v", status, out)
	}
	if diff := cmp.Diff(wantChoices, out.Reply.Choices); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}
	if out.Message.Content != nil || out.Message.Choices != nil {
		t.Errorf("the visitor's own message has content or choices: %+v", out.Message)
	}

	var picked web.WidgetPostResponse
	call(t, "POST", ts.URL+"/api/v1/widget/messages", s.Token,
		web.WidgetPostRequest{ClientID: "client-0002", Text: "How do I return an item?", Choice: "faq-returns"}, nil, &picked)
	if m := eng.last(); m.Choice != "faq-returns" || m.Channel != bot.ChannelWeb {
		t.Errorf("the Engine got %+v", m)
	}
	if picked.Reply == nil {
		t.Fatal("no reply to the pick")
	}
	// The answer's Markdown table arrives as a sanitised tree.
	want := markdown.Parse(picked.Reply.Text).Blocks
	if diff := cmp.Diff(want, picked.Reply.Content); diff != "" || len(want) != 1 || want[0].Kind != markdown.KindTable {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	if picked.Reply.Choices != nil {
		t.Errorf("an answer offers choices: %+v", picked.Reply.Choices)
	}
	resp := call(t, "POST", ts.URL+"/api/v1/widget/messages", s.Token,
		map[string]string{"client_id": "client-0003", "text": "x", "choice": strings.Repeat("a", 300)}, nil, nil)
	if resp.StatusCode != 400 {
		t.Errorf("an oversized choice: %d, want 400", resp.StatusCode)
	}
}

// TestWidgetHistoryContent checks that stored bot messages come back with
// their sanitised tree, and other authors' messages as text only.
func TestWidgetHistoryContent(t *testing.T) {
	e := newWidgetEnv(t, nil)
	s := e.session(t)
	if _, status := e.post(t, s.Token, "client-0001", "How long does shipping take? <b>now</b>"); status != 200 {
		t.Fatalf("post: %d", status)
	}
	h, status := e.history(t, s.Token, "?limit=10")
	if status != 200 || len(h.Messages) != 2 {
		t.Fatalf("history: %d %+v", status, h)
	}
	cust, reply := h.Messages[0], h.Messages[1]
	if cust.Author != bot.AuthorCustomer || cust.Content != nil {
		t.Errorf("customer message %+v", cust)
	}
	if reply.Author != bot.AuthorBot || len(reply.Content) == 0 || markdown.PlainText(reply.Content[0].Children) == "" {
		t.Errorf("bot message %+v", reply)
	}
}
