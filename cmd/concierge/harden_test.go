package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// served is a `concierge serve` running in the test's process.
type served struct {
	base   string
	stderr *syncBuffer
	stop   func() int // stops it and returns its exit code
}

// serveInProcess runs serve with the config text (env expanded from env) on a
// free loopback port over dir/data, and waits until it listens.
func serveInProcess(t testing.TB, dir, config string, env map[string]string, args ...string) *served {
	t.Helper()
	cfgPath := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--config", cfgPath, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0"}, args...),
			strings.NewReader(""), io.Discard, stderr, envOf(env))
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	s := &served{stderr: stderr}
	for deadline := time.Now().Add(90 * time.Second); s.base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			s.base = m[1]
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
	}
	if s.base == "" {
		cancel()
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	stopped := false
	var code int
	s.stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			code = <-done
		}
		return code
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// TestIdempotencyKeyAfterCrash: serve keeps keyed requests in its database,
// so a request whose process died after storing the message (claimed,
// stored, never answered) is answered when the client retries after the
// restart, and neither the message nor a reply is stored twice; a second
// retry gets the same answer.
func TestIdempotencyKeyAfterCrash(t *testing.T) {
	dir := t.TempDir()
	key := "crash-test-key-0123456789"
	ctx := context.Background()
	// What the process that crashed left: the key claimed and the message
	// stored under it, no reply and no outcome.
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "data", "concierge.db")
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{MaintenanceInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	const rk = "api:api:app\x00order-42-attempt"
	if out, err := db.ClaimRequest(ctx, rk, 0); err != nil || out != nil {
		t.Fatal(out, err)
	}
	if _, _, err := db.AppendInbound(sqlite.WithRequestKey(ctx, rk),
		bot.Inbound{Channel: "api", ExternalUserID: "app-7", Text: "How long does shipping take?"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := serveInProcess(t, dir, "api:\n  keys:\n    - {name: app, key: \"${K}\", scopes: [messages]}\n", map[string]string{"K": key})
	send := func() (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.base+"/api/v1/messages",
			strings.NewReader(`{"user_id":"app-7","text":"How long does shipping take?"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", "order-42-attempt")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	s1, b1 := send()
	s2, b2 := send()
	var out map[string]any
	if s1 != 200 || json.Unmarshal([]byte(b1), &out) != nil || out["reply"] == "" {
		t.Fatalf("retry after the crash: %d %s", s1, b1)
	}
	if s2 != 200 || b2 != b1 {
		t.Errorf("second retry: %d %s, want the first answer %s", s2, b2, b1)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.stderr.String())
	}
	r, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n int
	if err := r.QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d messages stored, want 2: the message once and its reply once", n)
	}
}

// TestHealthzSeesALockedStore: with another process holding the database's
// write lock, serve's /healthz answers 503 naming the store (it answered
// 200: its check was SELECT 1 on a pooled connection), and 200 again once
// the lock is released; /readyz follows.
func TestHealthzSeesALockedStore(t *testing.T) {
	dir := t.TempDir()
	s := serveInProcess(t, dir, "api:\n  keys: []\n", nil)
	get := func(path string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := get("/healthz"); code != 200 {
		t.Fatalf("/healthz: %d %v", code, out)
	}
	if code, out := get("/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %v", code, out)
	}
	other, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "data", "concierge.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	code, out := get("/healthz")
	checks, _ := out["checks"].(map[string]any)
	if code != 503 || checks["store"] == "ok" || checks["index"] != "ok" {
		t.Errorf("/healthz with the store locked: %d %v, want 503 naming the store", code, out)
	}
	if code, _ := get("/readyz"); code != 503 {
		t.Errorf("/readyz with the store locked: %d, want 503", code)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, out := get("/healthz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz after the lock was released: %d %v", code, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
