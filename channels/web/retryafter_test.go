package web_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestEveryRefusalCarriesRetryAfter: every 503 and 429 the server sends
// says when to try again, including the 503s of a busy database (another
// process holds its write lock), which came without Retry-After before.
func TestEveryRefusalCarriesRetryAfter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concierge.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true, BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	eng, err := bot.NewEngine(bot.EngineOptions{Classifier: demoClassifier(), Retriever: demoRetriever(), Store: db})
	if err != nil {
		t.Fatal(err)
	}
	conv, _, err := db.AppendInbound(context.Background(), bot.Inbound{Channel: "api", ExternalUserID: "u1", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	newServer := func(change func(*web.Options)) string {
		opts := web.Options{Engine: eng, History: db, Customers: db, APIKeys: []string{testKey},
			Ready:         func(context.Context) error { return errors.New("down") },
			SessionSecret: []byte("0123456789abcdef0123456789abcdef")}
		if change != nil {
			change(&opts)
		}
		srv, err := web.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		return ts.URL
	}
	base := newServer(nil)
	bare := newServer(func(o *web.Options) { o.Customers, o.History = nil, nil })
	limited := newServer(func(o *web.Options) { o.Limits = web.Limits{APIKeyRate: 0.001, APIKeyBurst: 1} })
	var s web.SessionResponse
	if resp := call(t, "POST", base+"/api/v1/widget/session", "", map[string]string{}, nil, &s); resp.StatusCode != 200 {
		t.Fatalf("session: %d", resp.StatusCode)
	}

	// Another process takes the database's write lock and keeps it.
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=50")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer lock.ExecContext(context.Background(), "ROLLBACK")

	erase := "/api/v1/customers/" + strconv.FormatInt(conv.CustomerID, 10) + "/erase"
	tests := []struct {
		name, method, url, token, body string
		status                         int
	}{
		{"REST message, database busy", "POST", base + "/api/v1/messages", testKey, `{"user_id":"u2","text":"shipping"}`, 503},
		{"widget message, database busy", "POST", base + "/api/v1/widget/messages", s.Token, `{"client_id":"retry-after-1","text":"shipping"}`, 503},
		{"erase, database busy", "POST", base + erase, testKey, "", 503},
		{"health check failing", "GET", base + "/healthz", "", "", 503},
		{"customers API not configured", "GET", bare + "/api/v1/customers", testKey, "", 503},
		{"widget history not configured", "GET", bare + "/api/v1/widget/messages", s.Token, "", 503},
		{"key rate limit, first", "GET", limited + "/api/v1/customers", testKey, "", 200},
		{"key rate limit", "GET", limited + "/api/v1/customers", testKey, "", 429},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, tt.url, nil)
		if tt.body != "" {
			req, _ = http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
		}
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		resp.Body.Close()
		ra := resp.Header.Get("Retry-After")
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
			continue
		}
		if n, err := strconv.Atoi(ra); tt.status >= 429 && (err != nil || n < 1) {
			t.Errorf("%s: %d with Retry-After %q, want a whole number of seconds ≥ 1", tt.name, resp.StatusCode, ra)
		}
	}
}
