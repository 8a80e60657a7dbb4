package intents

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// TestCuesCoverTheirExpressions checks the promise of each cue list that
// guards a long expression: a part of every match of the expression is
// among the cues, so that a message with none of them may skip it. It
// spells out the strings each expression matches (a character class by
// the first character of each of its ranges, or of its first range when it
// has more than two, a repetition at its least count, and once when that is none) and
// lists those without a cue.
func TestCuesCoverTheirExpressions(t *testing.T) {
	for _, c := range []struct {
		name string
		cues []string
		re   *regexp.Regexp
	}{
		{"faultCuesEN", faultCuesEN, faultsEN},
		{"planCues", planCues, plans},
		{"reproachCues", reproachCues, reproaches},
		{"whatNowCues", whatNowCues, whatNow},
	} {
		re, err := syntax.Parse(c.re.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		ss, ok := spell(re.Simplify(), 1<<18)
		if !ok {
			t.Fatalf("%s: its expression matches too many strings to spell out", c.name)
		}
		for _, s := range ss {
			if !containsAny(strings.ToLower(s), c.cues) {
				t.Errorf("%s: no cue in %q, which the expression matches", c.name, s)
			}
		}
	}
}

// spell returns strings that re matches, at most limit of them; ok is
// false when there would be more.
func spell(re *syntax.Regexp, limit int) (ss []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		if len(re.Rune) > 4 { // a wide class ("anything but a space"): one character of it
			return []string{string(re.Rune[0])}, true
		}
		for i := 0; i < len(re.Rune); i += 2 {
			if c := strings.ToLower(string(re.Rune[i])); !slices.Contains(ss, c) { // [Ww] of (?i) once
				ss = append(ss, c)
			}
		}
		return ss, true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}, true
	case syntax.OpCapture:
		return spell(re.Sub[0], limit)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			s, ok := spell(sub, limit-len(ss))
			if !ok {
				return nil, false
			}
			ss = append(ss, s...)
		}
		return ss, len(ss) <= limit
	case syntax.OpConcat:
		ss = []string{""}
		for _, sub := range re.Sub {
			part, ok := spell(sub, limit)
			if !ok || len(ss)*len(part) > limit {
				return nil, false
			}
			var next []string
			for _, a := range ss {
				for _, b := range part {
					next = append(next, a+b)
				}
			}
			ss = next
		}
		return ss, true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		least := map[syntax.Op]int{syntax.OpStar: 0, syntax.OpPlus: 1, syntax.OpQuest: 0, syntax.OpRepeat: re.Min}[re.Op]
		sub, ok := spell(re.Sub[0], limit)
		if !ok {
			return nil, false
		}
		counts := []int{least}
		if least == 0 && (re.Op != syntax.OpRepeat || re.Max != 0) {
			counts = append(counts, 1) // present as well as absent
		}
		for _, n := range counts {
			if n == 0 {
				ss = append(ss, "")
				continue
			}
			// n copies of the first spelling, and each spelling once
			// after n-1 of the first.
			first := strings.Repeat(sub[0], n-1)
			for _, s := range sub {
				ss = append(ss, first+s)
			}
		}
		return ss, len(ss) <= limit
	}
	return nil, false
}
