package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// faults sits in front of the server and simulates a network that fails.
type faults struct {
	next http.Handler
	// down: every API request's connection is closed unanswered.
	down atomic.Bool
	// dropNextPost: the next widget message is handled, then its connection
	// is closed before the answer is sent (the answer is lost).
	dropNextPost atomic.Bool
	dropped      atomic.Int32
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	isAPI := strings.HasPrefix(r.URL.Path, "/api/")
	switch {
	case isAPI && f.down.Load():
		f.hangUp(w)
		return
	case r.Method == "POST" && r.URL.Path == "/api/v1/widget/messages" && f.dropNextPost.CompareAndSwap(true, false):
		f.next.ServeHTTP(httptest.NewRecorder(), r) // handled and stored...
		f.dropped.Add(1)
		f.hangUp(w) // ...but the answer never arrives
		return
	}
	f.next.ServeHTTP(w, r)
}

func (f *faults) hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// pressEnter sends the Enter key as a keyboard does: a keydown that carries
// the text "\r" (the browser turns it into a keypress unless the keydown was
// cancelled), then a keyup.
func pressEnter(ctx context.Context, t *chromedp.Target) error {
	_, err := pressKey("Enter", "Enter", 13, "\r")(ctx, t)
	return err
}

func pressKey(key, code string, vk int64, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := input.DispatchKeyEventTypeRawKeyDown
		if text != "" {
			down = input.DispatchKeyEventTypeKeyDown
		}
		for _, typ := range []input.DispatchKeyEventType{down, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
			if typ == input.DispatchKeyEventTypeKeyDown {
				p.Text, p.UnmodifiedText = text, text
			}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordCSPViolations makes every page collect its Content-Security-Policy
// violations in window.__csp, from before its first script runs.
var recordCSPViolations = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener('securitypolicyviolation',
			e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
	})
	return err
})

// ask types a message into the widget and presses Enter.
func ask(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("cjw-input"), text),
		chromedp.Func(pressEnter),
	); err != nil {
		t.Fatalf("ask %q: %v", text, err)
	}
}

// wait polls a JavaScript predicate until it is true.
func wait(t *testing.T, ctx context.Context, what, predicate string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingTimeout(25*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.cjw-root') ? document.querySelector('.cjw-root').innerText : document.body.innerText`))
		t.Fatalf("waiting for %s: %v\nwidget shows:\n%s", what, err, state)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// visitorOf returns the visitor id inside a session token.
func visitorOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(raw) < 16 {
		t.Fatalf("token payload: %v", err)
	}
	return "v_" + base64.RawURLEncoding.EncodeToString(raw[:16])
}

// TestBrowserDemoPage drives the demo page in headless Chromium: an English
// and a Chinese question with cited answers, a lost answer and a network
// outage without lost or doubled messages, an injection attempt shown as
// text, keyboard use, and the history after a reload.
func TestBrowserDemoPage(t *testing.T) {
	ctx := browser(t)
	eng, db := demoEngine(t)
	srv, err := web.New(web.Options{Engine: eng, History: db, PollInterval: 100 * time.Millisecond,
		SessionSecret: []byte("browser-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	f := &faults{next: srv}
	ts := httptest.NewServer(f)
	t.Cleanup(func() { srv.Close(); ts.Close() })

	tctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx,
		recordCSPViolations,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".cjw-bubble")),
		chromedp.Click(chromedp.CSS(".cjw-bubble")),
		chromedp.WaitVisible(chromedp.ID("cjw-input")),
	); err != nil {
		t.Fatalf("open the widget: %v", err)
	}
	wait(t, tctx, "the welcome message", `document.querySelector('.cjw-welcome') !== null`)
	defer func() {
		if v := eval[string](t, tctx, `document.getElementById('cjw-input').value`); v != "" {
			t.Errorf("the message box holds %q after sending", v)
		}
	}()
	if got := eval[string](t, tctx, `document.activeElement.id`); got != "cjw-input" {
		t.Errorf("focus after opening: %q, want the message box", got)
	}

	// English, then Chinese: answers with their source links.
	ask(t, tctx, "How long does shipping take?")
	wait(t, tctx, "the English answer", `[...document.querySelectorAll('.cjw-bot[data-id] .cjw-sources a')].some(a => a.href.endsWith('/kb/faq-shipping-01'))`)
	ask(t, tctx, "发货后多久能收到？")
	wait(t, tctx, "the Chinese answer", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes('顺丰') && li.querySelector('.cjw-sources a'))`)
	if got := eval[string](t, tctx, `document.querySelector('.cjw-sources a').textContent`); got != "How long does shipping take?" {
		t.Errorf("source link text %q", got)
	}

	// The answer to a message is lost on the way back: the widget retries
	// with the same client id and shows the first answer, once.
	f.dropNextPost.Store(true)
	ask(t, tctx, "Do you have shipping to Europe?")
	wait(t, tctx, "the answer after a lost response", `document.querySelectorAll('.cjw-bot[data-id]').length === 3 && !document.querySelector('.cjw-pending')`)
	if f.dropped.Load() != 1 {
		t.Fatalf("the fault was not triggered")
	}

	// The network is down: the message waits, the widget says so, and it is
	// delivered once the network is back.
	f.down.Store(true)
	ask(t, tctx, "Is shipping free in Shanghai?")
	wait(t, tctx, "the offline notice", `document.querySelector('.cjw-status').textContent.includes('Connection lost') && document.querySelector('.cjw-pending') !== null`)
	time.Sleep(500 * time.Millisecond)
	f.down.Store(false)
	wait(t, tctx, "delivery after the outage", `document.querySelectorAll('.cjw-bot[data-id]').length === 4 && !document.querySelector('.cjw-pending')`)

	// An injection attempt is shown as text and never runs, and no element
	// is created from it (this would fail even though the page's CSP would
	// block the handler).
	const payload = `<img src=x onerror="window.__pwned=1"><b>bold</b>`
	ask(t, tctx, payload)
	wait(t, tctx, "the injection attempt as text", `[...document.querySelectorAll('.cjw-customer[data-id] .cjw-text')].some(d => d.textContent === `+jsString(payload)+`)`)
	wait(t, tctx, "the reply to it", `document.querySelectorAll('.cjw-bot[data-id]').length === 5`)
	if n := eval[int](t, tctx, `document.querySelectorAll('.cjw-root img, .cjw-root b').length`); n != 0 {
		t.Errorf("the message created %d elements", n)
	}
	if pwned := eval[bool](t, tctx, `window.__pwned === 1`); pwned {
		t.Error("the injected handler ran")
	}

	// What the store holds: every message once.
	token := eval[string](t, tctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':session')))).token`)
	visitor := visitorOf(t, token)
	stored, err := db.VisitorHistory(context.Background(), bot.ChannelWeb, visitor, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var inbound []string
	for _, m := range stored {
		if m.Author == bot.AuthorCustomer {
			inbound = append(inbound, m.Text)
		}
	}
	wantIn := []string{"How long does shipping take?", "发货后多久能收到？", "Do you have shipping to Europe?", "Is shipping free in Shanghai?", payload}
	if strings.Join(inbound, "|") != strings.Join(wantIn, "|") {
		t.Errorf("stored customer messages:\n%q\nwant\n%q", inbound, wantIn)
	}
	if shown := eval[int](t, tctx, `document.querySelectorAll('.cjw-log [data-id]').length`); shown != len(stored) {
		t.Errorf("the widget shows %d messages, the store has %d", shown, len(stored))
	}

	// Keyboard: Escape closes and gives the focus back to the bubble;
	// Enter on the bubble opens it again with the focus in the message box.
	if err := chromedp.Do(tctx, chromedp.Focus(chromedp.ID("cjw-input")), pressKey("Escape", "Escape", 27, "")); err != nil {
		t.Fatal(err)
	}
	if open, focus := eval[bool](t, tctx, `!document.getElementById('cjw-panel').hidden`), eval[string](t, tctx, `document.activeElement.className`); open || !strings.Contains(focus, "cjw-bubble") {
		t.Errorf("after Escape: open %v, focus on %q", open, focus)
	}
	if err := chromedp.Do(tctx, chromedp.Func(pressEnter)); err != nil {
		t.Fatal(err)
	}
	wait(t, tctx, "reopening with the keyboard", `!document.getElementById('cjw-panel').hidden && document.activeElement.id === 'cjw-input'`)
	if label := eval[string](t, tctx, `document.querySelector('.cjw-log').getAttribute('aria-live') + ' ' + document.querySelector('.cjw-bubble').getAttribute('aria-expanded')`); label != "polite true" {
		t.Errorf("aria-live/aria-expanded: %q", label)
	}

	// IME: the Enter that confirms a composition does not send.
	before := eval[int](t, tctx, `document.querySelectorAll('.cjw-log li').length`)
	eval[chromedp.Void](t, tctx, `(() => {
		const i = document.getElementById('cjw-input');
		i.focus();
		i.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
		i.value = 'fahuo';
		i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true}));
		i.value = '发货';
		i.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '发货'}));
		i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', keyCode: 229, bubbles: true, cancelable: true}));
	})()`)
	if after, value := eval[int](t, tctx, `document.querySelectorAll('.cjw-log li').length`), eval[string](t, tctx, `document.getElementById('cjw-input').value`); after != before || value != "发货" {
		t.Errorf("an Enter during IME composition sent the message (items %d → %d, box %q)", before, after, value)
	}
	if err := chromedp.Do(tctx, chromedp.Func(pressEnter)); err != nil { // a real Enter now sends it
		t.Fatal(err)
	}
	wait(t, tctx, "the composed message", `document.querySelectorAll('.cjw-bot[data-id]').length === 6`)

	// Reload: the history comes back from the server, in order, once.
	if err := chromedp.Do(tctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".cjw-bot[data-id]"))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	wait(t, tctx, "the history after reload", `document.querySelectorAll('.cjw-log [data-id]').length === `+fmt.Sprint(len(stored)+2))
	texts := eval[[]string](t, tctx, `[...document.querySelectorAll('.cjw-customer[data-id] .cjw-text')].map(d => d.textContent)`)
	if want := append(wantIn, "发货"); strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("history after reload:\n%q\nwant\n%q", texts, want)
	}
	if n := eval[int](t, tctx, `document.querySelectorAll('.cjw-sources a').length`); n < 2 {
		t.Errorf("history shows %d source links", n)
	}
	if v := eval[[]string](t, tctx, `window.__csp`); len(v) != 0 {
		t.Errorf("the demo page broke its Content-Security-Policy: %q", v)
	}

	// Two screenshots: the top of the conversation (the cited answers) and
	// the bottom (the injection attempt shown as text).
	dir := t.TempDir()
	for _, shot := range []struct{ name, scroll string }{
		{"widget.png", "0"}, {"widget-bottom.png", "document.querySelector('.cjw-log').scrollHeight"},
	} {
		eval[chromedp.Void](t, tctx, `document.querySelector('.cjw-log').scrollTop = `+shot.scroll)
		png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, shot.name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(png))
	}
}

// TestBrowserEmbedded puts the widget on another site (another origin, no
// CSP, page in Chinese) with one script tag: the UI is in Chinese, the chat
// works across origins, and an injection attempt stays text.
func TestBrowserEmbedded(t *testing.T) {
	ctx := browser(t)
	var widgetURL atomic.Value
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>茶店</title></head>
<body><h1>我的茶店</h1><script src="%s/widget.js" defer data-title="在线客服"></script></body></html>`, widgetURL.Load())
	}))
	defer site.Close()
	eng, db := demoEngine(t)
	srv, err := web.New(web.Options{Engine: eng, History: db, AllowedOrigins: []string{site.URL},
		SessionSecret: []byte("browser-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	// Serve the widget from "localhost" and the site from "127.0.0.1": two
	// origins.
	ts := httptest.NewServer(srv)
	defer func() { srv.Close(); ts.Close() }()
	widgetURL.Store(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1))

	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx,
		chromedp.Navigate(site.URL),
		chromedp.WaitVisible(chromedp.CSS(".cjw-bubble")),
		chromedp.Click(chromedp.CSS(".cjw-bubble")),
		chromedp.WaitVisible(chromedp.ID("cjw-input")),
	); err != nil {
		t.Fatalf("open the widget: %v", err)
	}
	if got := eval[string](t, tctx, `document.getElementById('cjw-input').placeholder + '|' + document.querySelector('.cjw-title').textContent`); got != "请输入您的问题…|在线客服" {
		t.Errorf("UI text on a Chinese page: %q", got)
	}
	ask(t, tctx, "发货后多久能收到？")
	wait(t, tctx, "the answer across origins", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes('顺丰'))`)
	const payload = `<img src=x onerror="window.__pwned=1">`
	ask(t, tctx, payload)
	wait(t, tctx, "the injection attempt as text", `[...document.querySelectorAll('.cjw-customer[data-id] .cjw-text')].some(d => d.textContent === `+jsString(payload)+`)`)
	time.Sleep(300 * time.Millisecond) // give an image error handler time to fire, were there one
	if n, pwned := eval[int](t, tctx, `document.querySelectorAll('img').length`), eval[bool](t, tctx, `window.__pwned === 1`); n != 0 || pwned {
		t.Errorf("on a page without CSP the message created %d images, handler ran: %v", n, pwned)
	}
	token := eval[string](t, tctx, `JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':session')))).token`)
	msgs, err := db.VisitorHistory(context.Background(), bot.ChannelWeb, visitorOf(t, token), 0, 100)
	if err != nil || len(msgs) != 4 {
		t.Fatalf("stored %d messages (%v), want 4", len(msgs), err)
	}

	// Asking for a human hands the conversation over; the agent's reply,
	// written to the store by someone else, reaches the widget while it is
	// closed, which then shows an unread mark.
	ask(t, tctx, "I want to talk to a human")
	wait(t, tctx, "the handoff reply", `document.querySelectorAll('.cjw-bot[data-id]').length === 3`)
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(".cjw-close"))); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAgentMessage(context.Background(), msgs[0].ConversationID, "Li", "您好，我是客服小李。"); err != nil {
		t.Fatal(err)
	}
	wait(t, tctx, "the agent's reply", `[...document.querySelectorAll('.cjw-agent[data-id]')].some(li => li.textContent.includes('客服小李'))`)
	if cls := eval[string](t, tctx, `document.querySelector('.cjw-bubble').className + '|' + document.querySelector('.cjw-bubble').getAttribute('aria-label')`); cls != "cjw-bubble cjw-unread|打开在线咨询（有新消息）" {
		t.Errorf("bubble after an agent reply while closed: %q", cls)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// browser starts a headless Chromium with a fresh profile and returns a tab.
func browser(t *testing.T) context.Context { return browsertest.Browser(t, 1000, 760) }
