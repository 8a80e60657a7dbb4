package console

import (
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

var testKeys, _ = deriveKeys([]byte(strings.Repeat("k", 32)))

func testSession(t testing.TB) session {
	t.Helper()
	id, err := newSessionID()
	if err != nil {
		t.Fatal(err)
	}
	return session{Agent: "Alice 李", ID: id, Expires: time.Unix(1_900_000_000, 0), pwPrint: passwordPrint("$2a$hash")}
}

func TestSessionRoundTrip(t *testing.T) {
	s := testSession(t)
	v := testKeys.encodeSession(s)
	got, err := testKeys.decodeSession(v, s.Expires.Add(-time.Second))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got != s {
		t.Errorf("decoded %+v, want %+v", got, s)
	}
	if _, err := testKeys.decodeSession(v, s.Expires); err == nil {
		t.Error("a session is valid at its expiry time")
	}
	other, _ := deriveKeys([]byte(strings.Repeat("o", 32)))
	if _, err := other.decodeSession(v, s.Expires.Add(-time.Hour)); err == nil {
		t.Error("a session verifies under another secret")
	}
	// Every single-character change is refused.
	for i := range v {
		for _, c := range []byte{'A', '_', '.'} {
			if v[i] == c {
				continue
			}
			bad := v[:i] + string(c) + v[i+1:]
			if got, err := testKeys.decodeSession(bad, s.Expires.Add(-time.Hour)); err == nil && got != s {
				t.Fatalf("tampered cookie %q accepted as %+v", bad, got)
			}
		}
	}
}

func TestCSRFToken(t *testing.T) {
	s1, s2 := testSession(t), testSession(t)
	tok := testKeys.csrfToken(s1.ID)
	if !testKeys.checkCSRF(s1.ID, tok) {
		t.Error("a session's own token is refused")
	}
	for _, bad := range []string{"", tok[:len(tok)-1], testKeys.csrfToken(s2.ID), strings.ToUpper(tok)} {
		if bad != tok && testKeys.checkCSRF(s1.ID, bad) {
			t.Errorf("token %q accepted", bad)
		}
	}
	if !testKeys.checkLoginToken("nonce-1234567890", testKeys.loginToken("nonce-1234567890")) ||
		testKeys.checkLoginToken("nonce-other", testKeys.loginToken("nonce-1234567890")) || testKeys.checkLoginToken("", testKeys.loginToken("")) {
		t.Error("login tokens are not bound to their nonce")
	}
}

func TestAcceptLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", langEN},
		{"zh-CN,zh;q=0.9,en;q=0.8", langZH},
		{"en-US,en;q=0.9,zh-CN;q=0.8", langEN},
		{"fr-FR, zh-TW;q=0.5, en;q=0.4", langZH},
		{"en;q=0.2, zh;q=0.9", langZH},
		{"zh;q=0, en;q=0.1", langEN},
		{"zh;q=abc, en", langEN},
		{"de, fr", langEN},
		{"ZH-hans", langZH},
		{"zhx, en-GB", langEN},
	}
	for _, tt := range tests {
		if got := acceptLanguage(tt.header); got != tt.want {
			t.Errorf("acceptLanguage(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	proxy := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"direct", "203.0.113.5:1234", "", nil, "203.0.113.5"},
		{"untrusted peer's header ignored", "203.0.113.5:1234", "1.2.3.4", nil, "203.0.113.5"},
		{"trusted proxy", "10.0.0.2:80", "198.51.100.7", proxy, "198.51.100.7"},
		{"spoofed left part ignored", "10.0.0.2:80", "1.1.1.1, 198.51.100.7, 10.0.0.3", proxy, "198.51.100.7"},
		{"malformed hop", "10.0.0.2:80", "garbage", proxy, "10.0.0.2"},
		{"only proxies", "10.0.0.2:80", "10.0.0.9", proxy, "10.0.0.2"},
		{"mapped v4", "[::ffff:203.0.113.5]:1", "", nil, "203.0.113.5"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := clientIP(r, tt.trusted); got != tt.want {
			t.Errorf("%s: clientIP = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(time.Minute, 2, 2, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.take("a"); ok != want {
			t.Errorf("take %d = %v, want %v", i, ok, want)
		}
	}
	if ok, _ := l.take("b"); !ok {
		t.Error("b refused")
	}
	if ok, _ := l.take("c"); ok {
		t.Error("a third key was admitted while the table is full of busy buckets")
	}
	now = now.Add(2 * time.Minute)
	if ok, _ := l.take("c"); !ok {
		t.Error("c refused after the others refilled")
	}
}

func TestWaitText(t *testing.T) {
	tests := []struct {
		d      time.Duration
		en, zh string
	}{
		{30 * time.Second, "just now", "刚刚"},
		{12 * time.Minute, "12 min", "12 分钟"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min", "2 小时 5 分钟"},
		{50 * time.Hour, "2 d 2 h", "2 天 2 小时"},
	}
	for _, tt := range tests {
		if got := waitText(langEN, tt.d); got != tt.en {
			t.Errorf("waitText(en, %v) = %q, want %q", tt.d, got, tt.en)
		}
		if got := waitText(langZH, tt.d); got != tt.zh {
			t.Errorf("waitText(zh, %v) = %q, want %q", tt.d, got, tt.zh)
		}
	}
}

func TestLabelsComplete(t *testing.T) {
	for key := range labels[langEN] {
		if _, ok := labels[langZH][key]; !ok {
			t.Errorf("label %q has no Chinese text", key)
		}
	}
	for key := range labels[langZH] {
		if _, ok := labels[langEN][key]; !ok {
			t.Errorf("label %q has no English text", key)
		}
	}
}

func FuzzDecodeSession(f *testing.F) {
	s := testSession(f)
	f.Add(testKeys.encodeSession(s))
	f.Add("v1..")
	f.Add("v1.AAAA.AAAA")
	f.Add(strings.Repeat("v1.", 200))
	f.Fuzz(func(t *testing.T, v string) {
		got, err := testKeys.decodeSession(v, s.Expires.Add(-time.Hour))
		if err != nil {
			return
		}
		// Whatever verifies re-encodes to itself: nothing unsigned slips in.
		if again := testKeys.encodeSession(got); again != v {
			t.Fatalf("decoded %q to %+v, which encodes to %q", v, got, again)
		}
	})
}

func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=0.2, zh;q=0.9", ";;;,,q=", "zh;q=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := acceptLanguage(h); got != langEN && got != langZH {
			t.Fatalf("acceptLanguage(%q) = %q", h, got)
		}
	})
}

func FuzzForwardedFor(f *testing.F) {
	f.Add("1.2.3.4, 10.0.0.1")
	f.Add("::1,,,")
	f.Add("[::1]:80")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("10.0.0.2")
	f.Fuzz(func(t *testing.T, h string) {
		got := forwardedFor([]string{h}, trusted, peer)
		if !got.IsValid() {
			t.Fatalf("forwardedFor(%q) = invalid address", h)
		}
		if got != peer && isTrusted(got, trusted) {
			t.Fatalf("forwardedFor(%q) = %v, a trusted proxy", h, got)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/console/c/1", "//evil", "/console//evil", "https://x/console", "/console\\x", "/console?x=%0a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/console") || strings.HasPrefix(got, "//") {
			t.Fatalf("safeNext(%q) = %q leaves the console", next, got)
		}
	})
}
