package texts

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{";", nil},
		{" ; ;\t;\n", nil},
		{"refund", []string{"refund"}},
		{" refund ; return policy ;", []string{"refund", "return policy"}},
		{";;a;;b;;", []string{"a", "b"}},
		{"a,b|c", []string{"a,b|c"}}, // only ";" separates
		{"退货、退款；换货", []string{"退货、退款；换货"}},
		{"退货 ;\u3000退款\u3000", []string{"退货", "退款"}}, // ideographic space is trimmed
		{"credit card(s);^Turkey;=VIP", []string{"credit card(s)", "^Turkey", "=VIP"}},
	} {
		if got := SplitList(tc.in); !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
			t.Errorf("SplitList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzSplitList(f *testing.F) {
	for _, s := range []string{"", ";", " a ; b ;", "退货；退款;换货", "a,b|c、d", "\u3000;\u00a0x", "\xff;\xfe "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SplitList(s)
		if got != nil && len(got) == 0 {
			t.Fatalf("SplitList(%q) = empty non-nil slice", s)
		}
		for _, p := range got {
			if p == "" || p != strings.TrimSpace(p) {
				t.Fatalf("SplitList(%q) has item %q, not trimmed or empty", s, p)
			}
			if strings.Contains(p, ";") {
				t.Fatalf("SplitList(%q) has item %q containing the separator", s, p)
			}
		}
		rest := s
		for _, p := range got { // items come from s, in order
			i := strings.Index(rest, p)
			if i < 0 {
				t.Fatalf("SplitList(%q): item %q not found in order", s, p)
			}
			rest = rest[i+len(p):]
		}
	})
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, slug, dots string }{
		{"", "", ""},
		{"!!!", "", ""},
		{"  Returns & Refunds  ", "returns-refunds", "returns-refunds"},
		{"v1.2 Release Notes", "v1-2-release-notes", "v1.2-release-notes"},
		{"...leading dots", "leading-dots", "leading-dots"},
		{"a..b", "a-b", "a..b"},
		{"a.-b", "a-b", "a.-b"},
		{"trailing.", "trailing", "trailing."},
		{"如何申请退款？", "如何申请退款", "如何申请退款"},
		{"第 3 章：配送与物流", "第-3-章-配送与物流", "第-3-章-配送与物流"},
		{"会员.等级 v2.0", "会员-等级-v2-0", "会员.等级-v2.0"},
		{"Ünïcödé Straße", "ünïcödé-straße", "ünïcödé-straße"},
		{"\xff\xfeinvalid\xc3", "invalid", "invalid"},
	} {
		if got := Slug(tc.in); got != tc.slug {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.slug)
		}
		if got := SlugKeepDots(tc.in); got != tc.dots {
			t.Errorf("SlugKeepDots(%q) = %q, want %q", tc.in, got, tc.dots)
		}
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "v1.2 Notes", "...a..b.-c.", "退货、退款；换货", "\xff\xfe", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Slug(s), SlugKeepDots(s)} {
			if strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.HasPrefix(got, ".") || strings.Contains(got, "--") {
				t.Fatalf("slug of %q is %q", s, got)
			}
		}
		if strings.Contains(Slug(s), ".") {
			t.Fatalf("Slug(%q) = %q keeps a dot", s, Slug(s))
		}
	})
}

func TestClauseParts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"first time here, price of the xm5?", []string{"first time here", " price of the xm5?"}},
		{"price? ok?? 运费多少", []string{"price?", "ok?", "运费多少"}},
		{"昨天在小红书看到你们 草莓蛋糕多少钱", []string{"昨天在小红书看到你们", "草莓蛋糕多少钱"}},
		{"do you deliver to binjiang", []string{"do you deliver to binjiang"}}, // no Chinese: spaces stay
		{"。。", nil},
	} {
		if got := ClauseParts(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ClauseParts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := Askable([]string{" price of the xm5 ", "ok", "运费", "运费多少"}, 3), []string{"price of the xm5", "运费多少"}; !slices.Equal(got, want) {
		t.Errorf("Askable = %q, want %q", got, want)
	}
	if n := HanCount("XM5 耳机 多少钱"); n != 5 {
		t.Errorf("HanCount = %d, want 5", n)
	}
}

func TestAsks(t *testing.T) {
	for text, want := range map[string]bool{
		"first time ordering from you guys": false, "昨天在小红书看到你们": false, "can i pay by card": true,
		"信用卡分期可以吗": true, "what do i wear": true, "leggings ok?": true, "Why is it late": true,
		"配送费咋算的": true, "帮我爸问一下": false, "kids helmet sizes?": true, "anyway, thanks": false,
	} {
		if Asks(text) != want {
			t.Errorf("Asks(%q) = %v, want %v", text, !want, want)
		}
	}
}
