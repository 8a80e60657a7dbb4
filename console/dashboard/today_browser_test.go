package dashboard

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"
	"github.com/concierge-bot/concierge/insights"
)

// TestBrowserTodaySoFar draws the dashboard in Chromium at desktop and
// 390-px phone width, with today's figures early in the day (too few closed
// conversations: the rate is left out with a visible note) and later (a
// hollow point labelled "today so far" / "今天（截至目前）"), and checks the
// geometry: the label lies inside its chart, today's point is hollow and
// not on the 0 % line, the note is shown, and the page does not scroll
// sideways.
func TestBrowserTodaySoFar(t *testing.T) {
	early, later := weekEndingToday(2, 0, 1), weekEndingToday(30, 20, 8)
	var rep atomic.Pointer[insights.Report]
	d, err := New(Options{Reports: fixedReportsFunc(rep.Load), Now: func() time.Time { return todayNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	tab := browsertest.Browser(t, 1280, 900)
	for _, tt := range []struct {
		name, query string
		width       int64
		early       bool
		label       string
	}{
		{"later-en-desktop", "?days=7", 1280, false, "today so far"},
		{"later-zh-phone", "?days=7&lang=zh", 390, false, "今天（截至目前）"},
		{"early-en-phone", "?days=7", 390, true, ""},
	} {
		rep.Store(later)
		if tt.early {
			rep.Store(early)
		}
		c, cancel := context.WithTimeout(tab, 30*time.Second)
		if err := chromedp.Do(c,
			chromedp.EmulateViewport(tt.width, 900),
			chromedp.Navigate(srv.URL+Path+tt.query),
			chromedp.WaitVisible(chromedp.CSS("#chart-resolution svg")),
		); err != nil {
			cancel()
			t.Fatalf("%s: %v", tt.name, err)
		}
		cancel()
		if value(t, tab, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)) {
			t.Errorf("%s: the page scrolls sideways", tt.name)
		}
		if tt.early {
			note := value(t, tab, "note", chromedp.Evaluate[float64](`(() => { const n = document.getElementById('note-resolution'); return n ? n.getBoundingClientRect().height : 0; })()`))
			circles := value(t, tab, "circles", chromedp.Evaluate[int](`document.querySelectorAll('#chart-resolution circle.today').length`))
			if note < 10 || circles != 0 {
				t.Errorf("%s: note height %.0f px, %d partial points; want the note shown and no point", tt.name, note, circles)
			}
		} else {
			geo := value(t, tab, "geometry", chromedp.Evaluate[map[string]any](`(() => {
				const svg = document.querySelector('#chart-resolution svg').getBoundingClientRect();
				const dot = document.querySelector('#chart-resolution circle.today');
				const lab = document.querySelector('#chart-resolution text.today-label');
				const d = dot.getBoundingClientRect(), l = lab.getBoundingClientRect();
				const zero = [...document.querySelectorAll('#chart-resolution line')].find(x => x.nextElementSibling && x.nextElementSibling.textContent === '0%').getBoundingClientRect();
				return {inside: l.left >= svg.left - 0.5 && l.right <= svg.right + 0.5 && l.top >= svg.top - 0.5 && l.bottom <= svg.bottom + 0.5,
					hollow: getComputedStyle(dot).fill, label: lab.textContent, dotY: d.top + d.height / 2, zeroY: zero.top,
					overlapsDot: !(l.right < d.left || l.left > d.right || l.bottom < d.top || l.top > d.bottom)};
			})()`))
			if geo["inside"] != true || geo["label"] != tt.label || geo["overlapsDot"] == true {
				t.Errorf("%s: label %v (inside the chart: %v, over the point: %v), want %q inside and clear of the point", tt.name, geo["label"], geo["inside"], geo["overlapsDot"], tt.label)
			}
			if geo["hollow"] != "rgb(255, 255, 255)" {
				t.Errorf("%s: today's point is filled %v, want hollow (white)", tt.name, geo["hollow"])
			}
			if dy, zy := geo["dotY"].(float64), geo["zeroY"].(float64); zy-dy < 20 {
				t.Errorf("%s: today's point (y %.0f) is on the 0 %% line (y %.0f)", tt.name, dy, zy)
			}
		}
		shot := value(t, tab, "screenshot", chromedp.FullScreenshot(100))
		dir := os.Getenv("SCREENSHOT_DIR")
		if dir == "" {
			dir = t.TempDir()
		}
		path := filepath.Join(dir, "dashboard-today-"+tt.name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: screenshot %s", tt.name, path)
	}
}
