package knowledge

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestClauses(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"能寄到上海不 想给我妈送束花", []string{"能寄到上海不", "想给我妈送束花"}},
		{"do you do weddings, we're getting married in october", []string{"do you do weddings", "we're getting married in october"}},
		{"how long does shipping take", nil},
		{"hi, ok", nil},
		{"a b, c d, e f, g h, i j", []string{"a b", "c d", "e f"}},
		{"运费多少 谢谢", []string{"运费多少"}},
	} {
		if got := clauses(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("clauses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestClauseAgreement checks that a story around a question costs its
// answer less when the question alone finds the same document: the
// message's first hit is the same, at a confidence between the whole
// message's and the question's alone.
func TestClauseAgreement(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, tt := range []struct{ message, question string }{
		{"能寄到国外吗 我在德国读书 想让家里寄点茶过来", "能寄到国外吗"},
		{"how long will shipping take, it's a birthday present for my dad", "how long will shipping take"},
	} {
		whole, err := ix.search(ctx, bot.Query{Text: tt.message}, AllSignals)
		if err != nil || len(whole) == 0 {
			t.Fatalf("search(%q): %v, %d hits", tt.message, err, len(whole))
		}
		alone, err := ix.search(ctx, bot.Query{Text: tt.question}, AllSignals)
		if err != nil || len(alone) == 0 || alone[0].ID != whole[0].ID || alone[0].Confidence <= whole[0].Confidence {
			t.Fatalf("the test needs %q to find %s alone with more confidence than %q", tt.question, whole[0].ID, tt.message)
		}
		got, err := ix.Retrieve(ctx, bot.Query{Text: tt.message})
		if err != nil || len(got) == 0 {
			t.Fatalf("Retrieve(%q): %v, %d hits", tt.message, err, len(got))
		}
		want := (whole[0].Confidence + alone[0].Confidence) / 2
		if got[0].ID != whole[0].ID || got[0].Confidence < want-1e-9 {
			t.Errorf("Retrieve(%q) first %s at %.3f, want %s at %.3f or more (whole %.3f, alone %.3f)", tt.message,
				got[0].ID, got[0].Confidence, whole[0].ID, want, whole[0].Confidence, alone[0].Confidence)
		}
	}
}

func FuzzClauses(f *testing.F) {
	for _, s := range []string{"能寄到上海不 想给我妈送束花", "a b, c d. e f", "", "，，，", "\xff, \xfe x y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs := clauses(s)
		if len(cs) > maxClauses {
			t.Errorf("clauses(%q): %d, more than %d", s, len(cs), maxClauses)
		}
		for _, c := range cs {
			if c == "" || !strings.Contains(s, c) {
				t.Errorf("clauses(%q) holds %q, not a part of it", s, c)
			}
		}
	})
}

// BenchmarkRetrieveClauses measures what searching a message's clauses on
// their own costs: a question alone, and the same question in a story of
// three clauses (four searches), on the demo company.
func BenchmarkRetrieveClauses(b *testing.B) {
	ix, _ := demoIndex(b)
	ctx := context.Background()
	for _, bb := range []struct{ name, text string }{
		{"question", "how long will shipping take"},
		{"story", "how long will shipping take, it's a birthday present for my dad, his birthday is on friday"},
		{"story-zh", "发货后多久能收到 给我爸的生日礼物 他周五生日"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ix.Retrieve(ctx, bot.Query{Text: bb.text}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
