// Package texts holds the small text helpers the knowledge packages share:
// splitting a list cell of a table, turning a heading or a path part into
// an id slug, and cutting a chat message into its clauses.
package texts

import (
	"strings"
	"unicode"
)

// SplitList splits a list cell of a table on ";" (and on nothing else:
// "," "|" "、" and "，" stay inside items), trims white space (as
// strings.TrimSpace) around each item and drops empty items. It returns
// nil when no item is left, and never an empty string.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Slug turns s into an id part or a URL anchor: the letters and digits of
// s (any script, lower-cased by strings.ToLower), each run of other
// characters between two of them replaced by one "-". The result neither
// starts nor ends with "-"; it is "" when s has no letter or digit.
func Slug(s string) string { return slug(s, false) }

// SlugKeepDots is Slug that also keeps each "." that directly follows a
// kept letter, digit or "." (so "v1.2" stays "v1.2", and "a..b" stays
// "a..b"). The result never starts with "." or "-" but may end with ".".
func SlugKeepDots(s string) string { return slug(s, true) }

func slug(s string, dots bool) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (dots && r == '.' && b.Len() > 0 && !dash) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// ClauseParts cuts a chat message at its punctuation (ASCII and full-width
// , . ! ? ; : and 、 ~ …) and, in a message with Chinese, at spaces too,
// which Chinese customers type for commas. The parts are not trimmed and
// none is empty.
func ClauseParts(text string) []string {
	zh := HanCount(text) > 0
	return strings.FieldsFunc(text, func(r rune) bool {
		return strings.ContainsRune(",.!?;:，。！？；：、~～…", r) || zh && unicode.IsSpace(r)
	})
}

// HanCount returns the number of Han characters in s.
func HanCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// Askable keeps the parts (ClauseParts) that may ask something on their
// own, trimmed: those with minHan Han characters or more, or with none and
// two words or more. "a", "运费" (under minHan 3) and "ok" are dropped.
func Askable(parts []string, minHan int) []string {
	var out []string
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if n := HanCount(p); n >= minHan || n == 0 && len(strings.Fields(p)) >= 2 {
			out = append(out, p)
		}
	}
	return out
}
