package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// fuzzAnswer checks what every endpoint promises for any input: a JSON
// answer (an error body for an error), never a server error.
func fuzzAnswer(t *testing.T, resp *http.Response, input ...string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		t.Fatalf("status %d for %q: %s", resp.StatusCode, input, b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") &&
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("status %d for %q: the answer is not JSON: %s", resp.StatusCode, input, b)
	}
	if resp.StatusCode >= 400 && out != nil {
		if e, _ := out["error"].(map[string]any); e == nil || e["code"] == "" || e["message"] == "" {
			t.Fatalf("status %d for %q: no error code and message: %s", resp.StatusCode, input, b)
		}
	}
}

// FuzzAPIMessage posts arbitrary bodies and Idempotency-Keys to POST
// /api/v1/messages on the demo: a JSON answer, a 4xx naming the problem or
// a reply, never a 5xx; a 200 has a reply and sources and choices arrays.
func FuzzAPIMessage(f *testing.F) {
	e := newWidgetEnv(f, func(o *web.Options) { o.Limits = web.Limits{APIKeyRate: -1, IPRate: -1, MaxInFlight: -1} })
	f.Add(`{"user_id":"u1","text":"How long does shipping take?"}`, "")
	f.Add(`{"channel":"api","user_id":"u1","text":"运费怎么算？","client_id":"c-0001"}`, "c-0001")
	f.Add(`{"channel":"slack","user_id":"T1:U1","text":"x"}`, "")
	f.Add(`{"user_id":"u1","text":"\u0000\u200b\u202e\ufeff"}`, "k")
	f.Add(`{"user_id":"u1","text":"x","choice":"faq-shipping-01"}`, "key with space")
	f.Add(`{"user_id":"u1","text":"x","unknown":1}`, "")
	f.Add(`{"user_id":"u1","text":"x"}{"user_id":"u2"}`, "")
	f.Add(`{"user_id":1}`, "")
	f.Fuzz(func(t *testing.T, body, key string) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/messages", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testKey)
		if key != "" && !strings.ContainsAny(key, "\r\n\x00") {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // a header the client itself refuses to send
		}
		if resp.StatusCode == 200 {
			var out web.MessageResponse
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err := json.Unmarshal(b, &out); err != nil || out.Sources == nil || out.Choices == nil {
				t.Fatalf("200 for %q: %s", body, b)
			}
			return
		}
		fuzzAnswer(t, resp, body, key)
	})
}

// FuzzWidgetSession posts arbitrary bodies to POST /api/v1/widget/session
// (a token to resume, or nothing): a session, or a 4xx naming the problem.
func FuzzWidgetSession(f *testing.F) {
	e := newWidgetEnv(f, func(o *web.Options) { o.Limits = web.Limits{IPRate: -1, VisitorRate: -1} })
	f.Add(`{}`)
	f.Add(`{"token":"v1.abc.def"}`)
	f.Add(`{"token":""}`)
	f.Add(`{"token":123}`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/widget/session", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		fuzzAnswer(t, resp, body)
	})
}

// FuzzWidgetHistory reads a visitor's history with arbitrary query strings
// (after, limit, wait): the history, or a 4xx.
func FuzzWidgetHistory(f *testing.F) {
	e := newWidgetEnv(f, func(o *web.Options) { o.Limits = web.Limits{IPRate: -1, VisitorRate: -1} })
	s := e.session(f)
	f.Add("after=0")
	f.Add("after=-1&limit=1000000")
	f.Add("after=9223372036854775808")
	f.Add("wait=1&after=abc")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, query string) {
		if strings.Contains(query, "wait") {
			return // a long-poll waits by design
		}
		req, err := http.NewRequest("GET", e.ts.URL+"/api/v1/widget/messages", nil)
		if err != nil {
			return
		}
		req.URL.RawQuery = queryOf(query).Encode()
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		fuzzAnswer(t, resp, query)
	})
}

// FuzzCustomersAPI sends arbitrary query strings to the customer list and
// export and arbitrary bodies to erase and merge, over a small store: an
// answer, or a 4xx naming the problem, never a 5xx.
func FuzzCustomersAPI(f *testing.F) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "c.db"), sqlite.Options{NoSync: true, MaintenanceInterval: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	for i, u := range []string{"u1", "u2", "u3"} {
		if _, _, err := db.AppendInbound(ctx, bot.Inbound{Channel: "api", ExternalUserID: u, Text: "hello",
			Time: time.Date(2026, 3, 1, 9, i, 0, 0, time.UTC)}); err != nil {
			f.Fatal(err)
		}
	}
	srv, err := web.New(web.Options{Engine: nopHandler{}, APIKeys: []string{testKey}, Customers: db,
		Limits: web.Limits{APIKeyRate: -1, IPRate: -1, MaxExports: -1, MaxExportsPerActor: -1, ExportRate: 1e9, ExportBurst: 1 << 30}})
	if err != nil {
		f.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	f.Cleanup(ts.Close)
	f.Add("limit=10", "2", `{"into":1}`)
	f.Add("q=hello&segment=new&cursor=abc", "1", `{"into":"x"}`)
	f.Add("limit=-1&format=csv", "999999999999999999999", `{}`)
	f.Add("format=json&since=2026-13-01", "0", `{"into":2}{"into":3}`)
	f.Add("%zz", "-1", `[`)
	f.Fuzz(func(t *testing.T, query, id, body string) {
		do := func(method, path, body string) {
			u, err := url.Parse(ts.URL + path)
			if err != nil {
				return
			}
			req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+testKey)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			fuzzAnswer(t, resp, path, body)
		}
		q := queryOf(query)
		do("GET", "/api/v1/customers?"+q.Encode(), "")
		do("GET", "/api/v1/customers/export?"+q.Encode(), "")
		pid := url.PathEscape(id)
		do("GET", "/api/v1/customers/"+pid, "")
		// Merge, never erase: an erase of the seeded customers would make
		// every later input a 404 and the corpus useless.
		do("POST", "/api/v1/customers/"+pid+"/merge", body)
		do("POST", "/api/v1/customers/"+pid+"/erase", body+"x") // never valid JSON: refused before erasing
	})
}

// queryOf reads k=v&k=v pairs as given, without unescaping, so that any
// fuzzed text becomes parameters an HTTP client can send.
func queryOf(s string) url.Values {
	q := url.Values{}
	for _, kv := range strings.Split(s, "&") {
		k, v, _ := strings.Cut(kv, "=")
		q.Add(k, v)
	}
	return q
}
