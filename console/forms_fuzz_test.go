package console_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// FuzzConsoleForms posts arbitrary form bodies (as a signed-in agent, with
// the session's CSRF token added) to every action of a conversation, and to
// the login form: each answers a page, a redirect or a 4xx, never a 5xx,
// and never signs anyone in with a password other than theirs.
func FuzzConsoleForms(f *testing.F) {
	e := newEnv(f, nil)
	conv := e.escalate(bot.ChannelWeb, "v-fuzz", "I want a refund", base, bot.ReasonRequestedHuman, "normal")
	a := e.client()
	a.login("alice")
	csrf := a.csrf
	actions := []string{"takeover", "reassign", "reply", "resolve", "note", "tag", "untag", "unknown"}
	f.Add(uint8(2), "text=Hello+there")
	f.Add(uint8(4), "text="+strings.Repeat("n", 70000))
	f.Add(uint8(5), "tag=vip&tag=%00%ff")
	f.Add(uint8(1), "agent=bob")
	f.Add(uint8(1), "agent=nobody&agent=")
	f.Add(uint8(0), "%zz=%")
	f.Add(uint8(2), "text=%E2%80%AE%E2%80%8B")
	f.Fuzz(func(t *testing.T, which uint8, form string) {
		action := actions[int(which)%len(actions)]
		body := form + "&csrf=" + url.QueryEscape(csrf)
		req, _ := http.NewRequest("POST", e.srv.URL+"/console/c/"+strconv.FormatInt(int64(conv), 10)+"/"+action, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: status %d", action, form, resp.StatusCode)
		}

		// The login form, from a fresh browser.
		b := e.client()
		page, err := b.c.Get(e.srv.URL + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(page.Body)
		page.Body.Close()
		token := ""
		if m := csrfRE.FindSubmatch(raw); m != nil {
			token = html.UnescapeString(string(m[1]))
		}
		lreq, _ := http.NewRequest("POST", e.srv.URL+"/console/login", strings.NewReader(form+"&csrf="+url.QueryEscape(token)))
		lreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		lresp, err := b.c.Do(lreq)
		if err != nil {
			t.Fatal(err)
		}
		lresp.Body.Close()
		if lresp.StatusCode >= 500 {
			t.Fatalf("login %q: status %d", form, lresp.StatusCode)
		}
		if lresp.StatusCode == http.StatusSeeOther {
			q, _ := url.ParseQuery(form)
			if pw := q.Get("password"); pw != passwords[strings.ToLower(strings.TrimSpace(q.Get("name")))] { // names are matched without case
				t.Fatalf("login %q signed in with a wrong password", form)
			}
		}
	})
}
