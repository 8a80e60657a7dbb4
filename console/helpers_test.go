package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// base is the fixed start of the test clock.
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock shared by the store and the console.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the set time, or the real time when it was set to zero.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a console over a real store behind an httptest server.
type env struct {
	t       testing.TB
	db      *sqlite.DB
	svc     *escalation.Service // the console's Handoff
	console *console.Console
	srv     *httptest.Server
	clock   *clock
	opts    console.Options // what the console was made with, for restart
}

// passwords of the test agents; hashed at the minimum bcrypt cost so the
// tests stay fast.
var passwords = map[string]string{"alice": "alice-password", "bob": "bob-password-2"}

func testAgents(t testing.TB) []console.Agent {
	t.Helper()
	var agents []console.Agent
	for _, name := range []string{"alice", "bob"} {
		h, err := bcrypt.GenerateFromPassword([]byte(passwords[name]), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, console.Agent{Name: name, PasswordHash: string(h)})
	}
	return agents
}

func newEnv(t testing.TB, mod func(*console.Options)) *env {
	t.Helper()
	ck := &clock{t: base}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{Now: ck.Now})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	svc, err := escalation.New(escalation.Options{Store: db, Now: ck.Now})
	if err != nil {
		t.Fatal(err)
	}
	opts := console.Options{
		Handoff: svc, Records: db, Agents: testAgents(t),
		Secret: []byte(strings.Repeat("s", 32)), Now: ck.Now,
		DashboardPath: "/console/dashboard",
	}
	if mod != nil {
		mod(&opts)
	}
	e := &env{t: t, db: db, svc: svc, clock: ck, opts: opts}
	e.srv = httptest.NewServer(e.mount())
	t.Cleanup(e.srv.Close)
	return e
}

// mount makes a console with e.opts and returns its routes.
func (e *env) mount() http.Handler {
	e.t.Helper()
	c, err := console.New(e.opts)
	if err != nil {
		e.t.Fatalf("console.New: %v", err)
	}
	e.console = c
	mux := http.NewServeMux()
	mux.Handle("/console", c)
	mux.Handle("/console/", c)
	mux.Handle("/console/dashboard", c.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _, _ := console.AgentFrom(r.Context())
		io.WriteString(w, "dashboard for "+name)
	})))
	return mux
}

// restart replaces the console with a new one made with the same options
// on the same store, as a restarted server would be (nothing kept in
// memory). Call it between requests, not during one.
func (e *env) restart() {
	e.t.Helper()
	e.srv.Config.Handler = e.mount()
}

// escalate stores a customer message on channel from user and escalates its
// conversation at time at, returning the conversation id.
func (e *env) escalate(channel, user, text string, at time.Time, reason, severity string) bot.ConversationID {
	e.t.Helper()
	ctx := context.Background()
	conv, in, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: channel, ExternalUserID: user, Role: bot.RoleCustomer,
		Text: text, Time: at})
	if err != nil {
		e.t.Fatalf("AppendInbound: %v", err)
	}
	_, err = e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "A colleague will join.",
		Action: bot.ActionEscalate, Time: at, Escalation: &bot.Escalation{Reason: reason, Severity: severity,
			Summary: "Summary: " + text}})
	if err != nil {
		e.t.Fatalf("AppendOutbound: %v", err)
	}
	return conv.ID
}

// agent is a browser-like client with its own cookies.
type agent struct {
	e    *env
	c    *http.Client
	csrf string
	hdr  []string // header name, value, …: sent with every request (X-Forwarded-For)
}

// clientFrom is a browser at the given address behind the trusted proxy
// (the env must trust 127.0.0.1, see behindProxy).
func (e *env) clientFrom(addr string) *agent {
	a := e.client()
	a.hdr = []string{"X-Forwarded-For", addr}
	return a
}

// behindProxy makes the console trust the test server's peer, 127.0.0.1,
// as a reverse proxy, so X-Forwarded-For names the client.
func behindProxy(o *console.Options) {
	o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

func (e *env) client() *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a path and returns the status and body.
func (a *agent) get(path string, header ...string) (int, string, http.Header) {
	a.e.t.Helper()
	req, _ := http.NewRequest("GET", a.e.srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return a.do(req)
}

func (a *agent) do(req *http.Request) (int, string, http.Header) {
	a.e.t.Helper()
	for i := 0; i+1 < len(a.hdr); i += 2 {
		req.Header.Set(a.hdr[i], a.hdr[i+1])
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		a.csrf = html.UnescapeString(m[1])
	}
	return resp.StatusCode, string(b), resp.Header
}

// post sends a form with the agent's latest CSRF token (unless the form
// names its own).
func (a *agent) post(path string, form url.Values, header ...string) (int, string, http.Header) {
	a.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", a.csrf)
	}
	req, _ := http.NewRequest("POST", a.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return a.do(req)
}

// login signs the agent in and fails the test if it does not work.
func (a *agent) login(name string) {
	a.e.t.Helper()
	if st, body, _ := a.tryLogin(name, passwords[name]); st != http.StatusSeeOther {
		a.e.t.Fatalf("login %s: status %d\n%s", name, st, body)
	}
	if st, body, _ := a.get("/console"); st != http.StatusOK {
		a.e.t.Fatalf("queue after login: status %d\n%s", st, body)
	}
}

func (a *agent) tryLogin(name, password string) (int, string, http.Header) {
	a.e.t.Helper()
	a.get("/console/login")
	return a.post("/console/login", url.Values{"name": {name}, "password": {password}})
}

func (e *env) conversation(id bot.ConversationID) bot.ConversationInfo {
	e.t.Helper()
	c, err := e.db.Conversation(context.Background(), id)
	if err != nil {
		e.t.Fatalf("Conversation(%d): %v", id, err)
	}
	return c
}

// convPath is the console page of a conversation.
func convPath(id bot.ConversationID) string { return "/console/c/" + strconv.FormatInt(int64(id), 10) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
