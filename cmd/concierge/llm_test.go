package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/llm/llmtest"
)

// With llm: configured against an OpenAI-compatible fake, the demo answers in
// composed sentences citing the passages in both languages, an escalation's
// alert carries the model's summary, and nothing internal or personal is sent
// for a customer.
func TestChatWithLanguageModel(t *testing.T) {
	fake := llmtest.NewServer(llmtest.Options{})
	defer fake.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	yaml := "llm:\n  base_url: " + fake.BaseURL() + "\n  model: fake-chat\n  timeout: 5s\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	input := "How long does shipping take?\n运费怎么算？\nI want to talk to a person, my email is li.wei@example.com\n"
	code, out, errOut := runCLI(t, input, "chat", "--json", "--config", cfg, "--data", filepath.Join(dir, "data"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	replies := decodeReplies(t, out)
	if len(replies) != 3 {
		t.Fatalf("got %d replies:\n%s", len(replies), out)
	}
	for i, r := range replies[:2] {
		if !strings.Contains(r.Reply, "[1]") || len(r.Sources) == 0 {
			t.Errorf("reply %d = %q with sources %v: want a composed answer citing [1]", i, r.Reply, r.Sources)
		}
	}
	if replies[1].Language != "zh" {
		t.Errorf("Chinese question answered in %q", replies[1].Language)
	}
	if n := fake.Count("/v1/chat/completions"); n < 3 {
		t.Errorf("the model was not used: %d chat requests, want two answers and a summary", n)
	}
	for _, r := range fake.Requests() {
		body := string(r.Body)
		if strings.Contains(body, "li.wei@example.com") {
			t.Errorf("contact data sent to the provider: %s", r.Path)
		}
		if strings.Contains(body, "Wang Lei") || strings.Contains(body, "Chen Jing") {
			t.Errorf("internal wiki content sent for a customer: %s", r.Path)
		}
	}
}
