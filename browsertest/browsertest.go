// Package browsertest lets tests of the web packages drive a real headless
// Chromium (Debian's chromium package). Without the browser, tests skip with
// a clear message, except when the CI environment variable is set: there a
// missing browser is a failure, so browser tests can never silently vanish.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the browser's path, skipping the test when there is none
// (failing instead when CI is set).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI is set, so the browser tests must run")
	}
	t.Skip("browser test skipped: chromium is not installed (apt-get install chromium)")
	return ""
}

// Browser starts a headless Chromium with a fresh profile and a window of
// width × height pixels, and returns its first tab. The browser is stopped
// when the test ends. Browser tests are skipped in -short mode. The flags
// keep Chromium off the network, which this machine does not have.
func Browser(t testing.TB, width, height int) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// WaitFor evaluates the JavaScript condition cond in the tab ctx until it is
// true, and fails the test after timeout. Unlike chromedp.Poll it outlasts a
// page load: an evaluation that navigation cuts short ("Inspected target
// navigated or closed") is tried again on the new page. After a form posts,
// wait this way for something only the new page shows before acting on it.
func WaitFor(t testing.TB, ctx context.Context, step, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var err error
	for {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		var ok bool
		ok, err = chromedp.Run(c, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %s (last error: %v): %s", step, timeout, err, cond)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
