package helpcenter_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"
)

// TestBrowser opens the help center in headless Chromium, in English and
// Chinese, at desktop and phone width: the page fits the screen without
// sideways scrolling, a section link opens at its section, the chat widget
// is on the page, and the Content-Security-Policy blocks nothing of ours.
// Screenshots go to the test's temporary folder and, when set, to
// $CONCIERGE_SCREENSHOTS.
func TestBrowser(t *testing.T) {
	ctx := browsertest.Browser(t, 1280, 900)
	pub, _, _ := newShop(t, shop)
	mux := http.NewServeMux()
	mux.Handle("/kb", pub)
	mux.Handle("/kb/", pub)
	// The real widget, as channels/web serves it (read, not imported:
	// adapters meet only in cmd).
	for _, f := range []string{"widget.js", "widget.css"} {
		body, err := os.ReadFile(filepath.Join("..", "channels", "web", "static", f))
		if err != nil {
			t.Fatal(err)
		}
		ctype := "text/javascript"
		if filepath.Ext(f) == ".css" {
			ctype = "text/css"
		}
		mux.HandleFunc("/"+f, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		})
	}
	ts := httptest.NewServer(mux)
	defer ts.Close()
	dir := t.TempDir()
	keep := os.Getenv("CONCIERGE_SCREENSHOTS")
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	shots := []struct {
		name, path    string
		width, height int64
		section       string // the section the page must open at
	}{
		{"kb-home-en-desktop.png", "/kb?lang=en", 1280, 900, ""},
		{"kb-article-en-desktop.png", "/kb/returns?lang=en#refund-times", 1280, 900, "refund-times"},
		{"kb-search-en-phone.png", "/kb?lang=en&q=how+long+is+delivery", 390, 844, ""},
		{"kb-home-zh-phone.png", "/kb?lang=zh", 390, 844, ""},
		{"kb-article-zh-phone.png", "/kb/returns-zh?lang=zh#退款时间", 390, 844, "退款时间"},
		{"kb-faq-zh-desktop.png", "/kb/faq-ship-zh?lang=zh", 1280, 900, ""},
	}
	for _, s := range shots {
		if err := chromedp.Do(tctx,
			chromedp.EmulateViewport(s.width, s.height),
			chromedp.Navigate(ts.URL+s.path),
			chromedp.WaitVisible(chromedp.CSS(".cjw-bubble")),
		); err != nil {
			t.Fatalf("%s: %v", s.path, err)
		}
		fits := run(t, tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		widget := run(t, tctx, chromedp.Evaluate[bool](`document.querySelector('.cjw-root') !== null`))
		target := run(t, tctx, chromedp.Evaluate[string](`(document.querySelector(':target')||{}).id || ''`))
		png := run(t, tctx, chromedp.FullScreenshot(100))
		if !fits {
			t.Errorf("%s at %d px scrolls sideways", s.path, s.width)
		}
		if !widget {
			t.Errorf("%s: no chat widget", s.path)
		}
		if target != s.section {
			t.Errorf("%s opened at section %q, want %q", s.path, target, s.section)
		}
		path := filepath.Join(dir, s.name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		if keep != "" {
			_ = os.WriteFile(filepath.Join(keep, s.name), png, 0o644)
		}
		t.Logf("screenshot %s (%d bytes)", path, len(png))
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
