package knowledge

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	bolt "go.etcd.io/bbolt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/wordvec"
)

// formatVersion changes whenever the mapping or the stored fields change, so
// OpenOrBuild rebuilds indexes written by an older version.
const formatVersion = 2

// metaFile is the file beside the bleve data, inside the index folder, that
// records what the index was built from.
const metaFile = "concierge-knowledge.json"

// Index field names.
const (
	fTitleEN  = "title_en"  // title, question, paraphrases, product name: English analyser
	fBodyEN   = "body_en"   // answer, passage, description, tags: English analyser
	fTitleZH  = "title_zh"  // the same, CJK bigrams
	fBodyZH   = "body_zh"   // the same, CJK bigrams
	fTitleZH1 = "title_zh1" // title, CJK unigrams
	fCode     = "code"      // id and SKU, lower-cased, whole
	fAudience = "audience"
	fKind     = "kind"
	fLang     = "lang"
	fIntents  = "intents"
	fStored   = "doc" // JSON of the display fields, stored only
)

// Analyser names registered in the index mapping.
const (
	anEN   = en.AnalyzerName
	anZH   = cjk.AnalyzerName
	anZH1  = "kb_zh_unigram"
	anCode = "kb_code"
)

// BuildOptions configures Build and OpenOrBuild.
type BuildOptions struct {
	// Progress, when set, is called after each batch with the documents
	// indexed so far and the total.
	Progress func(done, total int)
	// Logger receives build events; nil discards them.
	Logger *slog.Logger
	// Synonyms expand queries at search time; they are stored with the index
	// and are part of its content hash.
	Synonyms Synonyms
	// BatchSize is the number of documents per bleve batch; <= 0 means
	// 5000. Batches are merged into one segment at the end.
	BatchSize int
	// Tag, optional, returns the intents a document answers, for documents
	// that list none: a FAQ row may list its intents, but most companies'
	// content does not, and the classifier's confident intent of a question
	// is a strong hint of which document answers it. Tags are part of the
	// content hash.
	Tag func(d Document) []string
}

// minTagConfidence is the classifier confidence from which a document's
// question or heading tags it with an intent.
const minTagConfidence = 0.7

// IntentTagger returns a BuildOptions.Tag that tags FAQ rows and page
// passages with the intent the classifier confidently reads in their
// question or heading (never small talk, complaints or requests for a
// person), so that a customer's confident intent finds the document that
// answers it. Products are not tagged, nor internal pages: the intents are
// what customers ask, and an employee's process question read as one
// ("how do I close the shop": store_visit) must not favour a section for
// sharing a customer's words ("store pickup").
func IntentTagger(c bot.Classifier) func(Document) []string {
	return func(d Document) []string {
		if d.Kind == bot.KindProduct || d.Audience == bot.AudienceInternal {
			return nil
		}
		cls, err := c.Classify(context.Background(), d.Title)
		if err != nil || cls.OutOfScope || cls.Confidence < minTagConfidence {
			return nil
		}
		if bot.IsSmallTalk(cls.Intent) || cls.Intent == bot.IntentAskHuman || cls.Intent == bot.IntentComplaint {
			return nil
		}
		return []string{cls.Intent}
	}
}

// Tagged returns docs with the intents of tag set on those that list none;
// docs itself is not changed.
func Tagged(docs []Document, tag func(Document) []string) []Document {
	if tag == nil {
		return docs
	}
	out := make([]Document, len(docs))
	for i, d := range docs {
		if len(d.Intents) == 0 {
			d.Intents = tag(d)
		}
		out[i] = d
	}
	return out
}

// meta is what metaFile records.
type meta struct {
	Format   int       `json:"format"`
	Hash     string    `json:"hash"`
	Count    int       `json:"count"`
	Synonyms Synonyms  `json:"synonyms,omitempty"`
	Built    time.Time `json:"built"`
}

// storedDoc is the part of a Document kept in the index for hits.
type storedDoc struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Audience string   `json:"audience"`
	Lang     string   `json:"lang,omitempty"`
	URL      string   `json:"url,omitempty"`
	Answer   string   `json:"answer"`
	Intents  []string `json:"intents,omitempty"`
	SKU      string   `json:"sku,omitempty"`
	Match    string   `json:"match"` // title-side text for re-ranking

	// Product holds a product's catalogue columns, for the catalogue
	// (see Answer); nil for FAQ entries and pages.
	Product *storedProduct `json:"product,omitempty"`

	// The analysed title and body, so that re-ranking need not analyse
	// candidates at query time: terms joined by spaces, and positions.
	TitleEN    string `json:"te"`
	TitlePosEN []int  `json:"tep"`
	TitleZH    string `json:"tz"`
	TitlePosZH []int  `json:"tzp"`
	TitleZH1   string `json:"tz1"`
	BodyEN     string `json:"be"`
	BodyZH     string `json:"bz"`

	once  sync.Once
	views [2]*docView // English, Chinese; see prepareViews
	snip  string      // snippet(Answer); see prepareViews
}

// storedProduct is the part of a product document the catalogue needs
// beside the fields of storedDoc.
type storedProduct struct {
	Category    string            `json:"category,omitempty"`
	Description string            `json:"description,omitempty"`
	Price       string            `json:"price,omitempty"`
	Currency    string            `json:"currency,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Attrs       map[string]string `json:"attrs,omitempty"`
}

// prepareViews computes the document's views for both query languages and
// its snippet, once.
func (sd *storedDoc) prepareViews(ctx context.Context, ix *Index) {
	sd.once.Do(func() {
		sd.views[0] = ix.newDocView(ctx, sd, false)
		sd.views[1] = ix.newDocView(ctx, sd, true)
		sd.snip = snippet(sd.Answer)
	})
}

// derived returns the view computed by prepareViews.
func (sd *storedDoc) derived(zh bool) *docView {
	if zh {
		return sd.views[1]
	}
	return sd.views[0]
}

// title returns the analysed title of a stored document for Chinese or
// English queries.
func (sd *storedDoc) title(zh bool) view {
	if zh {
		return view{terms: strings.Fields(sd.TitleZH), pos: sd.TitlePosZH, sec: strings.Fields(sd.TitleZH1)}
	}
	v := view{terms: strings.Fields(sd.TitleEN), pos: sd.TitlePosEN}
	for _, t := range v.terms {
		v.sec = append(v.sec, trigrams(t)...)
	}
	return v
}

// body returns the analysed body terms of a stored document.
func (sd *storedDoc) body(zh bool) []string {
	if zh {
		return strings.Fields(sd.BodyZH)
	}
	return strings.Fields(sd.BodyEN)
}

// Index is an open knowledge index on disk. It is safe for concurrent use;
// Close it when done.
type Index struct {
	bi   bleve.Index
	path string
	meta meta
	syn  *synonymSet
	n    uint64 // documents, for idf

	avg map[string]float64 // field → average length in terms, for BM25
	an  analysers

	docs  sync.Map     // id → *storedDoc, decoded on first use
	ndocs atomic.Int64 // entries stored in docs

	dfMu sync.Mutex
	df   map[dfKey]float64 // document frequencies

	fuzzy    fuzzyCache
	homo     homophones // Chinese bigrams by sound, for typos of the input method
	spell    speller    // English terms, for typos
	ents     entities   // payment methods and places, for query expansion and coverage checks
	contacts sync.Map   // contactKey → contactPick: the passage that states a contact detail
	absent   absentTopics
	products products // the catalogue, built on first use
	words    *wordvec.Table
}

// newMapping returns the index mapping: one document type with per-language
// fields and keyword fields for filters.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	if err := im.AddCustomAnalyzer(anZH1, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("knowledge: mapping: %w", err)
	}
	if err := im.AddCustomAnalyzer(anCode, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, fmt.Errorf("knowledge: mapping: %w", err)
	}
	dm := bleve.NewDocumentStaticMapping()
	text := func(name, analyzer string) {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		dm.AddFieldMappingsAt(name, f)
	}
	text(fTitleEN, anEN)
	text(fBodyEN, anEN)
	text(fTitleZH, anZH)
	text(fBodyZH, anZH)
	text(fTitleZH1, anZH1)
	text(fCode, anCode)
	for _, k := range []string{fAudience, fKind, fLang, fIntents} {
		text(k, keyword.Name)
	}
	st := bleve.NewTextFieldMapping()
	st.Index = false
	st.Store = true
	st.IncludeInAll = false
	st.DocValues = false
	dm.AddFieldMappingsAt(fStored, st)
	im.DefaultMapping = dm
	im.DefaultAnalyzer = anEN
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im, nil
}

// indexDoc turns a Document into the field map bleve indexes.
func indexDoc(an analysers, d Document) (map[string]any, error) {
	title := []string{d.Title}
	title = append(title, d.Paraphrases...)
	body := d.Body
	if len(d.Tags) > 0 {
		body += "\n" + strings.Join(d.Tags, ", ")
	}
	codes := []string{strings.ToLower(d.ID)}
	if d.SKU != "" {
		codes = append(codes, strings.ToLower(d.SKU))
	}
	sd := storedDoc{
		ID: d.ID, Title: d.Title, Kind: d.Kind, Audience: string(d.Audience), Lang: d.Lang, URL: d.URL,
		Answer: d.answerText(), Intents: d.Intents, SKU: d.SKU,
		Match: strings.Join(title, "\n"),
	}
	if d.Kind == bot.KindProduct {
		sd.Product = &storedProduct{Category: d.Category, Description: d.Description, Price: d.Price,
			Currency: d.Currency, Tags: d.Tags, Attrs: d.Attrs}
	}
	match := sd.Match
	te, tz := an.analyse(match, false), an.analyse(match, true)
	sd.TitleEN, sd.TitlePosEN = strings.Join(te.terms, " "), te.pos
	sd.TitleZH, sd.TitlePosZH, sd.TitleZH1 = strings.Join(tz.terms, " "), tz.pos, strings.Join(tz.sec, " ")
	short := truncateRunes(body, maxRerankRunes)
	sd.BodyEN = strings.Join(an.terms(an.en, short), " ")
	sd.BodyZH = strings.Join(an.terms(an.zh, short), " ")
	raw, err := json.Marshal(&sd)
	if err != nil {
		return nil, fmt.Errorf("knowledge: encode %s: %w", d.ID, err)
	}
	intents := make([]string, 0, len(d.Intents))
	for _, in := range d.Intents {
		intents = append(intents, strings.ToLower(in))
	}
	return map[string]any{
		fTitleEN: title, fBodyEN: body,
		fTitleZH: title, fBodyZH: body, fTitleZH1: title,
		fCode: codes, fAudience: string(d.Audience), fKind: d.Kind, fLang: d.Lang,
		fIntents: intents, fStored: string(raw),
	}, nil
}

// ContentHash is the hash OpenOrBuild compares: it covers the documents, the
// synonyms and the index format.
func ContentHash(docs []Document, syn Synonyms) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "concierge-knowledge format %d\n", formatVersion)
	enc := json.NewEncoder(h)
	if err := enc.Encode(docs); err != nil {
		return "", fmt.Errorf("knowledge: hash documents: %w", err)
	}
	if err := enc.Encode(syn); err != nil {
		return "", fmt.Errorf("knowledge: hash synonyms: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Build (re)creates the index at path from docs. It writes a new index in a
// sibling temporary folder and renames it into place, so a reader of path
// never sees a half-built index and a failed build leaves the old one. Ids
// must be unique (Load guarantees it).
func Build(ctx context.Context, path string, docs []Document, opts BuildOptions) (*Index, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	docs = Tagged(docs, opts.Tag)
	hash, err := ContentHash(docs, opts.Synonyms)
	if err != nil {
		return nil, err
	}
	path = filepath.Clean(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("knowledge: build: %w", err)
	}
	tmp := path + ".building-" + randSuffix()
	if err := writeIndex(ctx, tmp, docs, hash, opts); err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	old := ""
	if _, err := os.Stat(path); err == nil {
		old = path + ".old-" + randSuffix()
		if err := os.Rename(path, old); err != nil {
			_ = os.RemoveAll(tmp)
			return nil, fmt.Errorf("knowledge: build: move old index aside: %w", err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		if old != "" {
			_ = os.Rename(old, path)
		}
		_ = os.RemoveAll(tmp)
		return nil, fmt.Errorf("knowledge: build: move new index into place: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			log.Warn("knowledge: could not remove the previous index", "path", old, "err", err)
		}
	}
	ix, err := Open(path)
	if err != nil {
		return nil, err
	}
	log.Info("knowledge index built", "path", path, "documents", len(docs), "seconds", time.Since(start).Seconds())
	return ix, nil
}

// writeIndex creates a complete index with its meta file at dir.
func writeIndex(ctx context.Context, dir string, docs []Document, hash string, opts BuildOptions) error {
	im, err := newMapping()
	if err != nil {
		return err
	}
	bi, err := bleve.New(dir, im)
	if err != nil {
		return fmt.Errorf("knowledge: create index: %w", err)
	}
	fail := func(err error) error {
		_ = bi.Close()
		return err
	}
	size := opts.BatchSize
	if size <= 0 {
		size = 5000
	}
	an := analysersOf(im)
	fields, err := prepareFields(ctx, an, docs)
	if err != nil {
		return fail(err)
	}
	batches := 0
	for start := 0; start < len(docs) || start == 0; start += size {
		end := min(start+size, len(docs))
		b := bi.NewBatch()
		for i := start; i < end; i++ {
			if err := b.Index(docs[i].ID, fields[i]); err != nil {
				return fail(fmt.Errorf("knowledge: index %s: %w", docs[i].ID, err))
			}
		}
		if err := ctx.Err(); err != nil {
			return fail(fmt.Errorf("knowledge: build: %w", err))
		}
		if err := bi.Batch(b); err != nil {
			return fail(fmt.Errorf("knowledge: index batch: %w", err))
		}
		batches++
		if opts.Progress != nil {
			opts.Progress(end, len(docs))
		}
		if end == len(docs) {
			break
		}
	}
	// One segment: every term query of a search then opens one posting list
	// instead of one per batch, which dominates query time otherwise.
	if batches > 1 {
		if adv, err := bi.Advanced(); err == nil {
			if sc, ok := adv.(*scorch.Scorch); ok {
				if err := sc.ForceMerge(ctx, nil); err != nil {
					return fail(fmt.Errorf("knowledge: merge index segments: %w", err))
				}
			}
		}
	}
	if err := bi.Close(); err != nil {
		return fmt.Errorf("knowledge: close new index: %w", err)
	}
	m := meta{Format: formatVersion, Hash: hash, Count: len(docs), Synonyms: opts.Synonyms, Built: time.Now().UTC()}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("knowledge: encode index meta: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, metaFile), raw, 0o644); err != nil {
		return fmt.Errorf("knowledge: write index meta: %w", err)
	}
	return nil
}

func randSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ErrNoIndex is returned (wrapped) by Open when path holds no knowledge
// index.
var ErrNoIndex = errors.New("no knowledge index")

// ErrLocked is returned (wrapped) by Open when another process holds the
// index locked for writing for longer than OpenLockWait.
var ErrLocked = errors.New("the knowledge index is locked by another process")

// OpenLockWait bounds how long Open waits for another process's write lock
// on the index files before failing with ErrLocked.
const OpenLockWait = 3 * time.Second

// Open opens an index written by Build. It fails with an error wrapping
// ErrNoIndex when path holds none, or one of another format version.
//
// An index is never written after Build, so Open opens it read-only: any
// number of processes (a running serve, search, chat) can open the same
// index at once, each taking a shared lock. Only a process holding an
// exclusive lock (an older binary that opened it for writing) can make Open
// wait, and then for at most OpenLockWait.
func Open(path string) (*Index, error) {
	raw, err := os.ReadFile(filepath.Join(path, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("knowledge: open %s: %w", path, ErrNoIndex)
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge: open %s: %w", path, err)
	}
	var m meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("knowledge: open %s: bad %s: %w", path, metaFile, err)
	}
	if m.Format != formatVersion {
		return nil, fmt.Errorf("knowledge: open %s: index format %d, want %d: %w", path, m.Format, formatVersion, ErrNoIndex)
	}
	bi, err := bleve.OpenUsing(path, map[string]any{"read_only": true, "bolt_timeout": OpenLockWait.String()})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("knowledge: open %s: waited %s: %w", path, OpenLockWait, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("knowledge: open %s: %w", path, err)
	}
	n, err := bi.DocCount()
	if err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("knowledge: open %s: count: %w", path, err)
	}
	ix := &Index{bi: bi, path: path, meta: m, syn: newSynonymSet(append(BuiltinSynonyms(), m.Synonyms...)), n: n, df: map[dfKey]float64{},
		avg: map[string]float64{}, an: analysersOf(bi.Mapping()), words: wordvec.English()}
	if err := ix.loadAverages(); err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("knowledge: open %s: %w", path, err)
	}
	return ix, nil
}

// loadAverages reads the average field lengths BM25 features need.
func (ix *Index) loadAverages() error {
	adv, err := ix.bi.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	br, ok := r.(index.BM25Reader)
	if !ok || ix.n == 0 {
		return nil
	}
	for _, f := range []string{fTitleEN, fBodyEN, fTitleZH, fBodyZH, fTitleZH1} {
		c, err := br.FieldCardinality(f)
		if err != nil {
			return err
		}
		ix.avg[f] = float64(c) / float64(ix.n)
	}
	return nil
}

// OpenOrBuild opens the index at path if it was built from exactly these
// documents and synonyms (their hash is stored beside the index), else
// rebuilds it. rebuilt says which happened. An index another process holds
// locked (ErrLocked) is not rebuilt: the error is returned.
func OpenOrBuild(ctx context.Context, path string, docs []Document, opts BuildOptions) (ix *Index, rebuilt bool, err error) {
	docs = Tagged(docs, opts.Tag)
	opts.Tag = nil // tagged once
	hash, err := ContentHash(docs, opts.Synonyms)
	if err != nil {
		return nil, false, err
	}
	if ix, err := Open(path); err == nil {
		if ix.meta.Hash == hash {
			return ix, false, nil
		}
		if err := ix.Close(); err != nil {
			return nil, false, err
		}
	} else if errors.Is(err, ErrLocked) {
		return nil, false, err // another process's index: not ours to replace
	} else if opts.Logger != nil && !errors.Is(err, ErrNoIndex) {
		opts.Logger.Warn("knowledge: existing index unreadable; rebuilding", "path", path, "err", err)
	}
	ix, err = Build(ctx, path, docs, opts)
	if err != nil {
		return nil, false, err
	}
	return ix, true, nil
}

// Count returns the number of documents in the index.
func (ix *Index) Count() (uint64, error) {
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, fmt.Errorf("knowledge: count: %w", err)
	}
	return n, nil
}

// Hash returns the content hash the index was built from (see ContentHash).
func (ix *Index) Hash() string { return ix.meta.Hash }

// Path returns the folder of the index.
func (ix *Index) Path() string { return ix.path }

// Close releases the index. Retrieve must not be called after Close.
func (ix *Index) Close() error {
	if err := ix.bi.Close(); err != nil {
		return fmt.Errorf("knowledge: close %s: %w", ix.path, err)
	}
	return nil
}

// prepareFields turns documents into bleve field maps on all CPUs.
func prepareFields(ctx context.Context, an analysers, docs []Document) ([]map[string]any, error) {
	out := make([]map[string]any, len(docs))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(docs)/64))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(docs); i += workers {
				if i%256 == 0 && ctx.Err() != nil {
					errs[w] = fmt.Errorf("knowledge: build: %w", ctx.Err())
					return
				}
				f, err := indexDoc(an, docs[i])
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = f
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
