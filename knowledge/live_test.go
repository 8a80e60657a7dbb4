package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// newLiveFixture writes the fixture content and starts a Live over it.
func newLiveFixture(t *testing.T, opts LiveOptions) (*Live, string) {
	t.Helper()
	content := filepath.Join(t.TempDir(), "content")
	writeFiles(t, content, fixture)
	opts.Content = content
	if opts.Dir == "" {
		opts.Dir = filepath.Join(t.TempDir(), "knowledge")
	}
	l, err := NewLive(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, content
}

func topID(t *testing.T, r bot.Retriever, q string) string {
	t.Helper()
	hits, err := r.Retrieve(context.Background(), bot.Query{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		return ""
	}
	return hits[0].ID
}

// TestLiveReindexUnderLoad replaces the index 100 times while queries run
// without pause: no query may fail or come back empty.
func TestLiveReindexUnderLoad(t *testing.T) {
	l, content := newLiveFixture(t, LiveOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	var queries, failures atomic.Int64
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	for _, q := range []struct{ text, want string }{
		{"how do I return an item", "faq-returns"},
		{"快递多久能到", "faq-zh-delivery"},
		{"my parcel never arrived", "shipping#lost-parcels"},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				hits, err := l.Retrieve(context.Background(), bot.Query{Text: q.text})
				queries.Add(1)
				if err != nil || len(hits) == 0 || hits[0].ID != q.want {
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%q: hits %v, err %v", q.text, hits, err))
				}
			}
		}()
	}
	faq := filepath.Join(content, "faq", "faq_en.csv")
	n := 100
	if testing.Short() {
		n = 10
	}
	for i := range n {
		extra := fmt.Sprintf("faq-extra,Question number %d?,Answer %d.,,,,\n", i, i)
		if err := os.WriteFile(faq, []byte(fixture["faq/faq_en.csv"]+extra), 0o644); err != nil {
			t.Fatal(err)
		}
		r := l.Reload(context.Background())
		if r.Err != nil || !r.Rebuilt || len(r.Problems) > 0 {
			t.Fatalf("reload %d: %+v", i, r)
		}
	}
	cancel()
	wg.Wait()
	if f := failures.Load(); f > 0 {
		t.Errorf("%d of %d queries failed during %d reindexes; first: %v", f, queries.Load(), n, firstFailure.Load())
	}
	if queries.Load() < 100 {
		t.Errorf("only %d queries ran during the reindexes", queries.Load())
	}
	t.Logf("%d queries during %d reindexes, %d failed or empty", queries.Load(), n, failures.Load())
	if got := topID(t, l, fmt.Sprintf("question number %d", n-1)); got != "faq-extra" {
		t.Errorf("after the last reload the top hit is %q, want faq-extra", got)
	}
	if gens := l.generations(); len(gens) != 1 {
		t.Errorf("%d index generations left on disk, want 1: %v", len(gens), gens)
	}
}

func TestLiveKeepsLastGoodVersion(t *testing.T) {
	l, content := newLiveFixture(t, LiveOptions{})
	faq := filepath.Join(content, "faq", "faq_en.csv")
	if err := os.WriteFile(faq, []byte("id,question\nbroken,row\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := l.Reload(context.Background())
	if r.Err != nil || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Error(), "faq/faq_en.csv:1") {
		t.Fatalf("reload of a broken file: %+v", r)
	}
	if r.Rebuilt {
		t.Errorf("a broken file with a last good version should not change the index")
	}
	if got := topID(t, l, "how do I return an item"); got != "faq-returns" {
		t.Errorf("with the FAQ file broken, top hit %q, want the last good faq-returns", got)
	}
	// A broken file does not stop other changes from going live.
	if err := os.WriteFile(filepath.Join(content, "faq", "new.csv"), []byte("id,question,answer\nfaq-gift,Do you wrap gifts?,Yes for free.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := l.Reload(context.Background()); r.Err != nil || !r.Rebuilt {
		t.Fatalf("reload with a new file: %+v", r)
	}
	if got := topID(t, l, "do you wrap gifts"); got != "faq-gift" {
		t.Errorf("new file not served: top hit %q", got)
	}
	if got := topID(t, l, "how do I return an item"); got != "faq-returns" {
		t.Errorf("last good version lost after another change: top hit %q", got)
	}
	// Fixing the file clears the problem; removing everything keeps the index.
	if err := os.WriteFile(faq, []byte("id,question,answer\nfaq-new,What is new?,This.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := l.Reload(context.Background()); r.Err != nil || len(r.Problems) > 0 || !r.Rebuilt {
		t.Fatalf("reload after the fix: %+v", r)
	}
	if got := topID(t, l, "how do I return an item"); got == "faq-returns" {
		t.Errorf("a removed entry is still served")
	}
	if err := os.RemoveAll(content); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(content, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := l.Reload(context.Background()); r.Err == nil {
		t.Errorf("reload of an empty content directory succeeded: %+v", r)
	}
	if n, err := l.Count(); err != nil || n == 0 {
		t.Errorf("after an empty reload Count = %d, %v; want the previous index", n, err)
	}
}

func TestLiveReopensOnRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "knowledge")
	var reloads []Reload
	l, content := newLiveFixture(t, LiveOptions{Dir: dir, OnReload: func(r Reload) { reloads = append(reloads, r) }})
	l.Close()
	l2, err := NewLive(context.Background(), LiveOptions{Content: content, Dir: dir, OnReload: func(r Reload) { reloads = append(reloads, r) }})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if len(reloads) != 2 || !reloads[0].Rebuilt || reloads[1].Rebuilt {
		t.Errorf("reloads = %+v; want a build, then a reopen of the same index", reloads)
	}
	if _, err := l.Retrieve(context.Background(), bot.Query{Text: "tea"}); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("Retrieve after Close: err %v, want %s", err, bot.EUNAVAILABLE)
	}
}

func TestLiveWatchesContent(t *testing.T) {
	done := make(chan Reload, 16)
	l, content := newLiveFixture(t, LiveOptions{Debounce: 20 * time.Millisecond, OnReload: func(r Reload) { done <- r }})
	select {
	case <-done: // the initial load
	case <-time.After(30 * time.Second):
		t.Fatal("no initial load within 30 s")
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- l.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-runErr:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return within 10 s of its context being cancelled")
		}
	}()
	// Give the watcher a moment to be set up, then write until a reload
	// brings the new entry in (writes before the watch starts are missed).
	sub := filepath.Join(content, "faq", "more")
	deadline := time.After(30 * time.Second)
	for i := 0; ; i++ {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		data := fmt.Sprintf("id,question,answer\nfaq-watch,Can I visit the warehouse?,\"Yes, version %d.\"\n", i)
		if err := os.WriteFile(filepath.Join(sub, "watch.csv"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-done:
			if r.Err != nil {
				t.Fatalf("reload: %v", r.Err)
			}
			if topID(t, l, "can I visit the warehouse") == "faq-watch" {
				return
			}
		case <-time.After(500 * time.Millisecond):
		case <-deadline:
			t.Fatal("no reload after writing to the content directory")
		}
	}
}
