package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A complaint in `concierge chat` reaches a configured webhook before the
// command exits, carrying the reason and the customer's words.
func TestChatComplaintAlertsWebhook(t *testing.T) {
	var (
		mu       sync.Mutex
		received []map[string]any
	)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("webhook body is not JSON: %s", body)
		}
		if r.Header.Get("Idempotency-Key") == "" || !strings.HasPrefix(r.Header.Get("X-Concierge-Signature"), "sha256=") {
			t.Errorf("webhook headers missing: %v", r.Header)
		}
		mu.Lock()
		received = append(received, m)
		mu.Unlock()
	}))
	defer sink.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	yaml := "alerts:\n  - kind: webhook\n    format: generic\n    url: " + sink.URL + "\n    secret: ${HOOK_SECRET}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := run(t.Context(), []string{"chat", "--json", "--config", cfg, "--data", filepath.Join(dir, "data")},
		strings.NewReader("你们的快递太慢了，我要投诉\n"), &stdout, &stderr, envOf(map[string]string{"HOOK_SECRET": "s3cret-s3cret"}))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	replies := decodeReplies(t, stdout.String())
	if len(replies) != 1 || !replies[0].Handoff || replies[0].EscalationID == 0 {
		t.Fatalf("complaint not escalated: %+v", replies)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 1 {
		t.Fatalf("webhook received %d alerts, want 1", len(received))
	}
	got, _ := json.Marshal(received[0])
	if !strings.Contains(string(got), "complaint") || !strings.Contains(string(got), "快递太慢") {
		t.Errorf("alert lacks the reason or the customer's words: %s", got)
	}
}
