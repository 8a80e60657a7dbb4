package catalog_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge"
)

// demoIndex builds the knowledge index of the embedded demo company.
func demoIndex(t *testing.T) *knowledge.Index {
	t.Helper()
	dir := filepath.Join("..", "..", "configs", "demo", "content")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("demo content not found")
	}
	fsys := os.DirFS(dir)
	docs, _, err := knowledge.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	syn, _ := knowledge.LoadSynonyms(fsys)
	ix, err := knowledge.Build(context.Background(), filepath.Join(t.TempDir(), "kb"), docs, knowledge.BuildOptions{Synonyms: syn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestDemoProductQuestions pins the demo questions of issue 14 that failed
// before the catalogue: each must be answered (OK, at a confidence the
// Engine answers with) with the right product first. The catalogue was
// developed on other companies; these were checked, not tuned on.
func TestDemoProductQuestions(t *testing.T) {
	ix := demoIndex(t)
	tests := []struct {
		text, lang string
		want       []string // acceptable first sources
	}{
		{"How much is the Longjing?", "en", []string{"JL-GRN-001"}},
		{"龙井多少钱", "zh", []string{"JL-GRN-001-zh"}},
		{"Do you have 龙井 in stock?", "", []string{"JL-GRN-001", "JL-GRN-001-zh"}},
		{"Do you sell oolong?", "en", []string{"JL-OOL-001", "JL-OOL-002", "JL-OOL-003", "JL-OOL-004", "JL-OOL-005", "JL-OOL-006"}},
		{"cheapest green tea", "en", []string{"JL-GRN-003"}},
		{"smoky tea as a gift under ¥200", "en", []string{"JL-BLK-004"}},
		{"Do you have a small teapot for one person?", "en", []string{"JL-WAR-002"}},
		// forms of address and greetings around the question (stop 47)
		{"老板 这个龙井多少钱", "zh", []string{"JL-GRN-001-zh"}},
		{"亲，龙井多少钱", "zh", []string{"JL-GRN-001-zh"}},
		{"老板，龙井多少钱", "zh", []string{"JL-GRN-001-zh"}},
		{"龙井多少钱呀亲", "zh", []string{"JL-GRN-001-zh"}},
		{"Hi Jade Leaf team, how much is the longjing?", "en", []string{"JL-GRN-001"}},
		{"hey guys quick q - how much is the longjing", "en", []string{"JL-GRN-001"}},
		{"Hello, I have a question about the longjing, how much is it?", "en", []string{"JL-GRN-001"}},
		// A word that names several kinds ranges over all of them (stop
		// 50): "茶" ends 红茶, 绿茶 and 花草茶 alike, and "tea" names a
		// black and a herbal tea equally; the cheapest tea is the rose
		// buds, not the cheapest black tea, and a budget of ¥100 finds
		// the teas under it instead of "nothing; the closest is ¥118".
		{"最便宜的茶", "zh", []string{"JL-HRB-002-zh"}},
		{"最贵的茶", "zh", []string{"JL-PUE-004-zh"}},
		{"100元以内的茶有哪些", "zh", []string{"JL-HRB-003-zh", "JL-PUE-003-zh", "JL-HRB-001-zh", "JL-HRB-002-zh"}},
		{"tea under 100 yuan", "en", []string{"JL-HRB-003", "JL-PUE-003", "JL-HRB-001", "JL-HRB-002"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			a, err := ix.Answer(context.Background(), bot.Query{Text: tt.text, Language: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			first := ""
			if len(a.Sources) > 0 {
				first = a.Sources[0].ID
			}
			ok := false
			for _, w := range tt.want {
				ok = ok || first == w
			}
			if !a.OK || !ok {
				t.Errorf("OK %v, first source %q (want one of %v); text:\n%s", a.OK, first, tt.want, a.Text)
			}
			t.Logf("confidence %.2f\n%s", a.Confidence, a.Text)
		})
	}
}

// TestDemoStoryThenQuestion: a story told before the question does not
// hide the product ("first time ordering from you, how much is the
// longjing?"); the answer is marked as the last clause's, and a question
// followed by more is not cut to its last clause.
func TestDemoStoryThenQuestion(t *testing.T) {
	ix := demoIndex(t)
	for _, tt := range []struct {
		text, lang, want string // want "": no answer from the last clause
	}{
		{"first time ordering from you guys, how much is the longjing?", "en", "JL-GRN-001"},
		{"昨天在小红书看到你们，龙井多少钱", "zh", "JL-GRN-001-zh"},
		{"my mum loved the tea I sent her last month and do you sell oolong", "en", "JL-OOL-"},
		{"can I pay by card? how much is the longjing", "en", ""},
		{"信用卡分期可以吗 想买那个龙井", "zh", ""},
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: tt.text, Language: tt.lang})
		if err != nil {
			t.Fatal(err)
		}
		first := ""
		if len(a.Sources) > 0 {
			first = a.Sources[0].ID
		}
		switch {
		case tt.want == "" && a.LastClause:
			t.Errorf("%q: answered from its last clause (%s)", tt.text, first)
		case tt.want != "" && (!a.OK || !a.LastClause || !strings.HasPrefix(first, tt.want)):
			t.Errorf("%q: OK %v, last clause %v, first source %q, want %s…", tt.text, a.OK, a.LastClause, first, tt.want)
		}
	}
}

// TestDemoOverview checks that a question naming only what the whole
// catalogue is ("what teas do you have" in a tea shop) gets every category
// with its count and price range, not the one category whose product names
// happen to say "tea"; and that naming a kind still lists that kind.
func TestDemoOverview(t *testing.T) {
	ix := demoIndex(t)
	for _, tt := range []struct{ text, says, never string }{
		{"what teas do you have", `(?s)We have \d+ products in 8 categories.*\*\*black\*\* — 4, ¥118\.00–¥298\.00.*\*\*green\*\* — 6`, ``},
		{"你们有哪些茶", `(?s)我们共有 \d+ 款商品，分为 8 类.*\*\*绿茶\*\* — 6 款`, ``},
		{"有什么茶", `(?s)我们共有 \d+ 款商品，分为 8 类`, ``},
		{"你们都有啥茶", `(?s)我们共有 \d+ 款商品，分为 8 类`, ``},
		{"what green teas do you have", `green`, `categories`},
		{"有没有绿茶", `绿茶`, `分为`},
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: tt.text})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || !regexp.MustCompile(tt.says).MatchString(a.Text) || tt.never != "" && regexp.MustCompile(tt.never).MatchString(a.Text) {
			t.Errorf("%q: OK %v, text:\n%s", tt.text, a.OK, a.Text)
		}
	}
}

// TestDemoOtherQuestionsNotClaimed checks that the other demo questions of
// issue 14 — payment, shipping, returns, small talk, staff questions — are
// left to the knowledge base: the catalogue must not claim them.
func TestDemoOtherQuestionsNotClaimed(t *testing.T) {
	ix := demoIndex(t)
	for _, text := range []string{
		"Can I pay with Apple Pay?", "Can I pay with PayPal?", "寄到香港要多久", "Do you ship to Germany?",
		"whats ur return polcy", "运废多少钱", "How are you today?", "wholesale price tiers",
		"how do I close the shop", "wifi password", "值班主管的退款权限", "how do we handle a complaint",
		"I want to talk to a person", "my teapot arrived broken",
	} {
		for _, auds := range [][]bot.Audience{nil, {bot.AudiencePublic, bot.AudienceInternal}} {
			a, err := ix.Answer(context.Background(), bot.Query{Text: text, Audiences: auds})
			if err != nil {
				t.Fatal(err)
			}
			if a.OK {
				t.Errorf("%q (audiences %v) claimed by the catalogue (confidence %.2f):\n%s", text, auds, a.Confidence, a.Text)
			}
		}
	}
}

// TestDemoSuperlativeCitesWhatItNames: "the cheapest tea" compares every
// tea but names the cheapest and the next three; it cites those four, in
// the order named, not the two dozen compared.
func TestDemoSuperlativeCitesWhatItNames(t *testing.T) {
	ix := demoIndex(t)
	for _, tt := range []struct{ text, lang string }{{"最便宜的茶", "zh"}, {"cheapest green tea", "en"}} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: tt.text, Language: tt.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) != 4 {
			t.Fatalf("%q: OK %v, %d sources, want 4; text:\n%s", tt.text, a.OK, len(a.Sources), a.Text)
		}
		at := -1
		for _, s := range a.Sources {
			i := strings.Index(a.Text, s.Title)
			if i <= at {
				t.Errorf("%q: source %q not named after the one before it in:\n%s", tt.text, s.Title, a.Text)
			}
			at = i
		}
	}
}
