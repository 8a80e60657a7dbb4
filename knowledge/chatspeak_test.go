package knowledge

import (
	"strings"
	"testing"
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
