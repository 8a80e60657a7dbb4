package importer

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/internal/texts"
)

var trickyHeadings = []string{
	"",
	"   ",
	"!!!",
	"Hello, World!",
	"  Returns & Refunds  ",
	"FAQ: Shipping (2024)",
	"v1.2 Release Notes",
	"v1.2.",
	"...leading dots",
	"a..b",
	"a.-b",
	"a - . - b",
	"trailing.",
	"index.html",
	"C++ / C# / .NET",
	"Ünïcödé Straße",
	"ǅemal",
	"İstanbul",
	"e\u0301clair",
	"ⅫRoman",
	"١٢٣ arabic digits",
	"emoji 🎉 party",
	"tab\tand\nnewline",
	"non\u00a0breaking",
	"\xff\xfeinvalid\xc3",
	"退货政策",
	"如何申请退款？",
	"常见问题（FAQ）",
	"第 3 章：配送与物流",
	"退货、退款；换货",
	"全角ＡＢＣ１２３",
	"会员.等级 v2.0",
	"\u3000退款\u3000",
	"Long heading " + strings.Repeat("word ", 20),
	strings.Repeat("退", 70),
	strings.Repeat("a", 59) + ".b",
	strings.Repeat("a", 59) + "-b",
	strings.Repeat("退款", 29) + "v1.2.3",
}

// TestSlugPartMatchesTexts checks that slugPart and texts.SlugKeepDots
// (trimmed and capped as slugPart does) make byte-identical id parts
// before slugPart is replaced.
func TestSlugPartMatchesTexts(t *testing.T) {
	for _, h := range trickyHeadings {
		want := slugPart(h)
		got := strings.Trim(texts.SlugKeepDots(h), ".-")
		if utf8.RuneCountInString(got) > 60 {
			got = strings.Trim(string([]rune(got)[:60]), ".-")
		}
		if got != want {
			t.Errorf("part %q: texts.SlugKeepDots gives %q, slugPart %q", h, got, want)
		}
	}
}
