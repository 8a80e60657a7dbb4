// Package texts holds the small text helpers the knowledge packages share:
// splitting a list cell of a table, turning a heading or a path part into
// an id slug, and cutting a chat message into its clauses.
package texts

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
// which Chinese customers type for commas. A part cut at a question mark
// keeps it, so that Asks sees it; the parts are not trimmed and none is
// empty.
func ClauseParts(text string) []string {
	zh := HanCount(text) > 0
	var out []string
	start := 0
	for i, r := range text {
		end := i
		switch {
		case r == '?' || r == '？':
			end = i + utf8.RuneLen(r)
		case strings.ContainsRune(",.!;:，。！；：、~～…", r) || zh && unicode.IsSpace(r):
		default:
			continue
		}
		if p := strings.TrimRight(text[start:end], "?？"); p != "" {
			out = append(out, text[start:end])
		}
		start = i + utf8.RuneLen(r)
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// Asks reports whether a clause (ClauseParts) asks something itself: a
// question mark, a Chinese question word, or an English question's first
// word (OpensQuestion). A story told before a question asks nothing
// ("first time ordering from you,", "帮我爸问一下，").
func Asks(clause string) bool {
	if strings.ContainsAny(clause, "?？") {
		return true
	}
	for _, w := range chineseQuestionWords {
		if strings.Contains(clause, w) {
			return true
		}
	}
	first, _, _ := strings.Cut(strings.TrimSpace(clause), " ")
	return OpensQuestion(first)
}

// chineseQuestionWords ask wherever they stand in a clause.
var chineseQuestionWords = []string{"吗", "呢", "什么", "怎么", "多少", "几", "哪", "能不能", "可不可以", "有没有", "是不是",
	"咋", "啥"}

// OpensQuestion reports whether an English word, as the first of a clause,
// opens a question ("do", "how", "any", …), in any case.
func OpensQuestion(word string) bool {
	switch strings.ToLower(word) {
	case "do", "does", "is", "are", "can", "could", "what", "whats", "what's", "how", "which", "where", "when",
		"have", "got", "any", "will", "would", "should", "why", "who":
		return true
	}
	return false
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
