package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestConciergeChild is not a test: it is the concierge command line that
// the tests beside a running serve start as a child process, with its
// arguments in CONCIERGE_CHILD_ARGS (JSON). Without them it does nothing.
func TestConciergeChild(t *testing.T) {
	raw := os.Getenv("CONCIERGE_CHILD_ARGS")
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad CONCIERGE_CHILD_ARGS:", err)
		os.Exit(3)
	}
	os.Exit(run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// childCommand returns the concierge command line args as a child process
// of the test binary, ended when ctx is.
func childCommand(ctx context.Context, t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestConciergeChild$")
	cmd.Env = append(append(os.Environ(), "CONCIERGE_CHILD_ARGS="+string(raw)), env...)
	return cmd
}

// servingChild is a `concierge serve` running as a child process.
type servingChild struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	done chan error
}

// startServe starts `concierge serve` on data and waits until it listens.
func startServe(t *testing.T, data string, env []string, args ...string) *servingChild {
	t.Helper()
	cmd := childCommand(context.Background(), t, env, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &servingChild{cmd: cmd, done: make(chan error, 1)}
	listening := make(chan string, 1)
	var lines bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			lines.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				listening <- m[1]
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case s.base = <-listening:
	case err := <-s.done:
		t.Fatalf("serve exited before listening: %v", err)
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("serve did not start listening within 90 s")
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
		}
	})
	return s
}

// stop ends serve with SIGTERM and returns its exit error.
func (s *servingChild) stop(t *testing.T) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		s.done <- err // for the clean-up
		return err
	case <-time.After(shutdownGrace + 10*time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}
	return nil
}

// besideDeadline ends a CLI call that hangs: far above the few seconds any
// command takes beside serve (on a loaded machine, under -race), far below
// "forever". The times measured are logged, not asserted.
const besideDeadline = 30 * time.Second

// cliResult is the outcome of one command run as a child process.
type cliResult struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// runChild runs one command as a child process under besideDeadline.
func runChild(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), besideDeadline)
	defer cancel()
	cmd := childCommand(ctx, t, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := cliResult{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("concierge %s hung: killed after %s\nstderr: %s", strings.Join(args, " "), besideDeadline, r.stderr)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return r
}

// TestCommandsBesideServe runs the commands that read the data directory
// while a real `concierge serve` child process holds it: each answers (the
// readers) or refuses with a sentence naming serve's pid (index, a second
// serve), and none hangs. Then it checks that a serve killed with SIGKILL
// leaves nothing that blocks the next commands.
func TestCommandsBesideServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts concierge serve as a child process")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := "beside-test-key-0123456789"
	cfg := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(cfg, []byte("api:\n  keys: [\"${BESIDE_KEY}\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"BESIDE_KEY=" + key}
	common := []string{"--config", cfg, "--data", data}

	srv := startServe(t, data, env, "--config", cfg)
	pid := srv.cmd.Process.Pid
	// One customer, through the running server.
	req, _ := http.NewRequest("POST", srv.base+"/api/v1/messages",
		strings.NewReader(`{"channel":"api","user_id":"beside-1","text":"How long does shipping take?"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/v1/messages: %d", resp.StatusCode)
	}

	held := fmt.Sprintf("concierge serve (pid %d, %s)", pid, srv.base)
	backup := filepath.Join(dir, "backup.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // what stdout must contain
		stderr string // what the one line on stderr must contain
	}{
		{"search", []string{"search", "--json", "shipping", "time"}, 0, `"id":"faq-shipping-01"`, ""},
		{"customers list", []string{"customers", "list"}, 0, "beside-1", ""},
		{"customers show", []string{"customers", "show", "1"}, 0, "beside-1", ""},
		{"customers export", []string{"customers", "export", "--format", "json"}, 0, `"customer_id":1`, ""},
		{"report", []string{"report", "--json"}, 0, `"conversations"`, ""},
		{"backup", []string{"backup", backup}, 0, "Backed up", ""},
		{"index", []string{"index"}, 1, "", held + " holds the data directory"},
		{"second serve", []string{"serve", "--addr", "127.0.0.1:0"}, 1, "", held + " already holds the data directory"},
		{"chat", []string{"chat", "--json"}, 0, "", ""},
	}
	var report []string
	for _, tt := range tests {
		r := runChild(t, env, append(append([]string{}, tt.args...), common...)...)
		report = append(report, fmt.Sprintf("%-16s exit %d in %5.2fs  %s", tt.name, r.code, r.took.Seconds(),
			strings.TrimSpace(r.stderr)))
		if r.code != tt.code {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", tt.name, r.code, tt.code, r.stdout, r.stderr)
			continue
		}
		if !strings.Contains(r.stdout, tt.stdout) {
			t.Errorf("%s: stdout does not contain %q:\n%s", tt.name, tt.stdout, r.stdout)
		}
		if tt.stderr != "" && (!strings.Contains(r.stderr, tt.stderr) || strings.Count(r.stderr, "\n") != 1) {
			t.Errorf("%s: stderr is not one line containing %q:\n%s", tt.name, tt.stderr, r.stderr)
		}
	}
	t.Logf("beside serve (pid %d):\n%s", pid, strings.Join(report, "\n"))
	if _, err := os.Stat(backup); err != nil {
		t.Errorf("backup beside serve wrote nothing: %v", err)
	}

	// serve still answers, and lets the data directory go when it stops.
	if resp, err := http.Get(srv.base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("serve unhealthy after the commands beside it: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if err := srv.stop(t); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM", err)
	}
	if _, err := os.Stat(filepath.Join(data, serveLockName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve left %s behind after a clean stop: %v", serveLockName, err)
	}

	// A serve killed without warning leaves its lock file; nobody holds
	// the lock, so nothing is blocked by it.
	killed := startServe(t, data, env, "--config", cfg)
	if err := killed.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-killed.done
	killed.done <- nil
	if _, err := os.Stat(filepath.Join(data, serveLockName)); err != nil {
		t.Fatalf("the killed serve left no lock file, so this part tests nothing: %v", err)
	}
	if r := runChild(t, env, append([]string{"index"}, common...)...); r.code != 0 {
		t.Errorf("index after a killed serve: exit %d: %s", r.code, r.stderr)
	} else {
		t.Logf("index after a killed serve: exit 0 in %.2fs", r.took.Seconds())
	}
	again := startServe(t, data, env, "--config", cfg)
	if err := again.stop(t); err != nil {
		t.Errorf("serve after a killed serve exited with %v", err)
	}
}

// TestSearchBesideLockedIndex holds the index the way an older concierge
// serve did (an exclusive lock on its files): search waits a bounded time,
// then answers from a private index instead of hanging; chat refuses with
// one sentence.
func TestSearchBesideLockedIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the index lock's timeout (about 14 s); the full suite runs it")
	}
	data := t.TempDir()
	if code, _, errOut := runCLI(t, "", "index", "--data", data); code != 0 {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}
	root := filepath.Join(data, "index", "store", "root.bolt") // where bleve's scorch keeps its root
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("no %s to lock: %v", root, err)
	}
	db, err := bolt.Open(root, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	type result struct {
		code        int
		out, errOut string
	}
	runBounded := func(stdin string, args ...string) result {
		t.Helper()
		done := make(chan result, 1)
		go func() {
			code, out, errOut := runCLI(t, stdin, args...)
			done <- result{code, out, errOut}
		}()
		select {
		case r := <-done:
			return r
		case <-time.After(besideDeadline):
			t.Fatalf("concierge %s hung on the locked index", strings.Join(args, " "))
		}
		return result{}
	}
	r := runBounded("", "search", "--json", "--data", data, "shipping", "time")
	if r.code != 0 || !strings.Contains(r.out, "faq-shipping-01") {
		t.Errorf("search beside a locked index: exit %d\nstdout: %s\nstderr: %s", r.code, r.out, r.errOut)
	}
	r = runBounded("hello\n", "chat", "--data", data)
	if r.code != 1 || !strings.Contains(r.errOut, "is locked by another process") || strings.Count(r.errOut, "\n") != 1 {
		t.Errorf("chat beside a locked index: exit %d, stderr %q; want 1 and one sentence", r.code, r.errOut)
	}
}
