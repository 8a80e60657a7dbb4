package catalog

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pieceKind is the kind of one piece of segmented text.
type pieceKind uint8

const (
	pWord pieceKind = iota // a run of Latin letters
	pNum                   // a number: digits with at most one decimal point
	pHan                   // one Han character
	pSym                   // a symbol that matters: ¥ $ € £ < > ~ + " x-between-numbers
)

// piece is one unit of segmented text.
type piece struct {
	kind pieceKind
	text string  // lower-case word, number literal, Han character or symbol
	num  float64 // the value of a pNum
	// gap is true when whitespace or punctuation separates the piece from
	// the one before it; Han runs and hyphenated words are split at gaps.
	gap bool
	// hyphen is true when a hyphen or slash joins the piece to the one
	// before it (e-bike, no-pull).
	hyphen bool
	// brk is true when punctuation, or a word Parse took out, separates the
	// piece from the one before it: no phrase spans a break.
	brk bool
	// role is what the piece is to the catalogue (set by Parse).
	role role
}

// maxTextRunes bounds the text Parse and the catalogue read; the rest of a
// longer message is ignored.
const maxTextRunes = 400

// segment normalises text (lower case, full-width forms folded, quotes and
// dashes unified) and splits it into pieces. Letters and digits are split
// apart ("urban25" → "urban", "25"); apostrophes are dropped inside words
// and a trailing "'s" with them.
func segment(text string) []piece {
	var out []piece
	gap, brk := true, true
	hyphen := false
	n := 0
	for i := 0; i < len(text) && n < maxTextRunes; {
		r, size := utf8.DecodeRuneInString(text[i:])
		n++
		r = fold(r)
		switch {
		case r == utf8.RuneError && size <= 1:
			gap, brk, hyphen = true, true, false
			i += size
		case isLatin(r):
			j := i
			var b strings.Builder
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				r2 = fold(r2)
				if isLatin(r2) {
					b.WriteRune(unicode.ToLower(r2))
					j += s2
					continue
				}
				if r2 == '\'' && j+s2 < len(text) {
					r3, s3 := utf8.DecodeRuneInString(text[j+s2:])
					if isLatin(fold(r3)) {
						// "hill's" → "hill"; "don't" → "dont"
						if fold(r3) == 's' || fold(r3) == 'S' {
							if k := j + s2 + s3; k >= len(text) || !isLatin(fold(firstRune(text[k:]))) {
								j = k
								break
							}
						}
						j += s2
						continue
					}
				}
				break
			}
			out = append(out, piece{kind: pWord, text: b.String(), gap: gap, brk: brk, hyphen: hyphen})
			gap, brk, hyphen = false, false, false
			i = j
		case r >= '0' && r <= '9':
			j := i
			dot := false
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				r2 = fold(r2)
				if r2 >= '0' && r2 <= '9' {
					j += s2
					continue
				}
				if (r2 == '.' || r2 == ',') && !dot && j+s2 < len(text) {
					if r3 := fold(firstRune(text[j+s2:])); r3 >= '0' && r3 <= '9' {
						if r2 == ',' {
							// 1,599 is one number; 3,4 (a list) is two.
							k := j + s2
							digits := 0
							for k < len(text) && text[k] >= '0' && text[k] <= '9' {
								k++
								digits++
							}
							if digits != 3 {
								break
							}
						} else {
							dot = true
						}
						j += s2
						continue
					}
				}
				break
			}
			lit := foldDigits(text[i:j])
			v, err := strconv.ParseFloat(lit, 64)
			if err != nil {
				v = 0
			}
			out = append(out, piece{kind: pNum, text: lit, num: v, gap: gap, brk: brk, hyphen: hyphen})
			gap, brk, hyphen = false, false, false
			i = j
		case unicode.Is(unicode.Han, r):
			out = append(out, piece{kind: pHan, text: string(r), gap: gap, brk: brk})
			gap, brk, hyphen = false, false, false
			i += size
		case r == '¥' || r == '$' || r == '€' || r == '£' || r == '<' || r == '>' || r == '~' || r == '+' || r == '"' || r == '×':
			s := string(r)
			if r == '×' {
				s = "x"
			}
			out = append(out, piece{kind: pSym, text: s, gap: gap, brk: brk})
			gap, brk, hyphen = false, false, false
			i += size
		case r == '-' || r == '/' || r == '–' || r == '—':
			// a hyphen between two words joins them; anything else is a gap
			hyphen = !gap && len(out) > 0
			gap = !hyphen
			brk = brk || !hyphen
			i += size
		case unicode.IsSpace(r):
			gap, hyphen = true, false
			i += size
		default:
			gap, brk, hyphen = true, true, false
			i += size
		}
	}
	return out
}

// firstRune returns the first rune of s.
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// fold maps full-width ASCII to ASCII and unifies look-alike punctuation.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	case r == '’' || r == '‘' || r == '`' || r == '´':
		return '\''
	case r == '￥':
		return '¥'
	case r == '～':
		return '~'
	}
	return r
}

// foldDigits removes thousands separators and folds full-width digits.
func foldDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = fold(r)
		if r != ',' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isLatin reports whether r is a letter of a Latin-script word.
func isLatin(r rune) bool {
	if r < utf8.RuneSelf {
		return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	}
	return unicode.Is(unicode.Latin, r)
}

// stem reduces an English word to a light stem: plurals and possessives
// only ("bikes" → "bike", "batteries" → "battery", "boxes" → "box").
// Other endings are matched by related (see roots).
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "sses"):
		return w[:n-2]
	case n > 4 && (strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		return w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// rootSuffixes are the endings root removes, longest first.
var rootSuffixes = []string{"ing", "ers", "ed", "er", "es", "ly", "y", "e", "s"}

// root removes one derivational ending so that "smoky", "smoked" and
// "smoke" meet at "smok". It returns "" for words too short to trust.
func root(w string) string {
	for _, suf := range rootSuffixes {
		if len(w)-len(suf) >= 4 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	if len(w) >= 4 {
		return w
	}
	return ""
}

// deletes returns the strings made by deleting one rune of w.
func deletes(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// parseZhNumber reads a Chinese numeral of at most four digits ("十二",
// "两", "二十五", "三千", "1万") at the start of s, returning its value and
// byte length, or ok false.
func parseZhNumber(s string) (v float64, n int, ok bool) {
	var total, cur float64
	seen := false
	for i, r := range s {
		d, isDigit := zhDigits[r]
		switch {
		case r == '半' && seen:
			return total + cur + 0.5, i + len("半"), true
		case r == '半':
			return 0, 0, false
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			total += cur * 10
			cur = 0
		case r == '百':
			if !seen {
				return 0, 0, false
			}
			total += cur * 100
			cur = 0
		case r == '千':
			if !seen {
				return 0, 0, false
			}
			total += cur * 1000
			cur = 0
		case r == '万':
			if !seen {
				return 0, 0, false
			}
			total = (total + cur) * 10000
			cur = 0
		case isDigit:
			cur = d
		default:
			if !seen {
				return 0, 0, false
			}
			return total + cur, i, true
		}
		seen = true
	}
	if !seen {
		return 0, 0, false
	}
	return total + cur, len(s), true
}
