package bot_test

import (
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestPreferredLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"en-US,en;q=0.9,zh-CN;q=0.8", "en"},
		{"fr-FR, zh-TW;q=0.5, en;q=0.4", "zh"},
		{"en;q=0.2, zh;q=0.9", "zh"}, // the highest q wins, not the first listed
		{"zh;q=0.5, en;q=0.5", "zh"}, // a tie goes to the first listed
		{"zh;q=0, en;q=0.1", "en"},
		{"zh;q=0", "en"},
		{"zh;q=abc, en", "en"},
		{"zh;q=2, en;q=0.1", "en"}, // q out of range: skipped
		{"de, fr", "en"},
		{"ZH-hans", "zh"},
		{"zhx, en-GB", "en"},
		{" zh-Hant-TW ; q=0.7 , en;q=0.6", "zh"},
		{strings.Repeat("x,", 600) + "zh", "en"}, // only the first KiB is read
	}
	for _, tt := range tests {
		if got := bot.PreferredLanguage(tt.header); got != tt.want {
			t.Errorf("PreferredLanguage(%.40q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzPreferredLanguage(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=0.2, zh;q=0.9", ";;;,,q=", "zh;q=1e400", "zh;q=NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := bot.PreferredLanguage(h); got != "en" && got != "zh" {
			t.Fatalf("PreferredLanguage(%q) = %q", h, got)
		}
	})
}
