// Package semantic adds vector similarity to knowledge retrieval: a
// bot.Retriever that wraps another (the BM25 index of package knowledge) and
// fuses its ranking with a ranking by embedding similarity, by reciprocal
// rank fusion. It finds paraphrases that share no keyword with the content.
//
// Documents are embedded at index time in batches through a consumer-side
// Embedder (satisfied by *llm.Client) and cached on disk by content hash, so
// unchanged documents are never embedded again. The audience rule holds in
// the vector ranking as in the wrapped one: a document whose audience is not
// in the query's audiences is never a candidate.
package semantic

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge"
)

// Embedder turns texts into vectors, one per text, in order, all of the same
// dimension. *llm.Client implements it.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Options configures a Retriever. Base and Embedder are required.
type Options struct {
	// Base is the keyword retriever whose ranking is fused with the vector
	// ranking; it must enforce audiences itself (the knowledge index does).
	Base bot.Retriever
	// Embedder embeds documents and queries.
	Embedder Embedder
	// Model names the embedding model; it is part of the cache key, so a
	// new model re-embeds everything.
	Model string
	// CacheDir, optional, is where embeddings are cached (a file
	// embeddings.bin); empty keeps them in memory only.
	CacheDir string
	// K is the reciprocal-rank-fusion constant. Default 60.
	K int
	// Candidates is how many hits each ranking contributes. Default 20.
	Candidates int
	// BatchSize is the number of documents per Embed call. Default 64.
	BatchSize int
	// MinSimilarity is the cosine similarity that maps to confidence 0 for a
	// hit found by the vectors alone; 1 maps to 1. Default 0.5. Tune it per
	// embedding model: similarities of unrelated texts differ by model.
	MinSimilarity float64
	// VectorWeight scales the vector ranking's share in the fusion (the
	// keyword ranking has weight 1). Default 1.
	VectorWeight float64
	Logger       *slog.Logger // default: discard
}

// Retriever is a hybrid keyword + vector bot.Retriever. It is safe for
// concurrent use; Index may run while Retrieve is serving.
type Retriever struct {
	opts  Options
	log   *slog.Logger
	cache *cache

	mu      sync.RWMutex
	docs    []entry
	queries map[string][]float32 // bounded cache of query vectors
}

// entry is one indexed document with its unit-length vector.
type entry struct {
	doc knowledge.Document
	vec []float32
}

// New returns a Retriever with no documents; call Index.
func New(opts Options) (*Retriever, error) {
	if opts.Base == nil {
		return nil, errors.New("semantic: Base retriever is required")
	}
	if opts.Embedder == nil {
		return nil, errors.New("semantic: Embedder is required")
	}
	bot.SetDefault(&opts.K, 60)
	bot.SetDefault(&opts.Candidates, 20)
	bot.SetDefault(&opts.BatchSize, 64)
	if opts.MinSimilarity == 0 {
		opts.MinSimilarity = 0.5
	}
	if opts.MinSimilarity < 0 || opts.MinSimilarity >= 1 {
		return nil, fmt.Errorf("semantic: MinSimilarity %v is outside [0, 1)", opts.MinSimilarity)
	}
	bot.SetDefault(&opts.VectorWeight, 1)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	return &Retriever{opts: opts, log: opts.Logger, cache: newCache(opts.CacheDir, opts.Logger), queries: map[string][]float32{}}, nil
}

// IndexStats says what Index did.
type IndexStats struct {
	Documents int // documents indexed
	Cached    int // vectors taken from the cache
	Embedded  int // documents sent to the Embedder
}

// Index embeds the documents not yet in the cache, in batches, saves the
// cache, and makes docs the set searched by the vector ranking. On an
// embedding error nothing changes and the error is returned.
func (r *Retriever) Index(ctx context.Context, docs []knowledge.Document) (IndexStats, error) {
	if err := r.cache.load(); err != nil {
		r.log.Warn("semantic: embedding cache unreadable; re-embedding", "err", err)
	}
	st := IndexStats{Documents: len(docs)}
	entries := make([]entry, len(docs))
	keys := make([]key, len(docs))
	var todo []int
	for i, d := range docs {
		keys[i] = contentKey(r.opts.Model, docText(d))
		entries[i].doc = d
		if v, ok := r.cache.get(keys[i]); ok {
			entries[i].vec = v
			st.Cached++
		} else {
			todo = append(todo, i)
		}
	}
	for start := 0; start < len(todo); start += r.opts.BatchSize {
		batch := todo[start:min(start+r.opts.BatchSize, len(todo))]
		texts := make([]string, len(batch))
		for j, i := range batch {
			texts[j] = docText(docs[i])
		}
		vecs, err := r.opts.Embedder.Embed(ctx, texts)
		if err != nil {
			return st, fmt.Errorf("semantic: embed documents: %w", err)
		}
		if len(vecs) != len(batch) {
			return st, fmt.Errorf("semantic: embedder returned %d vectors for %d documents", len(vecs), len(batch))
		}
		for j, i := range batch {
			v := normalize(vecs[j])
			if v == nil {
				return st, fmt.Errorf("semantic: embedder returned a zero vector for document %s", docs[i].ID)
			}
			entries[i].vec = v
			r.cache.put(keys[i], v)
		}
		st.Embedded += len(batch)
	}
	if err := r.cache.save(keys); err != nil {
		r.log.Warn("semantic: could not save the embedding cache", "err", err)
	}
	r.mu.Lock()
	r.docs = entries
	r.queries = map[string][]float32{}
	r.mu.Unlock()
	r.log.Info("semantic index ready", "documents", st.Documents, "embedded", st.Embedded, "cached", st.Cached)
	return st, nil
}

// docText is what is embedded for a document.
func docText(d knowledge.Document) string {
	parts := []string{d.Title}
	if d.Question != "" && d.Question != d.Title {
		parts = append(parts, d.Question)
	}
	parts = append(parts, d.Paraphrases...)
	switch {
	case d.Answer != "":
		parts = append(parts, d.Answer)
	case d.Body != "":
		parts = append(parts, d.Body)
	}
	s := strings.Join(parts, "\n")
	if utf8.RuneCountInString(s) > 2000 {
		s = string([]rune(s)[:2000])
	}
	return s
}

func contentKey(model, text string) key {
	return sha256.Sum256([]byte(model + "\x00" + text))
}

// Retrieve implements bot.Retriever: the wrapped retriever's hits fused with
// the nearest documents by embedding, best first. If the query cannot be
// embedded, the wrapped retriever's hits are returned as they are.
func (r *Retriever) Retrieve(ctx context.Context, q bot.Query) ([]bot.Hit, error) {
	limit := q.Limit
	bot.SetDefault(&limit, 5)
	bq := q
	bq.Limit = max(limit, r.opts.Candidates)
	base, err := r.opts.Base.Retrieve(ctx, bq)
	if err != nil {
		return nil, err
	}
	qv, err := r.queryVector(ctx, q.Text)
	if err != nil {
		r.log.Warn("semantic: query embedding failed; keyword ranking only", "err", err)
		return base[:min(limit, len(base))], nil
	}
	near := r.nearest(qv, audiences(q), r.opts.Candidates)
	return r.fuse(base, near, limit), nil
}

// queryVector embeds a query, remembering recent ones.
func (r *Retriever) queryVector(ctx context.Context, text string) ([]float32, error) {
	r.mu.RLock()
	v, ok := r.queries[text]
	r.mu.RUnlock()
	if ok {
		return v, nil
	}
	vs, err := r.opts.Embedder.Embed(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("embedder returned %d vectors for one query", len(vs))
	}
	v = normalize(vs[0])
	if v == nil {
		return nil, errors.New("embedder returned a zero vector for the query")
	}
	r.mu.Lock()
	if len(r.queries) >= 4096 {
		clear(r.queries)
	}
	r.queries[text] = v
	r.mu.Unlock()
	return v, nil
}

type scored struct {
	doc *knowledge.Document
	sim float64
}

// before reports whether s ranks before t: more similar, or as similar
// with a smaller document id, so that ties always break the same way.
func (s scored) before(t scored) bool {
	if s.sim != t.sim {
		return s.sim > t.sim
	}
	return s.doc.ID < t.doc.ID
}

// nearest returns the n documents most similar to qv among those the
// audiences may read, most similar first.
func (r *Retriever) nearest(qv []float32, auds []bot.Audience, n int) []scored {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]scored, 0, n+1)
	for i := range r.docs {
		e := &r.docs[i]
		if !slices.Contains(auds, e.doc.Audience) || len(e.vec) != len(qv) {
			continue
		}
		s := scored{doc: &e.doc, sim: dot(qv, e.vec)}
		if len(out) == n && !s.before(out[n-1]) {
			continue
		}
		j, _ := slices.BinarySearchFunc(out, s, func(a, t scored) int {
			if a.before(t) {
				return -1
			}
			return 1
		})
		out = slices.Insert(out, j, s)
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}

// fuse merges the two rankings by reciprocal rank fusion.
func (r *Retriever) fuse(base []bot.Hit, near []scored, limit int) []bot.Hit {
	type fused struct {
		hit   bot.Hit
		score float64
		conf  float64
	}
	byID := map[string]*fused{}
	var order []string
	k := float64(r.opts.K)
	for i, h := range base {
		if i >= r.opts.Candidates {
			break
		}
		byID[h.ID] = &fused{hit: h, score: 1 / (k + float64(i+1)), conf: h.Confidence}
		order = append(order, h.ID)
	}
	for i, s := range near {
		f, ok := byID[s.doc.ID]
		if !ok {
			f = &fused{hit: hitOf(*s.doc)}
			byID[s.doc.ID] = f
			order = append(order, s.doc.ID)
		}
		f.score += r.opts.VectorWeight / (k + float64(i+1))
		f.conf = max(f.conf, r.similarityConfidence(s.sim))
	}
	out := make([]bot.Hit, 0, len(order))
	for _, id := range order {
		f := byID[id]
		f.hit.Score, f.hit.Confidence = f.score, f.conf
		out = append(out, f.hit)
	}
	slices.SortStableFunc(out, func(a, b bot.Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.ID, b.ID) // ties by document id
	})
	return out[:min(limit, len(out))]
}

func (r *Retriever) similarityConfidence(sim float64) float64 {
	c := (sim - r.opts.MinSimilarity) / (1 - r.opts.MinSimilarity)
	return math.Max(0, math.Min(1, c))
}

// hitOf is the hit of a document found by the vectors alone.
func hitOf(d knowledge.Document) bot.Hit {
	answer := d.Answer
	if answer == "" {
		answer = d.Body
	}
	if answer == "" {
		answer = d.Title
	}
	snippet := strings.Join(strings.Fields(answer), " ")
	if utf8.RuneCountInString(snippet) > 160 {
		snippet = string([]rune(snippet)[:160]) + "…"
	}
	return bot.Hit{ID: d.ID, Title: d.Title, URL: d.URL, Kind: d.Kind, Audience: d.Audience, Language: d.Lang,
		Answer: answer, Snippet: snippet}
}

func audiences(q bot.Query) []bot.Audience {
	if len(q.Audiences) == 0 {
		return []bot.Audience{bot.AudiencePublic}
	}
	return q.Audiences
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

// normalize returns v scaled to unit length, or nil for a zero or
// non-finite vector.
func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil
	}
	inv := 1 / math.Sqrt(n)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// Document implements bot.DocumentGetter when the base retriever does;
// otherwise no document is found.
func (r *Retriever) Document(ctx context.Context, id string, audiences []bot.Audience) (bot.Hit, bool, error) {
	if dg, ok := r.opts.Base.(bot.DocumentGetter); ok {
		return dg.Document(ctx, id, audiences)
	}
	return bot.Hit{}, false, nil
}

// Cover implements bot.Coverage when the base retriever does; otherwise it
// gives no judgement.
func (r *Retriever) Cover(question string, h bot.Hit, lang string) bot.CoverCheck {
	if c, ok := r.opts.Base.(bot.Coverage); ok {
		return c.Cover(question, h, lang)
	}
	return bot.CoverCheck{Verdict: bot.CoverNone}
}
