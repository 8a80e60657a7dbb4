package entity

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Term flags.
const (
	fBounded uint8 = 1 << iota // English: only at word boundaries
	fTitle                     // only when the text starts it with a capital
	fExact                     // only in exactly the written case
)

// trie is the flattened automaton: node 0 is the root; each node's edges are
// sorted by rune.
type trie struct {
	nodes []tnode
	edges []tedge
	terms []term
	ascii [128]int32   // the root's child for an ASCII rune, 0 if none
	first [1024]uint64 // bit r: the root has a child for BMP rune r
}

type tnode struct {
	edges, nEdges int32 // t.edges[edges : edges+nEdges]
	terms, nTerms int32 // t.terms[terms : terms+nTerms]: names that end here
}

type tedge struct {
	r  rune
	to int32
}

// term is a name that ends at a node.
type term struct {
	ent   int32 // index into Gazetteer.ents; -1 for a stop phrase
	flags uint8
	form  string // the name as written in the table, for fExact
}

// sep is what every separator run folds to.
const sep = ' '

// Fold tables for U+00C0–U+00FF and U+0100–U+017F: the base letter, or '0' to
// keep the rune (lower-cased).
const (
	latin1Fold = "aaaaaaaceeeeiiii" + "dnooooo0ouuuuy00" + "aaaaaaaceeeeiiii" + "dnooooo0ouuuuy0y"
	latinAFold = "aaaaaaccccccccdd" + "ddeeeeeeeeeegggg" + "gggghhhhiiiiiiii" + "ii00jjkk0lllllll" +
		"lllnnnnnn0nnoooo" + "oooorrrrrrssssss" + "ssttttttuuuuuuuu" + "uuuuwwyyyzzzzzzs"
)

// fold maps a rune to what names are written in: lower case, Latin
// diacritics removed, full-width ASCII to ASCII, curly apostrophes to ',
// separators (space, tab, newline, hyphens, underscore) to sep.
func fold(r rune) rune {
	switch {
	case r < 0x80:
		switch {
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		case r == ' ' || r == '-' || r == '_' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			return sep
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		return fold(r - 0xFEE0)
	case r == 0xA0 || r == 0x3000 || (r >= 0x2010 && r <= 0x2013):
		return sep
	case r == 0x2018 || r == 0x2019 || r == 0x02BC:
		return '\''
	case r >= 0xC0 && r < 0x100:
		if c := latin1Fold[r-0xC0]; c != '0' {
			return rune(c)
		}
	case r >= 0x100 && r < 0x180:
		if c := latinAFold[r-0x100]; c != '0' {
			return rune(c)
		}
	case isCJK(r):
		return r
	}
	return unicode.ToLower(r)
}

// isCJK reports Chinese, Japanese and Korean characters and the CJK
// punctuation block: never part of an English word.
func isCJK(r rune) bool {
	return r >= 0x2E80 && (r <= 0x9FFF || (r >= 0xAC00 && r <= 0xD7AF) || (r >= 0xF900 && r <= 0xFAFF) || (r >= 0x20000 && r <= 0x3FFFF))
}

// isWordRune reports the runes English words are made of: letters other than
// CJK, digits and combining marks.
func isWordRune(r rune) bool {
	if r < 0x80 {
		l := r | 0x20
		return ('a' <= l && l <= 'z') || ('0' <= r && r <= '9')
	}
	if isCJK(r) {
		return false
	}
	if r >= 0xFF01 && r <= 0xFF5E {
		return isWordRune(r - 0xFEE0)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// child returns node n's child for rune r, or -1.
func (t *trie) child(n int32, r rune) int32 {
	if n == 0 && r < 128 {
		if c := t.ascii[r]; c != 0 {
			return c
		}
		return -1
	}
	nd := t.nodes[n]
	lo, hi := nd.edges, nd.edges+nd.nEdges
	if hi-lo <= 8 {
		for k := lo; k < hi; k++ {
			if t.edges[k].r == r {
				return t.edges[k].to
			}
		}
		return -1
	}
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		switch e := t.edges[mid]; {
		case e.r == r:
			return e.to
		case e.r < r:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return -1
}

// canStart reports whether some name starts with the folded rune f.
func (t *trie) canStart(f rune) bool {
	switch {
	case f < 128:
		return t.ascii[f] != 0
	case f < 0x10000:
		return t.first[f/64]&(1<<(uint(f)%64)) != 0
	}
	return t.child(0, f) >= 0
}

// Find returns the mentions in text, in order, without overlaps (leftmost,
// then longest name wins), with Negated, Outside and Question read from the
// surrounding clause and sentence. Offsets are byte offsets into text, on
// rune boundaries. Invalid UTF-8 is skipped, never matched. A 200-character
// message takes a few microseconds and three or four small allocations.
func (g *Gazetteer) Find(text string) []Mention {
	return g.AppendFind(nil, text)
}

// AppendFind appends the mentions in text to dst and returns the extended
// slice, as Find does; with a reused dst it does not allocate.
func (g *Gazetteer) AppendFind(dst []Mention, text string) []Mention {
	base := len(dst)
	prevWord := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		word := isWordRune(r)
		if !(word && prevWord) && g.canStart(fold(r)) {
			if end, t := g.longest(text, i); t >= 0 {
				tm := &g.terms[t]
				if tm.ent >= 0 && !g.street(text, end, tm) {
					e := &g.ents[tm.ent]
					dst = append(dst, Mention{Kind: e.kind, ID: e.id, Start: i, End: end})
				}
				last, _ := utf8.DecodeLastRuneInString(text[:end])
				prevWord = isWordRune(last)
				i = end
				continue
			}
		}
		prevWord = word
		i += size
	}
	g.cues.annotate(text, dst[base:])
	return dst
}

// longest walks the automaton from text[i:] and returns the end and term of
// the longest name that matches there, or t == -1.
func (g *Gazetteer) longest(text string, i int) (end int, t int32) {
	t = -1
	n := int32(0)
	lastCJK := false
	for j := i; j < len(text); {
		r, size := utf8.DecodeRuneInString(text[j:])
		f := fold(r)
		if f == sep {
			k := j + size
			for k < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[k:])
				if fold(r2) != sep {
					break
				}
				k += s2
			}
			if k >= len(text) {
				break
			}
			if next, _ := utf8.DecodeRuneInString(text[k:]); lastCJK && isCJK(next) {
				j = k // names have no space between Chinese characters
				continue
			}
			c := g.child(n, sep)
			if c < 0 {
				break
			}
			n, j = c, k
			continue
		}
		c := g.child(n, f)
		if c < 0 {
			break
		}
		n, j, lastCJK = c, j+size, isCJK(r)
		nd := &g.nodes[n]
		for k := nd.terms; k < nd.terms+nd.nTerms; k++ {
			if accept(&g.terms[k], text, i, j) {
				end, t = j, k
				break
			}
		}
	}
	return end, t
}

// accept checks a name's boundary and case rules against text[i:j].
func accept(t *term, text string, i, j int) bool {
	if t.flags&fBounded != 0 && j < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[j:]); isWordRune(r) {
			return false
		}
	}
	if t.flags&fTitle != 0 {
		if r, _ := utf8.DecodeRuneInString(text[i:]); !unicode.IsUpper(r) && !(r >= 0xFF21 && r <= 0xFF3A) {
			return false
		}
	}
	if t.flags&fExact != 0 && text[i:j] != t.form {
		return false
	}
	return true
}

// Street suffixes: a place followed by one of them is a street's name.
const (
	zhStreets = "路|街|大道|大街|东路|西路|南路|北路|中路"
	enStreets = "road|street|avenue|rd"
)

// street reports whether a place name that ends at end is part of a street's
// name: 南京路, "Nanjing Road".
func (g *Gazetteer) street(text string, end int, t *term) bool {
	if g.ents[t.ent].kind != Place {
		return false
	}
	rest := text[end:]
	if t.flags&fBounded == 0 {
		r, _ := utf8.DecodeRuneInString(rest)
		return g.cues.zhStr.prefix(rest, r)
	}
	w, _ := nextWord(rest)
	return w != "" && g.cues.class(w)&wStreet != 0
}

// eqWord compares a word of text with a lower-case ASCII word, folding ASCII
// case and reading ’ as '.
func eqWord(w, lower string) bool {
	k := 0
	for i := 0; i < len(w); {
		if k >= len(lower) {
			return false
		}
		c := w[i]
		if c == 0xE2 && strings.HasPrefix(w[i:], "’") {
			c, i = '\'', i+len("’")
		} else {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			i++
		}
		if c != lower[k] {
			return false
		}
		k++
	}
	return k == len(lower)
}
