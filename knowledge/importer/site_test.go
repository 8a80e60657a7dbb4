package importer

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/knowledge"
)

var (
	update    = flag.Bool("update", false, "rewrite the golden files in testdata")
	siteDelay = flag.Duration("site-delay", -1, "politeness delay of TestImportSite's first import (-1: none; 100ms is the default of concierge import)")
)

// topics of the fixture site, one per page modulo their count.
var siteTopics = []struct{ name, zh string }{
	{"shipping", "配送"}, {"returns", "退货"}, {"payment", "付款"}, {"warranty", "保修"},
	{"tea-care", "茶具保养"}, {"brewing", "冲泡"}, {"storage", "存放"}, {"gift-cards", "礼品卡"},
}

// sitePage is the HTML of page n of the fixture site: a header with
// navigation, a sidebar and a footer around an article with a title, two
// sections and, on every fifth page, a table. Pages from 100 on are in
// Chinese.
func sitePage(n int) string {
	t := siteTopics[n%len(siteTopics)]
	zh := n >= 100
	title := fmt.Sprintf("Help article %d: %s", n, t.name)
	lang := "en"
	s1, s2 := "How it works", "Good to know"
	p1 := fmt.Sprintf("Article %d explains %s for our customers. Orders are handled by our team in Shanghai every working day, and every question about %s gets an answer within one day.", n, t.name, t.name)
	p2 := fmt.Sprintf("Code %d-%s: keep this number when you write to us about %s, so that we find your case at once.", n, t.name, t.name)
	if zh {
		title, lang = fmt.Sprintf("帮助文章%d：%s", n, t.zh), "zh-CN"
		s1, s2 = "办理方式", "注意事项"
		p1 = fmt.Sprintf("第%d篇文章介绍%s的相关规定。我们在上海的团队每个工作日处理订单，关于%s的问题一天内答复。", n, t.zh, t.zh)
		p2 = fmt.Sprintf("编号%d-%s：联系我们时请提供此编号，方便我们尽快找到您的记录。", n, t.name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><title>%s | Jade Leaf Help</title></head><body>`, lang, title)
	b.WriteString(`<header class="site-header"><a href="/">Jade Leaf</a><nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop</a></li><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>`)
	b.WriteString(`<aside class="sidebar"><h3>Popular</h3><ul><li><a href="/help/0">Shipping</a></li><li><a href="/help/1">Returns</a></li></ul><p>Sign up for our newsletter!</p></aside>`)
	fmt.Fprintf(&b, `<main><article><h1>%s</h1><p>%s</p><h2>%s</h2><p>%s</p>`, title, p1, s1, p1)
	if n%5 == 0 {
		b.WriteString(`<table><thead><tr><th>Region</th><th>Days</th><th>Fee</th></tr></thead><tbody><tr><td>Shanghai</td><td>1</td><td>free</td></tr><tr><td>Beijing</td><td>2</td><td>¥10</td></tr></tbody></table>`)
	}
	fmt.Fprintf(&b, `<h2>%s</h2><p>%s</p><p>See also <a href="/help/%d">article %d</a>.</p></article></main>`, s2, p2, (n+1)%200, (n+1)%200)
	b.WriteString(`<footer><p>© 2026 Jade Leaf Tea House · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer></body></html>`)
	return b.String()
}

// fixtureSite serves the 200-page site with a sitemap and a robots.txt
// that disallows /private/. It counts page requests.
type fixtureSite struct {
	*httptest.Server
	pages    int
	requests atomic.Int64
	gone     map[int]bool // pages answering 404
	changed  map[int]bool // pages with other text
}

func newFixtureSite(t testing.TB, pages int) *fixtureSite {
	s := &fixtureSite{pages: pages, gone: map[int]bool{}, changed: map[int]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("GET /sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for i := 0; i < s.pages; i++ {
			fmt.Fprintf(w, "<url><loc>%s/help/%d</loc></url>", s.URL, i)
		}
		fmt.Fprintf(w, "<url><loc>%s/private/staff</loc></url>", s.URL)
		fmt.Fprint(w, "<url><loc>https://elsewhere.example/page</loc></url>")
		fmt.Fprint(w, `</urlset>`)
	})
	mux.HandleFunc("GET /help/{n}", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		var n int
		if _, err := fmt.Sscan(r.PathValue("n"), &n); err != nil || n < 0 || n >= s.pages || s.gone[n] {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page := sitePage(n)
		if s.changed[n] {
			page = strings.Replace(page, "Good to know", "Updated rules", 1)
		}
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("GET /private/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("robots.txt disallows %s, but it was fetched", r.URL.Path)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// siteDigest lists every imported page: id, title, lang and section
// headings, with the server's address replaced.
func siteDigest(t *testing.T, dir, base string) string {
	t.Helper()
	docs, problems, err := knowledge.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("imported pages do not load: %v", problems)
	}
	var lines []string
	for _, d := range docs {
		lines = append(lines, fmt.Sprintf("%s\t%s\t%s\t%s", d.ID, d.Lang, d.Title, strings.ReplaceAll(d.SourceURL, base, "BASE")))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got; -update to accept):\n%s", name, diff)
	}
}

// TestImportSite imports the 200-page fixture site through its sitemap,
// checks every page and section against a golden file, then re-syncs:
// nothing is rewritten and the live index is not rebuilt.
func TestImportSite(t *testing.T) {
	site := newFixtureSite(t, 200)
	dir := t.TempDir()
	ctx := context.Background()
	start := time.Now()
	sum, err := Import(ctx, site.URL+"/sitemap.xml", Options{Into: dir, Fetch: FetchOptions{Delay: *siteDelay}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("imported 200 pages in %s (politeness delay %v): %s", time.Since(start).Round(time.Millisecond), *siteDelay, sum)
	if len(sum.Added) != 200 || len(sum.Changed) != 0 {
		t.Errorf("first import: %s, want 200 added", sum)
	}
	var reasons []string
	for _, f := range sum.Failed {
		reasons = append(reasons, strings.ReplaceAll(f.Error(), site.URL, "BASE"))
	}
	golden(t, "site-failures.golden", strings.Join(reasons, "\n")+"\n")
	golden(t, "site-digest.golden", siteDigest(t, dir, site.URL))
	for _, n := range []int{0, 5, 123} {
		data, err := os.ReadFile(filepath.Join(dir, "127.0.0.1", "help", fmt.Sprint(n)+".md"))
		if err != nil {
			t.Fatal(err)
		}
		page := stripVolatile(string(data), site.URL)
		golden(t, fmt.Sprintf("site-page-%d.golden", n), page)
		for _, junk := range []string{"newsletter", "About us", "Privacy", "©"} {
			if strings.Contains(page, junk) {
				t.Errorf("page %d keeps boilerplate %q:\n%s", n, junk, page)
			}
		}
	}

	// The live index serves the import; a re-sync of the unchanged site
	// rewrites nothing, and the index is not rebuilt.
	var rebuilt atomic.Int64
	live, err := knowledge.NewLive(ctx, knowledge.LiveOptions{Content: dir, Dir: t.TempDir(),
		OnReload: func(r knowledge.Reload) {
			if r.Rebuilt {
				rebuilt.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	mtimes := modTimes(t, dir)
	rebuilt.Store(0)
	sum, err = Import(ctx, site.URL+"/sitemap.xml", Options{Into: dir, Fetch: FetchOptions{Delay: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Unchanged) != 200 || len(sum.Added)+len(sum.Changed) != 0 {
		t.Errorf("re-sync of an unchanged site: %s, want 200 unchanged", sum)
	}
	if r := live.Reload(ctx); r.Rebuilt || r.Err != nil {
		t.Errorf("reload after an unchanged re-sync: rebuilt=%v err=%v", r.Rebuilt, r.Err)
	}
	if diff := cmp.Diff(mtimes, modTimes(t, dir)); diff != "" {
		t.Errorf("re-sync of an unchanged site rewrote files:\n%s", diff)
	}
	t.Logf("re-sync of the unchanged site: %s; files rewritten: 0; reindexes: %d", sum, rebuilt.Load())

	// One page changes: exactly that file is rewritten.
	site.changed[7] = true
	sum, err = Import(ctx, site.URL+"/sitemap.xml", Options{Into: dir, Fetch: FetchOptions{Delay: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"127.0.0.1/help/7"}, sum.Changed); diff != "" || len(sum.Unchanged) != 199 {
		t.Errorf("after one page changed: %s (-want +got changed):\n%s", sum, diff)
	}
}

// stripVolatile replaces the import time and the server's address.
func stripVolatile(page, base string) string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "imported: ") {
			l = "imported: TIME"
		}
		if strings.HasPrefix(l, "hash: ") {
			l = "hash: HASH"
		}
		out = append(out, strings.ReplaceAll(l, base, "BASE"))
	}
	return strings.Join(out, "\n")
}

func modTimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m := map[string]time.Time{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			m[p] = fi.ModTime()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCrawlFollowsLinksWithinLimits crawls from one page: links are
// followed to MaxDepth, within MaxPages, on the named host only.
func TestCrawlFollowsLinksWithinLimits(t *testing.T) {
	site := newFixtureSite(t, 200)
	dir := t.TempDir()
	sum, err := Import(context.Background(), site.URL+"/help/10", Options{Into: dir,
		Fetch: FetchOptions{Delay: -1, MaxDepth: 3, MaxPages: 7}})
	if err != nil {
		t.Fatal(err)
	}
	// The start page's first six links: four of the header's (404 here)
	// and two of the sidebar's.
	want := []string{"127.0.0.1/help/0", "127.0.0.1/help/1", "127.0.0.1/help/10"}
	if diff := cmp.Diff(want, sum.Added); diff != "" || len(sum.Failed) != 4 {
		t.Errorf("crawl with MaxPages 7: %s (-want +got added):\n%s\nfailed: %v", sum, diff, sum.Failed)
	}
	for _, f := range sum.Failed {
		if !f.Gone {
			t.Errorf("%v: want Gone (404)", f)
		}
	}
	sum, err = Import(context.Background(), site.URL+"/help/10", Options{Into: t.TempDir(),
		Fetch: FetchOptions{Delay: -1, MaxDepth: 0}})
	if err != nil || len(sum.Added) != 1 {
		t.Errorf("depth 0: %s, %v; want the start page alone", sum, err)
	}
}
