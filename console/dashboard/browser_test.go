package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"
)

// signedIn stands in for the console's RequireLogin: it admits requests
// carrying the test's cookie and refuses the rest.
func signedIn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("test_session"); err != nil || c.Value != "manager" {
			http.Error(w, "Sign in first.", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TestBrowserDashboard loads the dashboard of the seeded demo in headless
// Chromium, in English at desktop width and in Chinese at phone width,
// checks the charts render and the page does not scroll sideways on a
// phone, and saves screenshots.
func TestBrowserDashboard(t *testing.T) {
	d := newDashboard(t, seeded(t, 30))
	srv := httptest.NewServer(signedIn(d))
	defer srv.Close()
	bctx := browsertest.Browser(t, 1280, 900)
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(bctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// Unsigned, the test middleware refuses; then sign in with its cookie.
	run("sign in", chromedp.Navigate(srv.URL+CSSPath))
	value(t, bctx, "set cookie", chromedp.Evaluate[string](`document.cookie = "test_session=manager; path=/"`))

	tests := []struct {
		name, query, heading string
		width, height        int64
		wantLang             string
	}{
		{"en-desktop", "?days=30", "Dashboard", 1280, 900, "en"},
		{"zh-phone", "?days=30&lang=zh", "数据看板", 390, 844, "zh-CN"},
	}
	for _, tt := range tests {
		run(tt.name+": load",
			chromedp.EmulateViewport(tt.width, tt.height),
			chromedp.Navigate(srv.URL+Path+tt.query),
			chromedp.WaitVisible(chromedp.CSS("#chart-csat svg")),
		)
		heading := value(t, bctx, "heading", chromedp.Text(chromedp.CSS("h1")))
		title := value(t, bctx, "title", chromedp.Title())
		lang := value(t, bctx, "lang", chromedp.Evaluate[string](`document.documentElement.lang`))
		svgs := value(t, bctx, "charts", chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
		lines := value(t, bctx, "lines", chromedp.Evaluate[int](`document.querySelectorAll("svg.chart polyline").length`))
		drawn := value(t, bctx, "drawn", chromedp.Evaluate[int](`[...document.querySelectorAll("svg.chart")].filter(s => s.getBoundingClientRect().width > 200 && s.getBoundingClientRect().height > 50).length`))
		rows := value(t, bctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll("#figures tbody tr").length`))
		overflow := value(t, bctx, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		shot := value(t, bctx, "screenshot", chromedp.FullScreenshot(100))
		if heading != tt.heading || lang != tt.wantLang || !strings.Contains(title, tt.heading) {
			t.Errorf("%s: heading %q, lang %q, title %q; want %q, %q", tt.name, heading, lang, title, tt.heading, tt.wantLang)
		}
		if svgs != 4 || drawn != 4 || lines < 4 {
			t.Errorf("%s: %d charts (%d drawn at a visible size) with %d lines; want 4 charts with lines", tt.name, svgs, drawn, lines)
		}
		if rows != 5 {
			t.Errorf("%s: %d rows in the channel table, want 5 (4 channels and all)", tt.name, rows)
		}
		if overflow {
			t.Errorf("%s: the page scrolls sideways at %d px", tt.name, tt.width)
		}
		path := filepath.Join(t.TempDir(), "dashboard-"+tt.name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: screenshot %s (%d bytes)", tt.name, path, len(shot))
	}
}

// value runs one action that yields a value, failing the test on error.
func value[T any](t *testing.T, tab context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}
