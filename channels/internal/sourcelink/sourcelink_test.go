package sourcelink

import (
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

func TestAbsolute(t *testing.T) {
	for _, tc := range []struct{ public, raw, want string }{
		{"https://help.example.com", "/kb/12", "https://help.example.com/kb/12"},
		{"", "/kb/12", ""},
		{"", " https://x.example/a_(b) ", "https://x.example/a_%28b%29"},
		{"", "HTTP://x.example/", "http://x.example/"},
		{"https://help.example.com", "//evil.example/x", ""},
		{"", "mailto:a@example.com", ""},
		{"", "javascript:alert(1)", ""},
		{"", "kb/12", ""},
	} {
		if got := Absolute(tc.public, tc.raw); got != tc.want {
			t.Errorf("Absolute(%q, %q) = %q, want %q", tc.public, tc.raw, got, tc.want)
		}
	}
}

func TestLine(t *testing.T) {
	srcs := []bot.Source{
		{ID: "kb-1", Title: "Delivery *times*", URL: "/kb/1"},
		{ID: "kb-2", Title: "  ", URL: "mailto:a@example.com"},
	}
	if got, want := Line("https://help.example.com", "en", srcs, nil),
		"Sources: ["+markdown.EscapeChat("Delivery *times*")+"](https://help.example.com/kb/1) · kb-2"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	short := func(s string) string { return strings.ToUpper(s) }
	if got, want := Line("", "zh", srcs[:1], short), "来源： "+markdown.EscapeChat("DELIVERY *TIMES*"); got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
	if got := Line("", "en", nil, nil); got != "" {
		t.Errorf("Line of no sources = %q", got)
	}
}
