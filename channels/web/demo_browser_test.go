package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/browsertest"
	"github.com/concierge-bot/concierge/channels/web"
)

// demoServer serves the demo page with the demo engine on loopback.
func demoServer(t *testing.T) (*httptest.Server, func(visitorToken string) []bot.StoredMessage) {
	t.Helper()
	eng, db := demoEngine(t)
	srv, err := web.New(web.Options{Engine: eng, History: db, PollInterval: 100 * time.Millisecond, Site: demoSite(t),
		SessionSecret: []byte("browser-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return ts, func(token string) []bot.StoredMessage {
		msgs, err := db.VisitorHistory(context.Background(), bot.ChannelWeb, visitorOf(t, token), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
}

// overlapJS returns, as a list of strings, each "Try asking" suggestion
// and language link that the open chat panel covers (their boxes
// intersect) or that is not the element at its own centre once scrolled
// into view.
const overlapJS = `(() => {
	const p = document.getElementById('cjw-panel').getBoundingClientRect();
	const bad = [];
	for (const b of document.querySelectorAll('button[data-ask], .top nav a')) {
		b.scrollIntoView({block: 'center'});
		const r = b.getBoundingClientRect();
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		const meets = !(r.right <= p.left || r.left >= p.right || r.bottom <= p.top || r.top >= p.bottom);
		if (meets || !b.contains(hit)) bad.push(b.textContent + (meets ? ' (under the chat)' : ' (covered by ' + (hit && hit.className) + ')'));
	}
	return bad;
})()`

// customerTexts is the text of the visitor's messages the widget shows.
const customerTexts = `[...document.querySelectorAll('.cjw-customer .cjw-text')].map(d => d.textContent)`

// TestBrowserDemoSuggestions: the "Try asking" suggestions of the demo page
// are buttons; a click opens the chat and sends that question through
// ConciergeWidget.ask (the message box stays empty: nothing is typed), the
// answer arrives, and at desktop widths the open chat covers none of the
// suggestions (nor the language switch), so a second one can be clicked
// while it is open.
func TestBrowserDemoSuggestions(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop-1280", 1280, 800}, {"desktop-1000", 1000, 760}} {
		t.Run(size.name, func(t *testing.T) {
			ts, history := demoServer(t)
			ctx := browsertest.Browser(t, size.width, size.height)
			tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
			defer cancel()
			if err := chromedp.Do(tctx, recordCSPViolations, chromedp.Navigate(ts.URL+"/"),
				chromedp.WaitVisible(chromedp.CSS(".cjw-bubble"))); err != nil {
				t.Fatal(err)
			}
			asks := eval[[]string](t, tctx, `[...document.querySelectorAll('.card button[data-ask]')].map(b => b.getAttribute('data-ask'))`)
			if len(asks) != 4 || asks[0] != "How long does shipping take?" || asks[3] != "发货后多久能收到？" {
				t.Fatalf("suggestion buttons: %q", asks)
			}
			if err := chromedp.Do(tctx, chromedp.ScrollIntoView(chromedp.CSS(`button[data-ask]`)),
				chromedp.Click(chromedp.CSS(`button[data-ask]`))); err != nil {
				t.Fatalf("click the first suggestion: %v", err)
			}
			wait(t, tctx, "the chat to open with the question sent and answered",
				`!document.getElementById('cjw-panel').hidden && document.querySelectorAll('.cjw-bot[data-id] .cjw-sources a').length === 1`)
			if got := eval[[]string](t, tctx, customerTexts); strings.Join(got, "|") != asks[0] {
				t.Errorf("the chat shows the visitor's messages %q, want the suggestion %q", got, asks[0])
			}
			if v := eval[string](t, tctx, `document.getElementById('cjw-input').value`); v != "" {
				t.Errorf("the message box holds %q: the suggestion was typed, not sent", v)
			}
			if bad := eval[[]string](t, tctx, overlapJS); len(bad) != 0 {
				t.Errorf("at %d px the open chat covers %q", size.width, bad)
			}
			// A second suggestion, clicked while the chat is open.
			if err := chromedp.Do(tctx, chromedp.ScrollIntoView(chromedp.CSS(`button[data-ask="发货后多久能收到？"]`)),
				chromedp.Click(chromedp.CSS(`button[data-ask="发货后多久能收到？"]`))); err != nil {
				t.Fatalf("click the Chinese suggestion: %v", err)
			}
			wait(t, tctx, "the Chinese answer", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes('顺丰'))`)
			token := eval[string](t, tctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':session')))).token`)
			var stored []string
			for _, m := range history(token) {
				if m.Author == bot.AuthorCustomer {
					stored = append(stored, m.Text)
				}
			}
			if want := asks[0] + "|" + asks[3]; strings.Join(stored, "|") != want {
				t.Errorf("stored customer messages %q, want %q", stored, want)
			}
			if v := eval[[]string](t, tctx, `window.__csp`); len(v) != 0 {
				t.Errorf("the demo page broke its Content-Security-Policy: %q", v)
			}
			eval[chromedp.Void](t, tctx, `window.scrollTo(0, 0)`)
			screenshot(t, tctx, "demo-suggestions-"+size.name+".png")
		})
	}
}

// headerJS measures the demo page's header: whether the brand and the
// language switch overlap, the horizontal gap between them when they share
// a line, and whether the page is wider than the viewport.
const headerJS = `(() => {
	const b = document.querySelector('.top .brand').getBoundingClientRect();
	const n = document.querySelector('.top nav').getBoundingClientRect();
	const overlap = !(b.right <= n.left || n.right <= b.left || b.bottom <= n.top || n.bottom <= b.top);
	const sameLine = !(b.bottom <= n.top || n.bottom <= b.top);
	return {overlap, gap: sameLine ? n.left - b.right : 99, sideways: document.documentElement.scrollWidth > window.innerWidth,
		navRight: n.right, width: window.innerWidth, brand: document.querySelector('.top .brand').textContent};
})()`

// TestBrowserDemoPhone: on a 390-px phone the header's brand and the
// "English · 中文" switch do not overlap or touch, in English, in Chinese
// and with a long company name, and nothing scrolls sideways; a suggestion
// opens the chat full-screen with the question sent, the message box and
// Send button in sight and no bubble over them.
func TestBrowserDemoPhone(t *testing.T) {
	ts, _ := demoServer(t)
	ctx := browsertest.Browser(t, 390, 844)
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	check := func(what string) {
		t.Helper()
		h := eval[map[string]any](t, tctx, headerJS)
		if h["overlap"] == true || h["gap"].(float64) < 8 || h["sideways"] == true || h["navRight"].(float64) > h["width"].(float64) {
			t.Errorf("%s: header at 390 px: %v (want no overlap, a gap of at least 8 px, nothing past the right edge)", what, h)
		}
	}
	for _, lang := range []string{"en", "zh"} {
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(ts.URL+"/?lang="+lang), chromedp.WaitVisible(chromedp.CSS(".cjw-bubble"))); err != nil {
			t.Fatal(err)
		}
		check(lang)
		screenshot(t, tctx, "demo-phone-header-"+lang+".png")
	}
	// A company with a long name (site branding) still fits.
	eval[chromedp.Void](t, tctx, `document.querySelector('.top .brand').textContent = 'Jade Leaf Tea House & Tea-ware Gallery of Shanghai'`)
	check("long brand")
	screenshot(t, tctx, "demo-phone-header-long-brand.png")

	// A suggestion opens the chat full-screen and sends the question.
	if err := chromedp.Do(tctx, chromedp.ScrollIntoView(chromedp.CSS(`button[data-ask]`)),
		chromedp.Click(chromedp.CSS(`button[data-ask]`))); err != nil {
		t.Fatal(err)
	}
	wait(t, tctx, "the answer in the phone's chat", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes('顺丰'))`)
	geo := eval[map[string]any](t, tctx, `(() => {
		const p = document.getElementById('cjw-panel').getBoundingClientRect();
		const send = document.querySelector('.cjw-send').getBoundingClientRect();
		const bubble = document.querySelector('.cjw-bubble').getBoundingClientRect();
		return {full: p.left === 0 && p.top === 0 && p.width === window.innerWidth && p.height === window.innerHeight,
			sendInView: send.bottom <= window.innerHeight && send.right <= window.innerWidth && send.width > 0,
			sendOnTop: document.querySelector('.cjw-send').contains(document.elementFromPoint(send.left + send.width / 2, send.top + send.height / 2)),
			bubbleShown: bubble.width > 0};
	})()`)
	if geo["full"] != true || geo["sendInView"] != true || geo["sendOnTop"] != true || geo["bubbleShown"] == true {
		t.Errorf("the phone's open chat: %v (want full-screen, Send in view and on top, no bubble)", geo)
	}
	screenshot(t, tctx, "demo-phone-chat.png")
	// Closing it brings the bubble back, with the focus on it.
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(".cjw-close"))); err != nil {
		t.Fatal(err)
	}
	if shown := eval[bool](t, tctx, `document.querySelector('.cjw-bubble').getBoundingClientRect().width > 0 && document.activeElement.classList.contains('cjw-bubble')`); !shown {
		t.Error("after closing the chat on a phone the bubble is not back with the focus")
	}
}

// screenshot saves the tab's viewport as name in $SCREENSHOT_DIR (to look
// at) or a temporary directory.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
