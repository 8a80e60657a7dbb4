package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Source is one scheduled import.
type Source struct {
	// Location is a page or sitemap URL, a file or a folder.
	Location string
	// Every is the time between two imports; <= 0 means 24 hours.
	Every time.Duration
	// Audience and Lang are as in Options.
	Audience, Lang string
	// Fetch bounds the crawl (MaxDepth, MaxPages, ...).
	Fetch FetchOptions
	// Grace overrides SyncOptions.Grace for this source when > 0.
	Grace time.Duration
}

// SyncOptions configure a Syncer.
type SyncOptions struct {
	// Into is the content directory. Required.
	Into string
	// State is the file that remembers each source's last run and the
	// pages whose source went missing, across restarts. Required; keep it
	// outside the content directory.
	State string
	// Grace is how long a page's source must stay gone (not found, or no
	// longer listed) before the page is removed. Default 72 hours.
	Grace   time.Duration
	Sources []Source
	// Logger receives each run's summary; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Syncer re-imports sources on their schedules, writing only what changed
// and removing pages whose source has been gone for the grace period.
type Syncer struct {
	opts SyncOptions
	log  *slog.Logger
	w    *Writer

	mu    sync.Mutex
	state syncState
}

// syncState is what the state file holds.
type syncState struct {
	Sources map[string]*sourceState `json:"sources"`
}

type sourceState struct {
	LastRun time.Time `json:"last_run"`
	// Pages maps the ids the source produced to the time their source was
	// first found missing (zero while it is there).
	Pages map[string]time.Time `json:"pages"`
}

// NewSyncer returns a Syncer, reading its state file when there is one.
func NewSyncer(o SyncOptions) (*Syncer, error) {
	if o.Into == "" || o.State == "" {
		return nil, errors.New("importer: NewSyncer: Into and State are required")
	}
	if o.Grace <= 0 {
		o.Grace = 72 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Syncer{opts: o, log: o.Logger, w: &Writer{Dir: o.Into, Now: o.Now}, state: syncState{Sources: map[string]*sourceState{}}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	raw, err := os.ReadFile(o.State)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &s.state); err != nil {
			s.log.Warn("import: the sync state is unreadable; starting afresh", "file", o.State, "err", err)
			s.state = syncState{}
		}
		if s.state.Sources == nil {
			s.state.Sources = map[string]*sourceState{}
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("importer: read sync state: %w", err)
	}
	return s, nil
}

// Run imports each source when it is due — at once if it never ran or its
// last run is older than its period — until ctx is done.
func (s *Syncer) Run(ctx context.Context) error {
	if len(s.opts.Sources) == 0 {
		return nil
	}
	for {
		next := time.Time{}
		for i, src := range s.opts.Sources {
			due := s.lastRun(src).Add(every(src))
			if !due.After(s.opts.Now()) {
				if _, err := s.SyncOnce(ctx, i); err != nil && ctx.Err() == nil {
					s.log.Warn("import: sync failed; trying again at the next period", "source", src.Location, "err", err)
				}
				due = s.opts.Now().Add(every(src))
			}
			if ctx.Err() != nil {
				return nil
			}
			if next.IsZero() || due.Before(next) {
				next = due
			}
		}
		t := time.NewTimer(max(time.Until(next), time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func every(src Source) time.Duration {
	if src.Every <= 0 {
		return 24 * time.Hour
	}
	return src.Every
}

func (s *Syncer) lastRun(src Source) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.state.Sources[src.Location]; st != nil {
		return st.LastRun
	}
	return time.Time{}
}

// SyncOnce imports source i now, removes the pages of that source whose
// document has been gone for the grace period, and records the run. A
// source that cannot be reached at all removes nothing.
func (s *Syncer) SyncOnce(ctx context.Context, i int) (Summary, error) {
	src := s.opts.Sources[i]
	im := &run{opts: Options{Into: s.opts.Into, Audience: src.Audience, Lang: src.Lang, Fetch: src.Fetch, Now: s.opts.Now},
		w: s.w, log: s.log}
	var err error
	if IsWeb(src.Location) {
		err = im.web(ctx, src.Location)
	} else {
		err = im.local(ctx, src.Location)
	}
	sum := im.sum
	now := s.opts.Now()
	grace := s.opts.Grace
	if src.Grace > 0 {
		grace = src.Grace
	}
	s.mu.Lock()
	st := s.state.Sources[src.Location]
	if st == nil {
		st = &sourceState{Pages: map[string]time.Time{}}
		s.state.Sources[src.Location] = st
	}
	st.LastRun = now
	if err == nil {
		seen := sum.seen()
		for id := range seen {
			st.Pages[id] = time.Time{}
		}
		ids := make([]string, 0, len(st.Pages))
		for id := range st.Pages {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if seen[id] {
				continue
			}
			since := st.Pages[id]
			switch {
			case since.IsZero():
				st.Pages[id] = now
				s.log.Info("import: a page's source is gone; the page is removed after the grace period",
					"source", src.Location, "page", id, "grace", grace)
			case now.Sub(since) >= grace:
				if rerr := s.w.Remove(id); rerr != nil {
					s.log.Warn("import: removing a page whose source is gone", "page", id, "err", rerr)
					continue
				}
				delete(st.Pages, id)
				sum.Removed = append(sum.Removed, id)
				s.log.Info("import: removed a page whose source has been gone since "+since.Format(time.RFC3339),
					"source", src.Location, "page", id)
			}
		}
	}
	serr := s.saveLocked()
	s.mu.Unlock()
	level := slog.LevelInfo
	if err != nil || len(sum.Failed) > 0 {
		level = slog.LevelWarn
	}
	attrs := []any{"source", src.Location, "added", len(sum.Added), "changed", len(sum.Changed),
		"unchanged", len(sum.Unchanged), "failed", len(sum.Failed), "removed", len(sum.Removed)}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	for i, f := range sum.Failed {
		if i == 5 {
			break
		}
		attrs = append(attrs, fmt.Sprintf("failure%d", i+1), f.Error())
	}
	s.log.Log(ctx, level, "import: sync", attrs...)
	if err == nil {
		err = serr
	}
	return sum, err
}

// saveLocked writes the state file atomically.
func (s *Syncer) saveLocked() error {
	raw, err := json.MarshalIndent(s.state, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.opts.State), 0o755); err != nil {
		return fmt.Errorf("importer: save sync state: %w", err)
	}
	tmp := s.opts.State + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		return fmt.Errorf("importer: save sync state: %w", err)
	}
	if err := os.Rename(tmp, s.opts.State); err != nil {
		return fmt.Errorf("importer: save sync state: %w", err)
	}
	return nil
}
