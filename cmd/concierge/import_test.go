package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestImportCommand(t *testing.T) {
	src, into := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "hours.txt"), []byte("Opening hours\n\nWe are open every day from 10:00 to 20:00.\n\nHolidays\n--------\n\nClosed on New Year's Day.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "broken.pdf"), []byte("%PDF-1.4\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "import", src, "--into", into)
	if code != 0 || !strings.Contains(out, "1 added, 0 changed, 0 unchanged, 1 failed") || !strings.Contains(out, "broken.pdf: not a readable PDF") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	page, err := os.ReadFile(filepath.Join(into, "hours.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id: hours", "title: Opening hours", "audience: public", "lang: en", "source_file: ", "imported: ", "hash: sha256:", "## Holidays"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	code, out, _ = runCLI(t, "", "import", src, "--into", into, "--audience", "internal")
	if code != 0 || !strings.Contains(out, "0 added, 1 changed") {
		t.Errorf("re-import as internal: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "import", filepath.Join(src, "hours.txt"), "--into", into, "--audience", "internal")
	if code != 0 || !strings.Contains(out, "0 added, 0 changed, 1 unchanged") {
		t.Errorf("unchanged re-import: %d %s", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"import"}, 2, "import needs one SOURCE"},
		{[]string{"import", src}, 2, "--into is required"},
		{[]string{"import", src, "--into", into, "--lang", "fr"}, 2, "--lang must be en, zh or auto"},
		{[]string{"import", filepath.Join(src, "nope"), "--into", into}, 1, "cannot be read"},
		{[]string{"import", filepath.Join(src, "broken.pdf"), "--into", into}, 1, "nothing could be imported"},
	} {
		code, _, errOut := runCLI(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

// TestServeSyncsSources: serve imports the sources of its config in the
// background, and the help center serves the new pages.
func TestServeSyncsSources(t *testing.T) {
	site := http.NewServeMux()
	var srv *httptest.Server
	site.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><urlset><url><loc>%s/care</loc></url></urlset>`, srv.URL)
	})
	site.HandleFunc("/care", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Teapot care</title></head><body><nav><a href="/">Home</a></nav><main><h1>Teapot care</h1>`+
			`<p>Rinse your clay teapot with hot water after every use, and never use detergent on it.</p>`+
			`<h2>Drying</h2><p>Leave the lid off until the pot is completely dry before you put it away.</p></main></body></html>`)
	})
	srv = httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	if err := os.MkdirAll(content, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(content, "faq.csv"), []byte("id,question,answer\nfaq-hours,When are you open?,Every day 10:00-20:00.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("content: %s\nsources:\n  - url: %s/sitemap.xml\n    every: 1h\n    delay: 1ms\n", content, srv.URL)
	cfgPath := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfgPath, "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0"},
			strings.NewReader(""), io.Discard, &stderr, envOf(nil))
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(shutdownGrace + 5*time.Second):
			t.Error("serve did not shut down")
		}
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if base == "" {
			if m := addr.FindStringSubmatch(stderr.String()); m != nil {
				base = m[1]
			}
			continue
		}
		resp, err := http.Get(base + "/kb/127.0.0.1/care")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			if !strings.Contains(string(body), `id="drying"`) || strings.Contains(string(body), ">Home<") {
				t.Errorf("imported page:\n%s", body)
			}
			if _, err := os.Stat(filepath.Join(dir, "data", "imports.json")); err != nil {
				t.Errorf("sync state: %v", err)
			}
			return
		}
	}
	t.Fatalf("the source was not imported and served within 90 s; serve said:\n%s", stderr.String())
}
