package importer

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
)

// TestSyncRemovesGonePagesAfterGrace: a page whose source answers 404 stays
// for the grace period (logged), then is removed; a hand-written page is
// never touched.
func TestSyncRemovesGonePagesAfterGrace(t *testing.T) {
	site := newFixtureSite(t, 5)
	dir := t.TempDir()
	hand := filepath.Join(dir, "hand.md")
	if err := os.WriteFile(hand, []byte("---\nid: hand\ntitle: Hand\n---\nWritten by a person.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := NewSyncer(SyncOptions{Into: dir, State: filepath.Join(t.TempDir(), "state.json"), Grace: 48 * time.Hour,
		Now:     func() time.Time { return now },
		Sources: []Source{{Location: site.URL + "/sitemap.xml", Every: time.Hour, Fetch: FetchOptions{Delay: -1}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if sum, err := s.SyncOnce(ctx, 0); err != nil || len(sum.Added) != 5 {
		t.Fatalf("first sync: %s %v", sum, err)
	}
	site.gone[3] = true
	page3 := filepath.Join(dir, "127.0.0.1", "help", "3.md")
	now = now.Add(24 * time.Hour)
	if sum, err := s.SyncOnce(ctx, 0); err != nil || len(sum.Removed) != 0 || len(sum.Unchanged) != 4 {
		t.Fatalf("sync with page 3 gone: %s %v", sum, err)
	}
	if _, err := os.Stat(page3); err != nil {
		t.Fatalf("page 3 removed before the grace period: %v", err)
	}
	now = now.Add(49 * time.Hour)
	sum, err := s.SyncOnce(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"127.0.0.1/help/3"}, sum.Removed); diff != "" {
		t.Errorf("removed after the grace period (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(page3); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("page 3 still there: %v", err)
	}
	if _, err := os.Stat(hand); err != nil {
		t.Errorf("the hand-written page was touched: %v", err)
	}
	// A site that cannot be reached removes nothing.
	site.Close()
	now = now.Add(100 * time.Hour)
	if sum, err := s.SyncOnce(ctx, 0); err == nil || len(sum.Removed) != 0 {
		t.Errorf("sync of an unreachable site: %s %v; want an error and nothing removed", sum, err)
	}
	// The state survives a restart.
	s2, err := NewSyncer(SyncOptions{Into: dir, State: s.opts.State, Sources: s.opts.Sources, Now: func() time.Time { return now }})
	if err != nil || !s2.lastRun(s.opts.Sources[0]).Equal(now) {
		t.Errorf("state after restart: last run %v, %v", s2.lastRun(s.opts.Sources[0]), err)
	}
}

// TestHandWrittenPagesAreLeftAlone: an import never replaces a page it
// did not write.
func TestHandWrittenPagesAreLeftAlone(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "faq.md"), []byte("---\ntitle: Mine\n---\nMine.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "faq.txt"), []byte("Theirs\n\nImported text.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Import(context.Background(), src, Options{Into: dir})
	if err != nil || len(sum.Failed) != 1 || !strings.Contains(sum.Failed[0].Reason, "not written by import") {
		t.Fatalf("%s %v %v", sum, sum.Failed, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "faq.md")); !strings.Contains(string(b), "Mine.") {
		t.Errorf("hand-written page replaced:\n%s", b)
	}
}

// TestFetcherStaysWithinNamedHosts: redirects and dials go only where the
// user named; internal addresses are refused at dial time, whatever name
// led there.
func TestFetcherStaysWithinNamedHosts(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other host was fetched: %s", r.URL)
	}))
	defer other.Close()
	otherURL, _ := url.Parse(other.URL)
	otherByName := "http://localhost:" + otherURL.Port() + "/secret" // same server, a name not given
	var uas []string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uas = append(uas, r.UserAgent())
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/away":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/byname":
			http.Redirect(w, r, otherByName, http.StatusFound)
		default:
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><body><main><h1>Hi</h1><p>Text long enough to be a page of its own, with words.</p><a href="` + other.URL + `/link">x</a></main></body></html>`))
		}
	}))
	defer site.Close()
	f, err := NewFetcher([]string{site.URL}, FetchOptions{Delay: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, p := range []string{"/away", "/byname"} {
		u, _ := url.Parse(site.URL + p)
		if _, err := f.Get(ctx, u); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("redirect %s: %v, want refused", p, err)
		}
	}
	u, _ := url.Parse(other.URL + "/direct")
	if _, err := f.Get(ctx, u); err == nil {
		t.Error("a host not named was fetched")
	}
	for _, ua := range uas {
		if !strings.HasPrefix(ua, "ConciergeBot/") {
			t.Errorf("User-Agent %q", ua)
		}
	}
	// The dial check: internal addresses are refused unless named, which
	// is what stops DNS rebinding (the name resolves, then the address is
	// checked).
	pub, _ := NewFetcher([]string{"https://shop.example.com"}, FetchOptions{})
	for _, addr := range []string{"127.0.0.1:80", "10.1.2.3:443", "192.168.1.1:80", "169.254.169.254:80", "[::1]:80",
		"[fd00::1]:80", "100.64.0.1:80", "0.0.0.0:80", "[::ffff:127.0.0.1]:80"} {
		if err := pub.checkDial("tcp", addr, nil); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("dial %s for a public host: %v, want refused", addr, err)
		}
	}
	if err := pub.checkDial("tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("dial a public address: %v", err)
	}
	if err := f.checkDial("tcp", strings.TrimPrefix(site.URL, "http://"), nil); err != nil {
		t.Errorf("dial the named loopback address: %v", err)
	}
	if err := f.checkDial("tcp", "127.0.0.2:80", nil); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("dial another loopback address: %v, want refused", err)
	}
	if f.client.Transport.(*http.Transport).Proxy != nil {
		t.Error("a proxy would hide the address actually reached")
	}
}

// TestDNSRebindingRefused: a named host whose DNS answers a loopback
// address (as a rebinding attacker's would, after a public answer passed
// any earlier check) is refused when the connection is made.
func TestDNSRebindingRefused(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	tu, _ := url.Parse(target.URL)
	dns := fakeDNS(t, netip.MustParseAddr("127.0.0.1"))
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", dns)
	}}
	named := "http://shop.example.com:" + tu.Port() + "/"
	f, err := newFetcher([]string{named}, FetchOptions{Delay: -1}, resolver)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(named)
	_, err = f.Get(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "private, loopback or internal") {
		t.Errorf("fetch through a name resolving to loopback: %v, want refused at dial time", err)
	}
	if hits != 0 {
		t.Errorf("the loopback server was reached %d times", hits)
	}
}

// fakeDNS answers every A query with addr, on a loopback UDP port.
func fakeDNS(t *testing.T, addr netip.Addr) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var p dnsmessage.Parser
			h, err := p.Start(buf[:n])
			if err != nil {
				continue
			}
			q, err := p.Question()
			if err != nil {
				continue
			}
			b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
			_ = b.StartQuestions()
			_ = b.Question(q)
			_ = b.StartAnswers()
			if q.Type == dnsmessage.TypeA {
				_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0},
					dnsmessage.AResource{A: addr.As4()})
			}
			msg, err := b.Finish()
			if err == nil {
				_, _ = pc.WriteTo(msg, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// TestInternalFolderStaysInternal: files under a folder named internal are
// imported as internal unless an audience is given.
func TestInternalFolderStaysInternal(t *testing.T) {
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "internal"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"internal/discounts.txt": "Staff discounts\n\n30% for staff.\n", "hours.txt": "Hours\n\nOpen daily.\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	into := t.TempDir()
	if _, err := Import(context.Background(), src, Options{Into: into}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"internal/discounts.md": "audience: internal", "hours.md": "audience: public"} {
		b, err := os.ReadFile(filepath.Join(into, file))
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, want %q in\n%s", file, err, want, b)
		}
	}
}
