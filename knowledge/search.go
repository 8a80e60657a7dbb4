package knowledge

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/concierge-bot/concierge/bot"
)

// How a sure clause answers a message (see Retrieve).
const (
	clauseSure     = 0.9
	clauseDiscount = 0.8
)

// Limits of one search.
const (
	// MaxQueryRunes is the part of a query text that is searched; the rest
	// is ignored.
	MaxQueryRunes = 1000
	// maxQueryTerms caps the distinct terms of one query sent to bleve.
	maxQueryTerms = 48
	// maxRerankRunes caps the body text re-ranking reads per candidate.
	maxRerankRunes = 2000
	// defaultLimit is the number of hits when Query.Limit <= 0; maxLimit
	// caps Query.Limit.
	defaultLimit = 5
	maxLimit     = 50
	// poolSize is the number of bleve candidates re-ranked.
	poolSize = 30
	// snippetRunes is the length of Hit.Snippet.
	snippetRunes = 160
)

// Field boosts of the candidate query. A question, title or product name
// match counts more than an answer, passage or description match.
const (
	boostTitle   = 2.0
	boostBody    = 1.0
	boostUnigram = 0.6 // Chinese single characters in the title
	boostFuzzy   = 0.3
	boostSynonym = 0.7
	boostCode    = 6.0
	boostIntent  = 1.0
)

// view is one analysed form of a text: its primary terms (English stems or
// Chinese bigrams) with positions, and its secondary terms (character
// trigrams of English words, or Chinese single characters).
type view struct {
	terms []string // primary, in order, duplicates kept
	pos   []int    // positions of terms
	sec   []string // secondary, duplicates kept
}

// analysers holds the analysers of one index mapping.
type analysers struct {
	en, zh, zh1 analysis.Analyzer
}

func (ix *Index) analysers() analysers { return ix.an }

// analysersOf returns the analysers of an index mapping.
func analysersOf(m mapping.IndexMapping) analysers {
	return analysers{en: m.AnalyzerNamed(anEN), zh: m.AnalyzerNamed(anZH), zh1: m.AnalyzerNamed(anZH1)}
}

// terms returns the terms an analyser makes of text.
func (a analysers) terms(an analysis.Analyzer, text string) []string {
	ts := an.Analyze([]byte(text))
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Term)
	}
	return out
}

// analyse builds the view of text for a Chinese (zh) or English query.
func (a analysers) analyse(text string, zh bool) view {
	var v view
	if zh {
		for _, t := range a.zh.Analyze([]byte(text)) {
			v.terms = append(v.terms, string(t.Term))
			v.pos = append(v.pos, t.Position)
		}
		for _, t := range a.zh1.Analyze([]byte(text)) {
			v.sec = append(v.sec, string(t.Term))
		}
		return v
	}
	for _, t := range a.en.Analyze([]byte(text)) {
		term := string(t.Term)
		v.terms = append(v.terms, term)
		v.pos = append(v.pos, t.Position)
		v.sec = append(v.sec, trigrams(term)...)
	}
	return v
}

// trigrams returns the character trigrams of a word with boundary marks.
func trigrams(w string) []string {
	r := []rune("^" + w + "$")
	if len(r) < 3 {
		return nil
	}
	out := make([]string, 0, len(r)-2)
	for i := 0; i+3 <= len(r); i++ {
		out = append(out, string(r[i:i+3]))
	}
	return out
}

// docFreq returns the number of documents whose field holds term, cached.
func (ix *Index) docFreq(ctx context.Context, field, term string) float64 {
	key := dfKey{field, term}
	ix.dfMu.Lock()
	v, ok := ix.df[key]
	ix.dfMu.Unlock()
	if ok {
		return v
	}
	adv, err := ix.bi.Advanced()
	if err != nil {
		return 0
	}
	r, err := adv.Reader()
	if err != nil {
		return 0
	}
	defer r.Close()
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0
	}
	v = float64(tfr.Count())
	_ = tfr.Close()
	ix.dfMu.Lock()
	if len(ix.df) > 200000 {
		ix.df = map[dfKey]float64{}
	}
	ix.df[key] = v
	ix.dfMu.Unlock()
	return v
}

// dfKey is a key of Index.df.
type dfKey struct{ field, term string }

// idf is the BM25 inverse document frequency of a term in a field.
func (ix *Index) idf(ctx context.Context, field, term string) float64 {
	return ix.idfOf(ix.docFreq(ctx, field, term))
}

// idfOf is the BM25 inverse document frequency of a document frequency.
func (ix *Index) idfOf(df float64) float64 {
	n := float64(ix.n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// commonShare is the share of documents above which a term is too common to
// find candidates with (it still counts in re-ranking), unless the query has
// no rarer term. Such terms barely change BM25 scores but walk long posting
// lists.
const commonShare = 0.2

// prepared is a query analysed once for both retrieval and re-ranking.
type prepared struct {
	zh      bool
	text    string              // cleaned, lower-case
	v       view                // analysed query
	uniq    []string            // distinct primary terms, at most maxQueryTerms
	w       []float64           // idf of uniq in the title field
	wb      []float64           // idf of uniq in the body field
	rareT   []bool              // uniq[i] is rare enough in the title field to search for
	rareB   []bool              // uniq[i] is rare enough in the body field to search for
	unknown []bool              // uniq[i] is in no title or body: a typo, worth a fuzzy search
	usec    []string            // distinct secondary terms (Chinese only)
	rareU   []bool              // usec[i] is rare enough to search for
	wsec    []float64           // their idf in the unigram title field
	alt     map[string][]string // query term → synonym terms that also count as a match
	altAll  []string            // all synonym terms, distinct
	codes   []string            // candidate product codes and ids
	intent  string
	oos     bool // the classifier's out-of-scope verdict
	lang    string
	fTitle  string
	fBody   string
	anal    analysers
	fuzzy   *fuzzyCache
	signals Signals
	seq     []string        // sequence for order features (see seqOf)
	qset    map[string]bool // uniq as a set
	altSet  map[string]bool // altAll as a set
	secSet  map[string]bool // secondary terms as a set
	qwords  map[string]bool // question words of the query
	rare    []int           // indexes in uniq of its two rarest known terms, rarest first (English only)
	// entities is set when the query names a payment method or place.
	entities bool
	qvec     [][]float32 // word vectors of uniq, nil where none (English only, SignalVectors)
}

// cleanQuery trims, caps and lower-cases query text.
func cleanQuery(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = truncateRunes(s, MaxQueryRunes)
	return strings.ToLower(strings.TrimSpace(s))
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// searchText is the part of a message to search for: cleaned, without
// chat fillers and pleasantries (or the cleaned message when nothing else
// is left of it), its sure English slips corrected.
//
// Retrieve cleans a message so before searching it; the ranking and
// confidence weights are learnt on the labelled queries as they are
// written (TestLearnWeights reads them through the search below it), so
// that they describe queries, and the cleaning is a normalisation of the
// messages that arrive. Learnt on cleaned queries instead, the five
// confidence networks of stop 33 refitted to another optimum (two demo
// questions wrong, and on the held-out companies +8 answerable where this
// gives +21); the twenty of stop 34 answered 8 more of the read companies'
// unanswerable questions correctly and 3 fewer answerable ones, but 9
// fewer of the held-out companies' answerable ones (01faf80).
func (ix *Index) searchText(ctx context.Context, text string) string {
	s := cleanQuery(text)
	if t := bot.TrimPleasantries(dropChatFiller(s)); strings.TrimSpace(t) != "" {
		s = t
	}
	if !hasHan(s) {
		s, _ = ix.correctSpelling(ctx, s)
	}
	return s
}

// prepare analyses a query.
func (ix *Index) prepare(ctx context.Context, q bot.Query, sig Signals) prepared {
	p := prepared{text: cleanQuery(q.Text), anal: ix.analysers(), fuzzy: &ix.fuzzy, signals: sig,
		intent: strings.ToLower(strings.TrimSpace(q.Intent)), oos: q.OutOfScope, lang: q.Language}
	p.zh = hasHan(p.text)
	p.fTitle, p.fBody = fTitleEN, fBodyEN
	if p.zh {
		p.fTitle, p.fBody = fTitleZH, fBodyZH
	}
	if p.lang == "" {
		p.lang = detectLang(p.text)
	}
	p.v = p.anal.analyse(p.text, p.zh)
	if p.zh && sig.has(SignalFuzzy) {
		if fixed, ok := ix.correctHomophones(ctx, p.text, p.v.terms); ok {
			p.text = fixed
			p.v = p.anal.analyse(p.text, p.zh)
		}
	}
	p.seq = seqOf(p.zh, p.text, p.v)
	p.qwords = questionWords(p.text)
	seen := map[string]bool{}
	for _, t := range p.v.terms {
		if !seen[t] && len(p.uniq) < maxQueryTerms {
			seen[t] = true
			p.uniq = append(p.uniq, t)
			dt, db := ix.docFreq(ctx, p.fTitle, t), ix.docFreq(ctx, p.fBody, t)
			p.w = append(p.w, ix.idfOf(dt))
			p.wb = append(p.wb, ix.idfOf(db))
			p.rareT = append(p.rareT, dt <= commonShare*float64(ix.n))
			p.rareB = append(p.rareB, db <= commonShare*float64(ix.n))
			p.unknown = append(p.unknown, dt == 0 && db == 0)
		}
	}
	if p.zh {
		seenU := map[string]bool{}
		for _, t := range p.v.sec {
			if !seenU[t] && len(p.usec) < maxQueryTerms {
				seenU[t] = true
				p.usec = append(p.usec, t)
				du := ix.docFreq(ctx, fTitleZH1, t)
				p.wsec = append(p.wsec, ix.idfOf(du))
				p.rareU = append(p.rareU, du <= commonShare*float64(ix.n))
			}
		}
	}
	if sig.has(SignalSynonyms) {
		p.alt, p.altAll = ix.syn.expand(p.text, p.zh, p.anal, seen)
	}
	if sig.has(SignalSynonyms) {
		p.qset = setOf(p.uniq)
		ix.expandEntities(&p)
	}
	if sig.has(SignalFuzzy) {
		// A word the index lacks may be a slip: an English typo, or a
		// Chinese bigram of the same sound picked in the input method. The
		// index's nearest words count as matches, as synonyms do.
		for i, t := range p.uniq {
			if !p.unknown[i] {
				continue
			}
			var near []string
			if p.zh {
				near = ix.homo.of(ix, t)
			} else {
				near = ix.spell.correct(ix, t)
			}
			for _, h := range near {
				if p.alt == nil {
					p.alt = map[string][]string{}
				}
				p.alt[t] = append(p.alt[t], h)
				if !seen[h] && !slices.Contains(p.altAll, h) && len(p.altAll) < maxQueryTerms {
					p.altAll = append(p.altAll, h)
				}
			}
		}
	}
	p.qset, p.altSet, p.secSet = setOf(p.uniq), setOf(p.altAll), setOf(p.v.sec)
	if sig.has(SignalCodes) {
		for _, w := range strings.FieldsFunc(p.text, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(",;?!。，？！()[]\"'", r)
		}) {
			if len(p.codes) < 8 && len(w) >= 3 && strings.IndexFunc(w, unicode.IsDigit) >= 0 {
				p.codes = append(p.codes, strings.Trim(w, ".:"))
			}
		}
	}
	if !p.zh {
		p.rare = rarest(p.uniq, p.w, p.unknown)
		if sig.has(SignalVectors) && ix.words != nil {
			p.qvec = make([][]float32, len(p.uniq))
			for i, t := range p.uniq {
				p.qvec[i] = ix.words.Vector(t)
			}
		}
	}
	return p
}

// bleveQuery builds the candidate query: any of the signals, and (always)
// one of the reader's audiences.
func (p prepared) bleveQuery(auds []bot.Audience) query.Query {
	var should []query.Query
	term := func(t, field string, boost float64) {
		tq := bleve.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(boost)
		should = append(should, tq)
	}
	anyRare := slices.Contains(p.rareT, true) || slices.Contains(p.rareB, true)
	for i, t := range p.uniq {
		if p.rareT[i] || !anyRare {
			term(t, p.fTitle, boostTitle)
		}
		if p.signals.has(SignalBody) && (p.rareB[i] || !anyRare) {
			term(t, p.fBody, boostBody)
		}
		if !p.zh && p.signals.has(SignalFuzzy) && p.unknown[i] && len([]rune(t)) >= 5 {
			should = append(should, p.fuzzy.query(t, p.fTitle, boostFuzzy))
		}
	}
	if p.zh && p.signals.has(SignalUnigrams) {
		for i, t := range p.usec {
			if p.rareU[i] {
				term(t, fTitleZH1, boostUnigram)
			}
		}
	}
	for _, t := range p.altAll {
		term(t, p.fTitle, boostSynonym)
		if p.signals.has(SignalBody) {
			term(t, p.fBody, boostSynonym/2)
		}
	}
	for _, c := range p.codes {
		term(c, fCode, boostCode)
	}
	if p.intent != "" && p.signals.has(SignalIntent) {
		term(p.intent, fIntents, boostIntent)
	}
	return bleve.NewConjunctionQuery(bleve.NewDisjunctionQuery(should...), audienceQuery(auds))
}

// audienceQuery matches the documents whose audience is one of auds (at
// least one): the clause every search is a conjunction with. Its term
// queries are unscored (see unscoredQuery): they add nothing to a hit's
// score and only decide which documents match.
func audienceQuery(auds []bot.Audience) query.Query {
	var aq []query.Query
	for _, a := range auds {
		tq := bleve.NewTermQuery(string(a))
		tq.SetField(fAudience)
		tq.SetBoost(0)
		aq = append(aq, unscoredQuery{tq})
	}
	if len(aq) == 1 {
		return aq[0]
	}
	return bleve.NewDisjunctionQuery(aq...)
}

// unscoredQuery is a query whose searcher bleve builds without scoring, so
// that it reads no term frequencies or norms. It matches exactly the
// documents the wrapped query matches, with score 0.
//
// This is what keeps the audience clause cheap: an audience term matches
// most of the index, and a scored term searcher advances through its
// postings one at a time, decoding each one's frequency and norm (zap
// v17), whereas an unscored one jumps in the posting bitmap. With boost 0
// the scored clause added 0 anyway, so hits and scores are unchanged.
type unscoredQuery struct{ query.Query }

// Searcher implements query.Query.
func (u unscoredQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.Score = "none"
	options.Explain = false
	options.IncludeTermVectors = false
	return u.Query.Searcher(ctx, i, m, options)
}

// Fuzzy matching: bleve's FuzzyQuery with fuzziness 1 and a one-character
// prefix, whose expansion is cached.
const (
	fuzzyEdits  = 1
	fuzzyPrefix = 1
	// maxFuzzyCached bounds the cached expansions of an Index; the cache is
	// emptied when it is full.
	maxFuzzyCached = 20000
)

// fuzzyCache holds the expansions of fuzzy query terms: the index terms of
// a field within fuzzyEdits of the term, with their distances. An Index
// never changes after Build, so an expansion never goes stale; computing
// one builds a Levenshtein automaton (some 25 KB of allocations) and walks
// the term dictionary, on every search that has a word the index lacks.
type fuzzyCache struct {
	mu sync.Mutex
	m  map[string]fuzzyTerms // field+"\x00"+term → expansion
}

// fuzzyTerms is the expansion of one fuzzy term.
type fuzzyTerms struct {
	terms []string
	dists []uint8
}

// query returns the fuzzy query for term in field.
func (fc *fuzzyCache) query(term, field string, boost float64) query.Query {
	fq := bleve.NewFuzzyQuery(term)
	fq.SetField(field)
	fq.SetFuzziness(fuzzyEdits)
	fq.SetPrefix(fuzzyPrefix)
	fq.SetBoost(boost)
	return cachedFuzzyQuery{FuzzyQuery: fq, cache: fc}
}

// cachedFuzzyQuery is a FuzzyQuery whose searcher takes the term's
// expansion from a fuzzyCache. It builds the searcher bleve's
// searcher.NewFuzzySearcher builds (v2.6.3) for the same expansion: a term
// searcher when the expansion is empty or the term itself, else a
// multi-term searcher boosted by edit distance. So hits and scores are the
// same as bleve's FuzzyQuery.
type cachedFuzzyQuery struct {
	*query.FuzzyQuery
	cache *fuzzyCache
}

// Searcher implements query.Query.
func (q cachedFuzzyQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	fr, ok := r.(index.IndexReaderFuzzy)
	syn := false
	if ctx != nil {
		_, syn = ctx.Value(search.FieldTermSynonymMapKey).(search.FieldTermSynonymMap)
	}
	if !ok || syn || q.Fuzziness != fuzzyEdits || q.Prefix != fuzzyPrefix {
		return q.FuzzyQuery.Searcher(ctx, r, m, options)
	}
	term, field, boost := q.Term, q.FieldVal, q.BoostVal.Value()
	key := field + "\x00" + term
	q.cache.mu.Lock()
	ft, hit := q.cache.m[key]
	q.cache.mu.Unlock()
	if !hit {
		var err error
		if ft, err = expandFuzzy(fr, field, term); err != nil {
			return nil, err
		}
		q.cache.mu.Lock()
		if q.cache.m == nil || len(q.cache.m) >= maxFuzzyCached {
			q.cache.m = map[string]fuzzyTerms{}
		}
		q.cache.m[key] = ft
		q.cache.mu.Unlock()
	}
	if len(ft.terms) == 0 || (len(ft.terms) == 1 && ft.terms[0] == term) {
		return searcher.NewTermSearcher(ctx, r, term, field, boost, options)
	}
	return searcher.NewMultiTermSearcherBoosted(ctx, r, ft.terms, field, boost, ft.dists, options, true)
}

// expandFuzzy lists the terms of field within fuzzyEdits of term that share
// its first fuzzyPrefix characters, as bleve's fuzzy searcher does.
func expandFuzzy(r index.IndexReaderFuzzy, field, term string) (fuzzyTerms, error) {
	prefix := term
	for i := range term {
		if i >= fuzzyPrefix {
			prefix = term[:i]
			break
		}
	}
	dict, _, err := r.FieldDictFuzzyAutomaton(field, term, fuzzyEdits, prefix)
	if err != nil {
		return fuzzyTerms{}, fmt.Errorf("knowledge: search: fuzzy %q: %w", term, err)
	}
	defer dict.Close()
	var ft fuzzyTerms
	e, err := dict.Next()
	for err == nil && e != nil {
		ft.terms = append(ft.terms, e.Term)
		ft.dists = append(ft.dists, e.EditDistance)
		e, err = dict.Next()
	}
	if err != nil {
		return fuzzyTerms{}, fmt.Errorf("knowledge: search: fuzzy %q: %w", term, err)
	}
	return ft, nil
}

// readerAudiences returns the valid audiences of a query; none means public.
func readerAudiences(q bot.Query) []bot.Audience {
	var out []bot.Audience
	for _, a := range q.Audiences {
		if (a == bot.AudiencePublic || a == bot.AudienceInternal) && !containsAud(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []bot.Audience{bot.AudiencePublic}
	}
	return out
}

func containsAud(as []bot.Audience, a bot.Audience) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// maxCachedDocs bounds the decoded documents an Index keeps in memory.
const maxCachedDocs = 100000

// stored returns the stored fields of a document, decoded once and cached:
// an Index never changes after Build.
func (ix *Index) stored(id string) (*storedDoc, error) {
	if sd, ok := ix.docs.Load(id); ok {
		return sd.(*storedDoc), nil
	}
	doc, err := ix.bi.Document(id)
	if err != nil || doc == nil {
		return nil, fmt.Errorf("knowledge: search: load document %s: %v", id, err)
	}
	var raw []byte
	doc.VisitFields(func(f index.Field) {
		if f.Name() == fStored {
			raw = f.Value()
		}
	})
	sd := &storedDoc{}
	if err := json.Unmarshal(raw, sd); err != nil {
		return nil, fmt.Errorf("knowledge: search: stored document %s: %w", id, err)
	}
	if ix.ndocs.Add(1) <= maxCachedDocs {
		ix.docs.Store(id, sd)
	}
	return sd, nil
}

// candidate is one bleve hit with its stored document and features.
type candidate struct {
	doc   *storedDoc
	score float64
	rank  int
	f     features
	z     float64 // linear re-ranking score
}

// Retrieve implements bot.Retriever: it returns at most q.Limit hits (5 when
// unset) that the reader's audiences may see, best first. A query with no
// searchable words (empty, punctuation only) returns no hits and no error.
//
// A message of several clauses ("能寄到上海不 想给我妈送束花", "do you do
// weddings, we're getting married in october") is searched whole and
// clause by clause (see clauses). The story around a question costs the
// right hit its confidence: "能寄到上海不" alone puts the delivery answer
// first at 0.87, with the mother it is 0.46. When a clause's best hit is
// the message's, that hit's confidence becomes the mean of the message's
// and the best such clause's: two calibrated chances that agree on the
// document. On the read companies the mean answered 13 more questions
// right for one unanswerable one answered; the clause's confidence alone,
// 26 for 5.
//
// A clause whose own best hit is another passage, and sure of it
// (clauseSure or more), is a question the message asks among others or
// inside a story: "蛋糕吃不完 明天还能吃吗", "do u groom
// cats? how much for a persian". When the message's best hit is one the
// Engine would not answer at its default threshold, that passage goes
// first at clauseDiscount of its confidence (answered, with the others
// offered beside it). Both values were set by hand and checked
// on the read companies (0.9: 9 more answered right for 1 unanswerable
// answered; 0.8 answered 15 more for 6) and on photo's figures (2 more).
func (ix *Index) Retrieve(ctx context.Context, q bot.Query) ([]bot.Hit, error) {
	text := q.Text
	q.Text = ix.searchText(ctx, text)
	hits, err := ix.search(ctx, q, AllSignals)
	if err != nil {
		return nil, err
	}
	if hits, err = ix.contactFirst(ctx, q, text, hits); err != nil || len(hits) == 0 {
		return hits, err
	}
	best := hits[0].Confidence
	var sure bot.Hit // the surest clause's best hit, when another than the message's
	for _, c := range clauses(text) {
		cq := q
		cq.Text = ix.searchText(ctx, c)
		ch, err := ix.search(ctx, cq, AllSignals)
		if err != nil {
			return nil, err
		}
		switch {
		case len(ch) == 0:
		case ch[0].ID == hits[0].ID:
			best = max(best, ch[0].Confidence)
		case ch[0].Confidence >= clauseSure && ch[0].Confidence > sure.Confidence:
			sure = ch[0]
		}
	}
	hits[0].Confidence = (hits[0].Confidence + best) / 2
	if sure.ID != "" && hits[0].Confidence < bot.DefaultMinAnswerConfidence {
		sure.Confidence *= clauseDiscount
		out := make([]bot.Hit, 0, len(hits)+1)
		out = append(out, sure)
		for _, h := range hits {
			if h.ID != sure.ID {
				out = append(out, h)
			}
		}
		hits = out[:min(len(out), max(len(hits), 1))]
	}
	return ix.offTopicCap(ctx, text, hits), nil
}

// search runs a query with the given signals enabled.
func (ix *Index) search(ctx context.Context, q bot.Query, sig Signals) ([]bot.Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	if limit > maxLimit {
		limit = maxLimit
	}
	size := poolSize
	if !sig.has(SignalRerank) {
		size = limit
	}
	p, cands, err := ix.pool(ctx, q, sig, max(size, limit), limit)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	conf := ix.rerank(p, cands, limit)
	if len(cands) > limit {
		cands = cands[:limit]
	}
	hits := make([]bot.Hit, 0, len(cands))
	for i, c := range cands {
		hits = append(hits, bot.Hit{
			ID: c.doc.ID, Title: c.doc.Title, URL: c.doc.URL, Kind: c.doc.Kind,
			Audience: bot.Audience(c.doc.Audience), Language: c.doc.Lang,
			Answer: c.doc.Answer, Snippet: c.doc.snip, Score: c.z,
			Confidence: conf[i],
		})
	}
	return hits, nil
}

// pool runs the candidate query for up to size candidates, of which the
// first keep are exactly the keep best (see topHits), and computes each
// candidate's features, in the order of their bleve scores.
func (ix *Index) pool(ctx context.Context, q bot.Query, sig Signals, size, keep int) (prepared, []candidate, error) {
	p := ix.prepare(ctx, q, sig)
	if len(p.uniq) == 0 && len(p.codes) == 0 && len(p.altAll) == 0 {
		return p, nil, nil
	}
	hits, err := topHits(ctx, ix.bi, p.bleveQuery(readerAudiences(q)), size, keep)
	if err != nil {
		return p, nil, fmt.Errorf("knowledge: search: %w", err)
	}
	cands := make([]candidate, 0, len(hits))
	rank := 0
	for i, h := range hits {
		sd, err := ix.stored(h.ID)
		if err != nil {
			return p, nil, err
		}
		// Hits of equal score share a rank: their order among themselves
		// is only the document ids' and must not change their features.
		if i > 0 && h.Score != hits[i-1].Score {
			rank = i
		}
		cands = append(cands, candidate{doc: sd, score: h.Score, rank: rank})
	}
	for i := range cands {
		cands[i].doc.prepareViews(ctx, ix)
	}
	if len(cands) > 0 {
		top := cands[0].score
		var r rows
		for i := range cands {
			cands[i].f = ix.features(&p, &cands[i], top, &r)
		}
	}
	return p, cands, nil
}

// topHits returns up to n best hits of q, by score and then by document
// id, with scores rounded by roundScore, so that two builds of the same
// content give the same hits in the same order. At least the first keep
// (<= n) of them are exactly the keep best.
//
// bleve breaks ties by internal document numbers, and sums the scores of a
// document's matching clauses in an order that can change the last bits of
// a score; both depend on the order in which its batch analysed the
// documents, which varies from build to build. So scores are rounded, and
// a run of hits tied with the n-th is only used whole: topHits asks for
// tieWindow hits more than n, and when the tie run reaches past them it
// leaves the whole run out, returning fewer than n hits, unless the run
// starts within the first keep, when it asks for more until the run ends.
// Sorting by id inside bleve would read every matching document's id,
// which costs more than the search.
func topHits(ctx context.Context, bi bleve.Index, q query.Query, n, keep int) (search.DocumentMatchCollection, error) {
	if n <= 0 {
		return nil, nil
	}
	byScoreThenID := func(a, b *search.DocumentMatch) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.ID, b.ID)
	}
	for size := n + tieWindow; ; size *= 2 {
		res, err := bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, size, 0, false))
		if err != nil {
			return nil, err
		}
		hits := res.Hits
		for _, h := range hits {
			h.Score = roundScore(h.Score)
		}
		if len(hits) < size || hits[size-1].Score != hits[n-1].Score {
			// Every hit tied with the n-th is here.
			slices.SortStableFunc(hits, byScoreThenID)
			return hits[:min(n, len(hits))], nil
		}
		// The run tied with the n-th goes on past the hits fetched.
		start := n - 1
		for start > 0 && hits[start-1].Score == hits[n-1].Score {
			start--
		}
		if start >= keep {
			hits = hits[:start]
			slices.SortStableFunc(hits, byScoreThenID)
			return hits, nil
		}
	}
}

// tieWindow is how many hits more than it needs topHits asks bleve for, so
// that a short run of ties at the cut-off is found whole in one search.
const tieWindow = 10

// roundScore rounds a bleve score to 1e-9, well above the differences in
// the last bits that the order of summation makes (about 1e-16 of it).
func roundScore(s float64) float64 { return math.Round(s*1e9) / 1e9 }

// rerank scores the candidates with the learned model, sorts them best
// first and lets byConfidence put a clearly more confident one of the top
// three first (unless SignalRerank is off, when bleve's order stays), and
// returns each one's confidence (see model.confidences), in the same order:
// for the first max(limit, confTop) of them, 0 for the rest, which a search
// of limit hits never returns.
func (ix *Index) rerank(p prepared, cands []candidate, limit int) []float64 {
	m := modelFor(p.zh)
	for i := range cands {
		cands[i].z = m.rank.dot(cands[i].f)
	}
	if p.signals.has(SignalRerank) {
		// Equal scores are ordered by document id, so that two runs rank
		// alike whatever order the candidates came in.
		slices.SortStableFunc(cands, func(a, b candidate) int {
			if a.z != b.z {
				return cmp.Compare(b.z, a.z)
			}
			return strings.Compare(a.doc.ID, b.doc.ID)
		})
	}
	conf := m.confidences(&p, cands, max(limit, confTop))
	if p.signals.has(SignalRerank) {
		byConfidence(&p, cands, conf)
		sectionFirst(cands, conf)
	}
	return conf
}

// sectionFirst puts first, when the first candidate is the opening
// passage of a page, the best-ranked section of the same page whose own
// heading names a word of the query ("wholesale price tiers": the section
// "Price tiers", not the opening that says the tiers are below), at the
// better of the two confidences. Every passage's title holds the page
// title, so the two are often near a tie; the heading settles it.
//
// Anywhere among the candidates since stop 55, not only among the first
// confTop: an opening that outlines its sections matches every heading,
// and the section a question names can rank far below it. On the read
// companies' passage labels (sections.csv), search alone put the right
// passage first for 6 more of their 2,589 questions, and the bot answered
// 1 more of 1,920 answerable ones from it and answered or offered it for
// 5 more; no measure fell.
//
// Customers' pages too, since stop 54: a page's opening mostly introduces
// the page and lists its sections. Read passage by passage on the read
// companies, the section answered 13 of the 20 questions this rule moves
// and the opening 2 (neither 4, both 1); of 33 openings that search put
// first on the tuning companies, 5 answered. The companies' page-level
// figures cannot see it; their passage-level ones (sections.csv) can.
func sectionFirst(cands []candidate, conf []float64) {
	if len(cands) < 2 || cands[0].doc.Kind != bot.KindPage || strings.Contains(cands[0].doc.ID, "#") {
		return
	}
	for i := 1; i < len(cands); i++ {
		if pageOf(cands[i].doc.ID) != cands[0].doc.ID || cands[i].f[ftHead] == 0 {
			continue
		}
		c, pr := cands[i], max(conf[i], conf[0])
		copy(cands[1:i+1], cands[:i])
		copy(conf[1:i+1], conf[:i])
		cands[0], conf[0] = c, pr
		return
	}
}

// confTop is how many of the best-ranked candidates byConfidence weighs:
// the confidence model is learned on that many per query.
const confTop = 3

// confLead is how much more confident than the first a candidate must be
// for byConfidence to put it first: a margin over the model's noise, so
// that near ties (a FAQ entry and the page passage that says the same)
// keep the ranking's order.
const confLead = 0.1

// restated is the similarity of a FAQ entry's question to the customer's
// (ftEdit: one minus the edit distance over the longer length) from which
// the entry keeps first place against a more confident page passage. A
// passage's confidence is learned from labels that name its page, not its
// section, so it says how likely the page is to hold the answer: "能开发票
// 吗" put the invoice page's section on corrections (0.77) before "可以开发
// 票吗？" (0.66), and "can I get an invoice" the section on special VAT
// invoices before "Can I get a fapiao (Chinese invoice)?". Set at 0.6 on
// the read companies' messages, where it cost one answer of 1,920; the
// held-out companies' answers did not move (search alone's first hit, one
// fewer of 3,209). 0.75 was tried only on a first version that kept any
// first FAQ entry or product in place: it cost nothing there but fixed
// neither demo question.
const restated = 0.6

// byConfidence puts first the most confident of the next confTop-1
// candidates when it is confLead or more likelier to answer than the
// first. The ranking scores each candidate alone; the confidence weighs it
// against its rivals and the query, and where the two clearly disagree the
// confidence is the better judge: each tuning company, left out of the
// learning, got more questions right at the same threshold from the most
// confident of the three than from the first. Three exceptions keep the
// ranking's order: sections of the same page (the confidence is learned
// per page, not per section), a page passage behind a FAQ entry whose
// question nearly repeats the customer's (see restated), and a query that
// names a payment method or place, which the Engine checks against the
// passage's own list (bot Coverage) with the ranking's order.
func byConfidence(p *prepared, cands []candidate, conf []float64) {
	if len(cands) < 2 || p.entities {
		return
	}
	best := 0
	for i := 1; i < min(confTop, len(cands)); i++ {
		if pageOf(cands[i].doc.ID) == pageOf(cands[0].doc.ID) {
			continue
		}
		if cands[i].doc.Kind == bot.KindPage && cands[0].doc.Kind == bot.KindFAQ && cands[0].f[ftEdit] >= restated {
			continue
		}
		if conf[i] >= conf[0]+confLead && conf[i] > conf[best] {
			best = i
		}
	}
	if best == 0 {
		return
	}
	c, pr := cands[best], conf[best]
	copy(cands[1:best+1], cands[:best])
	copy(conf[1:best+1], conf[:best])
	cands[0], conf[0] = c, pr
}

// pageOf returns the document a page passage's id belongs to (the id
// without its "#section"); other ids are their own.
func pageOf(id string) string {
	page, _, _ := strings.Cut(id, "#")
	return page
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// snippet returns a short plain excerpt of text.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if t := truncateRunes(s, snippetRunes); len(t) < len(s) {
		return strings.TrimSpace(t) + "…"
	}
	return s
}

// Document implements bot.DocumentGetter: the document with id (a page
// passage's id includes its "#section"), as a hit of confidence 1, when one
// of audiences may read it; ok is false for an unknown id or one the reader
// may not see.
func (ix *Index) Document(ctx context.Context, id string, audiences []bot.Audience) (bot.Hit, bool, error) {
	if err := ctx.Err(); err != nil {
		return bot.Hit{}, false, err
	}
	if id == "" || len(id) > 1024 {
		return bot.Hit{}, false, nil
	}
	doc, err := ix.bi.Document(id)
	if err != nil || doc == nil {
		return bot.Hit{}, false, nil // unknown
	}
	sd, err := ix.stored(id)
	if err != nil {
		return bot.Hit{}, false, err
	}
	if !containsAud(readerAudiences(bot.Query{Audiences: audiences}), bot.Audience(sd.Audience)) {
		return bot.Hit{}, false, nil
	}
	return bot.Hit{ID: sd.ID, Title: sd.Title, URL: sd.URL, Kind: sd.Kind, Audience: bot.Audience(sd.Audience),
		Language: sd.Lang, Answer: sd.Answer, Snippet: snippet(sd.Answer), Confidence: 1}, true, nil
}
