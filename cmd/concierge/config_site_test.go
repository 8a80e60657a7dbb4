package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/configs"
)

// TestSiteValidate: each wrong site value is refused with its field named.
func TestSiteValidate(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"site: {colors: {primary: green}}", "site.colors.primary"},
		{"site: {languages: [en, fr]}", "site.languages[1]"},
		{"site: {languages: [en, en]}", "written twice"},
		{"site: {logo_url: 'javascript:alert(1)'}", "site.logo_url"},
		{"site: {name: {fr: Boulangerie}}", "site.name.fr"},
		{"site: {page: {suggestions: {de: [a]}}}", "site.page.suggestions.de"},
	} {
		cfg, err := ParseConfig(strings.NewReader(tc.yaml), envOf(nil))
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.yaml, err, tc.want)
		}
	}
	cfg, err := ParseConfig(strings.NewReader("site: {name: Bob's Bakery, welcome: {en: Hi, zh: 您好}, colors: {primary: '#a0522d'}, languages: [zh, en], logo_url: 'https://bob.example/logo.png'}"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Site.Name.In("zh") != "Bob's Bakery" || cfg.Site.Welcome.In("zh") != "您好" {
		t.Errorf("site = %+v", cfg.Site)
	}
}

// TestOwnContentOwnName: a company with its own content and no intents file
// of its own gets the demo's intents, and every small-talk reply says its
// name in the reply's language, never the demo company's; without a name,
// a neutral one.
func TestOwnContentOwnName(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo's intents")
	}
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.MkdirAll(content, 0o755); err != nil {
		t.Fatal(err)
	}
	faq := "id,question,answer,lang\nhours,What are your opening hours?,We bake from 7:00 to 18:00 every day.,en\n"
	if err := os.WriteFile(filepath.Join(content, "faq.csv"), []byte(faq), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		site    string
		en, zh  string
		comment string
	}{
		{"site:\n  name: {en: Bob's Bakery, zh: 鲍勃烘焙}\n", "Bob's Bakery", "鲍勃烘焙", "a name per language"},
		{"", "our shop", "本店", "no name"},
	} {
		cfgPath := filepath.Join(dir, "concierge.yaml")
		if err := os.WriteFile(cfgPath, []byte("content: content\n"+tc.site), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, msg := range []struct{ text, want string }{
			{"hello", tc.en}, {"你好", tc.zh}, {"bye, see you", tc.en}, {"好的，再见", tc.zh},
		} {
			code, out, errOut := runCLI(t, msg.text+"\n", "chat", "--json", "--config", cfgPath, "--data", t.TempDir())
			if code != 0 {
				t.Fatalf("%s: chat: exit %d: %s", tc.comment, code, errOut)
			}
			r := decodeReplies(t, out)
			if len(r) != 1 || !strings.Contains(r[0].Reply, msg.want) {
				t.Errorf("%s: %q answered %s, want a reply with %q", tc.comment, msg.text, out, msg.want)
			}
			for _, demo := range []string{"Jade Leaf", "翠叶", "{name}"} {
				if strings.Contains(out, demo) {
					t.Errorf("%s: %q answered with %q: %s", tc.comment, msg.text, demo, out)
				}
			}
		}
	}
}

// TestExampleSiteParses uncomments the site section of the annotated example
// config and checks that it is valid as written.
func TestExampleSiteParses(t *testing.T) {
	ex := string(configs.Example())
	i := strings.Index(ex, "# site:\n")
	if i < 0 {
		t.Fatal("the example config has no commented site section")
	}
	block := ex[i:]
	block = block[:strings.Index(block, "\n\n")]
	var b strings.Builder
	for _, line := range strings.Split(block, "\n") {
		b.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ") + "\n")
	}
	cfg, err := ParseConfig(strings.NewReader(b.String()), envOf(nil))
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatalf("the example's site section, uncommented: %v\n%s", err, b.String())
	}
	if cfg.Site.Name.In("zh") != "鲍勃烘焙" || len(cfg.Site.Page.Cards) != 1 {
		t.Errorf("site = %+v", cfg.Site)
	}
}

// TestSiteEmergencyNumber: site.emergency is what the reply to an injury
// told as it happens tells the customer to call, in every language when it
// is one string (a number is the same in any language).
func TestSiteEmergencyNumber(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo's intents")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(cfgPath, []byte("site:\n  emergency: {en: \"999 (police, fire, ambulance)\", zh: 999（警察、消防、救护车）}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"my son fell off the big trampoline and his arm looks bent": "please call 999 (police, fire, ambulance) now",
		"儿子从蹦床上摔下来了 胳膊都弯了":                                          "请立即拨打999（警察、消防、救护车）。",
	} {
		code, out, errOut := runCLI(t, text+"\n", "chat", "--json", "--config", cfgPath, "--data", t.TempDir())
		if code != 0 {
			t.Fatalf("chat: exit %d: %s", code, errOut)
		}
		r := decodeReplies(t, out)
		if len(r) != 1 || !strings.Contains(r[0].Reply, want) {
			t.Errorf("%q answered %s, want a reply with %q", text, out, want)
		}
	}
}
