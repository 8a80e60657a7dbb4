package knowledge

import (
	"strings"
	"testing"

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

// TestSlugMatchesTexts checks that slug and texts.Slug (with the
// "section" fallback) make byte-identical anchors before slug is replaced.
func TestSlugMatchesTexts(t *testing.T) {
	for _, h := range trickyHeadings {
		want := slug(h)
		got := texts.Slug(h)
		if got == "" {
			got = "section"
		}
		if got != want {
			t.Errorf("heading %q: texts.Slug gives %q, slug %q", h, got, want)
		}
	}
}
