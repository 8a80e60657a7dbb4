package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// Options configure an import.
type Options struct {
	// Into is the content directory pages are written to. Required.
	Into string
	// Audience of the pages: "public" or "internal". Empty means public,
	// except files under a folder named internal.
	Audience string
	// Lang of the pages: "en", "zh", or "auto"/"" to detect per page.
	Lang string
	// Fetch bounds fetching from the web.
	Fetch FetchOptions
	// Progress, when set, is called after each document with the number
	// done and the number known so far (it grows while a crawl finds
	// links).
	Progress func(done, total int)
	// Logger receives each document's outcome at Debug level; nil discards.
	Logger *slog.Logger
	// Now is the clock for the imported time; nil means time.Now.
	Now func() time.Time
}

// Failure is a document that could not be imported, and why.
type Failure struct {
	Source string // the URL or file
	Reason string
	// Gone is true when the source no longer exists (HTTP 404 or 410).
	Gone bool
	// ID is the page the source would have been written to, when known.
	ID string
}

func (f Failure) Error() string { return f.Source + ": " + f.Reason }

// Summary is what an import did. Ids are sorted.
type Summary struct {
	Added, Changed, Unchanged []string
	Failed                    []Failure
	// Removed lists pages Sync removed because their source was gone for
	// longer than the grace period.
	Removed []string
}

// Total is the number of documents the import looked at.
func (s Summary) Total() int {
	return len(s.Added) + len(s.Changed) + len(s.Unchanged) + len(s.Failed)
}

// String is a one-line summary: "3 added, 1 changed, 12 unchanged, 2 failed".
func (s Summary) String() string {
	out := fmt.Sprintf("%d added, %d changed, %d unchanged, %d failed", len(s.Added), len(s.Changed), len(s.Unchanged), len(s.Failed))
	if len(s.Removed) > 0 {
		out += fmt.Sprintf(", %d removed", len(s.Removed))
	}
	return out
}

// seen lists the ids the import still accounts for: written, unchanged, or
// failed for a reason other than the source being gone.
func (s Summary) seen() map[string]bool {
	m := map[string]bool{}
	for _, l := range [][]string{s.Added, s.Changed, s.Unchanged} {
		for _, id := range l {
			m[id] = true
		}
	}
	for _, f := range s.Failed {
		if !f.Gone && f.ID != "" {
			m[f.ID] = true
		}
	}
	return m
}

// IsWeb reports whether source is an http or https URL (else a file or
// folder).
func IsWeb(source string) bool {
	s := strings.ToLower(strings.TrimSpace(source))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Import imports one source — a web page URL, a sitemap URL (its pages),
// a file or a folder (its HTML, PDF, DOCX, Markdown and text files) — into
// opts.Into. A document that cannot be fetched or converted is a Failure in
// the summary and the rest go on; err is for what stops the whole import
// (an unusable source or content directory, a cancelled context).
func Import(ctx context.Context, source string, opts Options) (Summary, error) {
	if strings.TrimSpace(opts.Into) == "" {
		return Summary{}, errors.New("no content directory to import into")
	}
	switch opts.Audience {
	case "", "public", "internal":
	default:
		return Summary{}, fmt.Errorf("audience %q must be public or internal", opts.Audience)
	}
	switch opts.Lang {
	case "", "auto", "en", "zh":
	default:
		return Summary{}, fmt.Errorf("lang %q must be en, zh or auto", opts.Lang)
	}
	if err := os.MkdirAll(opts.Into, 0o755); err != nil {
		return Summary{}, fmt.Errorf("content directory %s: %w", opts.Into, err)
	}
	im := &run{opts: opts, w: &Writer{Dir: opts.Into, Now: opts.Now}, log: opts.Logger}
	if im.log == nil {
		im.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if IsWeb(source) {
		err = im.web(ctx, source)
	} else {
		err = im.local(ctx, source)
	}
	s := im.sum
	for _, l := range []*[]string{&s.Added, &s.Changed, &s.Unchanged} {
		sort.Strings(*l)
	}
	sort.Slice(s.Failed, func(i, j int) bool { return s.Failed[i].Source < s.Failed[j].Source })
	return s, err
}

// run is one import in progress.
type run struct {
	opts  Options
	w     *Writer
	log   *slog.Logger
	sum   Summary
	done  int
	total int
}

func (im *run) progress() {
	if im.opts.Progress != nil {
		im.opts.Progress(im.done, max(im.total, im.done))
	}
}

// importEach imports a list of items known in advance, in order, with one:
// it makes their number the total the progress reports, reports it, and
// returns ctx's error when ctx ends before an item, or one's first error.
func importEach[T any](ctx context.Context, im *run, items []T, one func(T) error) error {
	im.total = len(items)
	im.progress()
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := one(it); err != nil {
			return err
		}
	}
	return nil
}

func (im *run) fail(src, id string, gone bool, format string, args ...any) {
	f := Failure{Source: src, ID: id, Gone: gone, Reason: fmt.Sprintf(format, args...)}
	im.sum.Failed = append(im.sum.Failed, f)
	im.log.Debug("import failed", "source", src, "reason", f.Reason)
}

// put converts and writes one document.
func (im *run) put(ctx context.Context, p Page, err error) {
	defer func() { im.done++; im.progress() }()
	src := p.source()
	if err != nil {
		im.fail(src, p.ID, false, "%s", err.Error())
		return
	}
	if p.Audience == "" {
		// As for hand-written pages: a document under a folder named
		// internal is for employees unless the import says otherwise.
		p.Audience = "public"
		if p.SourceFile != "" && underInternal(p.ID) {
			p.Audience = "internal"
		}
	}
	id, o, err := im.w.Put(p)
	if err != nil {
		im.fail(src, p.ID, false, "%s", err.Error())
		return
	}
	switch o {
	case Added:
		im.sum.Added = append(im.sum.Added, id)
	case Changed:
		im.sum.Changed = append(im.sum.Changed, id)
	default:
		im.sum.Unchanged = append(im.sum.Unchanged, id)
	}
	im.log.Debug("imported", "source", src, "id", id, "outcome", o)
}

func (im *run) convertOpts(base *url.URL) convertOptions {
	return convertOptions{Lang: im.opts.Lang, Audience: im.opts.Audience, BaseURL: base}
}

// local imports a file or every supported file under a folder.
func (im *run) local(ctx context.Context, source string) error {
	fi, err := os.Stat(source)
	if err != nil {
		return fmt.Errorf("%s cannot be read: %w", source, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		im.total = 1
		im.file(ctx, source, fileStem(source))
		return ctx.Err()
	}
	var files []string
	absInto, _ := filepath.Abs(im.opts.Into)
	err = filepath.WalkDir(source, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != source && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if abs, _ := filepath.Abs(p); abs == absInto {
				return fs.SkipDir // never import our own output
			}
			return nil
		}
		if d.Type().IsRegular() && supportedFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s cannot be read: %w", source, err)
	}
	return importEach(ctx, im, files, func(f string) error {
		rel, _ := filepath.Rel(source, f)
		rel = filepath.ToSlash(rel)
		im.file(ctx, f, strings.TrimSuffix(rel, path.Ext(rel)))
		return nil
	})
}

// supportedFile reports whether a file's extension is one Import reads.
func supportedFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml", ".pdf", ".docx", ".md", ".markdown", ".txt", ".text":
		return true
	}
	return false
}

// file imports one file as the page id derived from rel.
func (im *run) file(ctx context.Context, name, rel string) {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	p := Page{ID: idFromPath(rel), SourceFile: filepath.ToSlash(abs)}
	fi, err := os.Stat(name)
	if err == nil && fi.Size() > MaxInputBytes {
		im.put(ctx, p, fmt.Errorf("file is too large (%d MB; the limit is %d MB)", fi.Size()>>20, MaxInputBytes>>20))
		return
	}
	data, err := os.ReadFile(name)
	if err != nil {
		im.put(ctx, p, fmt.Errorf("cannot be read: %w", errors.Unwrap(err)))
		return
	}
	f, err := FormatOf(name, "", data[:min(len(data), 512)])
	if err != nil {
		im.put(ctx, p, err)
		return
	}
	c, err := Convert(ctx, f, data, im.convertOpts(nil))
	c.ID, c.SourceFile = p.ID, p.SourceFile
	im.put(ctx, c, err)
}

// urlID is the page id of a web page: its host (without "www." and port)
// and path, with a slug of the query when there is one.
func urlID(u *url.URL) string {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	p := strings.TrimSuffix(u.Path, "/")
	p = strings.TrimSuffix(p, path.Ext(p))
	if p == "" {
		p = "index"
	}
	if u.RawQuery != "" {
		p += "-" + u.RawQuery
	}
	return idFromPath(host, p)
}

// web imports a page, a crawl from it, or the pages of a sitemap.
func (im *run) web(ctx context.Context, source string) error {
	start, err := parseWebURL(source)
	if err != nil {
		return err
	}
	f, err := NewFetcher([]string{start.String()}, im.opts.Fetch)
	if err != nil {
		return err
	}
	fo := f.opts
	doc, err := f.Get(ctx, start)
	if err != nil {
		var fe *FetchError
		if errors.As(err, &fe) && ctx.Err() == nil {
			return fmt.Errorf("%s: %s", start, fe.Msg)
		}
		return err
	}
	if urls, ok := sitemapURLs(doc.Body); ok {
		return im.sitemap(ctx, f, start, urls, fo)
	}
	// A page, and the pages it links to within MaxDepth.
	type item struct {
		u     *url.URL
		depth int
		doc   *Fetched
	}
	queue := []item{{u: start, doc: doc}}
	seen := map[string]bool{canonical(start): true}
	im.total = 1
	for len(queue) > 0 && im.done < fo.MaxPages {
		if err := ctx.Err(); err != nil {
			return err
		}
		it := queue[0]
		queue = queue[1:]
		if it.doc == nil {
			d, err := im.fetchPage(ctx, f, it.u)
			if err != nil {
				return err
			}
			if d == nil {
				continue
			}
			it.doc = d
		}
		if it.depth < fo.MaxDepth {
			for _, l := range links(it.doc) {
				if k := canonical(l); !seen[k] && f.Allowed(l) && len(seen) < fo.MaxPages {
					seen[k] = true
					queue = append(queue, item{u: l, depth: it.depth + 1})
					im.total++
				}
			}
		}
		im.page(ctx, it.u, it.doc)
	}
	return nil
}

// fetchPage fetches the page at u with f. A page that cannot be fetched is
// recorded as a Failure (Gone when the server says it is gone for good) and
// counted as done, and fetchPage returns a nil document and no error; when
// ctx ended during the fetch it returns ctx's error instead, recording
// nothing.
func (im *run) fetchPage(ctx context.Context, f *Fetcher, u *url.URL) (*Fetched, error) {
	d, err := f.Get(ctx, u)
	if err == nil {
		return d, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var fe *FetchError
	im.fail(u.String(), urlID(u), errors.As(err, &fe) && fe.Gone, "%s", err.Error())
	im.done++
	im.progress()
	return nil, nil
}

// page converts and writes one fetched document.
func (im *run) page(ctx context.Context, u *url.URL, d *Fetched) {
	id := urlID(u)
	format, err := FormatOf(d.URL.Path, d.ContentType, d.Body[:min(len(d.Body), 512)])
	if err != nil {
		im.put(ctx, Page{ID: id, SourceURL: u.String()}, err)
		return
	}
	co := im.convertOpts(d.URL)
	co.ContentType = d.ContentType
	p, err := Convert(ctx, format, d.Body, co)
	p.ID, p.SourceURL = id, u.String()
	im.put(ctx, p, err)
}

// sitemap imports the pages a sitemap (or sitemap index) lists.
func (im *run) sitemap(ctx context.Context, f *Fetcher, start *url.URL, entries []string, fo FetchOptions) error {
	var pages []*url.URL
	seen := map[string]bool{}
	var walk func(entries []string, depth int) error
	walk = func(entries []string, depth int) error {
		for _, e := range entries {
			if len(pages) >= fo.MaxPages {
				return nil
			}
			u, err := start.Parse(strings.TrimSpace(e))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				im.fail(e, "", false, "not an http or https URL")
				continue
			}
			u.Fragment = ""
			if !f.Allowed(u) {
				im.fail(u.String(), "", false, "not on a host you named (%s); import it on its own to include it", u.Host)
				continue
			}
			if k := canonical(u); seen[k] {
				continue
			} else {
				seen[k] = true
			}
			if isSitemapName(u) && depth < 3 {
				d, err := f.Get(ctx, u)
				if err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					im.fail(u.String(), "", false, "sitemap: %s", err.Error())
					continue
				}
				if sub, ok := sitemapURLs(d.Body); ok {
					if err := walk(sub, depth+1); err != nil {
						return err
					}
					continue
				}
			}
			pages = append(pages, u)
		}
		return nil
	}
	if err := walk(entries, 0); err != nil {
		return err
	}
	return importEach(ctx, im, pages, func(u *url.URL) error {
		d, err := im.fetchPage(ctx, f, u)
		if d != nil {
			im.page(ctx, u, d)
		}
		return err
	})
}

func isSitemapName(u *url.URL) bool {
	p := strings.ToLower(u.Path)
	return strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".xml.gz")
}

// canonical is a URL's key for de-duplication: no fragment, lower-case
// host, no trailing slash.
func canonical(u *url.URL) string {
	c := *u
	c.Fragment = ""
	c.Host = strings.ToLower(c.Host)
	c.Path = strings.TrimSuffix(c.Path, "/")
	return c.String()
}

// sitemapURLs reads a sitemap or sitemap index (plain or gzipped) and
// returns its <loc> entries; ok is false when data is not a sitemap.
func sitemapURLs(data []byte) (locs []string, ok bool) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, false
		}
		data, err = io.ReadAll(io.LimitReader(zr, 50<<20))
		if err != nil {
			return nil, false
		}
	}
	head := bytes.TrimSpace(data[:min(len(data), 2048)])
	if !bytes.HasPrefix(head, []byte("<?xml")) && !bytes.HasPrefix(head, []byte("<urlset")) && !bytes.HasPrefix(head, []byte("<sitemapindex")) {
		return nil, false
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	inLoc := false
	var loc strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
				if root != "urlset" && root != "sitemapindex" {
					return nil, false
				}
			}
			if t.Name.Local == "loc" {
				inLoc = true
				loc.Reset()
			}
		case xml.CharData:
			if inLoc {
				loc.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "loc" && inLoc {
				inLoc = false
				if s := strings.TrimSpace(loc.String()); s != "" {
					locs = append(locs, s)
				}
			}
		}
	}
	return locs, root != ""
}

// links returns the absolute http(s) links of an HTML document that may be
// pages: not images, scripts, style sheets or archives.
func links(d *Fetched) []*url.URL {
	if f, _ := FormatOf(d.URL.Path, d.ContentType, d.Body[:min(len(d.Body), 512)]); f != FormatHTML {
		return nil
	}
	z := html.NewTokenizer(bytes.NewReader(d.Body))
	var out []*url.URL
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "a" || !hasAttr {
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if string(k) == "href" {
				if u, err := d.URL.Parse(strings.TrimSpace(string(v))); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					u.Fragment = ""
					if pageLike(u) {
						out = append(out, u)
					}
				}
			}
			if !more {
				break
			}
		}
	}
}

// pageLike reports whether a link may lead to an importable document.
func pageLike(u *url.URL) bool {
	switch strings.ToLower(path.Ext(u.Path)) {
	case "", ".html", ".htm", ".xhtml", ".php", ".asp", ".aspx", ".jsp", ".pdf", ".docx", ".txt", ".md":
		return true
	}
	return false
}

// underInternal reports whether a page id lies in a folder named internal.
func underInternal(id string) bool {
	parts := strings.Split(id, "/")
	for _, p := range parts[:len(parts)-1] {
		if strings.EqualFold(p, "internal") {
			return true
		}
	}
	return false
}
