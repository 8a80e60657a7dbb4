package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/intents"
	"github.com/concierge-bot/concierge/knowledge"
)

// initCompany runs `concierge init` into a new folder and returns the
// folder and what init printed.
func initCompany(t *testing.T, args ...string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bakery")
	code, out, errOut := runCLI(t, "", append([]string{"init", dir}, args...)...)
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut)
	}
	return dir, out
}

// TestInit: init writes a config that runs with no environment, content in
// every format that loads without a problem, public and internal, in both
// languages, a bilingual intents file and the site in the company's name;
// it prints the three commands to run next, and a second init into the
// same folder writes nothing and says why in one sentence.
func TestInit(t *testing.T) {
	dir, out := initCompany(t, "--name", "Bob's \"Best\" Bakery: #1", "--name-zh", "鲍勃烘焙", "--color", "#8a4b2a")
	cfgPath := filepath.Join(dir, "concierge.yaml")
	for _, cmd := range []string{"concierge chat --config " + cfgPath, "concierge import ~/my-documents --into " + filepath.Join(dir, "content"),
		"concierge serve --config " + cfgPath} {
		if !strings.Contains(out, "\n  "+cmd+"\n") {
			t.Errorf("init does not print %q:\n%s", cmd, out)
		}
	}

	e := &env{configPath: cfgPath, getenv: envOf(nil)}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatalf("the config needs something: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Content != filepath.Join(dir, "content") || cfg.Intents != filepath.Join(dir, "intents.yaml") || cfg.DataDir != filepath.Join(dir, "data") {
		t.Errorf("paths: content %q, intents %q, data %q: want them beside the config", cfg.Content, cfg.Intents, cfg.DataDir)
	}
	if cfg.Site.Name.In("en") != `Bob's "Best" Bakery: #1` || cfg.Site.Name.In("zh") != "鲍勃烘焙" || cfg.Site.Colors.Primary != "#8a4b2a" ||
		!strings.Contains(cfg.Site.Welcome.In("en"), `Bob's "Best" Bakery: #1`) || !strings.Contains(cfg.Site.Welcome.In("zh"), "鲍勃烘焙") {
		t.Errorf("site = %+v", cfg.Site)
	}
	if len(cfg.API.Keys) != 0 || len(cfg.Alerts) != 0 || cfg.Slack.BotToken != "" || cfg.Console.Secret != "" {
		t.Errorf("the config sets a secret: %+v", cfg)
	}
	raw, _ := os.ReadFile(cfgPath)
	for _, secret := range []string{"# keys:", "${CONCIERGE_API_KEY}", "openssl rand", "hash-password", "${CONSOLE_SECRET}", "${WECOM_WEBHOOK_URL}"} {
		if !strings.Contains(string(raw), secret) {
			t.Errorf("the config does not say how to set %q", secret)
		}
	}

	docs, problems, err := knowledge.Load(os.DirFS(cfg.Content))
	if err != nil || len(problems) != 0 {
		t.Fatalf("content: %v %v", err, problems)
	}
	seen := map[string]bool{}
	for _, d := range docs {
		seen[d.Kind+"/"+string(d.Audience)+"/"+d.Lang] = true
	}
	for _, want := range []string{"faq/public/en", "faq/public/zh", "page/public/en", "page/public/zh", "product/public/en",
		"product/public/zh", "page/internal/en", "page/internal/zh"} {
		if !seen[want] {
			t.Errorf("the content has no %s document; it has %v", want, seen)
		}
	}
	if syn, err := knowledge.LoadSynonyms(os.DirFS(cfg.Content)); err != nil || len(syn) == 0 {
		t.Errorf("synonyms: %v %v", syn, err)
	}
	f, err := os.Open(cfg.Intents)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := intents.ParseFile(f, cfg.Intents)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range file.Intents {
		en, zh := 0, 0
		for _, ex := range in.Examples {
			if strings.ContainsFunc(ex, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
				zh++
			} else {
				en++
			}
		}
		if en < intents.MinExamplesPerLanguage || zh < intents.MinExamplesPerLanguage {
			t.Errorf("intent %s has %d English and %d Chinese examples, want at least %d of each", in.Name, en, zh, intents.MinExamplesPerLanguage)
		}
	}
	for _, name := range []string{bot.IntentGreeting, bot.IntentAskHuman, bot.IntentComplaint, bot.IntentOutOfScope} {
		if !strings.Contains(string(mustRead(t, cfg.Intents)), "- name: "+name+"\n") {
			t.Errorf("the intents have no %s", name)
		}
	}

	// A second init overwrites nothing and writes nothing.
	if err := os.WriteFile(filepath.Join(dir, "intents.yaml"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "content", "faq.csv")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "init", dir)
	if code == 0 || !strings.Contains(errOut, filepath.Join(dir, "concierge.yaml")+" already exists") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("init over a company: exit %d, %q; want one sentence naming concierge.yaml", code, errOut)
	}
	if string(mustRead(t, filepath.Join(dir, "intents.yaml"))) != "mine\n" {
		t.Error("init overwrote intents.yaml")
	}
	if _, err := os.Stat(filepath.Join(dir, "content", "faq.csv")); err == nil {
		t.Error("init wrote a file although it refused")
	}

	if code, _, errOut := runCLI(t, "", "init", t.TempDir(), "--color", "blue"); code != 2 || !strings.Contains(errOut, "#rrggbb") {
		t.Errorf("--color blue: exit %d, %q", code, errOut)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestInitChats: a company fresh from init answers from its own content
// with its own name, in English and in Chinese, and never as the demo.
func TestInitChats(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the starter's intents and builds its index")
	}
	dir, _ := initCompany(t, "--name", "Bob's Bakery", "--name-zh", "鲍勃烘焙")
	in := []struct{ text, reply, source string }{
		{"hello", "Welcome to Bob's Bakery", ""},
		{"How long does delivery take?", "1–3 working days", "delivery-time"},
		{"what are your opening hours?", "Monday to Saturday", "about#opening-hours"},
		{"Can I return an item?", "30 days", "returns"},
		{"你好", "欢迎光临鲍勃烘焙", ""},
		{"运费是多少？", "满50免运费", "delivery-cost-zh"},
		{"可以退货吗", "30天内", "returns-zh"},
		{"营业时间是几点", "周一至周六", "about-zh#营业时间"},
		{"好的，再见", "感谢您光临鲍勃烘焙", ""},
	}
	var stdin strings.Builder
	for _, m := range in {
		stdin.WriteString(m.text + "\n")
	}
	code, out, errOut := runCLI(t, stdin.String(), "chat", "--json", "--config", filepath.Join(dir, "concierge.yaml"))
	if code != 0 {
		t.Fatalf("chat: exit %d: %s", code, errOut)
	}
	replies := decodeReplies(t, out)
	if len(replies) != len(in) {
		t.Fatalf("%d replies to %d messages: %s", len(replies), len(in), out)
	}
	for i, m := range in {
		r := replies[i]
		if !strings.Contains(r.Reply, m.reply) || (m.source != "" && (len(r.Sources) == 0 || r.Sources[0].ID != m.source)) {
			t.Errorf("%q: answered %q from %v, want %q from %q", m.text, r.Reply, r.Sources, m.reply, m.source)
		}
	}
	for _, demo := range []string{"Jade Leaf", "翠叶", "tea"} {
		if strings.Contains(out, demo) {
			t.Errorf("the starter company answered with %q: %s", demo, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); err != nil {
		t.Errorf("the data directory is not beside the config: %v", err)
	}
}
