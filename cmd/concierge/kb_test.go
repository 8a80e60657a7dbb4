package main

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/knowledge"
)

// TestEverySourceLinkResolves walks every document of the demo company and
// of each test company and GETs the URL the bot cites it with (the one in
// widget, Slack, REST and alert sources): none may answer 404, and a
// section's anchor must be on the page. Internal documents are read with a
// console session; without one they are never served.
func TestEverySourceLinkResolves(t *testing.T) {
	companies := map[string]fs.FS{"demo": demo.Content()}
	dirs, _ := filepath.Glob("../../testdata/companies/*/content")
	for _, d := range dirs {
		companies[filepath.Base(filepath.Dir(d))] = os.DirFS(d)
	}
	if len(companies) < 5 {
		t.Fatalf("found %d companies, want the demo and the test companies", len(companies))
	}
	total, missing := 0, 0
	for name, fsys := range companies {
		t.Run(name, func(t *testing.T) {
			docs, _, err := knowledge.Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			a := &app{docs: docs, log: slog.New(slog.DiscardHandler)}
			signedIn := func(h http.Handler) http.Handler { return h }
			mounts, err := helpCenterMounts(a, "", signedIn)
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			for p, h := range mounts {
				mux.Handle(p, h)
			}
			pages := map[string]string{}
			for _, d := range docs {
				total++
				u, err := url.Parse(d.URL)
				if err != nil {
					t.Errorf("%s: URL %q: %v", d.ID, d.URL, err)
					continue
				}
				body, ok := pages[u.Path]
				if !ok {
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, httptest.NewRequest("GET", u.EscapedPath(), nil))
					b, _ := io.ReadAll(rec.Body)
					if rec.Code != http.StatusOK {
						missing++
						t.Errorf("%s (%s): GET %s answered %d", d.ID, d.Audience, d.URL, rec.Code)
						continue
					}
					body = string(b)
					pages[u.Path] = body
				}
				if u.Fragment != "" && !strings.Contains(body, `id="`+u.Fragment+`"`) {
					missing++
					t.Errorf("%s: %s has no anchor #%s", d.ID, u.Path, u.Fragment)
				}
				if d.Audience == "internal" {
					if !strings.HasPrefix(d.URL, "/console/kb/") {
						t.Errorf("internal %s cited as %s, want /console/kb/...", d.ID, d.URL)
					}
					pub := "/kb/" + strings.TrimPrefix(u.EscapedPath(), "/console/kb/")
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, httptest.NewRequest("GET", pub, nil))
					if rec.Code != http.StatusNotFound {
						t.Errorf("internal %s served publicly at %s: %d", d.ID, pub, rec.Code)
					}
				}
			}
		})
	}
	t.Logf("source links checked: %d documents, %d answered 404 or lacked their anchor", total, missing)
}
