package knowledge

import (
	"context"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Signals selects the ranking signals a search uses, so that evaluation can
// measure each one by turning it off. The zero value is plain BM25 over the
// question/title field.
type Signals uint32

// The ranking signals.
const (
	// SignalBody also matches the answer, passage or description field.
	SignalBody Signals = 1 << iota
	// SignalFuzzy matches English words within one edit (typos).
	SignalFuzzy
	// SignalUnigrams also matches Chinese single characters.
	SignalUnigrams
	// SignalSynonyms expands queries with the company's synonyms.
	SignalSynonyms
	// SignalCodes matches product codes and ids exactly.
	SignalCodes
	// SignalIntent favours documents that name the classifier's intent.
	SignalIntent
	// SignalProximity favours documents with the query's words in order,
	// close together.
	SignalProximity
	// SignalCoverage uses how much of the query the title covers and how
	// much of the title the query covers.
	SignalCoverage
	// SignalRerank orders candidates by the learned model instead of bleve's
	// score.
	SignalRerank
)

// AllSignals enables every ranking signal; Retrieve uses it.
const AllSignals = SignalBody | SignalFuzzy | SignalUnigrams | SignalSynonyms | SignalCodes |
	SignalIntent | SignalProximity | SignalCoverage | SignalRerank

func (s Signals) has(x Signals) bool { return s&x != 0 }

// Feature indexes of the re-ranking model.
const (
	ftBias     = iota
	ftRel      // bleve score / best bleve score of the query
	ftLogScore // log(1 + bleve score)
	ftCovQT    // idf-weighted share of query terms found in the title
	ftCovTQ    // idf-weighted share of title terms found in the query
	ftCovQB    // idf-weighted share of query terms found in the body
	ftCovQT2   // share of query secondary terms (trigrams, characters) in the title
	ftCovTQ2   // share of title secondary terms in the query
	ftProx     // share of adjacent query term pairs found in order, close, in the title
	ftFuzzy    // share of query terms found in the title only within one edit
	ftIntent   // the document names the query's intent
	ftCode     // a product code or id in the query matches the document
	ftLang     // the document is in the reader's language
	ftRank     // 1 / (1 + bleve rank)
	ftMatched  // idf of the query terms found in the title, summed, / 10, at most 1
	ftCovQT2w  // idf-weighted share of query characters in the title (Chinese)
	ftCovTQ2w  // idf-weighted share of title characters in the query (Chinese)
	ftLCS      // longest common run of characters (Chinese) or terms, / query length
	ftEdit     // 1 - edit distance / longer length, over the same sequences
	ftQWord    // share of the query's question words (how, when, 怎么, 多少…) in the title
	ftLenRatio // shorter / longer length of query and title sequences
	ftBM25T    // BM25 of the query terms in the title / the query's total idf
	ftBM25B    // the same for the body
	ftBM25U    // the same for Chinese characters in the title
	nFeatures
)

// featureNames names the features, for the weight-learning test's output.
var featureNames = [nFeatures]string{"bias", "rel", "log_score", "cov_qt", "cov_tq", "cov_qb", "cov_qt2",
	"cov_tq2", "prox", "fuzzy", "intent", "code", "lang", "rank", "matched",
	"cov_qt2w", "cov_tq2w", "lcs", "edit", "qword", "len_ratio",
	"bm25_t", "bm25_b", "bm25_u"}

type features [nFeatures]float64

// weights is a linear model over features.
type weights [nFeatures]float64

func (w weights) dot(f features) float64 {
	var z float64
	for i := range f {
		z += w[i] * f[i]
	}
	return z
}

// model is the re-ranking model of one query language: linear weights over
// the features, learned on development data.
type model struct {
	rank weights
}

// confidences returns each candidate's confidence in 0..1 (cands sorted
// best first, or in any order when re-ranking is off).
//
// Confidence answers "does this hit answer the query", which the Engine
// compares with a fixed threshold (0.35), so it must mean the same on any
// company's content. It is therefore not the ranking score, whose scale
// depends on the collection, but the share of the query the hit covers,
// weighted by how informative each query word is (idf): the title's
// coverage, or the body's at 0.8 of its value; for Chinese the mean of the
// bigram and the character coverage. It is then reduced by up to 30% when
// the runner-up scores almost the same (an ambiguous query).
func (m model) confidences(zh bool, cands []candidate) []float64 {
	out := make([]float64, len(cands))
	if len(cands) == 0 {
		return out
	}
	best, second := math.Inf(-1), math.Inf(-1)
	for _, c := range cands {
		if c.z > best {
			best, second = c.z, best
		} else if c.z > second {
			second = c.z
		}
	}
	for i, c := range cands {
		lead := 1.0
		if c.z < best {
			lead = 0
		} else if !math.IsInf(second, -1) {
			lead = 1 - math.Exp(-(best - second))
		}
		out[i] = coverage(zh, c.f) * (0.7 + 0.3*lead)
	}
	return out
}

// coverage is the idf-weighted share of the query a candidate covers, in
// 0..1 (see model.confidences).
func coverage(zh bool, f features) float64 {
	title := f[ftCovQT]
	if zh {
		title = (f[ftCovQT] + f[ftCovQT2w]) / 2
	} else {
		title = min(1, title+0.8*f[ftFuzzy])
	}
	return min(1, max(title, 0.8*f[ftCovQB]))
}

// features computes the re-ranking features of one candidate.
func (ix *Index) features(p *prepared, c *candidate, top float64, r *rows) features {
	var f features
	f[ftBias] = 1
	if top > 0 {
		f[ftRel] = c.score / top
	}
	f[ftLogScore] = math.Log1p(c.score)
	f[ftRank] = 1 / float64(1+c.rank)
	d := c.doc.derived(p.zh)
	if p.signals.has(SignalCoverage) {
		var num, den float64
		for i, t := range p.uniq {
			den += p.w[i]
			if d.tset[t] || anyIn(p.alt[t], d.tset) {
				num += p.w[i]
			}
		}
		if den > 0 {
			f[ftCovQT] = num / den
		}
		f[ftMatched] = min(num/10, 1)
		num = 0
		for i, t := range d.tuniq {
			if p.qset[t] || p.altSet[t] {
				num += d.tw[i]
			}
		}
		if d.twSum > 0 {
			f[ftCovTQ] = num / d.twSum
		}
		if common := float64(sharedCount(p.secSet, d.secSet)); common > 0 {
			f[ftCovQT2] = common / float64(len(p.secSet))
			f[ftCovTQ2] = common / float64(len(d.secSet))
		}
		f[ftBM25T] = bm25(ix.avg[p.fTitle], p.uniq, p.w, d.ttf, len(d.title.terms))
		if p.zh {
			f[ftBM25U] = bm25(ix.avg[fTitleZH1], p.usec, p.wsec, d.stf, len(d.title.sec))
			f[ftCovQT2w], f[ftCovTQ2w] = p.weightedShares(d)
		}
		f[ftQWord] = questionWordShare(p.qwords, d.qwords)
		if p.signals.has(SignalBody) {
			f[ftBM25B] = bm25(ix.avg[p.fBody], p.uniq, p.wb, d.btf, d.blen)
			num = 0
			for i, t := range p.uniq {
				if d.btf[t] > 0 || anyInTF(p.alt[t], d.btf) {
					num += p.w[i]
				}
			}
			if den > 0 {
				f[ftCovQB] = num / den
			}
		}
	}
	if p.signals.has(SignalProximity) {
		f[ftProx] = proximity(p.v.terms, d.at)
		qs, ts := p.seq, d.seq
		if len(qs) > 0 && len(ts) > 0 {
			f[ftLCS] = float64(longestCommonRun(qs, ts, r)) / float64(len(qs))
			f[ftEdit] = 1 - float64(editDistance(qs, ts, r))/float64(max(len(qs), len(ts)))
			f[ftLenRatio] = float64(min(len(qs), len(ts))) / float64(max(len(qs), len(ts)))
		}
	}
	if p.signals.has(SignalFuzzy) && !p.zh {
		f[ftFuzzy] = fuzzyShare(p.uniq, d.title.terms, d.tset)
	}
	if p.signals.has(SignalIntent) && p.intent != "" {
		for _, in := range c.doc.Intents {
			if strings.EqualFold(in, p.intent) {
				f[ftIntent] = 1
			}
		}
	}
	if p.signals.has(SignalCodes) {
		for _, code := range p.codes {
			if strings.EqualFold(code, c.doc.SKU) || strings.EqualFold(code, c.doc.ID) {
				f[ftCode] = 1
			}
		}
	}
	if p.lang != "" && c.doc.Lang == p.lang {
		f[ftLang] = 1
	}
	return f
}

// docView is what re-ranking needs of a stored document for one query
// language, computed once per document and index.
type docView struct {
	title  view
	tset   map[string]bool
	tuniq  []string  // distinct title terms
	tw     []float64 // their idf in the title field
	twSum  float64
	ttf    map[string]int // title term frequencies
	secSet map[string]bool
	stf    map[string]int // title secondary term frequencies
	suniq  []string       // distinct title secondary terms, in order (Chinese only)
	sw     []float64      // their idf in the unigram title field
	btf    map[string]int // body term frequencies
	blen   int
	seq    []string
	qwords map[string]bool
	at     map[string][]int // title term → its positions, in order
}

// newDocView computes the view of sd for Chinese or English queries.
func (ix *Index) newDocView(ctx context.Context, sd *storedDoc, zh bool) *docView {
	d := &docView{title: sd.title(zh), ttf: map[string]int{}, stf: map[string]int{}, btf: map[string]int{}}
	d.tset = setOf(d.title.terms)
	d.at = make(map[string][]int, len(d.title.terms))
	for i, t := range d.title.terms {
		d.at[t] = append(d.at[t], d.title.pos[i])
	}
	field := fTitleEN
	if zh {
		field = fTitleZH
	}
	for _, t := range d.title.terms {
		if d.ttf[t] == 0 {
			d.tuniq = append(d.tuniq, t)
			w := ix.idf(ctx, field, t)
			d.tw = append(d.tw, w)
			d.twSum += w
		}
		d.ttf[t]++
	}
	d.secSet = setOf(d.title.sec)
	for _, t := range d.title.sec {
		if zh && d.stf[t] == 0 {
			d.suniq = append(d.suniq, t)
			d.sw = append(d.sw, ix.idf(ctx, fTitleZH1, t))
		}
		d.stf[t]++
	}
	body := sd.body(zh)
	for _, t := range body {
		d.btf[t]++
	}
	d.blen = len(body)
	d.seq = seqOf(zh, sd.Match, d.title)
	d.qwords = questionWords(sd.Match)
	return d
}

// weightedShares returns the idf-weighted share of distinct query characters
// found in the title, and of title characters found in the query.
func (p *prepared) weightedShares(d *docView) (qt, tq float64) {
	var num, den float64
	for i, x := range p.usec {
		den += p.wsec[i]
		if d.secSet[x] {
			num += p.wsec[i]
		}
	}
	if den > 0 {
		qt = num / den
	}
	// Summed in title order, not map order: float addition is not
	// associative, and a feature must not change from one run to the next.
	num, den = 0, 0
	for i, x := range d.suniq {
		den += d.sw[i]
		if p.secSet[x] {
			num += d.sw[i]
		}
	}
	if den > 0 {
		tq = num / den
	}
	return qt, tq
}

func anyInTF(ts []string, tf map[string]int) bool {
	for _, t := range ts {
		if tf[t] > 0 {
			return true
		}
	}
	return false
}

// sharedCount is the number of items in both a and b.
func sharedCount(a, b map[string]bool) int {
	if len(b) < len(a) {
		a, b = b, a
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return n
}

// altHas reports whether t is a synonym term of the query.
func (p prepared) altHas(t string) bool { return slices.Contains(p.altAll, t) }

func setOf(ts []string) map[string]bool {
	m := make(map[string]bool, len(ts))
	for _, t := range ts {
		m[t] = true
	}
	return m
}

func anyIn(ts []string, set map[string]bool) bool {
	for _, t := range ts {
		if set[t] {
			return true
		}
	}
	return false
}

// share is the fraction of distinct items of a found in set.
func share(a []string, set map[string]bool) float64 {
	seen := map[string]bool{}
	n, hit := 0, 0
	for _, t := range a {
		if seen[t] {
			continue
		}
		seen[t] = true
		n++
		if set[t] {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// proximity is the share of adjacent query term pairs (q, in order) that
// appear in the same order in the title, at most two positions apart; at
// maps each title term to its positions (see docView.at).
func proximity(q []string, at map[string][]int) float64 {
	if len(q) < 2 {
		return 0
	}
	pairs, hit := 0, 0
	for i := 0; i+1 < len(q); i++ {
		pairs++
		a, b := at[q[i]], at[q[i+1]]
	found:
		for _, x := range a {
			for _, y := range b {
				if d := y - x; d >= 1 && d <= 2 {
					hit++
					break found
				}
			}
		}
	}
	return float64(hit) / float64(pairs)
}

// fuzzyShare is the share of query terms (of five or more characters) that
// are absent from the title but within one edit of a title term.
func fuzzyShare(q, title []string, tset map[string]bool) float64 {
	if len(q) == 0 {
		return 0
	}
	hit := 0
	for _, t := range q {
		if tset[t] || len([]rune(t)) < 5 {
			continue
		}
		for _, u := range title {
			if withinOneEdit(t, u) {
				hit++
				break
			}
		}
	}
	return float64(hit) / float64(len(q))
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or adjacent transposition.
func withinOneEdit(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	if len(ra)-len(rb) > 1 {
		return false
	}
	i := 0
	for i < len(rb) && ra[i] == rb[i] {
		i++
	}
	if i == len(rb) {
		return true
	}
	if len(ra) == len(rb) {
		if string(ra[i+1:]) == string(rb[i+1:]) {
			return true
		}
		return i+1 < len(ra) && ra[i] == rb[i+1] && ra[i+1] == rb[i] && string(ra[i+2:]) == string(rb[i+2:])
	}
	return string(ra[i+1:]) == string(rb[i:])
}

// maxSeq caps the sequences compared by longestCommonRun and editDistance.
const maxSeq = 120

// seqOf is the sequence compared for order features: the characters (Han,
// letters, digits) of Chinese text, or the analysed terms of English text.
func seqOf(zh bool, text string, v view) []string {
	var out []string
	if zh {
		for _, r := range strings.ToLower(text) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				out = append(out, string(r))
				if len(out) == maxSeq {
					break
				}
			}
		}
		return out
	}
	if len(v.terms) > maxSeq {
		return v.terms[:maxSeq]
	}
	return v.terms
}

// rows is scratch space for longestCommonRun and editDistance, reused
// across the candidates of one query.
type rows struct{ x, y []int }

// get returns two rows of n ints, with unspecified contents.
func (r *rows) get(n int) (prev, cur []int) {
	if cap(r.x) < n {
		r.x, r.y = make([]int, n), make([]int, n)
	}
	return r.x[:n], r.y[:n]
}

// longestCommonRun is the length of the longest common contiguous run of a
// and b.
func longestCommonRun(a, b []string, r *rows) int {
	prev, cur := r.get(len(b) + 1)
	clear(prev)
	cur[0] = 0
	best := 0
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
				best = max(best, cur[j+1])
			} else {
				cur[j+1] = 0
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b []string, r *rows) int {
	prev, cur := r.get(len(b) + 1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j]+cost, prev[j+1]+1, cur[j]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// questionWordList holds the words that say what kind of answer a question
// wants. English analysers drop most of them as stop words, so they are
// compared separately.
var questionWordList = []string{
	"what", "when", "where", "why", "how", "who", "which", "whose", "can", "could", "is", "are", "was",
	"does", "do", "did", "will", "would", "should", "may", "much", "many", "long", "not", "no",
	"怎么", "为什么", "什么", "多少", "多久", "哪里", "哪", "谁", "能不能", "可以", "是否", "吗", "不", "没", "如何", "几",
}

// questionWords returns the question words in text (lower-case).
func questionWords(text string) map[string]bool {
	text = strings.ToLower(text)
	out := map[string]bool{}
	words := setOf(strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) || unicode.Is(unicode.Han, r) }))
	for _, w := range questionWordList {
		if hasHan(w) {
			if strings.Contains(text, w) {
				out[w] = true
			}
		} else if words[w] {
			out[w] = true
		}
	}
	return out
}

// questionWordShare is the share of q's question words in t; 0 when q has
// none.
func questionWordShare(q, t map[string]bool) float64 {
	if len(q) == 0 {
		return 0
	}
	n := 0
	for w := range q {
		if t[w] {
			n++
		}
	}
	return float64(n) / float64(len(q))
}

// bm25 scores a document field (term frequencies tf, length dl, average
// length avg) for the distinct query terms q with idf weights w, divided by
// the total weight so that scores compare across queries.
func bm25(avg float64, q []string, w []float64, tf map[string]int, dl int) float64 {
	const k1, b = 1.2, 0.75
	if avg <= 0 || len(q) == 0 {
		return 0
	}
	var s, tot float64
	for i, t := range q {
		tot += w[i]
		if n := float64(tf[t]); n > 0 {
			s += w[i] * n * (k1 + 1) / (n + k1*(1-b+b*float64(dl)/avg))
		}
	}
	if tot == 0 {
		return 0
	}
	return s / tot
}
