package console_test

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

	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/console/dashboard"
	"github.com/concierge-bot/concierge/insights"
)

// TestBrowserDashboardSignOutAndQueueName mounts the real dashboard behind
// the console's RequireLogin, as serve does, and checks in Chromium, at a
// desktop and a 390-px phone width, that the dashboard names the queue as
// the console does (English and Chinese), that its Sign out button (a POST
// with the session's CSRF token) ends the session, and that the header does
// not overflow.
func TestBrowserDashboardSignOutAndQueueName(t *testing.T) {
	e := newEnv(t, nil)
	rep, err := insights.New(insights.Options{Source: e.db})
	if err != nil {
		t.Fatal(err)
	}
	dash, err := dashboard.New(dashboard.Options{Reports: rep, SignedIn: console.AgentFrom})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console", e.console)
	mux.Handle("/console/", e.console)
	for _, p := range []string{dashboard.Path, dashboard.CSSPath} {
		mux.Handle(p, e.console.RequireLogin(dash))
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tab := browser(t)
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(value(t, tab, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
	}
	eval := func(js string) bool {
		t.Helper()
		return value(t, tab, js, chromedp.Evaluate[bool](js))
	}
	for _, tt := range []struct {
		name        string
		width       int64
		lang, wantQ string
		wantSignOut string
	}{
		{"en-desktop", 1200, "en", "Waiting for an agent", "Sign out"},
		{"zh-phone", 390, "zh", "等待人工接待", "退出"},
	} {
		run(tt.name+": sign in",
			chromedp.EmulateViewport(tt.width, 844),
			chromedp.Navigate(srv.URL+"/console/login?lang="+tt.lang),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("name"), "alice"),
			chromedp.SendKeys(chromedp.ID("password"), passwords["alice"]),
			chromedp.Click(chromedp.ID("signin")),
			chromedp.WaitVisible(chromedp.ID("queue")),
		)
		consoleQueue := text("header.top nav a[href='/console']")
		run(tt.name+": open the dashboard",
			chromedp.Navigate(srv.URL+dashboard.Path+"?lang="+tt.lang),
			chromedp.WaitVisible(chromedp.ID("logout")),
		)
		if q := text("#queue-link"); q != tt.wantQ || q != consoleQueue {
			t.Errorf("%s: the dashboard calls the queue %q, the console %q; want both %q", tt.name, q, consoleQueue, tt.wantQ)
		}
		if s := text("#logout"); s != tt.wantSignOut {
			t.Errorf("%s: sign-out button says %q, want %q", tt.name, s, tt.wantSignOut)
		}
		if eval(`document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s: the dashboard scrolls sideways at %d px", tt.name, tt.width)
		}
		if !eval(`(() => { const b = document.getElementById('logout').getBoundingClientRect();
			return b.width > 0 && b.left >= 0 && b.right <= window.innerWidth; })()`) {
			t.Errorf("%s: the sign-out button is not inside the viewport", tt.name)
		}
		shot := value(t, tab, "screenshot", chromedp.CaptureScreenshot())
		path := filepath.Join(shotDir(t), "dashboard-signout-"+tt.name+".png")
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: screenshot %s", tt.name, path)
		run(tt.name+": sign out",
			chromedp.Click(chromedp.ID("logout")),
			chromedp.WaitVisible(chromedp.ID("password")),
		)
		// Signed out: the dashboard sends the browser to the sign-in page.
		run(tt.name+": dashboard after sign-out",
			chromedp.Navigate(srv.URL+dashboard.Path),
			chromedp.WaitVisible(chromedp.ID("password")),
		)
		if u := value(t, tab, "location", chromedp.Location()); !strings.Contains(u, "/console/login") {
			t.Errorf("%s: after sign-out the dashboard is at %s, want the sign-in page", tt.name, u)
		}
	}
}

// shotDir is where screenshots go: $SCREENSHOT_DIR when set (to look at
// them), else a temporary directory.
func shotDir(t *testing.T) string {
	if d := os.Getenv("SCREENSHOT_DIR"); d != "" {
		return d
	}
	return t.TempDir()
}
