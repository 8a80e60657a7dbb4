package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/web"
)

const testKey = "test-key-0123456789abcdef"

func newServer(t *testing.T, keys ...string) (*httptest.Server, *bottest.Store) {
	t.Helper()
	st := &bottest.Store{}
	eng, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Rules: map[string]bot.Classification{
			"shipping": {Intent: "shipping_info", Confidence: 0.9, Language: "en"},
		}},
		Retriever: &bottest.Retriever{Docs: []bottest.Doc{{Keywords: []string{"shipping"}, Hit: bot.Hit{
			ID: "faq-shipping-01", Title: "Shipping time", URL: "/kb/faq-shipping-01", Answer: "2-4 days.", Audience: bot.AudiencePublic, Confidence: 0.9}}}},
		Store: st,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Engine: eng, APIKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, st
}

func post(t *testing.T, url, ctype, auth, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

func TestPostMessage(t *testing.T) {
	ts, st := newServer(t, testKey)
	status, out := post(t, ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey,
		`{"channel":"api","user_id":"app-user-1","text":"How long does shipping take?"}`)
	if status != 200 {
		t.Fatalf("status %d: %v", status, out)
	}
	want := map[string]any{
		"conversation_id": 1.0, "reply": "2-4 days.", "intent": "shipping_info", "confidence": 0.9, "language": "en",
		"sources": []any{map[string]any{"id": "faq-shipping-01", "title": "Shipping time", "url": "/kb/faq-shipping-01"}},
		"choices": []any{}, "handoff": false, "escalation_id": 0.0,
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if n := len(st.Messages()); n != 2 {
		t.Errorf("stored %d messages, want 2", n)
	}
}

func TestPostMessageErrors(t *testing.T) {
	ts, st := newServer(t, testKey)
	auth := "Bearer " + testKey
	tests := []struct {
		name, ctype, auth, body string
		status                  int
		code                    string
	}{
		{"no key", "application/json", "", `{"user_id":"u","text":"hi"}`, 401, bot.EUNAUTHORIZED},
		{"wrong key", "application/json", "Bearer nope-nope-nope-nope", `{"user_id":"u","text":"hi"}`, 401, bot.EUNAUTHORIZED},
		{"basic auth", "application/json", "Basic " + testKey, `{"user_id":"u","text":"hi"}`, 401, bot.EUNAUTHORIZED},
		{"malformed json", "application/json", auth, `{"user_id":"u","text":`, 400, bot.EINVALID},
		{"wrong type", "text/plain", auth, `{"user_id":"u","text":"hi"}`, 415, "unsupported_media_type"},
		{"no type", "", auth, `{"user_id":"u","text":"hi"}`, 415, "unsupported_media_type"},
		{"oversize body", "application/json", auth, `{"user_id":"u","text":"` + strings.Repeat("a", 70<<10) + `"}`, 413, bot.ETOOLARGE},
		{"too long text", "application/json", auth, `{"user_id":"u","text":"` + strings.Repeat("a", 4001) + `"}`, 413, bot.ETOOLARGE},
		{"empty text", "application/json", auth, `{"user_id":"u","text":"   "}`, 400, bot.EINVALID},
		{"invalid utf8", "application/json", auth, "{\"user_id\":\"u\",\"text\":\"\xff\"}", 400, bot.EINVALID},
		{"no user", "application/json", auth, `{"text":"hi"}`, 400, bot.EINVALID},
		{"bad channel", "application/json", auth, `{"channel":"<script>","user_id":"u","text":"hi"}`, 400, bot.EINVALID},
		{"array body", "application/json", auth, `[1,2]`, 400, bot.EINVALID},
		{"unknown field", "application/json", auth, `{"user_id":"u","txt":"hi"}`, 400, bot.EINVALID},
		{"two objects", "application/json", auth, `{"user_id":"u","text":"hi"}{"user_id":"u","text":"hi"}`, 400, bot.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := post(t, ts.URL+"/api/v1/messages", tt.ctype, tt.auth, tt.body)
			e, _ := out["error"].(map[string]any)
			if status != tt.status || e["code"] != tt.code || e["message"] == "" {
				t.Errorf("got %d %v, want %d with code %q and a message", status, out, tt.status, tt.code)
			}
		})
	}
	if n := len(st.Messages()); n != 0 {
		t.Errorf("bad requests stored %d messages", n)
	}
	// A misspelt field is named, not silently ignored.
	_, out := post(t, ts.URL+"/api/v1/messages", "application/json", auth, `{"user_id":"u","txt":"hi"}`)
	if msg, _ := out["error"].(map[string]any)["message"].(string); !strings.Contains(msg, `unknown field "txt"`) {
		t.Errorf("unknown field: message %q does not name it", msg)
	}
}

func TestAPIClosedWithoutKeys(t *testing.T) {
	ts, _ := newServer(t)
	status, out := post(t, ts.URL+"/api/v1/messages", "application/json", "Bearer anything-at-all-123",
		`{"user_id":"u","text":"hi"}`)
	msg, _ := out["error"].(map[string]any)["message"].(string)
	if status != 401 || !strings.Contains(msg, "api.keys") {
		t.Errorf("got %d %q, want 401 explaining api.keys", status, msg)
	}
}

func TestHealthz(t *testing.T) {
	ts, _ := newServer(t)
	resp, err := http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("healthz: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestRESTCannotUseAdapterChannels: the REST API may not write into the
// conversations of a channel another adapter owns (a Slack employee's, a
// WeChat customer's), only into "api" or a channel name of the caller's own
// that no adapter uses; the refusal says which channels it may use.
func TestRESTCannotUseAdapterChannels(t *testing.T) {
	ts, st := newServer(t, testKey)
	auth := "Bearer " + testKey
	for _, ch := range []string{"web", "slack", "terminal", "wecom", "wecom_kf", "feishu", "dingtalk"} {
		status, out := post(t, ts.URL+"/api/v1/messages", "application/json", auth,
			`{"channel":"`+ch+`","user_id":"T1:U1","text":"How long does shipping take?"}`)
		e, _ := out["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if status != http.StatusBadRequest || e["code"] != bot.EINVALID || !strings.Contains(msg, `"api"`) || !strings.Contains(msg, ch) {
			t.Errorf("channel %s: %d %v; want 400 naming the channels the API may use", ch, status, out)
		}
	}
	if n := len(st.Messages()); n != 0 {
		t.Fatalf("refused messages stored %d messages", n)
	}
	for _, ch := range []string{"", "api", "mobile-app", "kiosk_2"} {
		body := `{"user_id":"u-` + ch + `","text":"How long does shipping take?"}`
		if ch != "" {
			body = `{"channel":"` + ch + `","user_id":"u","text":"How long does shipping take?"}`
		}
		if status, out := post(t, ts.URL+"/api/v1/messages", "application/json", auth, body); status != http.StatusOK {
			t.Errorf("channel %q: %d %v, want 200", ch, status, out)
		}
	}
}

// TestReservedChannelsOption: an adapter's channel handed in by the wiring
// is refused too.
func TestReservedChannelsOption(t *testing.T) {
	srv, err := web.New(web.Options{Engine: nopHandlerAPI{}, APIKeys: []string{testKey}, ReservedChannels: []string{"line"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if status, out := post(t, ts.URL+"/api/v1/messages", "application/json", "Bearer "+testKey,
		`{"channel":"line","user_id":"u","text":"hi"}`); status != http.StatusBadRequest {
		t.Errorf("reserved channel line: %d %v, want 400", status, out)
	}
	if _, err := web.New(web.Options{Engine: nopHandlerAPI{}, ReservedChannels: []string{"api"}}); err == nil {
		t.Error("reserving the API's own channel was accepted")
	}
}

type nopHandlerAPI struct{}

func (nopHandlerAPI) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{ConversationID: 1, Text: "ok"}, nil
}
