package intents

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLexiconMatch(t *testing.T) {
	lx := newLexicon("# comment\nsue\nlawyer*\nlegal action\ntake you to*\n律师\n12315\nweighted\t2.5\n\n")
	if got := lx.terms[len(lx.terms)-1].weight; got != 2.5 {
		t.Errorf("weight = %v, want 2.5", got)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"I will SUE you", []string{"sue"}},
		{"there is an issue", nil},
		{"pursue it", nil},
		{"my lawyers will call", []string{"lawyer"}},
		{"we are taking legal action now", []string{"legal action"}},
		{"legal actions", nil},
		{"I'll take you to court", []string{"take you to"}},
		{"我要找律师", []string{"律师"}},
		{"我要打12315投诉", []string{"12315"}},
		{"call 123150", nil},
		{"sue sue sue, lawyer", []string{"sue", "lawyer"}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		lx.match(newLexText(tt.text), func(term *lexTerm, _ string, _ int) { got = append(got, term.label) })
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("match(%q) (-want +got):\n%s", tt.text, d)
		}
	}
}

// TestLexiconExcept checks that a "!phrase" line keeps its terms from
// counting inside the phrase, and only there.
func TestLexiconExcept(t *testing.T) {
	lx := newLexicon("emergency\n!emergency exit\n被困\n!被困扰\n")
	for text, want := range map[string][]string{
		"it's an emergency":                     {"emergency"},
		"where is the emergency exit":           nil,
		"emergency exit emergency exit":         nil,
		"emergency exits are blocked":           {"emergency"}, // "exits" is not "exit"
		"emergency! the emergency exit is shut": {"emergency"},
		"我们被困在里面了":                              {"被困"},
		"一直被困扰":                                 nil,
	} {
		var got []string
		lx.match(newLexText(text), func(term *lexTerm, _ string, _ int) { got = append(got, term.label) })
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("match(%q) (-want +got):\n%s", text, d)
		}
	}
}

func TestNegated(t *testing.T) {
	neg := newLexicon("bad\n差")
	tests := []struct {
		text string
		want bool
	}{
		{"that was bad", false},
		{"not bad at all", true},
		{"it wasn't bad", true},
		{"味道很差", false},
		{"味道不差", true},
	}
	for _, tt := range tests {
		got := false
		neg.match(newLexText(tt.text), func(_ *lexTerm, in string, at int) { got = negated(in, at) })
		if got != tt.want {
			t.Errorf("negated in %q = %v, want %v", tt.text, got, tt.want)
		}
	}
}
