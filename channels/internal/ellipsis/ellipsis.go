// Package ellipsis shortens the texts a chat adapter puts where its
// platform limits their length (button labels, card titles, fallback
// texts), marking the cut with "…".
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
