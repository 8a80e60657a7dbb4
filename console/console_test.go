package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console"
)

func TestLoginLogout(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()

	st, _, h := a.get("/console")
	if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/login") {
		t.Fatalf("GET /console signed out: %d %q, want a redirect to the login page", st, h.Get("Location"))
	}
	st, body, _ := a.tryLogin("alice", "wrong password")
	if st != http.StatusUnauthorized || !strings.Contains(body, "The name or password is not right.") {
		t.Fatalf("wrong password: status %d, want 401 and the message\n%s", st, body)
	}
	st, _, _ = a.tryLogin("nobody", "whatever-password")
	if st != http.StatusUnauthorized {
		t.Fatalf("unknown agent: status %d, want 401", st)
	}
	st, _, h = a.tryLogin("ALICE", passwords["alice"]) // names are case-insensitive
	if st != http.StatusSeeOther || h.Get("Location") != "/console" {
		t.Fatalf("login: %d %q, want 303 to /console", st, h.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "concierge_console" {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP", sc)
	}
	st, body, _ = a.get("/console")
	if st != http.StatusOK || !strings.Contains(body, "Nobody is waiting.") || !strings.Contains(body, `title="Signed in as alice"`) {
		t.Fatalf("queue: status %d\n%s", st, body)
	}
	if st, body, _ := a.get("/console/dashboard"); st != http.StatusOK || body != "dashboard for alice" {
		t.Errorf("dashboard through RequireLogin: %d %q", st, body)
	}

	// Logging out ends the session, even for a copy of the cookie.
	stolen := e.client()
	u, _ := url.Parse(e.srv.URL)
	stolen.c.Jar.SetCookies(u, a.c.Jar.Cookies(u))
	if st, _, _ := stolen.get("/console"); st != http.StatusOK {
		t.Fatalf("copied cookie before logout: %d, want 200", st)
	}
	if st, _, h := a.post("/console/logout", nil); st != http.StatusSeeOther || h.Get("Location") != "/console/login" {
		t.Fatalf("logout: %d %q", st, h.Get("Location"))
	}
	for name, c := range map[string]*agent{"agent": a, "copied cookie": stolen} {
		if st, _, _ := c.get("/console"); st != http.StatusSeeOther {
			t.Errorf("%s after logout: %d, want 303 to login", name, st)
		}
	}
	if st, _, _ := stolen.get("/console/dashboard"); st != http.StatusSeeOther {
		t.Errorf("dashboard after logout: %d, want 303", st)
	}
}

func TestLoginRedirectsToNext(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "help", base, bot.ReasonRequestedHuman, "normal")
	a := e.client()
	path := convPath(id)
	_, _, h := a.get(path)
	if st, _, _ := a.get(h.Get("Location")); st != http.StatusOK {
		t.Fatalf("login page: %d", st)
	}
	st, _, h := a.post("/console/login", url.Values{"name": {"bob"}, "password": {passwords["bob"]}, "next": {path}})
	if st != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("login with next: %d %q, want %q", st, h.Get("Location"), path)
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/console", "/console\\@evil", "/elsewhere"} {
		a := e.client()
		a.get("/console/login")
		_, _, h := a.post("/console/login", url.Values{"name": {"bob"}, "password": {passwords["bob"]}, "next": {next}})
		if got := h.Get("Location"); got != "/console" {
			t.Errorf("next=%q: redirected to %q, want /console", next, got)
		}
	}
}

func TestLoginNeedsToken(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()
	a.get("/console/login")
	for name, form := range map[string]url.Values{
		"no token":    {"name": {"alice"}, "password": {passwords["alice"]}, "csrf": {""}},
		"wrong token": {"name": {"alice"}, "password": {passwords["alice"]}, "csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
	} {
		if st, _, _ := a.post("/console/login", form); st != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, st)
		}
	}
	if st, _, _ := a.post("/console/login", url.Values{"name": {"alice"}, "password": {passwords["alice"]}},
		"Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("cross-site login: status %d, want 403", st)
	}
	// Another browser's token does not work with this browser's cookie.
	other := e.client()
	other.get("/console/login")
	if st, _, _ := a.post("/console/login", url.Values{"name": {"alice"}, "password": {passwords["alice"]}, "csrf": {other.csrf}}); st != http.StatusForbidden {
		t.Errorf("token of another browser: status %d, want 403", st)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(o *console.Options) { o.LoginBurst = 3; o.LoginEvery = time.Minute })
	a := e.client()
	for i := range 3 {
		if st, _, _ := a.tryLogin("alice", "bad-guess-"+strconv.Itoa(i)); st != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i+1, st)
		}
	}
	st, body, h := a.tryLogin("alice", passwords["alice"])
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many sign-in attempts") {
		t.Fatalf("4th attempt: status %d Retry-After %q, want 429 with Retry-After\n%s", st, h.Get("Retry-After"), body)
	}
	// Time lifts the limit (failures elsewhere never do it: see
	// TestSignInFailuresElsewhereDoNotLockOut).
	e.clock.Set(base.Add(2 * time.Minute))
	if st, _, _ := a.tryLogin("alice", passwords["alice"]); st != http.StatusSeeOther {
		t.Fatalf("after waiting: status %d, want 303", st)
	}
}

// TestSignInFailuresElsewhereDoNotLockOut: many failed sign-ins for alice
// from one address refuse that address, but alice's correct password from
// another address still signs her in (the failures only slow each attempt
// for her name a little). The addresses are told apart by X-Forwarded-For
// from a trusted proxy; without that trust they are one address, and the
// same failures do refuse her.
func TestSignInFailuresElsewhereDoNotLockOut(t *testing.T) {
	e := newEnv(t, func(o *console.Options) { behindProxy(o); o.LoginDelay = time.Millisecond })
	attacker := e.clientFrom("198.51.100.7")
	counts := map[int]int{}
	for i := range 14 {
		st, _, _ := attacker.tryLogin("alice", "guess-"+strconv.Itoa(i))
		counts[st]++
	}
	if counts[http.StatusUnauthorized] != 10 || counts[http.StatusTooManyRequests] != 4 {
		t.Fatalf("14 wrong passwords from one address: %v, want 10 refused as wrong and then 429", counts)
	}
	if st, _, _ := attacker.tryLogin("alice", passwords["alice"]); st != http.StatusTooManyRequests {
		t.Errorf("the right password from the guessing address: %d, want 429 (the address is refused)", st)
	}
	alice := e.clientFrom("203.0.113.9")
	alice.login("alice") // fails the test unless 303 and the queue loads
	// The guessing address is refused for alice only: bob signs in from it.
	if st, _, _ := e.clientFrom("198.51.100.7").tryLogin("bob", passwords["bob"]); st != http.StatusSeeOther {
		t.Errorf("another name from the guessing address: %d, want 303", st)
	}

	// Without a trusted proxy, X-Forwarded-For is ignored: every test client
	// is 127.0.0.1, so the same failures refuse alice everywhere.
	e2 := newEnv(t, func(o *console.Options) { o.LoginDelay = time.Millisecond })
	attacker = e2.clientFrom("198.51.100.7")
	for i := range 10 {
		attacker.tryLogin("alice", "guess-"+strconv.Itoa(i))
	}
	if st, _, _ := e2.clientFrom("203.0.113.9").tryLogin("alice", passwords["alice"]); st != http.StatusTooManyRequests {
		t.Errorf("untrusted X-Forwarded-For: alice's sign-in %d, want 429 (one address)", st)
	}
}

// TestSignInAddressLimitAcrossNames: one address guessing many names is
// refused after three times the per-name burst, whatever name it tries
// next; other addresses are not.
func TestSignInAddressLimitAcrossNames(t *testing.T) {
	e := newEnv(t, func(o *console.Options) { behindProxy(o); o.LoginBurst = 2; o.LoginDelay = time.Millisecond })
	sprayer := e.clientFrom("198.51.100.7")
	for i := range 6 {
		if st, _, _ := sprayer.tryLogin("name-"+strconv.Itoa(i), "guess"); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, st)
		}
	}
	if st, _, h := sprayer.tryLogin("alice", passwords["alice"]); st != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("after 6 failures across names: %d, Retry-After %q; want 429", st, h.Get("Retry-After"))
	}
	if st, _, _ := e.clientFrom("203.0.113.9").tryLogin("alice", passwords["alice"]); st != http.StatusSeeOther {
		t.Errorf("alice from another address: %d, want 303", st)
	}
}

// TestManagerReassigns: only a manager may take a conversation another
// agent holds, with the explicit "Reassign to me"; it is recorded.
func TestManagerReassigns(t *testing.T) {
	e := newEnv(t, func(o *console.Options) { o.Agents[0].Manager = true }) // alice
	id := e.escalate("web", "v1", "help me", base, bot.ReasonRequestedHuman, "normal")
	path := convPath(id)
	alice, bob := e.client(), e.client()
	alice.login("alice")
	bob.login("bob")
	bob.get(path)
	if st, _, _ := bob.post(path+"/takeover", nil); st != http.StatusSeeOther {
		t.Fatalf("bob takes over: %d", st)
	}
	_, page, _ := alice.get(path)
	if !strings.Contains(page, `id="reassign"`) || strings.Contains(page, `id="takeover"`) || !strings.Contains(page, "Already taken by bob.") {
		t.Errorf("the manager's page does not offer \"Reassign to me\" for bob's conversation:\n%s", page)
	}
	if st, body, _ := alice.post(path+"/takeover", nil); st != http.StatusConflict || !strings.Contains(body, "Already taken by bob.") {
		t.Errorf("a manager's plain take-over: %d, want 409 (reassigning is explicit)", st)
	}
	if st, _, h := alice.post(path+"/reassign", nil); st != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("reassign: %d %q", st, h.Get("Location"))
	}
	if c := e.conversation(id); c.Status != bot.StatusHuman || c.Assignee != "alice" {
		t.Fatalf("after reassign: %s/%q, want human/alice", c.Status, c.Assignee)
	}
	events, _ := e.db.Events(context.Background(), e.conversation(id).CustomerID)
	if last := events[len(events)-1]; last.Kind != bot.EventReassigned || last.Actor != "alice" || last.ConversationID != id {
		t.Errorf("last event %+v, want reassigned by alice", last)
	}
	// Bob is no manager: no button, and the action is refused.
	_, page, _ = bob.get(path)
	if strings.Contains(page, `id="reassign"`) {
		t.Errorf("a non-manager is offered \"Reassign to me\":\n%s", page)
	}
	if st, body, _ := bob.post(path+"/reassign", nil); st != http.StatusForbidden || !strings.Contains(body, "Only a manager") {
		t.Errorf("bob reassigns: %d, want 403\n%s", st, body)
	}
	if c := e.conversation(id); c.Assignee != "alice" {
		t.Errorf("after bob's refused reassign: assignee %q", c.Assignee)
	}
}

// TestAgentForTheCustomersAPI: the session the customers API (package web)
// admits through Console.Agent is the signed-in agent's, and only a
// same-origin request with the session's own CSRF token may change data.
func TestAgentForTheCustomersAPI(t *testing.T) {
	e := newEnv(t, nil)
	u, _ := url.Parse(e.srv.URL)
	req := func(a *agent, token string, header ...string) *http.Request {
		r := httptest.NewRequest("POST", e.srv.URL+"/api/v1/customers/1/erase", nil)
		if a != nil {
			for _, c := range a.c.Jar.Cookies(u) {
				r.AddCookie(c)
			}
		}
		if token != "" {
			r.Header.Set("X-CSRF-Token", token)
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return r
	}
	if _, _, ok := e.console.Agent(req(nil, "")); ok {
		t.Error("a request without a session is an agent's")
	}
	alice, bob := e.client(), e.client()
	alice.login("alice")
	bob.login("bob")
	tests := []struct {
		name   string
		r      *http.Request
		csrfOK bool
	}{
		{"no token", req(alice, ""), false},
		{"own token", req(alice, alice.csrf), true},
		{"another session's token", req(alice, bob.csrf), false},
		{"own token, cross-site", req(alice, alice.csrf, "Sec-Fetch-Site", "cross-site"), false},
		{"own token, foreign origin", req(alice, alice.csrf, "Origin", "https://evil.example"), false},
	}
	for _, tt := range tests {
		name, csrfOK, ok := e.console.Agent(tt.r)
		if !ok || name != "alice" || csrfOK != tt.csrfOK {
			t.Errorf("%s: Agent = %q, csrfOK %v, ok %v; want alice, %v", tt.name, name, csrfOK, ok, tt.csrfOK)
		}
	}
	alice.post("/console/logout", nil)
	if _, _, ok := e.console.Agent(req(alice, alice.csrf)); ok {
		t.Error("a signed-out session is still an agent's")
	}
}

func TestStateChangesNeedSessionAndToken(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "I want a person", base, bot.ReasonRequestedHuman, "normal")
	path := convPath(id)

	anon := e.client()
	for _, action := range []string{"takeover", "reply", "resolve", "note", "tag", "untag"} {
		if st, _, _ := anon.post(path+"/"+action, url.Values{"text": {"x"}, "tag": {"x"}}); st != http.StatusUnauthorized {
			t.Errorf("signed-out %s: status %d, want 401", action, st)
		}
	}
	if st, _, _ := anon.post("/console/logout", nil); st != http.StatusUnauthorized {
		t.Errorf("signed-out logout: status %d, want 401", st)
	}
	a := e.client()
	a.login("alice")
	a.get(path)
	tests := []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no token", url.Values{"csrf": {""}}, nil},
		{"forged token", url.Values{"csrf": {"Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbi0x"}}, nil},
		{"cross-site", nil, []string{"Sec-Fetch-Site", "cross-site"}},
		{"foreign origin", nil, []string{"Origin", "https://evil.example"}},
	}
	for _, tt := range tests {
		if st, _, _ := a.post(path+"/takeover", tt.form, tt.header...); st != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, st)
		}
	}
	if c := e.conversation(id); c.Status != bot.StatusWaitingHuman {
		t.Fatalf("refused requests changed the conversation: %+v", c)
	}
	// The token is the session's: bob's token does not work in alice's session.
	b := e.client()
	b.login("bob")
	if st, _, _ := a.post(path+"/takeover", url.Values{"csrf": {b.csrf}}); st != http.StatusForbidden {
		t.Errorf("another session's token: status %d, want 403", st)
	}
	if st, _, _ := a.post(path+"/takeover", nil, "Origin", e.srv.URL); st != http.StatusSeeOther {
		t.Errorf("same-origin take over with the token: status %d, want 303", st)
	}
}

var cardRE = regexp.MustCompile(`(?s)<li class="card[^"]*"><a href="/console/c/(\d+)">.*?<span class="wait"[^>]*>([^<]*)</span>`)

func TestQueueOldestFirst(t *testing.T) {
	e := newEnv(t, nil)
	newer := e.escalate("web", "v-new", "where is my order", base.Add(50*time.Minute), bot.ReasonComplaint, "high")
	older := e.escalate("api", "u-old", "I want to talk to a person", base, bot.ReasonRequestedHuman, "normal")
	resolved := e.escalate("web", "v-done", "done already", base.Add(-time.Hour), bot.ReasonComplaint, "low")
	if err := e.db.Resolve(context.Background(), resolved, "carol"); err != nil {
		t.Fatal(err)
	}
	taken := e.escalate("web", "v-taken", "taken by bob", base.Add(-2*time.Hour), bot.ReasonComplaint, "low")
	if err := e.db.Claim(context.Background(), taken, "bob"); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(base.Add(2*time.Hour + 5*time.Minute))

	a := e.client()
	a.login("alice")
	_, body, _ := a.get("/console/queue")
	waiting, inProgress, _ := strings.Cut(body, "In progress")
	type card struct{ ID, Wait string }
	var got []card
	for _, m := range cardRE.FindAllStringSubmatch(waiting, -1) {
		got = append(got, card{m[1], m[2]})
	}
	want := []card{{strconv.FormatInt(int64(older), 10), "2 h 5 min"}, {strconv.FormatInt(int64(newer), 10), "1 h 15 min"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waiting queue (-want +got):\n%s\n%s", diff, body)
	}
	if !strings.Contains(inProgress, "/console/c/"+strconv.FormatInt(int64(taken), 10)) || !strings.Contains(inProgress, "Agent: bob") {
		t.Errorf("in progress section lacks bob's conversation:\n%s", inProgress)
	}
	if strings.Contains(body, "/console/c/"+strconv.FormatInt(int64(resolved), 10)+`"`) {
		t.Errorf("resolved conversation is in the queue:\n%s", body)
	}
	for _, s := range []string{"Summary: where is my order", "complaint", "high"} {
		if !strings.Contains(waiting, s) {
			t.Errorf("queue lacks %q", s)
		}
	}
	// The full page embeds the same fragment and refreshes itself.
	_, page, _ := a.get("/console")
	if !strings.Contains(page, `data-refresh="10"`) || !strings.Contains(page, `data-fragment="/console/queue"`) {
		t.Errorf("queue page does not refresh itself:\n%s", page)
	}
}

func TestTakeOverReplyResolve(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "visitor-1", "My parcel is broken!", base, bot.ReasonComplaint, "high")
	path := convPath(id)
	a := e.client()
	a.login("alice")

	st, body, _ := a.get(path)
	if st != http.StatusOK {
		t.Fatalf("conversation page: %d\n%s", st, body)
	}
	for _, s := range []string{"My parcel is broken!", "A colleague will join.", "Summary: My parcel is broken!", `id="takeover"`, "waiting"} {
		if !strings.Contains(body, s) {
			t.Errorf("conversation page lacks %q", s)
		}
	}
	if st, _, h := a.post(path+"/takeover", nil); st != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("take over: %d %q", st, h.Get("Location"))
	}
	if c := e.conversation(id); c.Status != bot.StatusHuman || c.Assignee != "alice" {
		t.Fatalf("after take over: %s/%q, want human/alice", c.Status, c.Assignee)
	}
	_, body, _ = a.get(path)
	if !strings.Contains(body, "You are handling this conversation.") || strings.Contains(body, `id="takeover"`) {
		t.Errorf("page after take over does not show it as mine:\n%s", body)
	}
	if st, _, _ := a.post(path+"/reply", url.Values{"text": {"Sorry!\r\nA new one is on its way."}}); st != http.StatusSeeOther {
		t.Fatalf("reply: %d", st)
	}
	msgs, err := e.db.Messages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	if last.Author != bot.AuthorAgent || last.Text != "Sorry!\nA new one is on its way." {
		t.Errorf("last message %+v, want the agent's reply with LF line ends", last)
	}
	if st, body, _ := a.post(path+"/reply", url.Values{"text": {"   "}}); st != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
		t.Errorf("empty reply: %d, want 400 with an error shown\n%s", st, body)
	}
	if st, _, h := a.post(path+"/resolve", nil); st != http.StatusSeeOther || h.Get("Location") != "/console" {
		t.Fatalf("resolve: %d %q", st, h.Get("Location"))
	}
	if c := e.conversation(id); c.Status != bot.StatusResolved {
		t.Fatalf("after resolve: %s", c.Status)
	}
	_, body, _ = a.get(path)
	if !strings.Contains(body, "This conversation is resolved.") || strings.Contains(body, `id="send"`) {
		t.Errorf("resolved conversation still offers actions:\n%s", body)
	}
	if st, body, _ := a.post(path+"/reply", url.Values{"text": {"late"}}); st != http.StatusConflict || !strings.Contains(body, "This conversation is resolved.") {
		t.Errorf("reply to a resolved conversation: %d, want 409\n%s", st, body)
	}
	if st, _, _ := a.get("/console/c/999999"); st != http.StatusNotFound {
		t.Errorf("unknown conversation: %d, want 404", st)
	}
	if st, _, _ := a.post("/console/c/999999/takeover", nil); st != http.StatusNotFound {
		t.Errorf("take over an unknown conversation: %d, want 404", st)
	}
	if st, _, _ := a.post(path+"/explode", nil); st != http.StatusNotFound {
		t.Errorf("unknown action: %d, want 404", st)
	}
}

func TestSecondAgentSeesTakenBy(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "help me", base, bot.ReasonRequestedHuman, "normal")
	path := convPath(id)
	alice, bob := e.client(), e.client()
	alice.login("alice")
	bob.login("bob")
	alice.get(path)
	bob.get(path) // bob opened the page before alice took it

	if st, _, _ := alice.post(path+"/takeover", nil); st != http.StatusSeeOther {
		t.Fatalf("alice takes over: %d", st)
	}
	for _, action := range []string{"takeover", "reply", "resolve"} {
		st, body, _ := bob.post(path+"/"+action, url.Values{"text": {"bob here"}})
		if st != http.StatusConflict || !strings.Contains(body, "Already taken by alice.") {
			t.Errorf("bob %s: status %d, want 409 with \"Already taken by alice.\"\n%s", action, st, body)
		}
	}
	if c := e.conversation(id); c.Assignee != "alice" || c.Status != bot.StatusHuman {
		t.Errorf("conversation after bob's attempts: %+v", c)
	}
	msgs, _ := e.db.Messages(context.Background(), id)
	for _, m := range msgs {
		if strings.Contains(m.Text, "bob here") {
			t.Errorf("bob's reply was stored: %+v", m)
		}
	}
	_, body, _ := bob.get(path)
	if !strings.Contains(body, "Already taken by alice.") {
		t.Errorf("bob's view does not say who has it:\n%s", body)
	}
}

func TestConcurrentTakeOversOneWins(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "help", base, bot.ReasonRequestedHuman, "normal")
	path := convPath(id)
	agents := []*agent{e.client(), e.client()}
	agents[0].login("alice")
	agents[1].login("bob")
	const rounds = 4
	statuses := make(chan int, 2*rounds)
	var wg sync.WaitGroup
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				st, _, _ := a.post(path+"/takeover", nil)
				statuses <- st
			}
		}()
	}
	wg.Wait()
	close(statuses)
	won := e.conversation(id).Assignee
	counts := map[int]int{}
	for st := range statuses {
		counts[st]++
	}
	// The winner's repeated take-overs succeed; every one of the loser's is
	// refused.
	if counts[http.StatusSeeOther] != rounds || counts[http.StatusConflict] != rounds || (won != "alice" && won != "bob") {
		t.Errorf("statuses %v, assignee %q: want %d successes (the winner's) and %d conflicts", counts, won, rounds, rounds)
	}
}

func TestArchiveShowsEveryChannelInOrder(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// The same person wrote on the API first, then on the web; the records are
	// merged, so the web conversation's page shows both.
	apiConv, _, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "api", ExternalUserID: "app-7", Text: "first on the app", Time: base})
	if err != nil {
		t.Fatal(err)
	}
	webID := e.escalate("web", "v-7", "then on the website", base.Add(time.Hour), bot.ReasonComplaint, "high")
	web := e.conversation(webID)
	if err := e.db.Merge(ctx, web.CustomerID, apiConv.CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	a := e.client()
	a.login("alice")
	_, body, _ := a.get(convPath(webID) + "/archive")
	i1, i2 := strings.Index(body, "first on the app"), strings.Index(body, "then on the website")
	if i1 < 0 || i2 < 0 || i1 > i2 {
		t.Fatalf("archive does not hold both channels in time order (%d, %d):\n%s", i1, i2, body)
	}
	if !strings.Contains(body[:i1], "api") || !strings.Contains(body[i1:i2], "web") {
		t.Errorf("archive does not name the channels:\n%s", body)
	}
	if !strings.Contains(body, `class="msg in other"`) {
		t.Errorf("the other conversation's message is not marked as such:\n%s", body)
	}
}

func TestCustomerTextIsEscaped(t *testing.T) {
	e := newEnv(t, nil)
	evil := `<img src=x onerror="alert(1)"><script>alert(2)</script>`
	id := e.escalate("web", "v1", evil, base, bot.ReasonComplaint, "high")
	a := e.client()
	a.login("alice")
	path := convPath(id)
	a.post(path+"/note", url.Values{"text": {evil}})
	for _, p := range []string{path, "/console", path + "/archive", "/console/queue"} {
		_, body, h := a.get(p)
		if strings.Contains(body, "<img") || strings.Contains(body, "<script>alert") {
			t.Errorf("%s renders customer markup:\n%s", p, body)
		}
		if !strings.Contains(body, "&lt;img src=x onerror=") {
			t.Errorf("%s does not show the text escaped:\n%s", p, body)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s CSP %q", p, csp)
		}
	}
}

func TestNotesAndTags(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "help", base, bot.ReasonComplaint, "high")
	conv := e.conversation(id)
	path := convPath(id)
	a := e.client()
	a.login("bob")
	a.get(path)
	steps := []struct {
		action string
		form   url.Values
		status int
	}{
		{"note", url.Values{"text": {"Called them back."}}, http.StatusSeeOther},
		{"tag", url.Values{"tag": {" Refund "}}, http.StatusSeeOther},
		{"tag", url.Values{"tag": {"vip"}}, http.StatusSeeOther},
		{"untag", url.Values{"tag": {"vip"}}, http.StatusSeeOther},
		{"tag", url.Values{"tag": {""}}, http.StatusBadRequest},
		{"note", url.Values{"text": {""}}, http.StatusBadRequest},
		// Over the body limit: too large, not "forbidden" for a token the
		// server never got to read.
		{"note", url.Values{"text": {strings.Repeat("long note ", 7000)}}, http.StatusRequestEntityTooLarge},
	}
	for _, s := range steps {
		if st, body, _ := a.post(path+"/"+s.action, s.form); st != s.status {
			t.Errorf("%s %v: status %d, want %d\n%s", s.action, s.form, st, s.status, body)
		}
	}
	cust, err := e.db.Customer(context.Background(), conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"refund"}, cust.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	notes, _ := e.db.Notes(context.Background(), conv.CustomerID)
	if len(notes) != 1 || notes[0].Author != "bob" || notes[0].Text != "Called them back." || notes[0].ConversationID != id {
		t.Errorf("notes %+v", notes)
	}
	_, body, _ := a.get(path)
	for _, s := range []string{"Called them back.", `<span class="tag">refund</span>`} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func TestLanguage(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()
	_, body, _ := a.get("/console/login", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	if !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, "登录") {
		t.Errorf("Chinese browser does not get the Chinese page:\n%s", body)
	}
	_, body, _ = a.get("/console/login?lang=en", "Accept-Language", "zh-CN")
	if !strings.Contains(body, `lang="en"`) || !strings.Contains(body, "Sign in") {
		t.Errorf("toggle to English ignored:\n%s", body)
	}
	_, body, _ = a.get("/console/login", "Accept-Language", "zh-CN")
	if !strings.Contains(body, `lang="en"`) {
		t.Errorf("the toggle is not remembered:\n%s", body)
	}
	b := e.client()
	b.get("/console/login", "Accept-Language", "zh")
	st, body, _ := b.post("/console/login", url.Values{"name": {"alice"}, "password": {"nope"}}, "Accept-Language", "zh")
	if st != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码不正确。") {
		t.Errorf("Chinese login error: %d\n%s", st, body)
	}
}

func TestRequireLoginRefusesUnsafeWithoutToken(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()
	a.login("alice")
	if st, _, _ := a.post("/console/dashboard", url.Values{"csrf": {""}}); st != http.StatusForbidden {
		t.Errorf("POST to a RequireLogin handler without token: %d, want 403", st)
	}
	if st, body, _ := a.post("/console/dashboard", nil); st != http.StatusOK || body != "dashboard for alice" {
		t.Errorf("POST with token: %d %q", st, body)
	}
	anon := e.client()
	if st, _, _ := anon.post("/console/dashboard", nil); st != http.StatusUnauthorized {
		t.Errorf("signed-out POST: %d, want 401", st)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	agents := testAgents(t)
	db := struct {
		console.Handoff
		console.Records
	}{}
	tests := []struct {
		name string
		opts console.Options
	}{
		{"no store", console.Options{Agents: agents}},
		{"no agents", console.Options{Handoff: db, Records: db}},
		{"bad hash", console.Options{Handoff: db, Records: db, Agents: []console.Agent{{Name: "x", PasswordHash: "plain"}}}},
		{"empty name", console.Options{Handoff: db, Records: db, Agents: []console.Agent{{Name: " ", PasswordHash: agents[0].PasswordHash}}}},
		{"duplicate", console.Options{Handoff: db, Records: db, Agents: []console.Agent{agents[0], {Name: "ALICE", PasswordHash: agents[1].PasswordHash}}}},
		{"short secret", console.Options{Handoff: db, Records: db, Agents: agents, Secret: []byte("short")}},
	}
	for _, tt := range tests {
		if _, err := console.New(tt.opts); err == nil {
			t.Errorf("%s: New succeeded, want an error", tt.name)
		}
	}
}

func TestHashPassword(t *testing.T) {
	h, err := console.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2") {
		t.Errorf("hash %q is not bcrypt", h)
	}
	for _, bad := range []string{"", "short", strings.Repeat("x", 73)} {
		if _, err := console.HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d bytes) succeeded, want an error", len(bad))
		}
	}
	// A hash from HashPassword signs in.
	e := newEnv(t, func(o *console.Options) { o.Agents = []console.Agent{{Name: "dora", PasswordHash: h}} })
	a := e.client()
	if st, _, _ := a.tryLogin("dora", "correct horse"); st != http.StatusSeeOther {
		t.Errorf("login with a HashPassword hash: %d", st)
	}
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	e := newEnv(t, nil)
	a := e.client()
	a.login("alice")
	u, _ := url.Parse(e.srv.URL)
	cookies := a.c.Jar.Cookies(u)
	// The same secret, but alice's password changed in the config.
	agents := testAgents(t) // fresh salts: new hashes
	c2, err := console.New(console.Options{Handoff: e.svc, Records: e.db, Agents: agents, Secret: []byte(strings.Repeat("s", 32)), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/console", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := newRecorder()
	c2.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("old session after a password change: %d, want 303 to login", rec.Code)
	}
	// And a session expires.
	e.clock.Set(base.Add(13 * time.Hour))
	if st, _, _ := a.get("/console"); st != http.StatusSeeOther {
		t.Errorf("session after 13h: %d, want 303", st)
	}
}

// TestAlertLinkOpensTheConversation: alerts (package alert) link to
// /console/conversations/<id>; the link leads to the conversation, through
// the sign-in page when needed.
func TestAlertLinkOpensTheConversation(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "help me", base, bot.ReasonRequestedHuman, "normal")
	link := "/console/conversations/" + strconv.FormatInt(int64(id), 10)
	a := e.client()
	st, _, h := a.get(link)
	if st != http.StatusMovedPermanently || h.Get("Location") != convPath(id) {
		t.Fatalf("alert link: %d %q, want a redirect to %s", st, h.Get("Location"), convPath(id))
	}
	a.login("alice")
	if st, body, _ := a.get(h.Get("Location")); st != http.StatusOK || !strings.Contains(body, "help me") {
		t.Errorf("the conversation the link leads to: %d", st)
	}
	if st, _, _ := a.get("/console/conversations/x"); st != http.StatusNotFound {
		t.Errorf("a link with a bad id: %d, want 404", st)
	}
}

// TestBotMarkdownIsRendered checks that the bot's answers show as rendered
// Markdown (a table, emphasis, safe links) with everything in them
// escaped, while customer and agent text stays plain text.
func TestBotMarkdownIsRendered(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	conv, in, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "v-md", Role: bot.RoleCustomer,
		Text: "**hours?** <b>now</b> | a | b |", Time: base})
	if err != nil {
		t.Fatal(err)
	}
	answer := "Our **hours**:\n\n| Days | Hours |\n|---|--:|\n| Mon | 9-5 |\n\n" +
		"<script>alert(1)</script>\n\n[x](javascript:alert(2)) [help](/kb/hours) ![t](https://evil.example/t.png)"
	if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: answer,
		Action: bot.ActionAnswer, Time: base}); err != nil {
		t.Fatal(err)
	}
	id := e.escalate("web", "v-md", "I want a person", base.Add(time.Minute), bot.ReasonRequestedHuman, "normal")
	if id != conv.ID {
		t.Fatalf("escalated conversation %d, want %d", id, conv.ID)
	}
	a := e.client()
	a.login("alice")
	if st, _, _ := a.post("/console/c/"+strconv.FormatInt(int64(id), 10)+"/reply", url.Values{"text": {"**not bold** <i>x</i>"}}); st != http.StatusSeeOther {
		t.Fatalf("reply: %d", st)
	}
	_, body, _ := a.get("/console/c/" + strconv.FormatInt(int64(id), 10) + "/archive")
	for _, want := range []string{
		`<div class="text md"><p>Our <strong>hours</strong>:</p><div class="md-table"><table><thead><tr><th>Days</th><th class="md-right">Hours</th></tr></thead>`,
		`<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>x <a href="/kb/hours" rel="noopener noreferrer nofollow" target="_blank">help</a> t</p>`,
		`<div class="text">**hours?** &lt;b&gt;now&lt;/b&gt; | a | b |</div>`,
		`<div class="text">**not bold** &lt;i&gt;x&lt;/i&gt;</div>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the archive does not hold %s:\n%s", want, body)
		}
	}
	for _, bad := range []string{"<script>", "<img", "javascript:", "<b>now", "<i>x"} {
		if strings.Contains(body, bad) {
			t.Errorf("the archive holds %q", bad)
		}
	}
}

// flakySignOuts is a store's sign-outs whose writes or reads can be made
// to fail.
type flakySignOuts struct {
	console.SignOuts
	mu                  sync.Mutex
	failWrite, failRead bool
}

func (f *flakySignOuts) set(write, read bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWrite, f.failRead = write, read
}

func (f *flakySignOuts) RevokeSession(ctx context.Context, id []byte, expires time.Time) error {
	f.mu.Lock()
	fail := f.failWrite
	f.mu.Unlock()
	if fail {
		return errors.New("database is read-only")
	}
	return f.SignOuts.RevokeSession(ctx, id, expires)
}

func (f *flakySignOuts) SessionRevoked(ctx context.Context, id []byte) (bool, error) {
	f.mu.Lock()
	fail := f.failRead
	f.mu.Unlock()
	if fail {
		return false, errors.New("database unavailable")
	}
	return f.SignOuts.SessionRevoked(ctx, id)
}

// TestSignOutKeptInTheStore: with Options.SignOuts a signed-out cookie is
// refused by a console made later on the same store (a restart) with the
// same secret, while a session that was not signed out still works there.
// A sign-out the store cannot record is refused with a sentence (the
// session stays, so the agent can retry), and a session whose sign-out
// cannot be checked counts as signed out.
func TestSignOutKeptInTheStore(t *testing.T) {
	var so *flakySignOuts
	e := newEnv(t, func(o *console.Options) {
		so = &flakySignOuts{SignOuts: o.Records.(console.SignOuts)}
		o.SignOuts = so
	})
	a, kept := e.client(), e.client()
	for _, c := range []*agent{a, kept} {
		if st, _, _ := c.tryLogin("alice", passwords["alice"]); st != http.StatusSeeOther {
			t.Fatalf("login: %d", st)
		}
	}
	stolen := e.client()
	u, _ := url.Parse(e.srv.URL)
	stolen.c.Jar.SetCookies(u, a.c.Jar.Cookies(u))

	a.get("/console") // for the form token
	so.set(true, false)
	if st, body, _ := a.post("/console/logout", nil); st != http.StatusServiceUnavailable ||
		!strings.Contains(body, "You are still signed in") {
		t.Errorf("logout with the store read-only: %d, want 503 saying the agent is still signed in\n%s", st, body)
	}
	so.set(false, true)
	if st, _, _ := kept.get("/console"); st != http.StatusSeeOther {
		t.Errorf("a session while sign-outs cannot be checked: %d, want 303 (fail closed)", st)
	}
	so.set(false, false)
	if st, _, _ := a.get("/console"); st != http.StatusOK {
		t.Fatalf("the session after a failed logout: %d, want 200", st)
	}
	if st, _, _ := a.post("/console/logout", nil); st != http.StatusSeeOther {
		t.Fatalf("logout: %d", st)
	}

	e.restart()
	if st, _, _ := stolen.get("/console"); st != http.StatusSeeOther {
		t.Errorf("signed-out cookie after a restart: %d, want 303 to login", st)
	}
	if st, _, _ := kept.get("/console"); st != http.StatusOK {
		t.Errorf("a session that was not signed out, after a restart: %d, want 200", st)
	}
}
