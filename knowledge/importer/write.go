package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Outcome is what writing one page did.
type Outcome int

// Outcomes of Writer.Put.
const (
	Unchanged Outcome = iota // the file already held this content
	Added                    // a new file
	Changed                  // the file was rewritten
)

// ErrHandWritten is returned (wrapped) when a page would replace a content
// file that the importer did not write.
var ErrHandWritten = errors.New("a page not written by import is there; it is left alone")

// Writer writes pages into a content directory, each at <id>.md, rewriting
// a file only when the page's hash differs from the one in its front
// matter. It never replaces or removes a file without source_url or
// source_file in its front matter. Files are replaced atomically (a hidden
// temporary file renamed into place), so a watcher never reads half a page.
// It is safe for concurrent use.
type Writer struct {
	Dir string
	// Now is the clock for the imported time; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	claims map[string]string // id → source, for this writer's life
}

// source is what a page was made from.
func (p Page) source() string {
	if p.SourceURL != "" {
		return p.SourceURL
	}
	return p.SourceFile
}

func (w *Writer) path(id string) string {
	return filepath.Join(w.Dir, filepath.FromSlash(id)+".md")
}

// Put writes p unless its file already holds the same content. When
// another source already has p's id (two URLs that slug alike), p gets the
// id with a short hash of its source appended; the id written is returned.
func (w *Writer) Put(p Page) (id string, o Outcome, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.claims == nil {
		w.claims = map[string]string{}
	}
	src := p.source()
	for try := 0; try < 2; try++ {
		if try == 1 {
			sum := sha256.Sum256([]byte(src))
			p.ID = p.ID + "-" + hex.EncodeToString(sum[:3])
		}
		if c, ok := w.claims[p.ID]; ok && c != src {
			continue
		}
		old, err := os.ReadFile(w.path(p.ID))
		if errors.Is(err, fs.ErrNotExist) {
			if err := w.write(p); err != nil {
				return "", 0, err
			}
			w.claims[p.ID] = src
			return p.ID, Added, nil
		}
		if err != nil {
			return "", 0, fmt.Errorf("read %s: %w", w.path(p.ID), err)
		}
		fm, ok := readFrontMatter(old)
		if !ok || (fm.SourceURL == "" && fm.SourceFile == "") {
			return "", 0, fmt.Errorf("%s: %w", w.path(p.ID), ErrHandWritten)
		}
		if fm.SourceURL+fm.SourceFile != src {
			if _, mine := w.claims[p.ID]; !mine {
				// Written earlier from another source that may be gone:
				// the first claim this run wins.
				if err := w.write(p); err != nil {
					return "", 0, err
				}
				w.claims[p.ID] = src
				return p.ID, Changed, nil
			}
			continue
		}
		w.claims[p.ID] = src
		if fm.Hash == p.Hash() {
			return p.ID, Unchanged, nil
		}
		if err := w.write(p); err != nil {
			return "", 0, err
		}
		return p.ID, Changed, nil
	}
	return "", 0, fmt.Errorf("id %s is taken by another source", p.ID)
}

func (w *Writer) write(p Page) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	dst := w.path(p.ID)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("create folder for %s: %w", dst, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".import-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	_, err = tmp.Write(p.Markdown(now()))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

// Remove deletes the page with id if the importer wrote it; a missing file
// is not an error.
func (w *Writer) Remove(id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.path(id)
	old, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fm, ok := readFrontMatter(old); !ok || (fm.SourceURL == "" && fm.SourceFile == "") {
		return fmt.Errorf("%s: %w", p, ErrHandWritten)
	}
	if err := os.Remove(p); err != nil {
		return err
	}
	// Remove folders left empty, up to the content directory.
	for dir := filepath.Dir(p); dir != filepath.Clean(w.Dir) && strings.HasPrefix(dir, filepath.Clean(w.Dir)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	delete(w.claims, id)
	return nil
}
