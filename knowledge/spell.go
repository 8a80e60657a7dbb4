package knowledge

import (
	"context"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/concierge-bot/concierge/internal/textdist"
)

// speller corrects the English words of a query that the index does not
// know against the words it does ("warrenty", "cancle", "adress"), with
// the Damerau-Levenshtein distance, so that a transposition counts as one
// slip. It works on the index's analysed (stemmed) terms and is built once
// per Index, on the first query that needs it.
type speller struct {
	once  sync.Once
	byLen map[int][]dictTerm // terms by length in runes
}

type dictTerm struct {
	term  string
	runes []rune // term's, kept for the distance
	df    uint64
}

// maxSpellings caps the corrections of one word.
const maxSpellings = 2

// correct returns the index's terms closest to term: within one slip for
// words of 4 to 7 runes, two for longer ones; the most frequent first. It
// returns nothing for shorter words, where a slip makes another word. Two
// slips in a word of seven turn real words into others ("weather" into
// "water").
func (s *speller) correct(ix *Index, term string) []string {
	s.once.Do(func() { s.byLen = ix.buildSpeller() })
	n := utf8.RuneCountInString(term)
	if n < 4 {
		return nil
	}
	maxDist := 1
	if n >= 8 {
		maxDist = 2
	}
	rt := []rune(term)
	var best []dictTerm
	bestDist := maxDist + 1
	for l := n - maxDist; l <= n+maxDist; l++ {
		for _, c := range s.byLen[l] {
			d := textdist.OSA(rt, c.runes, bestDist)
			switch {
			case d < bestDist:
				bestDist, best = d, []dictTerm{c}
			case d == bestDist && d <= maxDist:
				best = append(best, c)
			}
		}
	}
	if bestDist > maxDist {
		return nil
	}
	// Most frequent first; ties by term, so results never depend on order.
	for i := 1; i < len(best); i++ {
		for j := i; j > 0 && (best[j].df > best[j-1].df || best[j].df == best[j-1].df && best[j].term < best[j-1].term); j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	var out []string
	for _, c := range best {
		if c.term != term && len(out) < maxSpellings {
			out = append(out, c.term)
		}
	}
	return out
}

// buildSpeller lists the terms of the English title and body fields.
func (ix *Index) buildSpeller() map[int][]dictTerm {
	seen := map[string]uint64{}
	for _, field := range []string{fTitleEN, fBodyEN} {
		dict, err := ix.bi.FieldDict(field)
		if err != nil {
			continue
		}
		for e, err := dict.Next(); err == nil && e != nil; e, err = dict.Next() {
			seen[e.Term] += e.Count
		}
		_ = dict.Close()
	}
	out := map[int][]dictTerm{}
	for t, df := range seen {
		rs := []rune(t)
		out[len(rs)] = append(out[len(rs)], dictTerm{term: t, runes: rs, df: df})
	}
	return out
}

// knowsEN reports whether an English term stands in some title or body.
func (ix *Index) knowsEN(ctx context.Context, t string) bool {
	return ix.docFreq(ctx, fTitleEN, t) > 0 || ix.docFreq(ctx, fBodyEN, t) > 0
}

// minRewrite is the shortest term correctSpelling rewrites: shorter ones
// are mostly chat forms of common words, one slip from a word of the
// content ("whats" from "chat").
const minRewrite = 5

// correctSpelling rewrites the English words of text that the index does
// not know and that have exactly one nearest index term, as
// correctHomophones does for Chinese: "cancle my order" is searched as
// "cancel my order" (the term put in is a stem, which analyses to itself).
// A slip left as it is counted against every candidate as a word it lacks;
// "warrenty" and "assembley" questions were held back so. Words with several
// nearest terms stay for the ranking to weigh as alternatives, and terms
// under minRewrite letters stay. It reports whether it changed anything.
func (ix *Index) correctSpelling(ctx context.Context, text string) (string, bool) {
	toks := ix.analysers().en.Analyze([]byte(text))
	changed := false
	for i := len(toks) - 1; i >= 0; i-- { // from the end, so that offsets before stay right
		tk := toks[i]
		t := string(tk.Term)
		if tk.End > len(text) || hasHan(t) || strings.IndexFunc(t, unicode.IsDigit) >= 0 {
			continue
		}
		if ix.knowsEN(ctx, t) {
			continue
		}
		// Two words the content writes apart, run together, before a slip:
		// "kingbed" is the king bed, not a slip of "king".
		if two, ok := ix.splitCompound(ctx, text[tk.Start:tk.End]); ok {
			text = text[:tk.Start] + two + text[tk.End:]
			changed = true
			continue
		}
		var near []string
		if utf8.RuneCountInString(t) >= minRewrite {
			near = ix.spell.correct(ix, t)
		} else if w := text[tk.Start:tk.End]; len(w) > minRewrite {
			// The stem is too short to correct ("opning" is "opn"): the word
			// itself, one slip from a word whose stem the index knows, if
			// longer than the chat forms of five letters ("whats", "thats").
			near = ix.knownEdits(ctx, w)
		}
		if len(near) != 1 {
			continue
		}
		text = text[:tk.Start] + near[0] + text[tk.End:]
		changed = true
	}
	return text, changed
}

// minCompoundPart is the shortest part splitCompound splits a word into.
const minCompoundPart = 3

// splitCompound splits an English word the index does not know into the two
// words the content writes apart ("giftwrap" → "gift wrap", "hayfever" →
// "hay fever"): the one split into two parts of at least minCompoundPart
// letters that some document writes next to each other, apart or with a
// hyphen ("gift wrapping", "gift-wrap"). Real words that the content only
// happens to hold the pieces of ("thinking" → thin + king, "mistake" → mis
// + take) are left alone: nothing writes those pieces side by side. A word
// with no such split, or with several, stays as it is.
func (ix *Index) splitCompound(ctx context.Context, w string) (string, bool) {
	w = strings.ToLower(w)
	if len(w) < 2*minCompoundPart || strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return "", false
	}
	en := ix.analysers().en
	stemOf := func(part string) string {
		toks := en.Analyze([]byte(part))
		if len(toks) != 1 || !ix.knowsEN(ctx, string(toks[0].Term)) {
			return ""
		}
		return string(toks[0].Term)
	}
	found := ""
	for i := minCompoundPart; i <= len(w)-minCompoundPart; i++ {
		a, b := stemOf(w[:i]), stemOf(w[i:])
		if a == "" || b == "" || !ix.writtenApart(ctx, a, b, w[:i], w[i:]) {
			continue
		}
		if found != "" {
			return "", false // two ways to read it: leave it to the ranking
		}
		found = w[:i] + " " + w[i:]
	}
	return found, found != ""
}

// maxCompoundDocs bounds the documents writtenApart reads.
const maxCompoundDocs = 20

// writtenApart reports whether some document of the index (any audience: it
// only decides how a query is read, never what it may find) whose English
// title or body holds both analysed terms a and b writes the words x and y
// next to each other, separated by a space or a hyphen, y perhaps with an
// ending ("gift wrapping" for "gift" and "wrap").
func (ix *Index) writtenApart(ctx context.Context, a, b, x, y string) bool {
	var qs []query.Query
	for _, f := range []string{fTitleEN, fBodyEN} {
		ta, tb := bleve.NewTermQuery(a), bleve.NewTermQuery(b)
		ta.SetField(f)
		tb.SetField(f)
		qs = append(qs, bleve.NewConjunctionQuery(ta, tb))
	}
	res, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), maxCompoundDocs, 0, false))
	if err != nil {
		return false
	}
	for _, h := range res.Hits {
		sd, err := ix.stored(h.ID)
		if err != nil {
			continue
		}
		for _, text := range []string{sd.Title, sd.Answer, sd.Match} {
			if writesApart(strings.ToLower(text), x, y) {
				return true
			}
		}
	}
	return false
}

// writesApart reports whether lower-case text has the word x followed by a
// space or a hyphen and a word that starts with y.
func writesApart(text, x, y string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], x)
		if j < 0 {
			return false
		}
		j += i
		i = j + 1
		if j > 0 && isWordByte(text[j-1]) {
			continue
		}
		rest := text[j+len(x):]
		if len(rest) > 1 && (rest[0] == ' ' || rest[0] == '-') && strings.HasPrefix(rest[1:], y) {
			return true
		}
	}
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// knownEdits returns the distinct stems of four letters or more that the
// index knows of the words one slip (a letter left out, added, changed, or
// two swapped) from the lower-case English word w: "opning" gives "open"
// (from "opening"; "oping" and "oning" give stems too short to tell).
func (ix *Index) knownEdits(ctx context.Context, w string) []string {
	en := ix.analysers().en
	seen := map[string]bool{}
	var out []string
	try := func(c string) {
		for _, tk := range en.Analyze([]byte(c)) {
			t := string(tk.Term)
			if !seen[t] && len(t) >= 4 && ix.knowsEN(ctx, t) {
				out = append(out, t)
			}
			seen[t] = true
		}
	}
	for i := 0; i <= len(w); i++ {
		if i < len(w) {
			try(w[:i] + w[i+1:])
			if i+1 < len(w) {
				try(w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:])
			}
		}
		for c := byte('a'); c <= 'z'; c++ {
			try(w[:i] + string(c) + w[i:])
			if i < len(w) && w[i] != c {
				try(w[:i] + string(c) + w[i+1:])
			}
		}
	}
	return out
}
