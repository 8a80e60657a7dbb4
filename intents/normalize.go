package intents

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRunes bounds the characters of a message that are looked at, so that
// prediction time stays bounded on very long input.
const maxRunes = 2000

// normalize folds a message to the form features are taken from: valid UTF-8,
// full-width forms to ASCII, lower case, traditional Chinese characters to
// simplified ones, punctuation and symbols to spaces (an apostrophe inside a
// word is dropped: "don't" -> "dont"), runs of spaces to one, at most maxRunes
// characters. It appends to dst and returns it.
func normalize(dst []rune, s string) []rune {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	space := true // at start: drop leading spaces
	n := 0
	var prev rune
	for i, orig := range s {
		if n >= maxRunes {
			break
		}
		r := foldRune(orig)
		switch {
		case r == '\'' || r == '’':
			// Drop apostrophes inside words; elsewhere they separate.
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(orig):])
			if isWordRune(prev) && isWordRune(foldRune(next)) {
				continue
			}
			r = ' '
		case !isWordRune(r):
			r = ' '
		}
		prev = r
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, r)
		n++
	}
	for len(dst) > 0 && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// foldRune maps full-width ASCII to ASCII, the ideographic space to a space,
// upper to lower case and traditional Chinese characters to simplified ones.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000 || r == 0x00A0:
		return ' '
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if s, ok := tradToSimp[r]; ok {
		return s
	}
	return unicode.ToLower(r)
}

// isWordRune reports whether r belongs to a word: a letter, a digit or a mark.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// isCJK reports whether r is written without spaces between words: Han,
// Hiragana, Katakana, Hangul. Each such character is a token of its own.
func isCJK(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// DetectLanguage returns "zh" for text written mostly in Chinese characters,
// "en" for text in Latin letters that reads as English, and "other" for
// anything else (other scripts and languages, emoji only, empty text).
func DetectLanguage(text string) string {
	var han, kana, latin, otherLetters int
	var words []string
	var word []byte
	flush := func() {
		if len(word) > 0 && len(words) < 64 {
			words = append(words, string(word))
		}
		word = word[:0]
	}
	n := 0
	for _, r := range text {
		if n++; n > maxRunes {
			break
		}
		r = foldRune(r)
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z'):
			latin++
			word = append(word, byte(r))
			continue
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r):
			kana++
		case unicode.Is(unicode.Latin, r):
			latin++
			otherLetters++ // accented Latin: a hint of a language other than English
		case unicode.IsLetter(r):
			otherLetters += 2
		}
		flush()
	}
	flush()
	switch {
	case han == 0 && latin == 0 && kana == 0 && otherLetters == 0:
		return "other"
	case kana > 0 && kana*4 >= han:
		return "other" // Japanese or Korean
	case han > 0 && han*2 >= latin/3:
		// A Chinese character carries about as much as a short English word.
		return "zh"
	case otherLetters*2 > latin:
		return "other"
	}
	// Latin script: English unless it clearly reads as another language.
	en, foreign := 0, 0
	for _, w := range words {
		if englishWords[w] {
			en++
		}
		if foreignWords[w] {
			foreign++
		}
	}
	if foreign > en && foreign >= 2 {
		return "other"
	}
	return "en"
}

// englishWords are frequent English function words.
var englishWords = setOf(`the a an is are was were be been i you he she it we they me my your our their this that
these those to of in on at for with from by and or but not no do does did can could will would should have has had
what where when why how which who please my order help hi hello thanks thank`)

// foreignWords are frequent function words of other languages written in Latin
// letters (French, Spanish, German, Italian, Portuguese, Dutch) that are not
// English words.
var foreignWords = setOf(`le la les des du est et une un pour pas avec je vous nous il elle que qui dans sur
el los las es y una por para con que del mi su muy pero como esta este
der die das und ist ich nicht mit sie ein eine den dem zu auf bitte danke
il della che di non per sono una gli
de het een en niet ik je van voor dat
os uma não com para por você obrigado`)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
