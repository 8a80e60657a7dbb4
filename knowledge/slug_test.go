package knowledge

import (
	"strings"
	"testing"
)

// TestSlug pins the anchors of tricky English and Chinese headings, byte
// for byte as slug made them before it called texts.Slug.
func TestSlug(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"", "section"},
		{"   ", "section"},
		{"!!!", "section"},
		{"Hello, World!", "hello-world"},
		{"  Returns & Refunds  ", "returns-refunds"},
		{"FAQ: Shipping (2024)", "faq-shipping-2024"},
		{"v1.2 Release Notes", "v1-2-release-notes"},
		{"v1.2.", "v1-2"},
		{"...leading dots", "leading-dots"},
		{"a..b", "a-b"},
		{"a.-b", "a-b"},
		{"a - . - b", "a-b"},
		{"trailing.", "trailing"},
		{"index.html", "index-html"},
		{"C++ / C# / .NET", "c-c-net"},
		{"Ünïcödé Straße", "ünïcödé-straße"},
		{"ǅemal", "ǆemal"},
		{"İstanbul", "istanbul"},
		{"e\u0301clair", "e-clair"},
		{"ⅫRoman", "roman"},
		{"١٢٣ arabic digits", "١٢٣-arabic-digits"},
		{"emoji 🎉 party", "emoji-party"},
		{"tab\tand\nnewline", "tab-and-newline"},
		{"non\u00a0breaking", "non-breaking"},
		{"\xff\xfeinvalid\xc3", "invalid"},
		{"退货政策", "退货政策"},
		{"如何申请退款？", "如何申请退款"},
		{"常见问题（FAQ）", "常见问题-faq"},
		{"第 3 章：配送与物流", "第-3-章-配送与物流"},
		{"退货、退款；换货", "退货-退款-换货"},
		{"全角ＡＢＣ１２３", "全角ａｂｃ１２３"},
		{"会员.等级 v2.0", "会员-等级-v2-0"},
		{"\u3000退款\u3000", "退款"},
		{"Long heading " + strings.Repeat("word ", 20), "long-heading-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word-word"},
		{strings.Repeat("退", 70), "退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退退"},
		{strings.Repeat("a", 59) + ".b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b"},
		{strings.Repeat("a", 59) + "-b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b"},
		{strings.Repeat("退款", 29) + "v1.2.3", "退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款退款v1-2-3"},
	} {
		if got := slug(tc.heading); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}
