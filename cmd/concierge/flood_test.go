package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestEscalationFloodFromOneAddress is issue 19's finding 4 against the
// real server: thirty widget sessions from one address, each asking for a
// person, used to open thirty escalations and send thirty manager alerts.
// Now all thirty are in the queue, the first alerts on its own (it looks
// like any customer when it arrives) and one grouped warning stands for
// the rest.
func TestEscalationFloodFromOneAddress(t *testing.T) {
	var (
		mu    sync.Mutex
		kinds []string
	)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a struct {
			Kind string `json:"kind"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &a)
		mu.Lock()
		kinds = append(kinds, a.Kind)
		mu.Unlock()
	}))
	defer sink.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("alerts:\n  - kind: webhook\n    format: generic\n    url: "+sink.URL+"\n    secret: flood-test-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	s := startServe(t, data, nil, "--config", cfg)
	post := func(path, token string, body any, out any) int {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	handoffs := 0
	for i := range 30 {
		var sess web.SessionResponse
		if st := post("/api/v1/widget/session", "", map[string]string{}, &sess); st != 200 {
			t.Fatalf("session %d: status %d", i, st)
		}
		var out web.WidgetPostResponse
		if st := post("/api/v1/widget/messages", sess.Token, web.WidgetPostRequest{ClientID: fmt.Sprintf("flood-%04d", i),
			Text: "I want to talk to a person"}, &out); st != 200 {
			t.Fatalf("message %d: status %d", i, st)
		}
		if out.Handoff {
			handoffs++
		}
	}
	if handoffs != 30 {
		t.Errorf("%d of 30 requests for a person handed off, want all (each is in the queue)", handoffs)
	}
	// Let the dispatcher deliver what it will, then stop the server so
	// that everything queued is flushed.
	time.Sleep(2 * time.Second)
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
	mu.Lock()
	got := strings.Join(kinds, ",")
	mu.Unlock()
	if got != "escalation,early_warning" && got != "early_warning,escalation" {
		t.Errorf("alerts sent: [%s], want the first escalation's and one grouped warning", got)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "concierge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	open, err := db.HandoffQueue(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 30 {
		t.Errorf("%d conversations in the queue, want all 30", len(open))
	}
}
