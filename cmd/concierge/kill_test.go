package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/web"
)

// TestAlertsSurviveKill kills `concierge chat` with SIGKILL after it
// acknowledged complaints whose alerts could not be delivered (the sink was
// down), then starts it again with the sink up: every alert arrives, once.
func TestAlertsSurviveKill(t *testing.T) {
	if os.Getenv("CONCIERGE_KILL_CHILD") != "" {
		// The child: chat reading the parent's pipe until it is killed.
		code := run(context.Background(), strings.Fields(os.Getenv("CONCIERGE_KILL_ARGS")), os.Stdin, os.Stdout, os.Stderr, os.Getenv)
		os.Exit(code)
	}
	if testing.Short() {
		t.Skip("kill test skipped in -short mode")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	writeConfig := func(url string) string {
		path := filepath.Join(dir, "c.yaml")
		yaml := "alerts:\n  - name: managers\n    kind: webhook\n    format: generic\n    url: " + url + "\n    secret: kill-test-secret\n"
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// A sink that is down: a loopback port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/hook"
	ln.Close()

	cfg := writeConfig(down)
	cmd := exec.Command(os.Args[0], "-test.run=^TestAlertsSurviveKill$")
	cmd.Env = append(os.Environ(), "CONCIERGE_KILL_CHILD=1",
		"CONCIERGE_KILL_ARGS=chat --json --config "+cfg+" --data "+data)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A complaint: the reply is printed only after the escalation and its
	// alert were committed to the outbox.
	if _, err := fmt.Fprintln(stdin, "你们的快递太慢了，我要投诉"); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatal("child stopped before answering")
	}
	var r web.MessageResponse
	if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.EscalationID == 0 {
		t.Fatalf("the complaint was not escalated before the kill: %+v", r)
	}
	// The alert is in the outbox; the sink is down. Kill without warning.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	var (
		mu   sync.Mutex
		keys = map[string]int{}
	)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		keys[r.Header.Get("Idempotency-Key")]++
		mu.Unlock()
	}))
	defer sink.Close()
	cfg = writeConfig(sink.URL + "/hook")
	// Start again with the sink up and nothing to say: the dispatcher
	// delivers what the killed process left in the outbox before exiting.
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, _, errOut := runCLI(t, "", "chat", "--json", "--config", cfg, "--data", data)
		if code != 0 {
			t.Fatalf("restart: exit %d: %s", code, errOut)
		}
		mu.Lock()
		n := len(keys)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		// The first retry may be scheduled a little later: run again.
		time.Sleep(500 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 1 {
		t.Fatalf("sink saw %d distinct alerts after the restart, want the 1 the killed process acknowledged: %v", len(keys), keys)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("alert %s delivered %d times, want once", k, n)
		}
	}
}
