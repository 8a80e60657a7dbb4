package console

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"golang.org/x/crypto/bcrypt"
)

var testKeys, _ = deriveKeys([]byte(strings.Repeat("k", 32)))

// acceptLanguage is how the console reads Accept-Language since the
// refactor (bot.PreferredLanguage); client naming and rate limits moved to
// package guard, and their tests with them.
var acceptLanguage = bot.PreferredLanguage

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
	for key, x := range labels {
		if x.EN == "" || x.ZH == "" {
			t.Errorf("label %q lacks a text: %+v", key, x)
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

// TestLoginDelay: recent failures for a name, from any address, slow each
// sign-in for it once past LoginBurst, doubling up to LoginDelay, and one
// is forgiven per LoginEvery; they never refuse it.
func TestLoginDelay(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("alice-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var nothing struct {
		Handoff
		Records
	}
	c, err := New(Options{Handoff: nothing, Records: nothing, Agents: []Agent{{Name: "alice", PasswordHash: string(hash)}},
		LoginBurst: 3, LoginEvery: time.Minute, LoginDelay: 2 * time.Second, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, 0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 2 * time.Second}
	for failures, w := range want {
		if got := c.loginDelay("alice"); got != w {
			t.Errorf("after %d failures: delay %v, want %v", failures, got, w)
		}
		c.nameFailures.Allow("alice")
	}
	if got := c.loginDelay("bob"); got != 0 {
		t.Errorf("another name is slowed: %v", got)
	}
	now = now.Add(4 * time.Minute) // 9 failures, 4 forgiven
	if got := c.loginDelay("alice"); got != 500*time.Millisecond {
		t.Errorf("four minutes later: delay %v, want 500ms", got)
	}
}
