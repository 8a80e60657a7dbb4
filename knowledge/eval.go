package knowledge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/concierge-bot/concierge/bot"
)

// EvalQuery is one retrieval test: a query and the id of the document that
// answers it.
type EvalQuery struct {
	Query      string
	ExpectedID string
	Line       int // line in the queries file
}

// LoadQueries reads a retrieval query file: CSV with header
// query,expected_id. Rows without a query or an expected id are errors that
// name the line.
func LoadQueries(r io.Reader) ([]EvalQuery, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("knowledge: read queries: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("knowledge: queries file is over %d MB", MaxFileBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	ps := &problems{file: "queries"}
	rows := csvRows(data, []string{"query", "expected_id"}, ps)
	if len(ps.list) > 0 {
		return nil, fmt.Errorf("knowledge: %w", ps.list[0])
	}
	qs := make([]EvalQuery, 0, len(rows))
	for _, r := range rows {
		q := EvalQuery{Query: r.get("query"), ExpectedID: r.get("expected_id"), Line: r.line}
		if q.Query == "" || q.ExpectedID == "" {
			return nil, fmt.Errorf("knowledge: queries line %d: needs both a query and an expected_id", r.line)
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return nil, errors.New("knowledge: the queries file has no rows")
	}
	return qs, nil
}

// Metrics are retrieval quality and speed over a query set. Fractions are in
// 0..1; latencies are per query, in microseconds.
type Metrics struct {
	Queries  int     `json:"queries"`
	PAt1     float64 `json:"p_at_1"`
	MRRAt10  float64 `json:"mrr_at_10"`
	RecallA5 float64 `json:"recall_at_5"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
}

// Evaluate runs every query through r as a customer (public audience) and
// scores the rankings against the expected ids.
func Evaluate(ctx context.Context, r bot.Retriever, qs []EvalQuery) (Metrics, error) {
	m := Metrics{Queries: len(qs)}
	lat := make([]float64, 0, len(qs))
	for _, q := range qs {
		start := time.Now()
		hits, err := r.Retrieve(ctx, bot.Query{Text: q.Query, Limit: 10})
		lat = append(lat, float64(time.Since(start).Microseconds()))
		if err != nil {
			return Metrics{}, fmt.Errorf("knowledge: evaluate %q: %w", q.Query, err)
		}
		for i, h := range hits {
			if h.ID != q.ExpectedID {
				continue
			}
			if i == 0 {
				m.PAt1++
			}
			m.MRRAt10 += 1 / float64(i+1)
			if i < 5 {
				m.RecallA5++
			}
			break
		}
	}
	if n := float64(len(qs)); n > 0 {
		m.PAt1 /= n
		m.MRRAt10 /= n
		m.RecallA5 /= n
	}
	m.P50us, m.P99us = percentile(lat, 0.50), percentile(lat, 0.99)
	return m, nil
}

// percentile returns the p-quantile (nearest rank) of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Split divides queries into a development part (tune on it) and a held-out
// part (report on it) by a hash of the expected id (FNV-1a, 32 bits: even
// is development), so all queries of one document fall on the same side.
// About half the documents go each way. The re-ranking weights were learned
// on the development part of the faq_dev sets (see weights.go).
func Split(qs []EvalQuery) (dev, heldOut []EvalQuery) {
	for _, q := range qs {
		h := fnv.New32a()
		_, _ = h.Write([]byte(q.ExpectedID))
		if h.Sum32()%2 == 0 {
			dev = append(dev, q)
		} else {
			heldOut = append(heldOut, q)
		}
	}
	return dev, heldOut
}

// fitSet is a query set that the re-ranking weights were fitted on, recorded
// in weights.go as the fitKey of each of its queries (not the queries: the
// sets may not be shipped), so that evaluation can tell the queries the
// weights were fitted on from held-out ones in any query file.
type fitSet struct {
	name string   // the set and the part of it, for reports
	keys []uint64 // fitKey of every query fitted on, sorted
}

// fitKey identifies a labelled query: a hash (FNV-1a, 64 bits) of its text,
// lower-cased with runs of spaces collapsed, and its expected id.
func fitKey(q EvalQuery) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.Join(strings.Fields(strings.ToLower(q.Query)), " ")))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(q.ExpectedID))
	return h.Sum64()
}

// fittedOn returns the name of the set among fitSets (weights.go) whose
// fitted queries include q, or "" when the weights were not fitted on q.
func fittedOn(q EvalQuery) string {
	k := fitKey(q)
	for _, s := range fitSets {
		if _, ok := slices.BinarySearch(s.keys, k); ok {
			return s.name
		}
	}
	return ""
}

// WithSignals is a bot.Retriever over an Index that uses only the given
// ranking signals; evaluation uses it to measure each signal.
type WithSignals struct {
	Index   *Index
	Signals Signals
}

// Retrieve implements bot.Retriever.
func (w WithSignals) Retrieve(ctx context.Context, q bot.Query) ([]bot.Hit, error) {
	return w.Index.search(ctx, q, w.Signals)
}

// Baseline is plain BM25 over question and answer (or title and body) in one
// field, with lower-case word tokens and, for Chinese, character unigrams and
// bigrams: the reference every ranking change is measured against. It
// enforces audiences like Index.
type Baseline struct {
	bi bleve.Index
}

const (
	blText  = "text"
	blPlain = "kb_plain"
)

// BuildBaseline indexes docs for the baseline in a new folder at dir.
func BuildBaseline(ctx context.Context, dir string, docs []Document) (*Baseline, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	if err := im.AddCustomTokenFilter("kb_bigram_uni", map[string]any{"type": cjk.BigramName, "output_unigram": true}); err != nil {
		return nil, fmt.Errorf("knowledge: baseline mapping: %w", err)
	}
	if err := im.AddCustomAnalyzer(blPlain, map[string]any{
		"type": custom.Name, "tokenizer": unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, "kb_bigram_uni"},
	}); err != nil {
		return nil, fmt.Errorf("knowledge: baseline mapping: %w", err)
	}
	dm := bleve.NewDocumentStaticMapping()
	tf := bleve.NewTextFieldMapping()
	tf.Analyzer = blPlain
	tf.Store = false
	tf.IncludeInAll = false
	dm.AddFieldMappingsAt(blText, tf)
	af := bleve.NewKeywordFieldMapping()
	af.Store = false
	af.IncludeInAll = false
	dm.AddFieldMappingsAt(fAudience, af)
	im.DefaultMapping = dm
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	bi, err := bleve.New(dir, im)
	if err != nil {
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	b := bi.NewBatch()
	for _, d := range docs {
		if err := ctx.Err(); err != nil {
			_ = bi.Close()
			return nil, err
		}
		text := d.Title + "\n" + d.Body
		if err := b.Index(d.ID, map[string]any{blText: text, fAudience: string(d.Audience)}); err != nil {
			_ = bi.Close()
			return nil, fmt.Errorf("knowledge: baseline: %w", err)
		}
	}
	if err := bi.Batch(b); err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("knowledge: baseline: %w", err)
	}
	return &Baseline{bi: bi}, nil
}

// Retrieve implements bot.Retriever with plain BM25.
func (b *Baseline) Retrieve(ctx context.Context, q bot.Query) ([]bot.Hit, error) {
	text := cleanQuery(q.Text)
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	mq := bleve.NewMatchQuery(text)
	mq.SetField(blText)
	res, err := topHits(ctx, b.bi, bleve.NewConjunctionQuery(mq, audienceQuery(readerAudiences(q))), limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge: baseline search: %w", err)
	}
	hits := make([]bot.Hit, 0, len(res))
	for _, h := range res {
		hits = append(hits, bot.Hit{ID: h.ID, Score: h.Score})
	}
	return hits, nil
}

// Close releases the baseline index.
func (b *Baseline) Close() error { return b.bi.Close() }

// Report is the outcome of RunEval: the full ranking and the plain BM25
// baseline over all queries and over the held-out half (see Split), with
// index build time. JSON keys are part of the CLI contract.
type Report struct {
	Metrics
	IndexSeconds     float64 `json:"index_seconds"`
	Documents        int     `json:"documents"`
	BaselinePAt1     float64 `json:"baseline_p_at_1"`
	BaselineMRRAt10  float64 `json:"baseline_mrr_at_10"`
	BaselineRecallA5 float64 `json:"baseline_recall_at_5"`
	HeldOut          Metrics `json:"held_out"`
	HeldOutBaseline  Metrics `json:"held_out_baseline"`
	// Signals holds, per ranking signal, P@1 and MRR@10 over all queries
	// with that signal turned off (only when EvalOptions.Ablation is set).
	Signals []SignalReport `json:"signals,omitempty"`
	// Problems are the content's broken files and rows.
	Problems []string `json:"problems,omitempty"`
}

// SignalReport is the effect of turning one ranking signal off.
type SignalReport struct {
	Without string  `json:"without"`
	PAt1    float64 `json:"p_at_1"`
	MRRAt10 float64 `json:"mrr_at_10"`
}

// EvalOptions configures RunEval.
type EvalOptions struct {
	// Dir is where the temporary indexes go; "" means the system's
	// temporary directory. They are removed before RunEval returns.
	Dir string
	// Ablation also measures the ranking with each signal turned off.
	Ablation bool
}

// signalNames names the signals for ablation reports.
var signalNames = []struct {
	name string
	sig  Signals
}{
	{"body", SignalBody}, {"fuzzy", SignalFuzzy}, {"unigrams", SignalUnigrams}, {"synonyms", SignalSynonyms},
	{"codes", SignalCodes}, {"intent", SignalIntent}, {"proximity", SignalProximity}, {"coverage", SignalCoverage},
	{"rerank", SignalRerank},
}

// RunEval indexes the content in fsys into a temporary index and runs the
// queries on it and on the plain BM25 baseline.
func RunEval(ctx context.Context, fsys fs.FS, qs []EvalQuery, opts EvalOptions) (Report, error) {
	docs, probs, err := Load(fsys)
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, p := range probs {
		r.Problems = append(r.Problems, p.Error())
	}
	if len(docs) == 0 {
		return r, errors.New("knowledge: the content has no documents")
	}
	syn, err := LoadSynonyms(fsys)
	if err != nil {
		r.Problems = append(r.Problems, err.Error())
	}
	tmp, err := os.MkdirTemp(opts.Dir, "concierge-eval-")
	if err != nil {
		return r, fmt.Errorf("knowledge: eval: %w", err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	ix, err := Build(ctx, filepath.Join(tmp, "index"), docs, BuildOptions{Synonyms: syn})
	if err != nil {
		return r, err
	}
	defer ix.Close()
	r.IndexSeconds = time.Since(start).Seconds()
	r.Documents = len(docs)
	bl, err := BuildBaseline(ctx, filepath.Join(tmp, "baseline"), docs)
	if err != nil {
		return r, err
	}
	defer bl.Close()
	if r.Metrics, err = Evaluate(ctx, ix, qs); err != nil {
		return r, err
	}
	base, err := Evaluate(ctx, bl, qs)
	if err != nil {
		return r, err
	}
	r.BaselinePAt1, r.BaselineMRRAt10, r.BaselineRecallA5 = base.PAt1, base.MRRAt10, base.RecallA5
	_, held := Split(qs)
	if len(held) > 0 {
		if r.HeldOut, err = Evaluate(ctx, ix, held); err != nil {
			return r, err
		}
		if r.HeldOutBaseline, err = Evaluate(ctx, bl, held); err != nil {
			return r, err
		}
	}
	if opts.Ablation {
		for _, s := range signalNames {
			m, err := Evaluate(ctx, WithSignals{Index: ix, Signals: AllSignals &^ s.sig}, qs)
			if err != nil {
				return r, err
			}
			r.Signals = append(r.Signals, SignalReport{Without: s.name, PAt1: m.PAt1, MRRAt10: m.MRRAt10})
		}
	}
	return r, nil
}
