package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/concierge-bot/concierge/bot"
)

// LiveOptions configures a Live knowledge base.
type LiveOptions struct {
	// Content is the content directory to load and watch. Required.
	Content string
	// Dir is the folder that holds the index generations, e.g.
	// <data>/knowledge. Required; created when missing.
	Dir string
	// Logger receives load problems and reloads; nil discards them.
	Logger *slog.Logger
	// Debounce is how long the content must stay unchanged before a reload;
	// <= 0 means 300 ms.
	Debounce time.Duration
	// Progress, when set, receives build progress (see BuildOptions).
	Progress func(done, total int)
	// OnReload, when set, is called after every reload attempt with its
	// outcome.
	OnReload func(Reload)
	// Tag, optional, tags documents with intents (see BuildOptions.Tag).
	Tag func(d Document) []string
}

// Reload is the outcome of one reload of a Live knowledge base.
type Reload struct {
	Documents int     // documents in the index now serving
	Problems  []error // broken files and rows (each a *Problem); their last good version stays
	Rebuilt   bool    // a new index replaced the previous one
	Err       error   // the reload failed; the previous index keeps serving
}

// generation is one index a Live serves, with a lock that lets it be
// closed only when no query is using it.
type generation struct {
	ix     *Index
	mu     sync.RWMutex
	closed bool
}

// Live is a knowledge base that follows a content directory: it implements
// bot.Retriever over the current index, and on change (see Run) loads the
// content, builds a new index beside the old one and swaps it in atomically.
// Queries never see a half-built index: each runs entirely on one
// generation, and a replaced generation is closed only after its last query
// ends. A broken file is reported and the last good version of that file
// stays in the index. Live is safe for concurrent use.
type Live struct {
	opts LiveOptions
	log  *slog.Logger
	cur  atomic.Pointer[generation]

	reloadMu sync.Mutex            // one reload at a time
	good     map[string][]Document // last good documents per content file
	seq      int64                 // last generation number
	problems atomic.Pointer[[]error]
	docs     atomic.Pointer[Snapshot] // the documents of the index serving now
}

// Snapshot is the documents of one index generation and the content hash
// they were indexed with (see ContentHash): equal hashes, equal documents.
type Snapshot struct {
	Docs []Document // in Load's order; shared, never to be modified
	Hash string
}

// Documents returns the documents of the index serving now, for listings
// such as the help center; callers must not modify them.
func (l *Live) Documents() Snapshot {
	if s := l.docs.Load(); s != nil {
		return *s
	}
	return Snapshot{}
}

// NewLive loads the content and opens the matching index in opts.Dir, or
// builds it, and returns a Live serving it. Call Run to follow changes and
// Close when done. It fails only when no index can be served at all.
func NewLive(ctx context.Context, opts LiveOptions) (*Live, error) {
	if opts.Content == "" || opts.Dir == "" {
		return nil, errors.New("knowledge: NewLive: Content and Dir are required")
	}
	bot.SetDefault(&opts.Debounce, 300*time.Millisecond)
	l := &Live{opts: opts, log: opts.Logger, good: map[string][]Document{}}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("knowledge: NewLive: %w", err)
	}
	r := l.reload(ctx, true)
	if r.Err != nil {
		return nil, r.Err
	}
	return l, nil
}

// Retrieve implements bot.Retriever on the index serving now.
func (l *Live) Retrieve(ctx context.Context, q bot.Query) (hits []bot.Hit, err error) {
	err = l.current(func(ix *Index) error {
		hits, err = ix.Retrieve(ctx, q)
		return err
	})
	return hits, err
}

// Document implements bot.DocumentGetter on the index serving now.
func (l *Live) Document(ctx context.Context, id string, audiences []bot.Audience) (h bot.Hit, ok bool, err error) {
	err = l.current(func(ix *Index) error {
		h, ok, err = ix.Document(ctx, id, audiences)
		return err
	})
	return h, ok, err
}

// Answer implements bot.Catalog on the index serving now (see
// Index.Answer): after a reload it answers from the new content.
func (l *Live) Answer(ctx context.Context, q bot.Query) (bot.CatalogAnswer, error) {
	var a bot.CatalogAnswer
	err := l.current(func(ix *Index) (err error) {
		a, err = ix.Answer(ctx, q)
		return err
	})
	return a, err
}

// current runs fn with the index serving now, which stays open until fn
// returns; an index replaced meanwhile is skipped for its successor.
func (l *Live) current(fn func(ix *Index) error) error {
	for {
		g := l.cur.Load()
		if g == nil {
			return bot.Errorf(bot.EUNAVAILABLE, "The knowledge base is closed.")
		}
		g.mu.RLock()
		if g.closed {
			g.mu.RUnlock()
			if l.cur.Load() == g { // Live itself was closed
				return bot.Errorf(bot.EUNAVAILABLE, "The knowledge base is closed.")
			}
			continue // replaced meanwhile: use the new one
		}
		err := fn(g.ix)
		g.mu.RUnlock()
		return err
	}
}

// Count returns the number of documents in the index serving now.
func (l *Live) Count() (uint64, error) {
	g := l.cur.Load()
	if g == nil {
		return 0, errors.New("knowledge: live index is closed")
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.closed {
		return 0, errors.New("knowledge: live index was replaced; try again")
	}
	return g.ix.Count()
}

// Problems returns the content problems found by the last reload.
func (l *Live) Problems() []error {
	if p := l.problems.Load(); p != nil {
		return *p
	}
	return nil
}

// Reload loads the content now and, if it changed, builds and swaps in a
// new index. It is what Run calls after a change; tests and commands may
// call it directly.
func (l *Live) Reload(ctx context.Context) Reload { return l.reload(ctx, false) }

func (l *Live) reload(ctx context.Context, first bool) (r Reload) {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	defer func() {
		if r.Err != nil {
			l.log.Error("knowledge: reload failed; the previous index stays", "err", r.Err)
		}
		if l.opts.OnReload != nil {
			l.opts.OnReload(r)
		}
	}()
	fsys := os.DirFS(l.opts.Content)
	docs, probs, err := Load(fsys)
	if err != nil {
		return Reload{Err: err}
	}
	syn, serr := LoadSynonyms(fsys)
	if serr != nil {
		probs = append(probs, serr)
		syn = nil
		if prev := l.cur.Load(); prev != nil {
			syn = prev.ix.meta.Synonyms // keep the last good synonyms
		}
	}
	docs = l.keepLastGood(docs, probs)
	l.problems.Store(&probs)
	for _, p := range probs {
		l.log.Warn("knowledge: content problem", "problem", p.Error())
	}
	r.Problems = probs
	if len(docs) == 0 && !first {
		r.Err = fmt.Errorf("knowledge: %s has no loadable documents; keeping the previous index", l.opts.Content)
		return r
	}
	docs = Tagged(docs, l.opts.Tag)
	hash, err := ContentHash(docs, syn)
	if err != nil {
		r.Err = err
		return r
	}
	if g := l.cur.Load(); g != nil && g.ix.Hash() == hash {
		r.Documents = len(docs)
		return r // nothing changed
	}
	defer func() {
		if r.Err == nil {
			l.docs.Store(&Snapshot{Docs: docs, Hash: hash})
		}
	}()
	var ix *Index
	if first {
		ix = l.openExisting(hash)
	}
	if ix == nil {
		l.seq = max(l.seq+1, time.Now().UnixNano())
		path := filepath.Join(l.opts.Dir, "gen-"+strconv.FormatInt(l.seq, 10))
		ix, err = Build(ctx, path, docs, BuildOptions{Synonyms: syn, Logger: l.log, Progress: l.opts.Progress})
		if err != nil {
			r.Err = err
			return r
		}
		r.Rebuilt = true
	}
	old := l.cur.Swap(&generation{ix: ix})
	if old != nil {
		l.retire(old)
	}
	l.removeStale(ix.Path())
	r.Documents = len(docs)
	l.log.Info("knowledge: index serving", "path", ix.Path(), "documents", len(docs), "rebuilt", r.Rebuilt, "problems", len(probs))
	return r
}

// keepLastGood replaces the documents of files with problems by the last
// good version of those files, when there is one, and remembers the good
// files.
func (l *Live) keepLastGood(docs []Document, probs []error) []Document {
	broken := map[string]bool{}
	for _, p := range probs {
		var pr *Problem
		if errors.As(p, &pr) {
			broken[pr.File] = true
		}
	}
	byFile := map[string][]Document{}
	var order []string
	for _, d := range docs {
		if _, ok := byFile[d.Source]; !ok {
			order = append(order, d.Source)
		}
		byFile[d.Source] = append(byFile[d.Source], d)
	}
	for f := range broken {
		if prev, ok := l.good[f]; ok {
			if _, seen := byFile[f]; !seen {
				order = append(order, f)
			}
			byFile[f] = prev
		}
	}
	sort.Strings(order)
	seen := map[string]bool{}
	var out []Document
	for _, f := range order {
		if !broken[f] {
			l.good[f] = byFile[f]
		}
		for _, d := range byFile[f] {
			if !seen[d.ID] {
				seen[d.ID] = true
				out = append(out, d)
			}
		}
	}
	for f := range l.good { // files that were removed
		if _, ok := byFile[f]; !ok && !broken[f] {
			delete(l.good, f)
		}
	}
	return out
}

// openExisting opens the newest generation in Dir built from hash, if any.
func (l *Live) openExisting(hash string) *Index {
	gens := l.generations()
	for i := len(gens) - 1; i >= 0; i-- {
		ix, err := Open(filepath.Join(l.opts.Dir, gens[i]))
		if err != nil {
			continue
		}
		if ix.Hash() == hash {
			if n, err := strconv.ParseInt(strings.TrimPrefix(gens[i], "gen-"), 10, 64); err == nil {
				l.seq = max(l.seq, n)
			}
			return ix
		}
		_ = ix.Close()
	}
	return nil
}

// generations lists the generation folders in Dir, oldest first.
func (l *Live) generations() []string {
	entries, err := os.ReadDir(l.opts.Dir)
	if err != nil {
		return nil
	}
	var gens []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && !strings.Contains(e.Name(), ".") {
			gens = append(gens, e.Name())
		}
	}
	sort.Slice(gens, func(i, j int) bool {
		a, _ := strconv.ParseInt(strings.TrimPrefix(gens[i], "gen-"), 10, 64)
		b, _ := strconv.ParseInt(strings.TrimPrefix(gens[j], "gen-"), 10, 64)
		return a < b
	})
	return gens
}

// removeStale deletes generation folders other than keep (left by earlier
// runs or failed builds).
func (l *Live) removeStale(keep string) {
	entries, err := os.ReadDir(l.opts.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(l.opts.Dir, e.Name())
		if e.IsDir() && strings.HasPrefix(e.Name(), "gen-") && p != keep {
			if err := os.RemoveAll(p); err != nil {
				l.log.Warn("knowledge: could not remove an old index", "path", p, "err", err)
			}
		}
	}
}

// retire closes a replaced generation once its queries have finished.
func (l *Live) retire(g *generation) {
	g.mu.Lock()
	g.closed = true
	err := g.ix.Close()
	g.mu.Unlock()
	if err != nil {
		l.log.Warn("knowledge: closing the previous index", "err", err)
	}
}

// Run watches the content directory and reloads after each burst of
// changes, until ctx is done. Reload failures are logged and reported to
// OnReload; Run itself fails only when the directory cannot be watched.
func (l *Live) Run(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("knowledge: watch %s: %w", l.opts.Content, err)
	}
	defer w.Close()
	if err := l.watchTree(w, l.opts.Content); err != nil {
		return err
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if strings.HasPrefix(filepath.Base(ev.Name), ".") {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					if err := l.watchTree(w, ev.Name); err != nil {
						l.log.Warn("knowledge: watch new folder", "err", err)
					}
				}
			}
			timer.Reset(l.opts.Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			l.log.Warn("knowledge: watcher", "err", err)
			timer.Reset(l.opts.Debounce) // events may have been lost
		case <-timer.C:
			l.Reload(ctx)
		}
	}
}

// watchTree adds root and its sub-folders (not hidden ones) to w.
func (l *Live) watchTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("knowledge: watch %s: %w", p, err)
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := w.Add(p); err != nil {
			return fmt.Errorf("knowledge: watch %s: %w", p, err)
		}
		return nil
	})
}

// Close closes the serving index; queries after Close fail with
// bot.EUNAVAILABLE. Stop Run (cancel its context) first.
func (l *Live) Close() error {
	l.reloadMu.Lock()
	defer l.reloadMu.Unlock()
	g := l.cur.Load()
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.ix.Close()
}

// Cover implements bot.Coverage with the index serving now; no judgement
// when the knowledge base is closed.
func (l *Live) Cover(question string, h bot.Hit, lang string) (c bot.CoverCheck) {
	_ = l.current(func(ix *Index) error {
		c = ix.Cover(question, h, lang)
		return nil
	})
	return c
}
