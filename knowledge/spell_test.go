package knowledge

import (
	"context"
	"slices"
	"testing"
)

// TestSpellerCorrectsSlipsNotWords checks the speller on the demo's
// vocabulary, with words analysed as a query's are: one slip in a word of
// four to seven letters and two in a longer one are corrected; a real word
// of seven letters two slips from a term of the index ("weather", "water")
// is left alone.
func TestSpellerCorrectsSlipsNotWords(t *testing.T) {
	ix, _ := demoIndex(t)
	an := ix.analysers()
	for word, want := range map[string]string{
		"shiping":  "ship",
		"recieve":  "receiv",
		"delivary": "deliveri",
		"weather":  "",
		"tea":      "",
	} {
		terms := an.analyse(word, false).terms
		if len(terms) != 1 {
			t.Fatalf("%q analyses to %v", word, terms)
		}
		got := ix.spell.correct(ix, terms[0])
		if want == "" && len(got) > 0 || want != "" && !slices.Contains(got, want) {
			t.Errorf("correct(%q, analysed %q) = %v, want %q", word, terms[0], got, want)
		}
	}
}

// TestCorrectSpelling checks that a word the demo's index lacks, with one
// nearest term, is searched as that term, and that known words, codes and
// words with several nearest terms stay.
func TestCorrectSpelling(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, tt := range []struct {
		in, want string
		changed  bool
	}{
		{"how do i cancle my order", "how do i cancel my order", true},
		{"whats your adress", "whats your address", true},
		{"how long is the warranty", "how long is the warranty", false},
		{"shiping", "shiping", false}, // ship or shape
		{"what are your opning hours", "what are your open hours", true},
		{"order tl2024x", "order tl2024x", false},
	} {
		got, changed := ix.correctSpelling(ctx, tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("correctSpelling(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}
