package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/storage/postgres/pgtest"
)

// copyOf returns a client holding a copy of a's cookies as they are now,
// as someone who copied the console cookie would, pointed at base.
func (a *consoleAgent) copyOf(t *testing.T, base string) *consoleAgent {
	t.Helper()
	from, _ := url.Parse(a.base)
	to, _ := url.Parse(base)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(to, a.c.Jar.Cookies(from))
	return &consoleAgent{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// queue returns the status of the console's queue page: 200 signed in, 303
// (to the login page) signed out.
func (a *consoleAgent) queue(t *testing.T) int {
	t.Helper()
	resp, err := a.c.Get(a.base + "/console")
	if err != nil {
		t.Fatal(err)
	}
	return a.read(resp)
}

// TestSignOutHolds: a console cookie that was signed out is refused after
// the server restarts (issue 19: sign-outs were kept in memory) and, on
// PostgreSQL, by every replica — with either engine the store keeps them.
func TestSignOutHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes; skipped in -short mode")
	}
	hash, err := console.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	agents := fmt.Sprintf("console:\n  agents:\n    - {name: alice, password_hash: %q}\n", hash)
	check := func(t *testing.T, a, b *replica) {
		alice := signIn(t, a.url(), "alice", "correct horse battery")
		// Another session of hers, never signed out, shows that sessions
		// themselves outlive a restart and work on every replica.
		other := signIn(t, a.url(), "alice", "correct horse battery")
		copied := alice.copyOf(t, a.url())
		var copiedB *consoleAgent
		if b != nil {
			copiedB = alice.copyOf(t, b.url())
		}
		if st := copied.queue(t); st != http.StatusOK {
			t.Fatalf("copied cookie before sign-out: %d, want 200", st)
		}
		if st := alice.post(t, "/console/logout", url.Values{}); st != http.StatusSeeOther {
			t.Fatalf("sign out: %d, want 303", st)
		}
		if st := copied.queue(t); st != http.StatusSeeOther {
			t.Errorf("copied cookie after sign-out: %d, want 303 to the login page", st)
		}
		if b != nil {
			if st := other.copyOf(t, b.url()).queue(t); st != http.StatusOK {
				t.Fatalf("a session on the other replica: %d, want 200", st)
			}
			if st := copiedB.queue(t); st != http.StatusSeeOther {
				t.Errorf("copied cookie on the other replica after sign-out: %d, want 303", st)
			}
		}
		a.stop()
		a.start()
		if st := other.copyOf(t, a.url()).queue(t); st != http.StatusOK {
			t.Fatalf("a session that was not signed out, after a restart: %d, want 200", st)
		}
		if st := copied.queue(t); st != http.StatusSeeOther {
			t.Errorf("copied cookie after sign-out and a restart: %d, want 303 to the login page", st)
		}
		// The restarted server still signs agents in, with the same key.
		if st := signIn(t, a.url(), "alice", "correct horse battery").queue(t); st != http.StatusOK {
			t.Errorf("a new sign-in after the restart: %d, want 200", st)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), agents)
		a := newReplica(t, "a", cfg)
		a.start()
		check(t, a, nil)
	})
	t.Run("postgres", func(t *testing.T) {
		dbURL := pgtest.Database(t)
		cfg := writeFile(t, filepath.Join(t.TempDir(), "c.yaml"), "database: "+dbURL+"\n"+agents)
		a, b := newReplica(t, "a", cfg), newReplica(t, "b", cfg)
		a.start()
		b.start()
		check(t, a, b)
	})
}
