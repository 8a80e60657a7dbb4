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
	// neg is true inside a negated span ("caffeine-free", "no added
	// sugar", "不含咖啡因"): the text says the product lacks it.
	neg bool
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
	markNegated(out)
	return out
}

// markNegated marks the substances a text says are absent, so that a
// product that is "caffeine-free" or "不含咖啡因" is not offered for
// "coffee", "咖啡" or "biscuits with nuts", while a question that says the
// same ("without caffeine", "不含咖啡因的", "I'm allergic to nuts") finds
// it:
//   - English: a substance word (substances) after "no", "without", "free
//     of" or "free from", or before "free" ("gluten-free", "nut free"),
//     fillers such as "any" and "added" skipped; a question also negates
//     what it is allergic or intolerant to ("allergic to nuts", "nut
//     allergy", "lactose intolerant");
//   - Chinese: up to four characters after 不含, 不加 or 不添加, and after 无
//     or 没有 (not 有没有) when a substance (zhSubstances) follows; a
//     question also negates X in 对X过敏 and after 不能吃 or 不吃. A span
//     ends at a break or at 的, 和, 及, 或.
//
// Only substances: what a product prevents is no absence ("non-slip",
// "wrinkle-free", 防滑, 无痕), and the customer names the problem ("I slip
// on my mat") when asking for it.
func markNegated(ps []piece) {
	word := func(j int) string {
		if j >= 0 && j < len(ps) && ps[j].kind == pWord {
			return ps[j].text
		}
		return ""
	}
	substance := func(j int) bool {
		w := word(j)
		return w != "" && (substances[w] || substances[stem(w)])
	}
	markAfter := func(j int) {
		for j < len(ps) && ps[j].kind == pWord && !ps[j].brk && negFillers[ps[j].text] {
			j++
		}
		for k := 0; k < 2 && j < len(ps) && !ps[j].brk && substance(j); j, k = j+1, k+1 {
			ps[j].neg = true
		}
	}
	for i := 0; i < len(ps); i++ {
		p := ps[i]
		switch p.kind {
		case pWord:
			switch p.text {
			case "no", "without":
				markAfter(i + 1)
			case "free":
				if !p.brk && substance(i-1) {
					ps[i-1].neg = true
				}
				if w := word(i + 1); (w == "of" || w == "from") && !ps[i+1].brk {
					markAfter(i + 2)
				}
			case "allergic", "intolerant":
				if w := word(i + 1); w == "to" || w == "of" {
					markAfter(i + 2)
				}
				if p.text == "intolerant" && !p.brk && substance(i-1) {
					ps[i-1].neg = true
				}
			case "allergy", "allergies", "intolerance":
				if !p.brk && substance(i-1) {
					ps[i-1].neg = true
				}
				if w := word(i + 1); w == "to" && !ps[i+1].brk {
					markAfter(i + 2)
				}
			}
		case pHan:
			if n := zhNegatorAt(ps, i); n > 0 {
				i += n - 1
				markHan(ps, i+1)
			} else if p.text == "对" {
				// 对X过敏: X runs up to 过敏.
				j := i + 1
				for j < len(ps) && j < i+6 && ps[j].kind == pHan && !ps[j].gap && ps[j].text != "过" {
					j++
				}
				if j > i+1 && j+1 < len(ps) && ps[j].text == "过" && ps[j+1].text == "敏" {
					for k := i + 1; k < j; k++ {
						ps[k].neg = true
					}
				}
			}
		}
	}
}

// markHan marks the Chinese characters of a negated span from ps[j]: at
// most four, up to a break or a word that ends it.
func markHan(ps []piece, j int) {
	// "无添加二氧化硫", "不含人工色素": what follows 添加 or 人工 is the
	// substance.
	for _, pre := range [][2]string{{"添", "加"}, {"人", "工"}} {
		if j+1 < len(ps) && ps[j].text == pre[0] && ps[j+1].text == pre[1] && !ps[j+1].gap {
			j += 2
		}
	}
	for k := 0; j < len(ps) && k < 4; j, k = j+1, k+1 {
		if ps[j].kind != pHan || ps[j].gap || ps[j].brk || zhNegEnd[ps[j].text] {
			return
		}
		ps[j].neg = true
	}
}

// zhNegatorAt returns the length in characters of the Chinese negator that
// starts at ps[i], or 0.
func zhNegatorAt(ps []piece, i int) int {
	at := func(k int) string {
		if k < len(ps) && ps[k].kind == pHan && (k == i || !ps[k].gap) {
			return ps[k].text
		}
		return ""
	}
	switch a, b, c := at(i), at(i+1), at(i+2); {
	case a == "不" && b == "添" && c == "加":
		return 3
	case a == "不" && (b == "含" || b == "加" || b == "吃"):
		return 2
	case a == "不" && b == "能" && c == "吃":
		return 3
	case a == "没" && b == "有" && (i == 0 || ps[i-1].text != "有") && zhSubstanceAt(ps, i+2): // not 有没有
		return 2
	case a == "无" && zhSubstanceAt(ps, i+1):
		return 1
	}
	return 0
}

// zhSubstanceAt reports whether a substance of zhSubstances starts at
// ps[j].
func zhSubstanceAt(ps []piece, j int) bool {
	var b strings.Builder
	for k := j; k < len(ps) && k < j+3 && ps[k].kind == pHan && (k == j || !ps[k].gap); k++ {
		b.WriteString(ps[k].text)
		if zhSubstances[b.String()] {
			return true
		}
	}
	return false
}

// negFillers may stand between a negation and what it negates ("no
// added sugar", "without any palm oil").
var negFillers = set("a", "an", "any", "the", "added", "artificial")

// zhNegEnd end a Chinese negated span.
var zhNegEnd = set("的", "和", "及", "或", "与", "也", "但", "而")

// substances are what a product can be free of (ingredients, allergens,
// additives, materials), singular: "no caffeine", "nut-free".
var substances = set("caffeine", "caffein", "decaf", "gluten", "wheat", "sugar", "sugars", "sweetener", "nut", "peanut",
	"almond", "dairy", "milk", "lactose", "egg", "soy", "soya", "alcohol", "fragrance", "perfume", "scent", "paraben",
	"sulfate", "sulphate", "bpa", "plastic", "palm", "oil", "gmo", "fat", "salt", "sodium", "meat", "gelatin", "gelatine",
	"preservative", "additive", "colour", "color", "colouring", "coloring", "dye", "flavouring", "flavoring", "msg",
	"pesticide", "chemical", "phthalate", "latex", "nickel", "lead", "chlorine", "formaldehyde", "animal", "honey",
	"sesame", "shellfish", "fish", "corn", "grain", "cocoa", "chocolate", "coffee")

// zhSubstances are what a product can be free of, in Chinese.
var zhSubstances = set("糖", "蔗糖", "咖啡", "咖啡因", "麸质", "麸", "小麦", "坚果", "花生", "杏仁", "奶", "牛奶", "乳糖", "乳",
	"蛋", "鸡蛋", "大豆", "酒精", "酒", "香精", "香料", "色素", "防腐剂", "添加剂", "添加", "反式脂肪", "脂肪", "盐", "钠", "肉",
	"明胶", "农药", "化肥", "激素", "甲醛", "荧光剂", "双酚", "塑料", "镍", "铅", "氯", "芝麻", "海鲜", "转基因", "味精", "蜂蜜", "可可", "巧克力")

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
