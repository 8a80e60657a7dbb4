package slack

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

func TestPlainText(t *testing.T) {
	tests := []struct {
		in, bot string
		leading bool
		want    string
	}{
		{"<@UBOT> hello", "UBOT", false, "hello"},
		{"hello <@UBOT|concierge>!", "UBOT", false, "hello !"},
		{"<@UOTHERBOT> hello", "", true, "hello"},
		{"  <@UX> hello", "", true, "hello"},
		{"ask <@U2> or <@U3|ann>", "UBOT", false, "ask @U2 or @ann"},
		{"see <#C1|general> and <#C2>", "", false, "see #general and #C2"},
		{"<!here> <!channel> <!subteam^S1|@support> <!date^1392734382^{date}|Feb 18>", "", false, "@here @channel @support Feb 18"},
		{"<https://example.com/a?b=1&amp;c=2|the page> and <mailto:a@b.c|a@b.c> and <https://x.io>", "", false,
			"the page and a@b.c and https://x.io"},
		{"5 &lt; 6 &amp;&amp; 7 &gt; 3 &amp;lt;", "", false, "5 < 6 && 7 > 3 &lt;"},
		{"unclosed < bracket &lt;", "", false, "unclosed < bracket <"},
		{"你好 <@UBOT> 退货政策？", "UBOT", false, "你好  退货政策？"},
		{"<@UBOT>", "UBOT", true, ""},
		{"<@U2> please ask <@UBOT|concierge>", "UBOT", true, "@U2 please ask"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in, tt.bot, tt.leading); got != tt.want {
			t.Errorf("plainText(%q, %q, %v) = %q, want %q", tt.in, tt.bot, tt.leading, got, tt.want)
		}
	}
}

func TestReplyBlocks(t *testing.T) {
	a := testAdapter(t, nil, &fakeHandler{}, func(o *Options) { o.Feedback = &fakeFeedback{} })
	noPublic := testAdapter(t, nil, &fakeHandler{}, func(o *Options) { o.PublicURL = "" })
	tests := []struct {
		name string
		a    *Adapter
		r    bot.Reply
		want []string
	}{
		{"text is escaped, sources linked, buttons carry the message id", a, bot.Reply{
			MessageID: 12, Text: "Use <b>bold</b> & <!channel> *here*", Language: "en",
			Sources: []bot.Source{
				{ID: "a", Title: "A <page>", URL: "/kb/a"},
				{ID: "b", Title: "B", URL: "https://docs.example.com/b?x=1&y=2|z"},
				{ID: "c", Title: "", URL: "javascript:alert(1)"},
				{ID: "d", Title: "D", URL: "//evil.example/d"},
			},
		}, []string{
			"section: Use &lt;b&gt;bold&lt;/b&gt; &amp; &lt;!channel&gt; _here_",
			"context: *Sources:*",
			"context: <https://help.example.com/kb/a|A &lt;page&gt;>",
			"context: <https://docs.example.com/b?x=1&amp;y=2%7Cz|B>",
			"context: c",
			"context: D",
			"button feedback_helpful=12: 👍 Helpful",
			"button feedback_not_helpful=12: 👎 Not helpful",
		}},
		{"Chinese labels; no buttons without a stored message", a, bot.Reply{
			Text: "您好", Language: "zh", Sources: []bot.Source{{ID: "x", Title: "退货", URL: "/kb/x"}},
		}, []string{"section: 您好", "context: *来源：*", "context: <https://help.example.com/kb/x|退货>"}},
		{"relative links without PublicURL show titles; no buttons without a recorder", noPublic, bot.Reply{
			MessageID: 5, Text: "ok", Sources: []bot.Source{{ID: "x", Title: "X", URL: "/kb/x"}},
		}, []string{"section: ok", "context: *Sources:*", "context: X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, _ := tt.a.replyBlocks(tt.r, bot.Message{})
			if diff := cmp.Diff(tt.want, blockSummary(toMaps(t, blocks))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyBlocksStayWithinSlackLimits(t *testing.T) {
	a := testAdapter(t, nil, &fakeHandler{}, func(o *Options) { o.Feedback = &fakeFeedback{} })
	var sources []bot.Source
	for i := range 20 {
		sources = append(sources, bot.Source{ID: "s", Title: strings.Repeat("t", 500), URL: "/kb/" + strings.Repeat("x", i)})
	}
	var choices []bot.Source
	for i := range 10 {
		choices = append(choices, bot.Source{ID: strings.Repeat("i", 3000*(i%2)) + "x", Title: strings.Repeat("标题", 100)})
	}
	blocks, fallback := a.replyBlocks(bot.Reply{MessageID: 1, Text: strings.Repeat("a&b<c> ", 40000), Sources: sources, Choices: choices},
		bot.Message{ExternalUserID: "T1:U1"})
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks, limit %d", len(blocks), maxBlocks)
	}
	for _, b := range toMaps(t, blocks) {
		if b["type"] == "section" {
			if n := utf8.RuneCountInString(b["text"].(map[string]any)["text"].(string)); n > maxSectionChars {
				t.Errorf("section of %d chars", n)
			}
		}
		if b["type"] == "context" && len(b["elements"].([]any)) > maxContextItems {
			t.Errorf("context of %d elements", len(b["elements"].([]any)))
		}
		if b["type"] == "actions" {
			for _, e := range b["elements"].([]any) {
				btn := e.(map[string]any)
				if n := utf8.RuneCountInString(btn["text"].(map[string]any)["text"].(string)); n > maxButtonText {
					t.Errorf("button text of %d chars", n)
				}
				if n := len(btn["value"].(string)); n > maxButtonValue {
					t.Errorf("button value of %d bytes", n)
				}
			}
		}
	}
	if n := utf8.RuneCountInString(fallback); n > 5*maxFallbackChars {
		t.Errorf("fallback of %d chars", n)
	}
}
