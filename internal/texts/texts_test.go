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
