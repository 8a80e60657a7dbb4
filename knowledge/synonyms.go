package knowledge

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed builtin_synonyms.yaml
var builtinSynonymsYAML []byte

// BuiltinSynonyms returns the synonym groups every index uses besides a
// company's own: service topics in any trade (shipping, returns, payment
// methods, invoices, opening hours…), in English and Chinese.
func BuiltinSynonyms() Synonyms {
	s, err := parseSynonyms("builtin_synonyms.yaml", builtinSynonymsYAML)
	if err != nil {
		panic("knowledge: embedded builtin_synonyms.yaml: " + err.Error()) // a build defect, caught by the tests
	}
	return s
}

// synonymSet expands queries with a company's synonym groups.
type synonymSet struct {
	groups [][]string // lower-case members
}

func newSynonymSet(s Synonyms) *synonymSet {
	set := &synonymSet{}
	for _, g := range s {
		var grp []string
		for _, m := range g {
			if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
				grp = append(grp, m)
			}
		}
		if len(grp) > 1 {
			set.groups = append(set.groups, grp)
		}
	}
	return set
}

// expand finds the synonym groups with a member in text (lower-case). For
// each query term of a found member it returns the terms of the group's
// other members (alt), and all such terms not already in the query (all).
func (s *synonymSet) expand(text string, zh bool, a analysers, query map[string]bool) (alt map[string][]string, all []string) {
	if s == nil || len(s.groups) == 0 {
		return nil, nil
	}
	seen := map[string]bool{}
	for _, g := range s.groups {
		var found []string
		for _, m := range g {
			if containsPhrase(text, m) {
				found = append(found, m)
			}
		}
		if len(found) == 0 {
			continue
		}
		var others []string
		for _, m := range g {
			if !zh && hasHan(m) {
				continue // Chinese members only help Chinese queries
			}
			for _, t := range a.analyse(m, zh).terms {
				others = append(others, t)
				if !query[t] && !seen[t] && len(all) < maxQueryTerms {
					seen[t] = true
					all = append(all, t)
				}
			}
		}
		if alt == nil {
			alt = map[string][]string{}
		}
		for _, m := range found {
			for _, t := range a.analyse(m, zh).terms {
				alt[t] = append(alt[t], others...)
			}
		}
	}
	return alt, all
}

// containsPhrase reports whether text holds phrase: anywhere for Chinese,
// at word boundaries otherwise.
func containsPhrase(text, phrase string) bool {
	if hasHan(phrase) {
		return strings.Contains(text, phrase)
	}
	for off := 0; off <= len(text); {
		i := strings.Index(text[off:], phrase)
		if i < 0 {
			return false
		}
		i += off
		j := i + len(phrase)
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[j:])
		if (i == 0 || !isWordRune(before)) && (j == len(text) || !isWordRune(after)) {
			return true
		}
		off = i + 1
	}
	return false
}

func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}
