package dingtalk

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// TestRenderCutsLongReplyAtRuneBoundary checks that a Chinese reply longer
// than DingTalk's limit is cut to valid UTF-8, whether the limit falls on a
// character boundary or in the middle of a three-byte character, and that
// the cut keeps as much as fits. Parse reads at most 16 KiB of the answer,
// so "&" (escaped as "&#38;") makes the rendered reply longer than that.
func TestRenderCutsLongReplyAtRuneBoundary(t *testing.T) {
	a := &Adapter{}
	midChar := false
	for _, prefix := range []string{"", "a", "ab", "abc", "abcd"} { // shifts where the limit falls
		text := prefix + strings.Repeat("退款&", 3000)
		full := markdown.Chat(text, markdown.ChatOptions{})
		if len(full) <= maxMarkdownBytes {
			t.Fatalf("prefix %q: test reply is only %d bytes", prefix, len(full))
		}
		midChar = midChar || !utf8.RuneStart(full[maxMarkdownBytes])
		got := a.render(bot.Reply{Text: text})
		if !utf8.ValidString(got) {
			t.Errorf("prefix %q: render cut to invalid UTF-8, ending % x", prefix, got[len(got)-4:])
		}
		if len(got) > maxMarkdownBytes || len(got) <= maxMarkdownBytes-utf8.UTFMax || !strings.HasPrefix(full, got) {
			t.Errorf("prefix %q: render gave %d bytes, want the longest prefix of at most %d", prefix, len(got), maxMarkdownBytes)
		}
	}
	if !midChar {
		t.Error("no case puts the limit in the middle of a character")
	}
}
