package console_test

import (
	"context"
	"net/http"
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	// The name is limited from another address too (per-name bucket): all
	// test clients share 127.0.0.1, so check that time lifts the limit.
	e.clock.Set(base.Add(2 * time.Minute))
	if st, _, _ := a.tryLogin("alice", passwords["alice"]); st != http.StatusSeeOther {
		t.Fatalf("after waiting: status %d, want 303", st)
	}
}

func TestStateChangesNeedSessionAndToken(t *testing.T) {
	e := newEnv(t, nil)
	id := e.escalate("web", "v1", "I want a person", base, bot.ReasonRequestedHuman, "normal")
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)

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
	if err := e.handoff.TakeOverConversation(context.Background(), taken, "bob"); err != nil {
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	_, body, _ := a.get("/console/c/" + strconv.FormatInt(int64(webID), 10) + "/archive")
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	path := "/console/c/" + strconv.FormatInt(int64(id), 10)
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
	c2, err := console.New(console.Options{Handoff: e.handoff, Records: e.db, Agents: agents, Secret: []byte(strings.Repeat("s", 32)), Now: e.clock.Now})
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
