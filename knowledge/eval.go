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
	rs, err := run(ctx, r, qs)
	if err != nil {
		return Metrics{}, err
	}
	return rs.metrics(nil), nil
}

// results are the outcomes of a run of queries: for each, the position of
// the expected id among the first ten hits (-1 when absent) and the time the
// query took.
type results struct {
	pos []int
	lat []float64 // microseconds
}

// evalLimit is the number of hits evaluation asks for per query.
const evalLimit = 10

// run runs every query through r as a customer, asking for evalLimit hits.
func run(ctx context.Context, r bot.Retriever, qs []EvalQuery) (results, error) {
	rs := results{pos: make([]int, len(qs)), lat: make([]float64, len(qs))}
	for i, q := range qs {
		start := time.Now()
		hits, err := r.Retrieve(ctx, bot.Query{Text: q.Query, Limit: evalLimit})
		rs.lat[i] = float64(time.Since(start).Microseconds())
		if err != nil {
			return results{}, fmt.Errorf("knowledge: evaluate %q: %w", q.Query, err)
		}
		rs.pos[i] = slices.IndexFunc(hits, func(h bot.Hit) bool { return h.ID == q.ExpectedID })
	}
	return rs, nil
}

// metrics scores the queries at the given indexes, or all when which is nil.
func (rs results) metrics(which []int) Metrics {
	if which == nil {
		which = make([]int, len(rs.pos))
		for i := range which {
			which[i] = i
		}
	}
	m := Metrics{Queries: len(which)}
	lat := make([]float64, 0, len(which))
	for _, i := range which {
		lat = append(lat, rs.lat[i])
		p := rs.pos[i]
		if p < 0 {
			continue
		}
		if p == 0 {
			m.PAt1++
		}
		m.MRRAt10 += 1 / float64(p+1)
		if p < 5 {
			m.RecallA5++
		}
	}
	if n := float64(len(which)); n > 0 {
		m.PAt1 /= n
		m.MRRAt10 /= n
		m.RecallA5 /= n
	}
	m.P50us, m.P99us = percentile(lat, 0.50), percentile(lat, 0.99)
	return m
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
	res, err := topHits(ctx, b.bi, bleve.NewConjunctionQuery(mq, audienceQuery(readerAudiences(q))), limit, limit)
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

// Report is the outcome of RunEval. JSON keys are part of the CLI contract.
//
// The re-ranking weights were fitted on part of the faq_dev query sets
// (see weights.go). The figures that matter are therefore those of the
// held-out queries, the ones the weights were not fitted on, and they come
// first: for faq_dev that is the half outside the development part; for
// any other query file it is every query. The queries the weights were
// fitted on, when the file has any, are reported apart (Fitted), and the
// embedded Metrics cover all queries, fitted ones included.
type Report struct {
	// HeldOut and HeldOutBaseline cover the queries the weights were not
	// fitted on, with the full ranking and with plain BM25.
	HeldOut         Metrics `json:"held_out"`
	HeldOutBaseline Metrics `json:"held_out_baseline"`
	// FittedOn names the sets whose queries the weights were fitted on,
	// when the file holds some of them; empty otherwise.
	FittedOn string `json:"fitted_on,omitempty"`
	// Fitted and FittedBaseline cover the queries the weights were fitted
	// on; nil when the file holds none.
	Fitted         *Metrics `json:"fitted,omitempty"`
	FittedBaseline *Metrics `json:"fitted_baseline,omitempty"`
	// Metrics cover all queries, with the full ranking.
	Metrics
	IndexSeconds     float64 `json:"index_seconds"`
	Documents        int     `json:"documents"`
	BaselinePAt1     float64 `json:"baseline_p_at_1"`
	BaselineMRRAt10  float64 `json:"baseline_mrr_at_10"`
	BaselineRecallA5 float64 `json:"baseline_recall_at_5"`
	// Signals holds, per ranking signal, P@1 and MRR@10 over the held-out
	// queries with that signal turned off (only when EvalOptions.Ablation
	// is set).
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
	{"rerank", SignalRerank}, {"vectors", SignalVectors},
}

// RunEval indexes the content in fsys into a temporary index and runs the
// queries on it and on the plain BM25 baseline, and reports the held-out
// queries apart from those the re-ranking weights were fitted on (see
// Report).
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
	own, err := run(ctx, ix, qs)
	if err != nil {
		return r, err
	}
	base, err := run(ctx, bl, qs)
	if err != nil {
		return r, err
	}
	var held, fitted []int
	var sets []string
	for i, q := range qs {
		name := fittedOn(q)
		if name == "" {
			held = append(held, i)
			continue
		}
		fitted = append(fitted, i)
		if !slices.Contains(sets, name) {
			sets = append(sets, name)
		}
	}
	r.Metrics = own.metrics(nil)
	b := base.metrics(nil)
	r.BaselinePAt1, r.BaselineMRRAt10, r.BaselineRecallA5 = b.PAt1, b.MRRAt10, b.RecallA5
	if held != nil {
		r.HeldOut, r.HeldOutBaseline = own.metrics(held), base.metrics(held)
	}
	if fitted != nil {
		f, fb := own.metrics(fitted), base.metrics(fitted)
		r.Fitted, r.FittedBaseline = &f, &fb
		r.FittedOn = strings.Join(sets, "; ")
	}
	if opts.Ablation && held != nil {
		heldQs := make([]EvalQuery, 0, len(held))
		for _, i := range held {
			heldQs = append(heldQs, qs[i])
		}
		for _, s := range signalNames {
			m, err := Evaluate(ctx, WithSignals{Index: ix, Signals: AllSignals &^ s.sig}, heldQs)
			if err != nil {
				return r, err
			}
			r.Signals = append(r.Signals, SignalReport{Without: s.name, PAt1: m.PAt1, MRRAt10: m.MRRAt10})
		}
	}
	return r, nil
}
