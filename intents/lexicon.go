package intents

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// lexicon matches a list of terms against normalised text. A Latin-script
// term matches whole words ("sue" does not match "issue"); a trailing "*"
// matches any ending ("lawyer*" matches "lawyers"); a term in Chinese
// characters matches anywhere. Each term carries a weight. A line "!phrase"
// names a phrase in which no term counts ("!emergency exit": the exit is
// no emergency).
type lexicon struct {
	terms   []lexTerm
	except  []exceptPhrase   // phrases in which no term counts
	byWord  map[string][]int // whole-word terms by their first word
	byRune  map[rune][]int   // Chinese-type terms by their first character
	prefix1 []int            // one-word prefix terms ("lawyer*")
	prefixN map[string][]int // several-word prefix terms by their first word
}

type lexTerm struct {
	norm   string // normalised term, words separated by single spaces
	prefix bool   // the last word may have any ending
	cjk    bool   // substring match
	weight float64
	label  string // how the term is reported
}

// newLexicon builds a lexicon from lines "term" or "term<TAB>weight"
// (default weight 1), and "!phrase" for a phrase in which no term counts.
// Blank lines and lines starting with # are skipped.
func newLexicon(text string) *lexicon {
	lx := &lexicon{}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if p, ok := strings.CutPrefix(line, "!"); ok {
			if norm := string(normalize(nil, p)); norm != "" {
				lx.except = append(lx.except, newExceptPhrase(norm))
			}
			continue
		}
		w := 1.0
		if term, ws, ok := strings.Cut(line, "\t"); ok {
			line = strings.TrimSpace(term)
			if v, err := strconv.ParseFloat(strings.TrimSpace(ws), 64); err == nil {
				w = v
			}
		}
		prefix := strings.HasSuffix(line, "*")
		norm := string(normalize(nil, strings.TrimSuffix(line, "*")))
		if norm == "" {
			continue
		}
		cjk := false
		for _, r := range norm {
			if isCJK(r) {
				cjk = true
				break
			}
		}
		lx.terms = append(lx.terms, lexTerm{norm: norm, prefix: prefix, cjk: cjk, weight: w, label: norm})
	}
	lx.byWord, lx.byRune, lx.prefixN = map[string][]int{}, map[rune][]int{}, map[string][]int{}
	for i, t := range lx.terms {
		first, _, multi := strings.Cut(t.norm, " ")
		switch {
		case t.cjk:
			r, _ := utf8.DecodeRuneInString(t.norm)
			lx.byRune[r] = append(lx.byRune[r], i)
		case t.prefix && !multi:
			lx.prefix1 = append(lx.prefix1, i)
		case t.prefix:
			lx.prefixN[first] = append(lx.prefixN[first], i)
		default:
			lx.byWord[first] = append(lx.byWord[first], i)
		}
	}
	return lx
}

// lexText is a normalised text prepared for matching: norm as normalize
// returns it, and spaced, which is norm with a space added at each boundary
// between Chinese-type characters and others, and at both ends.
type lexText struct{ norm, spaced string }

func newLexText(text string) lexText {
	rs := normalize(nil, text)
	var b strings.Builder
	b.Grow(len(rs)*3 + 2)
	b.WriteByte(' ')
	for i, r := range rs {
		if i > 0 && r != ' ' && rs[i-1] != ' ' && isCJK(r) != isCJK(rs[i-1]) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	b.WriteByte(' ')
	return lexText{norm: string(rs), spaced: b.String()}
}

// exceptPhrase is a phrase in which no term counts, ready to blank out: a
// Chinese-type one anywhere, another as whole words.
type exceptPhrase struct {
	cjk         bool
	find, blank string // in spaced text; for a cjk phrase also in norm
}

func newExceptPhrase(norm string) exceptPhrase {
	blank := strings.Repeat(" ", len(norm))
	if strings.ContainsFunc(norm, isCJK) {
		return exceptPhrase{cjk: true, find: norm, blank: blank}
	}
	return exceptPhrase{find: " " + norm + " ", blank: " " + blank + " "}
}

// without returns t with every occurrence of the phrases blanked out.
func (t lexText) without(phrases []exceptPhrase) lexText {
	for _, p := range phrases {
		// A whole-word phrase takes the spaces around it, so one right
		// after another ("exit exit") is found by the next pass.
		for strings.Contains(t.spaced, p.find) {
			t.spaced = strings.ReplaceAll(t.spaced, p.find, p.blank)
		}
		if p.cjk {
			t.norm = strings.ReplaceAll(t.norm, p.find, p.blank)
		}
	}
	return t
}

// match calls fn once for every term found in t (at its first occurrence),
// in the order found, with the text the term was found in and its byte offset
// there.
func (lx *lexicon) match(t lexText, fn func(term *lexTerm, in string, at int)) {
	t = t.without(lx.except)
	var seenBuf [16]uint64
	seen := seenBuf[:]
	if n := (len(lx.terms) + 63) / 64; n > len(seen) {
		seen = make([]uint64, n)
	}
	hit := func(i int, in string, at int) {
		if seen[i/64]&(1<<(i%64)) != 0 {
			return
		}
		seen[i/64] |= 1 << (i % 64)
		fn(&lx.terms[i], in, at)
	}
	if len(lx.byRune) > 0 {
		for at, r := range t.norm {
			for _, i := range lx.byRune[r] {
				if strings.HasPrefix(t.norm[at:], lx.terms[i].norm) {
					hit(i, t.norm, at)
				}
			}
		}
	}
	sp := t.spaced
	for at := 1; at < len(sp); {
		end := strings.IndexByte(sp[at:], ' ')
		if end < 0 {
			break
		}
		word, rest := sp[at:at+end], sp[at:]
		for _, i := range lx.byWord[word] {
			if strings.HasPrefix(rest, lx.terms[i].norm+" ") {
				hit(i, sp, at)
			}
		}
		for _, i := range lx.prefixN[word] {
			if strings.HasPrefix(rest, lx.terms[i].norm) {
				hit(i, sp, at)
			}
		}
		for _, i := range lx.prefix1 {
			if strings.HasPrefix(word, lx.terms[i].norm) {
				hit(i, sp, at)
			}
		}
		at += end + 1
	}
}

// negated reports whether the word before byte offset at of s is a
// negation ("not bad", "no problem", "不差").
func negated(s string, at int) bool {
	before := strings.TrimRight(s[:at], " ")
	if i := strings.LastIndexByte(before, ' '); i >= 0 {
		before = before[i+1:]
	}
	switch before {
	case "not", "no", "never", "isnt", "wasnt", "arent", "dont", "didnt", "nothing", "without", "hardly":
		return true
	}
	// Chinese: the character right before the term.
	r, _ := utf8.DecodeLastRuneInString(s[:at])
	switch r {
	case '不', '没', '無', '无', '别', '非':
		return true
	}
	return false
}
