package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestAgentsVerdictTeachesTheBot runs `concierge serve` on the demo company:
// an ordinary request the complaint detector misreads is handed to a human;
// the agent who takes it marks it "Not a complaint" in the console; from
// then on the same request from another customer is answered by the bot, and
// still after a restart (the verdict is kept in the store, not in memory).
func TestAgentsVerdictTeachesTheBot(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cfgPath := filepath.Join(dir, "concierge.yaml")
	key := "verdict-test-key-0123456789"
	if err := os.WriteFile(cfgPath, []byte("api:\n  keys: [\"${TEST_KEY}\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--config", cfgPath, "--data", data, "--addr", "127.0.0.1:0"}
	env := map[string]string{"TEST_KEY": key}
	const request = "I changed my phone number last week, and now the verification code never arrives"
	n := 0
	send := func(base string) (conv int, handoff bool) {
		t.Helper()
		n++
		body, _ := json.Marshal(map[string]string{"channel": "api", "user_id": fmt.Sprintf("verdict-%d", n), "text": request})
		req, _ := http.NewRequest("POST", base+"/api/v1/messages", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			ConversationID int  `json:"conversation_id"`
			Handoff        bool `json:"handoff"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /api/v1/messages: %d %v", resp.StatusCode, err)
		}
		return out.ConversationID, out.Handoff
	}

	base, stop := runServe(t, env, args...)
	conv, handoff := send(base)
	if !handoff {
		t.Fatal("the request was not handed off before any verdict; the test needs one the detector misreads")
	}
	agent := chatAppsSignIn(t, base, data)
	page := agent.page(fmt.Sprintf("/console/c/%d", conv))
	m := regexp.MustCompile(`id="mark-(\d+)"[^>]*>Not a complaint<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the conversation page offers no \"Not a complaint\" for the customer's message:\n%s", page)
	}
	if st := agent.act(conv, "label", url.Values{"message": {m[1]}, "label": {"not_complaint"}}); st != http.StatusOK {
		t.Fatalf("marking not a complaint ended on status %d", st)
	}
	if p := agent.page("/console/review"); !strings.Contains(p, "To review") {
		t.Errorf("serve has no review page:\n%s", p)
	}
	// The learner is nudged: within moments the same words are answered.
	answered := false
	for deadline := time.Now().Add(10 * time.Second); !answered && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, handoff := send(base)
		answered = !handoff
	}
	if !answered {
		t.Fatal("after the agent's verdict the same request is still handed off")
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	// A one-shot terminal chat on the same data learns the verdict before
	// its first message.
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"chat", "--config", cfgPath, "--data", data, "--json", "--user", "terminal-1"},
		strings.NewReader(request+"\n"), &stdout, &stderr, envOf(env))
	var rep struct {
		Handoff bool `json:"handoff"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(stdout.String(), "\n", 2)[0]), &rep); code != 0 || err != nil {
		t.Fatalf("chat: exit %d, %v: %s %s", code, err, stdout.String(), stderr.String())
	}
	if rep.Handoff {
		t.Error("a terminal chat after the verdict hands the request off: it did not learn the verdict at start")
	}

	base, stop = runServe(t, env, args...)
	if _, handoff := send(base); handoff {
		t.Error("after a restart the request is handed off again: the verdict was not learnt from the store")
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited with %d", code)
	}

	// The manager reviews what the agents taught: as a table, and as a
	// complaint_examples file; then takes the verdict back.
	cli := func(args ...string) string {
		t.Helper()
		var stdout, stderr syncBuffer
		if code := run(context.Background(), append(append([]string{"complaints", "verdicts"}, args...), "--config", cfgPath, "--data", data),
			strings.NewReader(""), &stdout, &stderr, envOf(env)); code != 0 {
			t.Fatalf("complaints verdicts %v: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	if out := cli(); !strings.Contains(out, "admin") || !strings.Contains(out, "other") || !strings.Contains(out, m[1]) ||
		!strings.Contains(out, "I changed my phone number") {
		t.Errorf("complaints verdicts:\n%s", out)
	}
	if out, want := cli("--csv"), "text,label\n\""+request+"\",other\n"; out != want {
		t.Errorf("complaints verdicts --csv = %q, want %q", out, want)
	}
	if out := cli("--withdraw", m[1]); !strings.Contains(out, "withdrawn") {
		t.Errorf("complaints verdicts --withdraw: %q", out)
	}
	var errOut syncBuffer
	if code := run(context.Background(), []string{"complaints", "verdicts", "--withdraw", "999999", "--config", cfgPath, "--data", data},
		strings.NewReader(""), &stdout, &errOut, envOf(env)); code != 2 || strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 {
		t.Errorf("withdrawing an unknown message: exit %d, stderr %q; want 2 and one line", code, errOut.String())
	}
	if out := cli(); !strings.Contains(out, "No verdicts yet") {
		t.Errorf("after withdrawing, complaints verdicts:\n%s", out)
	}
	stdout.b.Reset()
	if code := run(context.Background(), []string{"chat", "--config", cfgPath, "--data", data, "--json", "--user", "terminal-2"},
		strings.NewReader(request+"\n"), &stdout, &stderr, envOf(env)); code != 0 {
		t.Fatalf("chat: exit %d: %s", code, stderr.String())
	}
	if err := json.Unmarshal([]byte(strings.SplitN(stdout.String(), "\n", 2)[0]), &rep); err != nil || !rep.Handoff {
		t.Errorf("after the verdict was withdrawn the request is not handed off (%v): %s", err, stdout.String())
	}
}
