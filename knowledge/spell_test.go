package knowledge

import (
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
