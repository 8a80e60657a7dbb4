// Package ellipsis shortens the texts a chat adapter puts where its
// platform limits their length (button labels, card titles, fallback
// texts, message bodies limited in bytes), marking the cut with "…", and
// cuts texts to a number of bytes without breaking a character.
package ellipsis

import "unicode/utf8"

// Runes returns s when it has at most n characters (runes); else its first
// n-1 characters followed by "…", n characters in all. n must be at least
// 1.
func Runes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// mark is what a cut text ends with.
const mark = "…"

// Bytes returns s when it has at most n bytes; else its longest prefix that
// leaves room for "…" without breaking a character (Prefix), followed by
// "…": at most n bytes in all. When n is too small for "…" (under 3) and s
// is longer, it returns "".
func Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < len(mark) {
		return ""
	}
	return Prefix(s, n-len(mark)) + mark
}

// Prefix returns s when it has at most n bytes; else its longest prefix of
// at most n bytes that does not end inside a character (of UTF-8), "" when
// n is 0 or less.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
