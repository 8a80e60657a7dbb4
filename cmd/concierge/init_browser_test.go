package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"
)

// TestInitBrowser walks the first hour in a real browser: `concierge init`,
// one file of the company's own copied into content/, `concierge serve` —
// three commands, no file edited — and the page at /, the widget and the
// console carry the company's name and colour, and the widget answers from
// the company's own file, in English and in Chinese. Screenshots go to the
// test's temporary folder and, when set, to $CONCIERGE_SCREENSHOTS.
func TestInitBrowser(t *testing.T) {
	ctx := browsertest.Browser(t, 1280, 900)
	// 1. concierge init bakery --name "Bob's Bakery" --name-zh 鲍勃烘焙 --color '#8a4b2a'
	dir, _ := initCompany(t, "--name", "Bob's Bakery", "--name-zh", "鲍勃烘焙", "--color", "#8a4b2a")
	// 2. cp ~/bread.csv bakery/content/ (the company's own FAQ)
	own := "id,question,answer,lang\n" +
		"sourdough,Do you sell sourdough bread?,\"Yes: our sourdough loaf is baked every morning at 6:00 and costs 6.50.\",en\n" +
		"sourdough-zh,你们卖酸面包吗？,有的：我们的酸面包每天早上6:00出炉，每个6.50。,zh\n"
	if err := os.WriteFile(filepath.Join(dir, "content", "bread.csv"), []byte(own), 0o644); err != nil {
		t.Fatal(err)
	}
	// 3. concierge serve --config bakery/concierge.yaml
	sctx, stop := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--config", filepath.Join(dir, "concierge.yaml"), "--addr", "127.0.0.1:0"},
			strings.NewReader(""), io.Discard, &stderr, envOf(map[string]string{}))
	}()
	defer func() {
		stop()
		<-done
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(90 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("serve did not start: %s", stderr.String())
	}

	tctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	shots, keep := t.TempDir(), os.Getenv("CONCIERGE_SCREENSHOTS")
	shoot := func(name string) {
		t.Helper()
		png := eval2(t, tctx, chromedp.FullScreenshot(100))
		for _, d := range []string{shots, keep} {
			if d != "" {
				if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		t.Logf("screenshot %s (%d bytes)", filepath.Join(shots, name), len(png))
	}
	waitFor := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(tctx, chromedp.Poll[chromedp.Void](js,
			chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			body, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("waiting for %s: %v\nthe page shows:\n%s", what, err, body)
		}
	}
	ask := func(text string) {
		t.Helper()
		if err := chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("cjw-input"), text), chromedp.Click(chromedp.CSS(".cjw-send"))); err != nil {
			t.Fatal(err)
		}
	}

	for _, l := range []struct {
		lang, name, welcome, question, answer, page string
	}{
		{"en", "Bob's Bakery", "Welcome to Bob's Bakery", "Do you sell sourdough bread?", "baked every morning at 6:00", "init-page-en.png"},
		{"zh", "鲍勃烘焙", "欢迎光临鲍勃烘焙", "你们卖酸面包吗？", "每天早上6:00出炉", "init-page-zh.png"},
	} {
		// Each language's visitor is a new one.
		eval2(t, tctx, chromedp.Evaluate[bool](`location.protocol.startsWith('http') && (localStorage.clear(), sessionStorage.clear(), true)`))
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/?lang="+l.lang),
			chromedp.WaitVisible(chromedp.CSS(".cjw-bubble"))); err != nil {
			t.Fatal(err)
		}
		if brand := eval2(t, tctx, chromedp.Evaluate[string](`document.querySelector('.brand').textContent + ' | ' + document.title + ' | ' + document.querySelector('h1').textContent`)); strings.Count(brand, l.name) != 3 {
			t.Errorf("%s page: brand | title | headline = %q, want %q in each", l.lang, brand, l.name)
		}
		if body := eval2(t, tctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, "Jade Leaf") || strings.Contains(body, "翠叶") {
			t.Errorf("%s page shows the demo company:\n%s", l.lang, body)
		}
		if c := eval2(t, tctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.cjw-bubble')).backgroundColor`)); c != "rgb(138, 75, 42)" {
			t.Errorf("%s: the chat bubble is %s, want the brand colour #8a4b2a", l.lang, c)
		}
		shoot(l.page)
		// The widget remembers that it was open on the page before.
		eval2(t, tctx, chromedp.Evaluate[bool](`document.getElementById('cjw-panel').hidden && (document.querySelector('.cjw-bubble').click(), true)`))
		if err := chromedp.Do(tctx, chromedp.WaitVisible(chromedp.ID("cjw-input"))); err != nil {
			t.Fatal(err)
		}
		if title := eval2(t, tctx, chromedp.Evaluate[string](`document.querySelector('.cjw-title').textContent`)); title != l.name {
			t.Errorf("%s: the widget is titled %q, want %q", l.lang, title, l.name)
		}
		waitFor("the welcome in the company's name", `(document.querySelector('.cjw-welcome')||{textContent:''}).textContent.includes(`+jsQuote(l.welcome)+`)`)
		ask(l.question)
		waitFor("the answer from the company's own file", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes(`+jsQuote(l.answer)+`))`)
		shoot("init-widget-" + l.lang + ".png")
	}
	// A customer asks for a person, so the console has someone waiting.
	ask("转人工")
	waitFor("the handoff", `[...document.querySelectorAll('.cjw-bot[data-id]')].some(li => li.textContent.includes('同事'))`)

	password := strings.TrimSpace(string(mustRead(t, filepath.Join(dir, "data", "console-password"))))
	if err := chromedp.Do(tctx, chromedp.Navigate(base+"/console/login?lang=en"), chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "admin"), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("signin"))); err != nil {
		t.Fatal(err)
	}
	// The sign-in page has the site's name too: wait for what only a
	// signed-in page shows, retrying an evaluation the page load cuts short.
	signedIn := `document.readyState === 'complete' && !!document.getElementById('logout') && !!document.getElementById('site')`
	browsertest.WaitFor(t, tctx, "the console after signing in", signedIn, 30*time.Second)
	if site := eval2(t, tctx, chromedp.Evaluate[string](`document.getElementById('site').textContent + ' | ' + document.title`)); strings.Count(site, "Bob's Bakery") != 2 {
		t.Errorf("console header | title = %q, want the company's name in each", site)
	}
	shoot("init-console-en.png")
}

func eval2[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jsQuote writes s as a JavaScript string literal.
func jsQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
