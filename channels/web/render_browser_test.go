package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// memEngine answers with fixed Markdown by keyword and keeps one visitor's
// conversation in memory, as the widget's history.
type memEngine struct {
	mu   sync.Mutex
	msgs []bot.StoredMessage
	got  []bot.Message
}

const (
	hoursAnswer = "Our **opening hours** in *Shanghai*:\n\n" +
		"| Days | Hours |\n|:--|--:|\n| Mon–Fri | 9:00–18:00 |\n| 周六 | 10:00–16:00 |\n\n" +
		"- Free parking\n- Near [Jing'an Temple](https://maps.example/jingan) station\n\n" +
		"Questions? [Contact us](/kb/contact), `service` or [mail](mailto:service@shop.example)."
	hostileAnswer = "<script>window.__pwned=1</script>\n\n" +
		"<img src=x onerror=\"window.__pwned=2\"> <b>bold?</b>\n\n" +
		"| <i>head</i> | x |\n|---|---|\n| <img src=y onerror=\"window.__pwned=3\"> | [click](javascript:window.__pwned=4) |\n\n" +
		"![tracker](https://evil.example/t.png) <iframe src=\"https://evil.example/\"></iframe> [data](data:text/html,hi)"
)

var returnChoices = []bot.Source{
	{ID: "faq-returns", Title: "How do I return an item?", URL: "/kb/faq-returns"},
	{ID: "faq-exchange", Title: "Can I exchange a tea set?"},
	{ID: "faq-refund", Title: "When is my refund paid?"},
}

func (e *memEngine) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, m)
	now := time.Now()
	e.msgs = append(e.msgs, bot.StoredMessage{ID: int64(len(e.msgs) + 1), ConversationID: 1, Inbound: true,
		Author: bot.AuthorCustomer, Text: m.Text, Time: now})
	r := bot.Reply{ConversationID: 1, Action: bot.ActionAnswer, Language: "en"}
	switch {
	case m.Choice != "":
		r.Text = "**Returns** are free within *7 days*."
		r.Sources = []bot.Source{{ID: m.Choice, Title: m.Text, URL: "/kb/" + m.Choice}}
	case strings.Contains(m.Text, "hours"):
		r.Text = hoursAnswer
	case strings.Contains(m.Text, "evil"):
		r.Text = hostileAnswer
	case strings.Contains(m.Text, "refund"):
		r.Text = "Refunds are paid within 5 days.\n\nIf you meant something else, one of these may be it:"
		r.Sources = []bot.Source{returnChoices[2]}
		r.Choices = returnChoices[1:2]
	case strings.Contains(m.Text, "return"), strings.Contains(m.Text, "退货"):
		r.Text, r.Action, r.Choices = "Did you mean one of these?", bot.ActionClarify, returnChoices
	default:
		r.Text, r.Action = "I'm not sure.", bot.ActionClarify
	}
	e.msgs = append(e.msgs, bot.StoredMessage{ID: int64(len(e.msgs) + 1), ConversationID: 1, Author: bot.AuthorBot,
		Text: r.Text, Sources: r.Sources, Time: now})
	r.MessageID = int64(len(e.msgs))
	if strings.Contains(m.Text, "退货") {
		// The long-poll delivers this reply, from history and without its
		// choices, before the post answers with them.
		e.mu.Unlock()
		time.Sleep(600 * time.Millisecond)
		e.mu.Lock()
	}
	return r, nil
}

func (e *memEngine) VisitorHistory(ctx context.Context, channel, externalID string, afterID int64, limit int) ([]bot.StoredMessage, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []bot.StoredMessage
	if afterID < 0 {
		out = e.msgs[max(len(e.msgs)-limit, 0):]
	} else {
		for _, m := range e.msgs {
			if m.ID > afterID && len(out) < limit {
				out = append(out, m)
			}
		}
	}
	return append([]bot.StoredMessage(nil), out...), nil
}

func (e *memEngine) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.got)
}

func (e *memEngine) last() bot.Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.got[len(e.got)-1]
}

// TestBrowserRendering drives the widget in headless Chromium: a bot answer
// in Markdown shows as a table, a list, emphasis and safe links; a hostile
// answer creates no element from its text and runs nothing; "did you mean"
// choices are buttons, usable with the keyboard, that send the pick once.
func TestBrowserRendering(t *testing.T) {
	ctx := browser(t)
	eng := &memEngine{}
	srv, err := web.New(web.Options{Engine: eng, History: eng, PollInterval: 100 * time.Millisecond,
		SessionSecret: []byte("browser-test-secret-0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	tctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(tctx,
		recordCSPViolations,
		chromedp.Navigate(ts.URL+"/?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(".cjw-bubble")),
		chromedp.Click(chromedp.CSS(".cjw-bubble")),
		chromedp.WaitVisible(chromedp.ID("cjw-input")),
	); err != nil {
		t.Fatalf("open the widget: %v", err)
	}
	dir := t.TempDir()
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", path, len(png))
		if keep := os.Getenv("CONCIERGE_SCREENSHOTS"); keep != "" { // a folder to look at them after the test
			_ = os.WriteFile(filepath.Join(keep, name), png, 0o644)
		}
	}

	// A table, a list, emphasis and links.
	ask(t, tctx, "What are your opening hours?")
	wait(t, tctx, "the table", `document.querySelector('.cjw-bot[data-id] .cjw-md table') !== null`)
	got := eval[map[string]any](t, tctx, `(() => {
		const md = document.querySelector('.cjw-bot[data-id] .cjw-md');
		const a = md.querySelector('a[href^="https://maps.example"]');
		return {
			head: [...md.querySelectorAll('thead th')].map(c => c.textContent).join('|'),
			rows: [...md.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.textContent).join('|')).join(';'),
			align: md.querySelector('tbody td:nth-child(2)').style.textAlign,
			items: [...md.querySelectorAll('ul > li')].map(li => li.textContent).join('|'),
			strong: md.querySelector('p strong').textContent, em: md.querySelector('p em').textContent,
			code: md.querySelector('p code').textContent,
			link: a.target + ' ' + a.rel,
			relative: md.querySelector('a[href$="/kb/contact"]').href,
			links: md.querySelectorAll('a').length,
			raw: md.textContent.includes('|') || md.textContent.includes('**'),
		};
	})()`)
	want := map[string]any{
		"head": "Days|Hours", "rows": "Mon–Fri|9:00–18:00;周六|10:00–16:00", "align": "right",
		"items": "Free parking|Near Jing'an Temple station", "strong": "opening hours", "em": "Shanghai", "code": "service",
		"link": "_blank noopener noreferrer", "relative": ts.URL + "/kb/contact", "links": 2.0, "raw": false,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("rendered answer: %s = %v, want %v", k, got[k], v)
		}
	}
	shot("widget-table.png")

	// A hostile answer: every tag in it stays text.
	ask(t, tctx, "something evil")
	wait(t, tctx, "the hostile answer", `document.querySelectorAll('.cjw-bot[data-id]').length === 2`)
	time.Sleep(300 * time.Millisecond) // give an error handler time to fire, were there one
	if n := eval[int](t, tctx, `document.querySelectorAll('.cjw-log script, .cjw-log img, .cjw-log iframe, .cjw-log b, .cjw-log i, .cjw-log [onerror]').length`); n != 0 {
		t.Errorf("the hostile answer created %d elements", n)
	}
	if n := eval[int](t, tctx, `[...document.querySelectorAll('.cjw-root a')].filter(a => !/^https?:/.test(a.href)).length`); n != 0 {
		t.Errorf("%d links that are not http(s)", n)
	}
	if pwned := eval[bool](t, tctx, `window.__pwned !== undefined`); pwned {
		t.Error("code from the answer ran")
	}
	text := eval[string](t, tctx, `document.querySelectorAll('.cjw-bot[data-id] .cjw-md')[1].textContent`)
	for _, s := range []string{"<script>window.__pwned=1</script>", `<img src=x onerror="window.__pwned=2">`, "<i>head</i>", "click", "tracker"} {
		if !strings.Contains(text, s) {
			t.Errorf("the hostile answer does not show %q as text: %q", s, text)
		}
	}

	shot("widget-hostile.png")

	// "Did you mean": three buttons; focus the first and press Enter.
	ask(t, tctx, "I want to return something")
	wait(t, tctx, "the choices", `document.querySelectorAll('.cjw-choice').length === 3`)
	labels := eval[string](t, tctx, `[...document.querySelectorAll('.cjw-choice')].map(b => b.getAttribute('aria-label')).join('|') + '#' + document.querySelector('.cjw-choices').getAttribute('aria-label')`)
	if labels != "Choose: How do I return an item?|Choose: Can I exchange a tea set?|Choose: When is my refund paid?#Did you mean" {
		t.Errorf("choice labels: %q", labels)
	}
	if err := chromedp.Do(tctx, chromedp.Focus(chromedp.CSS(".cjw-choice")), chromedp.Func(pressEnter)); err != nil {
		t.Fatal(err)
	}
	wait(t, tctx, "the answer to the choice", `document.querySelectorAll('.cjw-bot[data-id]').length === 4`)
	if m := eng.last(); m.Choice != "faq-returns" || m.Text != "How do I return an item?" {
		t.Errorf("the pick reached the Engine as %+v", m)
	}
	state := eval[string](t, tctx, `[...document.querySelectorAll('.cjw-choice')].map(b => b.disabled + ':' + b.getAttribute('aria-pressed')).join(' ')`)
	if state != "true:true true:false true:false" {
		t.Errorf("buttons after the pick: %q", state)
	}
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(".cjw-choice:nth-child(2)"))); err == nil {
		time.Sleep(200 * time.Millisecond)
	}
	if n := eng.count(); n != 4 {
		t.Errorf("the Engine got %d messages, want 4 (a used choice sends nothing)", n)
	}
	shot("widget-choices.png")

	// After a reload the history is rendered the same way, and the used
	// choices stay used.
	if err := chromedp.Do(tctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".cjw-bot[data-id] .cjw-md table"))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if n := eval[int](t, tctx, `document.querySelectorAll('.cjw-root img, .cjw-root script, .cjw-root iframe').length`); n != 0 {
		t.Errorf("history created %d elements from the hostile answer", n)
	}
	if v := eval[[]string](t, tctx, `window.__csp`); len(v) != 0 {
		t.Errorf("the page broke its Content-Security-Policy: %q", v)
	}

	// The same in Chinese: the labels are Chinese. The reply reaches the
	// widget first from history, without choices; the choices of the post's
	// answer are added to it.
	if err := chromedp.Do(tctx, chromedp.Navigate(ts.URL+"/?lang=zh"), chromedp.WaitVisible(chromedp.CSS(".cjw-bubble"))); err != nil {
		t.Fatal(err)
	}
	if open := eval[bool](t, tctx, `!document.getElementById('cjw-panel').hidden`); !open {
		if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(".cjw-bubble")), chromedp.WaitVisible(chromedp.ID("cjw-input"))); err != nil {
			t.Fatal(err)
		}
	}
	ask(t, tctx, "我想退货")
	wait(t, tctx, "the Chinese choices", `document.querySelectorAll('.cjw-choice:not(:disabled)').length === 3`)
	if l := eval[string](t, tctx, `document.querySelector('.cjw-choice:not(:disabled)').getAttribute('aria-label') + '#' + document.querySelector('.cjw-choices:last-of-type').getAttribute('aria-label')`); l != "选择：How do I return an item?#您是不是想问" {
		t.Errorf("Chinese labels: %q", l)
	}

	// An answer with an alternative close behind it: the button comes
	// right below the text that introduces it, the sources after.
	ask(t, tctx, "when is my refund")
	wait(t, tctx, "the alternative", `document.querySelectorAll('.cjw-choice:not(:disabled)').length === 1`)
	order := eval[string](t, tctx, `[...document.querySelector('.cjw-choice:not(:disabled)').closest('li').children].map(c => c.className).join(' ')`)
	if !regexp.MustCompile(`cjw-text.* cjw-choices.* cjw-sources`).MatchString(order) {
		t.Errorf("an answer with alternatives is laid out as %q, want the text, the choices, then the sources", order)
	}
	shot("widget-alternatives.png")
}
