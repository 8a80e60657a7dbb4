package knowledge

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestDropChatFiller(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"do u do weddings", "do  do weddings"},
		{"r u open tomorrow?", "  open tomorrow?"},
		{"can ur driver come after 8pm pls", "can  driver come after 8pm "},
		{"do you sell u-locks", "do you sell u-locks"},
		{"size r or l", "size  or l"},
		{"u盘能用吗", "u盘能用吗"},
		{"能送到u站吗 u", "能送到u站吗 "},
		{"", ""},
	} {
		if got := dropChatFiller(tt.in); got != tt.want {
			t.Errorf("dropChatFiller(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzDropChatFiller(f *testing.F) {
	for _, s := range []string{"do u do weddings", "w/o", "u盘", "\xff u \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, " ") // as cleanQuery hands it over
		out := dropChatFiller(s)
		if len(out) > len(s) {
			t.Errorf("dropChatFiller(%q) = %q: longer", s, out)
		}
		if again := dropChatFiller(out); again != out {
			t.Errorf("dropChatFiller(%q) = %q, then %q: not done in one pass", s, out, again)
		}
		keep := func(r rune) rune {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				return -1
			}
			return r
		}
		if strings.Map(keep, s) != strings.Map(keep, out) {
			t.Errorf("dropChatFiller(%q) = %q: lost more than letters", s, out)
		}
	})
}

// TestPleasantriesDoNotCostTheAnswer checks on the demo company that a
// question wrapped in a greeting, thanks, laughter or chat short forms
// finds what the plain question finds, with about its confidence: they
// once cost a right first hit most of it (0.82 to 0.05 on another
// company's "hi! do you do weddings? thanks").
func TestPleasantriesDoNotCostTheAnswer(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, tt := range []struct{ plain, chatty string }{
		{"how long will shipping take", "hi! how long will shipping take? thanks"},
		{"can I pay using alipay", "hello there, quick question, can I pay using alipay lol"},
		{"which courier do you use", "hey which courier do u use pls"},
		{"can I get a fapiao", "hi there can I get a fapiao thank you so much"},
		{"发货后多久能收到", "你好，请问发货后多久能收到？谢谢"},
		{"能寄到国外吗", "亲，能寄到国外吗 哈哈"},
	} {
		plain, err := ix.Retrieve(ctx, bot.Query{Text: tt.plain})
		if err != nil || len(plain) == 0 {
			t.Fatalf("Retrieve(%q): %v, %d hits", tt.plain, err, len(plain))
		}
		chatty, err := ix.Retrieve(ctx, bot.Query{Text: tt.chatty})
		if err != nil || len(chatty) == 0 {
			t.Fatalf("Retrieve(%q): %v, %d hits", tt.chatty, err, len(chatty))
		}
		if chatty[0].ID != plain[0].ID || math.Abs(chatty[0].Confidence-plain[0].Confidence) > 0.05 {
			t.Errorf("%q: first %s at %.2f, want %s at %.2f as for %q", tt.chatty, chatty[0].ID, chatty[0].Confidence,
				plain[0].ID, plain[0].Confidence, tt.plain)
		}
	}
}
