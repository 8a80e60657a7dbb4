package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// chatFiller are the short forms of pronouns and courtesies customers type
// in chat ("do u do weddings", "where r u guys", "pls"). Content is not
// written in them, so the index knows none of them: each counted against
// every candidate as a word the query names that the candidate lacks, and
// its nearest words by one edit ("a", "us", "up") counted as matches. "do u
// do weddings" scored 0.29 where "do you do weddings" scored 0.82. They
// carry nothing to search for, so the query drops them. Expanding them
// ("you") or content short forms ("pic", "bday", "ppl") instead ranked
// worse on the read companies left out one at a time.
var chatFiller = map[string]bool{
	"u": true, "ya": true, "yu": true, "ur": true, "urs": true, "r": true,
	"pls": true, "plz": true, "thx": true, "tnx": true,
}

// dropChatFiller removes the chat fillers of lower-cased text (see
// chatFiller), word by word; a word is a run of ASCII letters, digits,
// apostrophes, hyphens and slashes, so that "u-lock" is read whole, and a
// word glued to a Chinese character ("u盘", a USB drive) is part of a
// Chinese word. Anything else is copied as it is. s is valid UTF-8, as
// cleanQuery returns it.
func dropChatFiller(s string) string {
	inWord := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\'' || c == '-' || c == '/'
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		if !inWord(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && inWord(s[j]) {
			j++
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		glued := before >= utf8.RuneSelf && unicode.IsLetter(before) || after >= utf8.RuneSelf && unicode.IsLetter(after)
		if chatFiller[s[i:j]] && !glued {
			changed = true
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	if !changed {
		return s
	}
	return b.String()
}
