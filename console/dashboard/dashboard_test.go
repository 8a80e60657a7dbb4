package dashboard

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/insights/traffic"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// demoEnd is the fixed "now" of the seeded demo, so figures are stable.
var demoEnd = time.Date(2026, 3, 20, 18, 0, 0, 0, time.UTC)

var (
	seedMu    sync.Mutex
	seedPaths = map[int]string{}
	seedDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
	os.Exit(code)
}

// seeded returns a Reporter over a database with days of demo traffic
// ending at demoEnd, built once per test binary.
func seeded(tb testing.TB, days int) *insights.Reporter {
	tb.Helper()
	seedMu.Lock()
	defer seedMu.Unlock()
	path, ok := seedPaths[days]
	if !ok {
		if seedDir == "" {
			dir, err := os.MkdirTemp("", "concierge-dashboard-")
			if err != nil {
				tb.Fatal(err)
			}
			seedDir = dir
		}
		path = filepath.Join(seedDir, "demo-"+itoa(days)+".db")
		if _, err := traffic.Seed(context.Background(), path, traffic.Options{Days: days, End: demoEnd, Seed: 3}); err != nil {
			tb.Fatalf("seed %d days: %v", days, err)
		}
		seedPaths[days] = path
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	r, err := insights.New(insights.Options{Source: db, Now: func() time.Time { return demoEnd }})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func itoa(n int) string { return count(int64(n)) }

func newDashboard(tb testing.TB, r Reporter) *Dashboard {
	tb.Helper()
	d, err := New(Options{Logger: slog.New(slog.NewTextHandler(testWriter{tb}, nil)), Reports: r, Now: func() time.Time { return demoEnd }, ContentEmail: "content@example.com"})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// testWriter sends log lines to the test log.
type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func get(tb testing.TB, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// cells extracts the data-k cells of the table row with the given id.
func cells(t *testing.T, page, id string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</tr>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no row %q on the page", id)
	}
	out := map[string]string{}
	for _, c := range regexp.MustCompile(`data-k="([a-z_]+)">([^<]*)</td>`).FindAllStringSubmatch(m[1], -1) {
		out[c[1]] = c[2]
	}
	return out
}

func want(r row) map[string]string {
	return map[string]string{"conversations": r.Conversations, "customers": r.Customers,
		"new_customers": r.NewCustomers, "messages": r.Messages, "resolution": r.Resolution, "escalation": r.Escalation,
		"conversion": r.Conversion, "csat": r.CSAT, "first_response": r.FirstResponse,
		"time_to_human": r.TimeToHuman, "complaints": r.Complaints}
}

// TestPageFiguresEqualReport checks every figure of the channel table
// against the report the page was built from.
func TestPageFiguresEqualReport(t *testing.T) {
	r := seeded(t, 30)
	d := newDashboard(t, r)
	for _, days := range Ranges {
		rep, err := r.Report(context.Background(), insights.LastDays(demoEnd, days, ""))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Overall.Conversations == 0 {
			t.Fatal("the seeded demo has no conversations")
		}
		rec := get(t, d, "/console/dashboard?days="+itoa(days))
		if rec.Code != http.StatusOK {
			t.Fatalf("days=%d: status %d: %s", days, rec.Code, rec.Body)
		}
		page := rec.Body.String()
		for _, f := range append([]insights.Figures{rep.Overall}, rep.Channels...) {
			id := "ch-" + f.Channel
			if f.Channel == "" {
				id = "ch-all"
			}
			if diff := cmp.Diff(want(figuresRow("", "", "", f)), cells(t, page, id)); diff != "" {
				t.Errorf("days=%d row %s (-report +page):\n%s", days, id, diff)
			}
		}
		for _, g := range rep.Gaps {
			if !strings.Contains(page, `<span class="count">`+count(g.Count)+`</span>`) {
				t.Errorf("days=%d: gap count %d missing", days, g.Count)
			}
		}
		for _, s := range []string{"NaN", "Inf", "<nil>", "%!"} {
			if strings.Contains(page, s) {
				t.Errorf("days=%d: page contains %q", days, s)
			}
		}
		if n := strings.Count(page, `<svg class="chart"`); n != 4 {
			t.Errorf("days=%d: %d charts, want 4", days, n)
		}
		if n := strings.Count(page, "<polyline"); n < 4 {
			t.Errorf("days=%d: %d lines drawn, want at least one per chart", days, n)
		}
	}
}

// TestChannelFilter shows one channel only.
func TestChannelFilter(t *testing.T) {
	r := seeded(t, 30)
	d := newDashboard(t, r)
	rec := get(t, d, "/console/dashboard?days=7&channel=slack")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	rep, err := r.Report(context.Background(), insights.LastDays(demoEnd, 7, "slack"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want(figuresRow("", "", "", rep.Channels[0])), cells(t, page, "ch-slack")); diff != "" {
		t.Errorf("slack row (-report +page):\n%s", diff)
	}
	for _, other := range []string{`id="ch-web"`, `id="ch-all"`} {
		if strings.Contains(page, other) {
			t.Errorf("filtered page has %s", other)
		}
	}
}

func TestBadParameters(t *testing.T) {
	d := newDashboard(t, seeded(t, 30))
	tests := []struct {
		target, accept string
		want           string
	}{
		{"/console/dashboard?days=8", "", "Unknown range \"8\""},
		{"/console/dashboard?days=abc", "", "days=7, days=30 or days=90"},
		{"/console/dashboard?days=7&days=30", "", "more than once"},
		{"/console/dashboard?channel=fax", "", "Unknown channel \"fax\""},
		{"/console/dashboard?channel=%3Cscript%3E", "", "lower-case letters"},
		{"/console/dashboard?lang=fr", "", "lang=en or lang=zh"},
		{"/console/dashboard?format=pdf", "", "format=html or format=csv"},
		{"/console/dashboard?days=8", "zh-CN,zh;q=0.9", "未知的时间范围"},
		{"/console/dashboard?days=%zz", "", "malformed"},
	}
	for _, tt := range tests {
		rec := get(t, d, tt.target, "Accept-Language", tt.accept)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s = %d %q, want 400 with %q", tt.target, rec.Code, rec.Body, tt.want)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("GET %s: error answered as %q, want text/plain", tt.target, ct)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/console/dashboard", nil)
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST = %d, want 405", rec.Code)
	}
	if rec := get(t, d, "/console/dashboard/x"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown path = %d, want 404", rec.Code)
	}
}

func TestLanguages(t *testing.T) {
	d := newDashboard(t, seeded(t, 30))
	tests := []struct {
		target, accept, want, notWant string
	}{
		{"/console/dashboard", "", "Bot resolution", "机器人解决率"},
		{"/console/dashboard", "zh-CN,zh;q=0.9,en;q=0.8", "机器人解决率", "Bot resolution"},
		{"/console/dashboard?lang=zh", "en", "每日会话数", "Conversations per day"},
		{"/console/dashboard?lang=en", "zh", "Conversations per day", "每日会话数"},
	}
	for _, tt := range tests {
		rec := get(t, d, tt.target, "Accept-Language", tt.accept)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, tt.want) || strings.Contains(body, tt.notWant) {
			t.Errorf("GET %s (Accept-Language %q): status %d, want %q and not %q", tt.target, tt.accept, rec.Code, tt.want, tt.notWant)
		}
	}
}

func TestCSV(t *testing.T) {
	r := seeded(t, 30)
	d := newDashboard(t, r)
	rep, err := r.Report(context.Background(), insights.LastDays(demoEnd, 7, ""))
	if err != nil {
		t.Fatal(err)
	}
	var wantCSV strings.Builder
	if err := rep.WriteCSV(&wantCSV); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/console/dashboard.csv?days=7", "/console/dashboard?days=7&format=csv"} {
		rec := get(t, d, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s: Content-Type %q", target, ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
			t.Errorf("%s: Content-Disposition %q", target, cd)
		}
		if diff := cmp.Diff(wantCSV.String(), rec.Body.String()); diff != "" {
			t.Errorf("%s (-report +served):\n%s", target, diff)
		}
		cr := csv.NewReader(strings.NewReader(rec.Body.String()))
		cr.FieldsPerRecord = -1
		if _, err := cr.Read(); err != nil && err != io.EOF {
			t.Errorf("%s: not CSV: %v", target, err)
		}
	}
}

func TestEmptyDatabase(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "empty.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := insights.New(insights.Options{Source: db, Now: func() time.Time { return demoEnd }})
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, newDashboard(t, r), "/console/dashboard?days=90")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, body)
	}
	got := cells(t, body, "ch-all")
	if got["resolution"] != "—" || got["csat"] != "—" || got["conversations"] != "0" {
		t.Errorf("empty database row: %v", got)
	}
	if strings.Contains(body, "NaN") || !strings.Contains(body, "No conversations in this range yet.") {
		t.Error("empty database: NaN shown or no empty notice")
	}
}

// hostile reports customer text crafted to break the page.
type hostile struct{ rep insights.Report }

func (h hostile) Report(context.Context, insights.Query) (*insights.Report, error) {
	r := h.rep
	return &r, nil
}

func TestEscapesCustomerText(t *testing.T) {
	evil := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	rep := insights.Report{Since: demoEnd.AddDate(0, 0, -6), Until: demoEnd.AddDate(0, 0, 1),
		Overall:  insights.Figures{Conversations: 1},
		Channels: []insights.Figures{{Channel: "web", Conversations: 1}},
		Gaps:     []insights.GapCount{{Question: evil + "\r\nBcc: x@evil", Count: 3}},
		Intents:  []insights.IntentCount{{Intent: evil, Count: 2}}}
	rec := get(t, newDashboard(t, hostile{rep}), "/console/dashboard?days=7")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, body)
	}
	if m := regexp.MustCompile(`href="(mailto:[^"]*)"`).FindStringSubmatch(body); m == nil || strings.ContainsAny(m[1], "\r\n<>") {
		t.Errorf("mailto link missing or not escaped: %q", m)
	}
	for _, bad := range []string{"<script>", "<img"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the gap question is not shown escaped")
	}
	if !strings.Contains(body, `href="mailto:content@example.com?subject=`) {
		t.Error("no mailto link to write the missing content")
	}
}

func TestFormat(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int64) *int64 { return &v }
	got := []string{percent(nil), percent(f(0.5)), percent(f(1)), csat(nil, 0), csat(f(4.25), 8),
		millis(nil), millis(i(850)), millis(i(2400)), secs(nil), secs(f(720)), secs(f(7200))}
	want := []string{"—", "50.0%", "100.0%", "—", "4.25 (8)", "—", "850 ms", "2.4 s", "—", "12.0 min", "2.0 h"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("formats (-want +got):\n%s", diff)
	}
}

func TestPickLang(t *testing.T) {
	tests := []struct{ query, header, want string }{
		{"", "", "en"}, {"zh", "en", "zh"}, {"", "zh-TW", "zh"}, {"", "en-US,zh;q=0.5", "en"},
		{"", "fr, zh;q=0.3, en;q=0.2", "zh"}, {"xx", "zh;q=abc", "en"}, {"", "zh;q=0", "en"},
	}
	for _, tt := range tests {
		if got := pickLang(tt.query, tt.header); got != tt.want {
			t.Errorf("pickLang(%q, %q) = %q, want %q", tt.query, tt.header, got, tt.want)
		}
	}
}

// FuzzParams feeds arbitrary query strings and headers to the parser: it
// must never panic, and a valid result must hold an allowed value.
func FuzzParams(f *testing.F) {
	for _, s := range []string{"days=7", "days=30&channel=web&lang=zh", "format=csv", "days=%zz", "channel=" + strings.Repeat("a", 50)} {
		f.Add(s, "zh-CN")
	}
	f.Fuzz(func(t *testing.T, query, accept string) {
		req := httptest.NewRequest(http.MethodGet, "/console/dashboard", nil)
		req.URL.RawQuery = query
		req.Header.Set("Accept-Language", accept)
		p, err := parseParams(req)
		if err != nil {
			return
		}
		if !validDays(p.days) || (p.lang != "en" && p.lang != "zh") || (p.format != "html" && p.format != "csv") ||
			(p.channel != "" && !channelName.MatchString(p.channel)) {
			t.Errorf("parseParams(%q) = %+v", query, p)
		}
	})
}
