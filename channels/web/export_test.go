package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

const otherKey = "other-key-0123456789abcdef"

// smallBuffers makes the server's side of every accepted connection keep
// only a few KiB unsent, so that a client that stops reading stalls the
// server after kilobytes instead of the megabytes loopback buffers hold.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// exportEnv is a real server on loopback TCP, with the production timeouts
// (web.HTTPServer), over a real Engine and SQLite store.
type exportEnv struct {
	ts *httptest.Server
	db *sqlite.DB
}

func newExportEnv(t *testing.T, customers int, change func(*web.Options)) exportEnv {
	t.Helper()
	eng, db := demoEngine(t)
	seedCustomers(t, db, customers)
	opts := web.Options{Engine: eng, History: db, Customers: db, Staff: staff{}, APIKeys: []string{testKey, otherKey},
		Ready: db.Ping, SessionSecret: []byte("0123456789abcdef0123456789abcdef")}
	if change != nil {
		change(&opts)
	}
	srv, err := web.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener = smallBuffers{ts.Listener}
	hs := web.HTTPServer(srv, nil)
	ts.Config.ReadHeaderTimeout, ts.Config.ReadTimeout = hs.ReadHeaderTimeout, hs.ReadTimeout
	ts.Config.WriteTimeout, ts.Config.IdleTimeout = hs.WriteTimeout, hs.IdleTimeout
	ts.Start()
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return exportEnv{ts: ts, db: db}
}

// seedCustomers stores n customers with one message each (a few hundred
// bytes, so that an export of them is far larger than the socket buffers).
func seedCustomers(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	text := strings.Repeat("where is my parcel, it was due on Monday and has not come; ", 5)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, _, err := db.AppendInbound(context.Background(), bot.Inbound{Channel: "api",
					ExternalUserID: "seed-" + strconv.Itoa(i), Text: text}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// stalledClient requests path over its own TCP connection, reads the
// status line and headers, and then stops reading; the body is left
// unread in the response. The connection is closed when the test ends.
func stalledClient(t *testing.T, base, path string, header ...string) (int, http.Header, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	req := "GET " + path + " HTTP/1.1\r\nHost: test\r\n"
	for i := 0; i+1 < len(header); i += 2 {
		req += header[i] + ": " + header[i+1] + "\r\n"
	}
	if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4<<10), nil)
	if err != nil {
		t.Fatalf("export %s: %v", path, err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	return resp.StatusCode, resp.Header, resp
}

// timed sends a request with a client that gives up after 20 s (only to
// turn a hang into a failure) and returns the status and how long it took.
func timed(t *testing.T, method, url, token, body string, header ...string) (int, time.Duration, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 20 * time.Second}
	start := time.Now()
	resp, err := client.Do(req)
	took := time.Since(start)
	if err != nil {
		t.Errorf("%s %s: %v after %v", method, url, err, took)
		return 0, took, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, took, string(b)
}

// traffic is one round of what customers and the health checker do: a REST
// message, a widget session and message, /healthz and a customer list. It
// fails the test on any status but 200 and returns each request's time.
func (e exportEnv) traffic(t *testing.T, round int) map[string]time.Duration {
	t.Helper()
	took := map[string]time.Duration{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	do := func(name, method, path, token, body string, header ...string) {
		defer wg.Done()
		st, d, b := timed(t, method, e.ts.URL+path, token, body, header...)
		if st != http.StatusOK {
			t.Errorf("round %d: %s: %d after %v: %.200s", round, name, st, d, b)
		}
		mu.Lock()
		took[name] = d
		mu.Unlock()
	}
	wg.Add(4)
	go do("rest message", "POST", "/api/v1/messages", testKey,
		fmt.Sprintf(`{"user_id":"app-%d","text":"How long does shipping take?"}`, round))
	go do("healthz", "GET", "/healthz", "", "")
	go do("customer list", "GET", "/api/v1/customers?limit=5", testKey, "")
	go func() {
		defer wg.Done()
		var s web.SessionResponse
		if resp := call(t, "POST", e.ts.URL+"/api/v1/widget/session", "", map[string]string{}, nil, &s); resp.StatusCode != 200 {
			t.Errorf("round %d: widget session: %d", round, resp.StatusCode)
			return
		}
		wg.Add(1)
		do("widget message", "POST", "/api/v1/widget/messages", s.Token,
			fmt.Sprintf(`{"client_id":"client-msg-%04d","text":"How long does shipping take?"}`, round))
	}()
	wg.Wait()
	return took
}

// TestStalledExportsDoNotStopMessages is finding 1 of issue 19: with
// thousands of customers, clients that start an export and stop reading
// made every REST and widget message fail after the Engine's 10 s deadline
// and /healthz hang, because the exports held the store's read connections.
// Now exports read from connections of their own and are bounded in
// number (per key or agent, and in all): beside four stalled downloads,
// messages, lists and health checks answer as before, and a fifth export
// is refused with 429 and Retry-After.
func TestStalledExportsDoNotStopMessages(t *testing.T) {
	e := newExportEnv(t, 3000, nil)
	const rounds = 5
	var calm, stalled []map[string]time.Duration
	for i := range rounds {
		calm = append(calm, e.traffic(t, i))
	}

	// Two downloads on each of two API keys: each gets its first bytes, then
	// its client stops reading.
	type exporter struct{ path, key string }
	for i, x := range []exporter{{"/api/v1/customers/export?format=json", testKey},
		{"/api/v1/customers/export?format=csv", testKey},
		{"/api/v1/customers/export?format=json", otherKey},
		{"/api/v1/customers/export?format=csv", otherKey}} {
		st, _, _ := stalledClient(t, e.ts.URL, x.path, "Authorization", "Bearer "+x.key)
		if st != http.StatusOK {
			t.Fatalf("stalled export %d: status %d", i, st)
		}
	}
	for i := range rounds {
		stalled = append(stalled, e.traffic(t, rounds+i))
	}

	// A third download of a key, or any fifth one, is refused at once.
	for name, hdr := range map[string][]string{
		"third of one key":  {"Authorization", "Bearer " + testKey},
		"fifth of everyone": {"X-Test-Agent", "alice"},
	} {
		st, h, _ := stalledClient(t, e.ts.URL, "/api/v1/customers/export", hdr...)
		if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Errorf("%s export: %d, Retry-After %q; want 429 with Retry-After", name, st, h.Get("Retry-After"))
		}
	}

	names := []string{"rest message", "widget message", "healthz", "customer list"}
	var report []string
	for _, n := range names {
		var c, s []time.Duration
		for i := range rounds {
			c, s = append(c, calm[i][n]), append(s, stalled[i][n])
		}
		slices.Sort(c)
		slices.Sort(s)
		report = append(report, fmt.Sprintf("%-15s calm median %8v max %8v | beside 4 stalled exports median %8v max %8v",
			n, c[rounds/2].Round(time.Microsecond), c[rounds-1].Round(time.Microsecond),
			s[rounds/2].Round(time.Microsecond), s[rounds-1].Round(time.Microsecond)))
	}
	t.Logf("latency over %d rounds (3000 customers; race detector on if -race):\n%s", rounds, strings.Join(report, "\n"))
}

// TestStalledExportIsCut: a client that stops reading an export is cut
// after Limits.ExportStall without progress, which frees its export slot
// (and the store's snapshot); it sees a broken download, never a short one
// that looks whole. Before, the export lifted the write deadline and
// waited for the client for as long as it stayed connected.
func TestStalledExportIsCut(t *testing.T) {
	e := newExportEnv(t, 1000, func(o *web.Options) {
		o.Limits = web.Limits{ExportStall: 300 * time.Millisecond, MaxExportsPerActor: 1}
	})
	st, _, resp := stalledClient(t, e.ts.URL, "/api/v1/customers/export?format=json", "Authorization", "Bearer "+testKey)
	if st != http.StatusOK {
		t.Fatalf("export: %d", st)
	}
	// The key's one slot comes free once the stalled download is cut.
	var last int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if last, _, _ = timed(t, "GET", e.ts.URL+"/api/v1/customers/1/export", testKey, ""); last == http.StatusOK {
			break
		}
	}
	if last != http.StatusOK {
		t.Errorf("the key's next export: %d, want 200 once the stalled one is cut", last)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Errorf("the stalled client read a whole export (%d bytes) after stalling; want a cut download", len(body))
	}
}

// TestExportsRateLimited: each key and agent may start ExportBurst exports,
// then ExportRate per second; one's limit does not touch another's.
func TestExportsRateLimited(t *testing.T) {
	e := newExportEnv(t, 3, func(o *web.Options) {
		o.Limits = web.Limits{ExportRate: 0.001, ExportBurst: 2}
	})
	for i := range 2 {
		if st, _, b := timed(t, "GET", e.ts.URL+"/api/v1/customers/export", testKey, ""); st != http.StatusOK {
			t.Fatalf("export %d: %d %s", i, st, b)
		}
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/customers/export", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("third export of a key: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st, _, _ := timed(t, "GET", e.ts.URL+"/api/v1/customers/export", otherKey, ""); st != http.StatusOK {
		t.Errorf("another key's export: %d", st)
	}
	if st, _, _ := timed(t, "GET", e.ts.URL+"/api/v1/customers/export", "", "", "X-Test-Agent", "alice"); st != http.StatusOK {
		t.Errorf("an agent's export: %d", st)
	}
	// Other reads of the key are not counted against exports.
	if st, _, _ := timed(t, "GET", e.ts.URL+"/api/v1/customers", testKey, ""); st != http.StatusOK {
		t.Errorf("the key's customer list: %d", st)
	}
}
