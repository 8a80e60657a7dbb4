// Package platformfake holds what the fakes of the chat platforms
// (dingtalktest, feishutest, wecomtest) do alike: issue and revoke access tokens,
// count requests and refuse them as rate limited on demand, record what the
// adapter sent for a test to wait for, and keep the WebSocket connections
// of a gateway. Each fake embeds these and keeps its platform's own wire
// format: paths, bodies, error codes and frames.
package platformfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Platform is the server of a fake platform with the parts every fake has:
// it counts requests and rate-limits them on demand (Limiter), issues and
// revokes tokens (Tokens) and keeps the WebSocket connections of its
// gateway (Sockets). A fake embeds it and calls Start.
type Platform struct {
	*httptest.Server
	Limiter
	Tokens
	Sockets
}

// Start serves api, each request counted and refused with refuse while its
// path is rate limited, until the test ends.
func (p *Platform) Start(t testing.TB, api http.Handler, refuse http.HandlerFunc) {
	p.Server = httptest.NewServer(p.Limit(api, refuse))
	t.Cleanup(p.Close)
}

// Close closes the gateway's connections and the server.
func (p *Platform) Close() {
	p.DropConnections()
	p.Server.Close()
}

// WriteJSON answers v as JSON.
func WriteJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Tokens are the access tokens a fake issued. The zero value is ready.
type Tokens struct {
	mu     sync.Mutex
	valid  map[string]bool
	issued int
}

// Issue returns a new valid token: prefix and a serial number.
func (t *Tokens) Issue(prefix string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.issued++
	tok := prefix + strconv.Itoa(t.issued)
	if t.valid == nil {
		t.valid = map[string]bool{}
	}
	t.valid[tok] = true
	return tok
}

// Valid reports whether tok was issued and not revoked.
func (t *Tokens) Valid(tok string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.valid[tok]
}

// TokenCalls returns how many tokens were issued.
func (t *Tokens) TokenCalls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.issued
}

// RevokeTokens invalidates every issued token.
func (t *Tokens) RevokeTokens() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.valid)
}

// Limiter counts the requests a fake receives by path and refuses the next
// ones to a path as rate limited on demand. The zero value is ready.
type Limiter struct {
	mu      sync.Mutex
	seen    map[string]int // path → requests
	limited map[string]int // path prefix → requests still to refuse
}

// RateLimit makes the next n requests to paths starting with prefix be
// refused as rate limited.
func (l *Limiter) RateLimit(prefix string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limited == nil {
		l.limited = map[string]int{}
	}
	l.limited[prefix] = n
}

// Requests returns how many requests reached path, refused ones included.
func (l *Limiter) Requests(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[path]
}

// Limit counts each request to next and answers it with refuse instead
// while its path is rate limited.
func (l *Limiter) Limit(next http.Handler, refuse http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.take(r.URL.Path) {
			refuse(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// take counts a request to path and reports whether it is to be refused.
func (l *Limiter) take(path string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]int{}
	}
	l.seen[path]++
	for p, n := range l.limited {
		if n > 0 && strings.HasPrefix(path, p) {
			l.limited[p] = n - 1
			return true
		}
	}
	return false
}

// Log is what a fake recorded, in order, for a test to read and wait for.
// The zero value is ready.
type Log[T any] struct {
	mu    sync.Mutex
	items []T
}

// Add records v.
func (l *Log[T]) Add(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, v)
}

// All returns what was recorded so far.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.items)
}

// Wait waits until at least n items were recorded and returns them; after
// 5 seconds it fails t with a message naming what of whom: "dingtalktest",
// "messages sent".
func (l *Log[T]) Wait(t testing.TB, n int, who, what string) []T {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := l.All(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: %d %s, want %d", who, len(l.All()), what, n)
	return nil
}

// Sockets are the WebSocket connections of a fake's gateway. The zero
// value is ready.
type Sockets struct {
	mu       sync.Mutex
	conns    []*websocket.Conn
	connects int
	refuse   bool
}

var upgrader = websocket.Upgrader{}

// Accept upgrades a gateway request and keeps the connection, or answers
// 503 while connections are refused. It returns nil when there is no
// connection.
func (s *Sockets) Accept(w http.ResponseWriter, r *http.Request) *websocket.Conn {
	s.mu.Lock()
	refuse := s.refuse
	s.mu.Unlock()
	if refuse {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return nil
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.connects++
	s.mu.Unlock()
	return conn
}

// RefuseConnections makes the WebSocket handshake fail (503) while on.
func (s *Sockets) RefuseConnections(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = on
}

// Newest returns the connection opened last that was not dropped, or nil.
func (s *Sockets) Newest() *websocket.Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) == 0 {
		return nil
	}
	return s.conns[len(s.conns)-1]
}

// Connects returns how many connections were opened.
func (s *Sockets) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// WaitOpened waits until at least n connections were opened, failing t
// after 10 seconds; who names the fake in the failure.
func (s *Sockets) WaitOpened(t testing.TB, who string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s.Connects() >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: %d connections, want %d", who, s.Connects(), n)
}

// DropConnections closes every open connection, as a network failure or a
// gateway restart would.
func (s *Sockets) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}
