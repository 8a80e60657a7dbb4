package entity

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFind checks Find and Check on any input: no panic, spans inside the
// text, on rune boundaries, in order and without overlaps, known ids.
func FuzzFind(f *testing.F) {
	for _, s := range []string{
		"Can I pay with Apple Pay?", "寄到香港要多久", "Do you ship to Germany?", "四川省成都市南京路",
		"We don't offer cash on delivery, PayPal or cheques.", "除港澳台以外都包邮", "outside of the EU",
		"ＰａｙＰａｌ 微 信 支 付", "Côte d’Ivoire", "bone china", "\xff\xfeChina\xc3", "中\u3000国 大陆",
		"Hong Kong,\n Macau and\tTaiwan", "not", "非", "除了", "Georgia, USA", strings.Repeat("a ", 100),
	} {
		f.Add(s)
	}
	g := gaz()
	f.Fuzz(func(t *testing.T, text string) {
		ms := g.Find(text)
		end := 0
		for _, m := range ms {
			if m.Start < end || m.End <= m.Start || m.End > len(text) {
				t.Fatalf("Find(%q): span [%d,%d) after %d", text, m.Start, m.End, end)
			}
			end = m.End
			if span := text[m.Start:m.End]; !utf8.ValidString(span) {
				t.Fatalf("Find(%q): span %q is not valid UTF-8", text, span)
			}
			if k, ok := g.KindOf(m.ID); !ok || k != m.Kind || g.Names(m.ID, "en") == "" {
				t.Fatalf("Find(%q): bad mention %+v", text, m)
			}
			if m.Outside && m.Kind != Place {
				t.Fatalf("Find(%q): Outside on %+v", text, m)
			}
		}
		again := g.AppendFind(make([]Mention, 1), text)[1:]
		if len(again) != len(ms) {
			t.Fatalf("AppendFind(%q) found %d, Find %d", text, len(again), len(ms))
		}
		for i := range ms {
			if again[i] != ms[i] {
				t.Fatalf("AppendFind(%q)[%d] = %+v, Find = %+v", text, i, again[i], ms[i])
			}
		}
		half := len(text) / 2
		r := g.Check(text[:half], text[half:])
		for _, f := range r.Findings {
			if f.Asked.End > half {
				t.Fatalf("Check: asked span [%d,%d) outside the question", f.Asked.Start, f.Asked.End)
			}
			for _, p := range append(f.By, f.Options...) {
				if p.Kind != f.Asked.Kind || p.End > len(text)-half {
					t.Fatalf("Check: passage mention %+v for %+v", p, f.Asked)
				}
			}
		}
		_ = g.List(ms, "zh")
	})
}
