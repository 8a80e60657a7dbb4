package console

import (
	"bytes"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console/internal/look"
	"github.com/concierge-bot/concierge/guard"
	"github.com/concierge-bot/concierge/markdown"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range []string{"login", "queue", "conversation", "review", "error"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

func loadAssets() (map[string]asset, error) {
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	out := map[string]asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		if path.Ext(p) == ".css" {
			b = look.Stylesheet(b)
		}
		out[path.Base(p)] = asset{body: b, contentType: types[path.Ext(p)], etag: `"` + fingerprint(string(b)) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	return out, nil
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// page is what every page template gets.
type page struct {
	Lang      string
	OtherLang string
	Toggle    string // URL of this page in the other language
	Title     string
	Site      string // the company's name in Lang; empty: none configured
	Agent     string
	CSRF      string
	Dashboard string
	Review    bool // the review page is on
	Refresh   int  // seconds; 0 means the page does not refresh itself
	Error     string
	Body      any
}

// T returns the UI label key in the page's language.
func (p *page) T(key string, args ...any) string { return tr(p.Lang, key, args...) }

// pageHeaders sets the headers of every console response: no caching, no
// framing, and a policy that allows only the console's own script and style.
func pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		guard.BrowserHeaders(h, r, "same-origin")
		next.ServeHTTP(w, r)
	})
}

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	authed := func(h http.HandlerFunc) http.Handler { return c.authPage(h) }
	mux.Handle("GET /console", authed(c.handleQueue))
	mux.Handle("GET /console/{$}", authed(c.handleQueue))
	mux.Handle("GET /console/queue", authed(c.handleQueueFragment))
	mux.HandleFunc("GET /console/login", c.handleLoginPage)
	mux.HandleFunc("POST /console/login", c.handleLogin)
	mux.Handle("POST /console/logout", authed(c.handleLogout))
	mux.Handle("GET /console/c/{id}", authed(c.handleConversation))
	mux.Handle("GET /console/c/{id}/archive", authed(c.handleArchiveFragment))
	mux.Handle("POST /console/c/{id}/{action}", authed(c.handleAction))
	mux.Handle("GET /console/review", authed(c.handleReview))
	mux.Handle("POST /console/review", authed(c.handleReviewVerdict))
	// Alerts link to /console/conversations/{id} (alert.Alert.ConsoleURL):
	// already sent alerts keep that link, so it leads to the conversation.
	mux.HandleFunc("GET /console/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := conversationID(r)
		if !ok {
			c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
			return
		}
		http.Redirect(w, r, "/console/c/"+strconv.FormatInt(int64(id), 10), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /console/static/{name}", c.handleAsset)
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
	})
	return pageHeaders(c.recover(mux))
}

// authPage admits signed-in agents, sends others to the sign-in page and
// checks the CSRF token of state-changing requests.
func (c *Console) authPage(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.currentSession(r)
		if !ok {
			if r.Method == http.MethodGet && !isFragment(r) {
				http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.renderError(w, r, http.StatusUnauthorized, tr(pickLang(r), "login"))
			return
		}
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, c.opts.MaxBodyBytes)
			// Read the form first, so that a body over the limit (a note of
			// 100 KB) is told apart from a missing token.
			if err := r.ParseForm(); err != nil {
				status, msg := http.StatusBadRequest, "bad_form"
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					status, msg = http.StatusRequestEntityTooLarge, "too_large"
				}
				c.renderError(w, r.WithContext(c.withAgent(r.Context(), s)), status, tr(pickLang(r), msg))
				return
			}
			if !c.csrfOK(r, s) {
				c.log.Warn("console: refused a request without a valid CSRF token", "path", r.URL.Path, "agent", s.Agent)
				c.renderError(w, r.WithContext(c.withAgent(r.Context(), s)), http.StatusForbidden, tr(pickLang(r), "forbidden"))
				return
			}
		}
		h(w, r.WithContext(c.withAgent(r.Context(), s)))
	})
}

func isFragment(r *http.Request) bool {
	return r.URL.Path == "/console/queue" || strings.HasSuffix(r.URL.Path, "/archive")
}

func (c *Console) recover(next http.Handler) http.Handler {
	return guard.Recover(next, func(w http.ResponseWriter, r *http.Request, v any) {
		c.log.Error("console: panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
		http.Error(w, tr(pickLang(r), "error"), http.StatusInternalServerError)
	})
}

// newPage starts the page model of a request: language (remembering a
// toggle), agent and CSRF token.
func (c *Console) newPage(w http.ResponseWriter, r *http.Request, title string) *page {
	lang := pickLang(r)
	if l := r.URL.Query().Get("lang"); l == lang {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/console", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: c.secure(r), SameSite: http.SameSiteLaxMode})
	}
	p := &page{Lang: lang, OtherLang: langZH, Dashboard: c.opts.DashboardPath, Review: c.reviewing()}
	if lang == langZH {
		p.OtherLang = langEN
	}
	q := r.URL.Query()
	q.Set("lang", p.OtherLang)
	p.Toggle = r.URL.Path + "?" + q.Encode()
	p.Title = tr(lang, title)
	p.Site = siteName(c.opts.SiteName, lang)
	p.Agent, p.CSRF, _ = AgentFrom(r.Context())
	return p
}

// render executes a page (or one of its named fragments) into a buffer
// first, so that a template error never sends half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, p *page) {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, tmpl, p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, tr(p.Lang, "error"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := c.newPage(w, r, "title")
	p.Error = msg
	c.render(w, r, status, "error", "layout", p)
}

// userError returns the message of err an agent may see, and its status.
func (c *Console) userError(r *http.Request, err error) (int, string) {
	code := bot.ErrorCode(err)
	if code == bot.EINTERNAL {
		c.log.Error("console: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		return http.StatusInternalServerError, tr(pickLang(r), "error")
	}
	return bot.HTTPStatus(code), bot.ErrorMessage(err)
}

func (c *Console) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := c.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}

// Sign-in.

const loginCookie = "concierge_console_login"

type loginView struct {
	Next string
	Name string
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/console"
	}
	return next
}

func (c *Console) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.currentSession(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.loginPage(w, r, http.StatusOK, "", loginView{Next: safeNext(r.URL.Query().Get("next"))})
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, status int, msg string, v loginView) {
	nonce := ""
	if ck, err := r.Cookie(loginCookie); err == nil && len(ck.Value) >= 16 && len(ck.Value) <= 64 {
		nonce = ck.Value
	} else {
		b, err := randomBytes(18)
		if err != nil {
			c.renderError(w, r, http.StatusInternalServerError, tr(pickLang(r), "error"))
			return
		}
		nonce = b64.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: nonce, Path: "/console/login", HttpOnly: true,
			Secure: c.secure(r), SameSite: http.SameSiteStrictMode})
	}
	p := c.newPage(w, r, "login")
	p.CSRF = c.keys.loginToken(nonce)
	p.Error = msg
	p.Body = v
	c.render(w, r, status, "login", "layout", p)
}

// loginDelay is how long a sign-in for name waits before its password is
// checked: nothing for the first LoginBurst recent failures for the name
// (from any address; one is forgiven per LoginEvery), then 250 ms doubling
// with each further failure, up to LoginDelay. It slows guessing spread over
// many addresses without ever refusing the agent's correct password.
func (c *Console) loginDelay(name string) time.Duration {
	failures := c.nameFailures.Used(name)
	excess := failures - c.opts.LoginBurst
	if excess <= 0 {
		return 0
	}
	d := 250 * time.Millisecond
	for i := 1; i < excess && d < c.opts.LoginDelay; i++ {
		d *= 2
	}
	return min(d, c.opts.LoginDelay)
}

func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	lang := pickLang(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	v := loginView{Next: safeNext(r.PostFormValue("next")), Name: name}
	nonce := ""
	if ck, err := r.Cookie(loginCookie); err == nil {
		nonce = ck.Value
	}
	if !sameOrigin(r) || !c.keys.checkLoginToken(nonce, r.PostFormValue("csrf")) {
		c.loginPage(w, r, http.StatusForbidden, tr(lang, "forbidden"), v)
		return
	}
	ip := c.clients.Key(r)
	key := strings.ToLower(name)
	pair := ip + "\x00" + key
	// Only failures count, and only those of this address: a correct
	// password from elsewhere is never refused.
	blockedPair, waitPair := c.pairLimit.Wait(pair)
	blockedIP, waitIP := c.ipLimit.Wait(ip)
	if blockedPair || blockedIP {
		secs := max(1, int((max(waitPair, waitIP)+time.Second-1)/time.Second))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		c.log.Warn("console: sign-in rate limited", "ip", ip, "agent", fingerprint(key))
		c.loginPage(w, r, http.StatusTooManyRequests, tr(lang, "rate_limited", secs), v)
		return
	}
	if d := c.loginDelay(key); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	a, known := c.agents[key]
	hash := c.dummyHash
	if known {
		hash = []byte(a.PasswordHash)
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if !known || err != nil {
		c.pairLimit.Allow(pair)
		c.ipLimit.Allow(ip)
		c.nameFailures.Allow(key)
		c.log.Info("console: failed sign-in", "ip", ip, "agent", fingerprint(key))
		c.loginPage(w, r, http.StatusUnauthorized, tr(lang, "bad_login"), v)
		return
	}
	c.pairLimit.Reset(pair)
	id, err := newSessionID()
	if err != nil {
		c.renderError(w, r, http.StatusInternalServerError, tr(lang, "error"))
		return
	}
	s := session{Agent: a.Name, ID: id, Expires: c.opts.Now().Add(c.opts.SessionTTL), pwPrint: passwordPrint(a.PasswordHash)}
	c.setSessionCookie(w, r, c.keys.encodeSession(s), int(c.opts.SessionTTL/time.Second))
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/console/login", MaxAge: -1, HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteStrictMode})
	c.log.Info("console: agent signed in", "agent", a.Name, "ip", ip)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request) {
	if s, ok := c.currentSession(r); ok {
		// Unrecorded, the sign-out would not hold for a copy of the
		// cookie: say so and keep the session, so the agent can try again.
		if err := c.revoked.revoke(r.Context(), s); err != nil {
			c.log.Error("console: sign-out not recorded", "agent", s.Agent, "err", err)
			c.renderError(w, r, http.StatusServiceUnavailable, tr(pickLang(r), "sign_out_failed"))
			return
		}
		c.log.Info("console: agent signed out", "agent", s.Agent)
	}
	c.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// The queue.

type queueView struct {
	Waiting    []queueItem
	InProgress []queueItem
}

func (c *Console) queueModel(w http.ResponseWriter, r *http.Request) (*page, bool) {
	p := c.newPage(w, r, "queue")
	p.Refresh = int(c.opts.RefreshEvery / time.Second)
	items, err := c.queue(r.Context(), p.Agent, p.Lang)
	if err != nil {
		status, msg := c.userError(r, err)
		c.renderError(w, r, status, msg)
		return nil, false
	}
	var v queueView
	for _, it := range items {
		if it.Status == bot.StatusWaitingHuman {
			v.Waiting = append(v.Waiting, it)
		} else {
			v.InProgress = append(v.InProgress, it)
		}
	}
	p.Body = v
	return p, true
}

func (c *Console) handleQueue(w http.ResponseWriter, r *http.Request) {
	if p, ok := c.queueModel(w, r); ok {
		c.render(w, r, http.StatusOK, "queue", "layout", p)
	}
}

func (c *Console) handleQueueFragment(w http.ResponseWriter, r *http.Request) {
	if p, ok := c.queueModel(w, r); ok {
		c.render(w, r, http.StatusOK, "queue", "queue", p)
	}
}

// The conversation page.

type convView struct {
	Conv         bot.ConversationInfo
	Customer     bot.Customer
	CustomerName string
	StatusLabel  string
	TakenBy      string // another agent holds it
	Mine         bool
	Manager      bool // the signed-in agent may reassign it to themselves
	Resolved     bool
	Escalations  []escalationView
	Archive      []archiveEntry
	Notes        []noteView
}

type escalationView struct {
	Reason, ReasonLabel, Severity, SeverityLabel, Summary, Status, StatusLabel, Assignee, Created string
	ThisConv                                                                                      bool
}

type archiveEntry struct {
	Class   string // in, out, agent, event
	Who     string
	Channel string
	Time    string
	// Text is shown as plain text (html/template escapes it): customers',
	// agents' and system messages.
	Text string
	// HTML is a bot message's Markdown rendered by package markdown, which
	// escapes everything in it (no HTML from content is trusted, links only
	// http(s), mailto and site-relative); when set, it is shown instead of
	// Text.
	HTML     template.HTML
	ThisConv bool
	// A customer's message that agents may judge (Options.Verdicts): its
	// id, the verdict shown (the agent's, or the bot's when it read a
	// complaint), and the button that gives the other verdict.
	MessageID int64
	Verdict   string
	Mark      string // the label the button posts
	MarkLabel string
}

type noteView struct {
	Author, Text, Created string
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

func conversationID(r *http.Request) (bot.ConversationID, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return bot.ConversationID(id), err == nil && id > 0
}

// conversationModel loads everything the conversation page shows.
func (c *Console) conversationModel(w http.ResponseWriter, r *http.Request, id bot.ConversationID) (*page, error) {
	ctx := r.Context()
	p := c.newPage(w, r, "archive")
	p.Refresh = int(c.opts.RefreshEvery / time.Second)
	conv, err := c.opts.Records.Conversation(ctx, id)
	if err != nil {
		return p, err
	}
	cust, err := c.opts.Records.Customer(ctx, conv.CustomerID)
	if err != nil {
		return p, err
	}
	v := convView{Conv: conv, Customer: cust, CustomerName: displayName(cust, p.Lang),
		StatusLabel: tr(p.Lang, "st_"+string(conv.Status)), Resolved: conv.Status == bot.StatusResolved}
	if conv.Status == bot.StatusHuman && conv.Assignee != "" {
		if strings.EqualFold(conv.Assignee, p.Agent) {
			v.Mine = true
		} else {
			v.TakenBy = conv.Assignee
		}
	}
	v.Manager = c.isManager(p.Agent)
	p.Title = v.CustomerName
	escs, err := c.opts.Records.Escalations(ctx, bot.EscalationFilter{CustomerID: cust.ID, Limit: 50})
	if err != nil {
		return p, err
	}
	for _, e := range escs {
		v.Escalations = append(v.Escalations, escalationView{Reason: e.Reason, ReasonLabel: label(p.Lang, "reason_", e.Reason),
			StatusLabel: label(p.Lang, "esc_", e.Status), Severity: e.Severity,
			SeverityLabel: tr(p.Lang, "sev_"+e.Severity), Summary: e.Summary, Status: e.Status, Assignee: e.Assignee,
			Created: fmtTime(e.Created), ThisConv: e.ConversationID == conv.ID})
	}
	timeline, err := c.opts.Records.Timeline(ctx, cust.ID, bot.TimelineOptions{Limit: c.opts.ArchiveLimit})
	if err != nil {
		return p, err
	}
	v.Archive = archive(timeline, conv.ID, p.Lang, c.opts.Verdicts != nil)
	notes, err := c.opts.Records.Notes(ctx, cust.ID)
	if err != nil {
		return p, err
	}
	for _, n := range notes {
		v.Notes = append(v.Notes, noteView{Author: n.Author, Text: n.Text, Created: fmtTime(n.Created)})
	}
	p.Body = v
	return p, nil
}

// archive turns a customer's timeline into the lines of the conversation
// page: messages of every channel and the handoff events, in order. Notes
// are shown on their own. With verdicts, each of the customer's messages
// whose text is kept carries its verdict and the button for the other one.
func archive(timeline []bot.TimelineEntry, convID bot.ConversationID, lang string, verdicts bool) []archiveEntry {
	out := make([]archiveEntry, 0, len(timeline))
	for _, e := range timeline {
		a := archiveEntry{Channel: e.Channel, Time: fmtTime(e.Time)}
		switch {
		case e.Message != nil:
			m := e.Message
			a.ThisConv = m.ConversationID == convID
			a.Text = m.Text
			if a.Text == "" {
				a.Text = tr(lang, "redacted")
			}
			switch m.Author {
			case bot.AuthorCustomer:
				a.Class, a.Who = "in", tr(lang, "customer")
				if verdicts && m.Text != "" {
					verdict(&a, m, lang)
				}
			case bot.AuthorAgent:
				a.Class, a.Who = "agent", tr(lang, "agent")
			case bot.AuthorSystem:
				a.Class, a.Who = "event", tr(lang, "system")
			default:
				a.Class, a.Who = "out", tr(lang, "bot")
				if m.Text != "" {
					// Safe: markdown.HTML escapes all text and writes only its own tags.
					a.HTML = template.HTML(markdown.HTML(m.Text)) //nolint:gosec
				}
			}
		case e.Event != nil:
			ev := e.Event
			a.ThisConv = ev.ConversationID == convID
			a.Class = "event"
			switch ev.Kind {
			case bot.EventEscalated, bot.EventCreated, bot.EventMerged:
				a.Who = tr(lang, "event_"+ev.Kind)
			case bot.EventTakenOver, bot.EventResolved, bot.EventReturnedToBot:
				a.Who = tr(lang, "event_"+ev.Kind, ev.Actor)
			default:
				continue // segment changes, tags and the like are not part of the conversation
			}
		default:
			continue
		}
		out = append(out, a)
	}
	return out
}

// verdict fills in the verdict of a customer's message and the button that
// gives the other one.
func verdict(a *archiveEntry, m *bot.StoredMessage, lang string) {
	a.MessageID = m.ID
	complaint := m.IsComplaint
	switch m.Label {
	case bot.LabelComplaint:
		a.Verdict, complaint = tr(lang, "verdict_complaint", m.LabelAgent), true
	case bot.LabelNotComplaint:
		a.Verdict, complaint = tr(lang, "verdict_not_complaint", m.LabelAgent), false
	default:
		if m.IsComplaint {
			a.Verdict = tr(lang, "verdict_bot")
		}
	}
	if complaint {
		a.Mark, a.MarkLabel = bot.LabelNotComplaint, tr(lang, "mark_not_complaint")
	} else {
		a.Mark, a.MarkLabel = bot.LabelComplaint, tr(lang, "mark_complaint")
	}
}

// displayName is how the console names a customer.
func displayName(c bot.Customer, lang string) string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	case c.Phone != "":
		return c.Phone
	}
	return tr(lang, "customer") + " #" + strconv.FormatInt(int64(c.ID), 10)
}

func (c *Console) handleConversation(w http.ResponseWriter, r *http.Request) {
	c.showConversation(w, r, http.StatusOK, "", "layout")
}

func (c *Console) handleArchiveFragment(w http.ResponseWriter, r *http.Request) {
	c.showConversation(w, r, http.StatusOK, "", "archive")
}

// showConversation renders the conversation page (or its archive fragment)
// with status and an error message to show, if any.
func (c *Console) showConversation(w http.ResponseWriter, r *http.Request, status int, msg, tmpl string) {
	id, ok := conversationID(r)
	if !ok {
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
		return
	}
	p, err := c.conversationModel(w, r, id)
	if err != nil {
		st, m := c.userError(r, err)
		c.renderError(w, r, st, m)
		return
	}
	p.Error = msg
	c.render(w, r, status, "conversation", tmpl, p)
}

func (c *Console) handleAction(w http.ResponseWriter, r *http.Request) {
	id, ok := conversationID(r)
	if !ok {
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
		return
	}
	agent, _, _ := AgentFrom(r.Context())
	ctx := r.Context()
	action := r.PathValue("action")
	h := c.opts.Handoff
	var err error
	switch action {
	case "takeover":
		err = h.TakeOverConversation(ctx, id, agent)
	case "reassign":
		if !c.isManager(agent) {
			c.renderError(w, r, http.StatusForbidden, tr(pickLang(r), "managers_only"))
			return
		}
		err = h.Reassign(ctx, id, agent, agent)
	case "reply":
		_, err = h.ReplyToConversation(ctx, id, agent, normalizeNewlines(r.PostFormValue("text")))
	case "resolve":
		err = h.ResolveConversation(ctx, id, agent)
	case "note":
		_, err = h.AddNote(ctx, id, agent, normalizeNewlines(r.PostFormValue("text")))
	case "tag":
		err = h.AddTag(ctx, id, r.PostFormValue("tag"), agent)
	case "untag":
		err = h.RemoveTag(ctx, id, r.PostFormValue("tag"), agent)
	case "label":
		msgID, perr := strconv.ParseInt(r.PostFormValue("message"), 10, 64)
		switch {
		case c.opts.Verdicts == nil:
			c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
			return
		case perr != nil || msgID <= 0:
			err = bot.Errorf(bot.EINVALID, "The message to label is missing.")
		default:
			err = c.opts.Verdicts.LabelMessage(ctx, msgID, r.PostFormValue("label"), agent)
		}
	default:
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
		return
	}
	if err != nil {
		status, msg := c.actionError(r, id, err)
		if status == http.StatusNotFound {
			c.renderError(w, r, status, msg)
			return
		}
		c.showConversation(w, r, status, msg, "layout")
		return
	}
	c.log.Info("console: action", "action", action, "conversation", id, "agent", agent)
	target := "/console/c/" + strconv.FormatInt(int64(id), 10)
	if action == "resolve" {
		target = "/console"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// actionError is the status and the message in the agent's language of an
// action the handoff authority refused: a conflict is explained by the
// conversation as it stands now (resolved, or held by another agent).
func (c *Console) actionError(r *http.Request, id bot.ConversationID, err error) (int, string) {
	if bot.ErrorCode(err) == bot.ECONFLICT {
		lang := pickLang(r)
		if conv, cerr := c.opts.Records.Conversation(r.Context(), id); cerr == nil {
			switch {
			case conv.Status == bot.StatusResolved:
				return http.StatusConflict, tr(lang, "resolved")
			case conv.Assignee != "":
				return http.StatusConflict, tr(lang, "taken_by", conv.Assignee)
			}
		}
	}
	return c.userError(r, err)
}

// isManager reports whether the named agent has the manager role.
func (c *Console) isManager(name string) bool {
	return c.agents[strings.ToLower(name)].Manager
}

// normalizeNewlines turns the CRLF line ends of form posts into LF.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// siteName returns the company's name in lang, else in English, else in
// Chinese; "" when it has none.
func siteName(names map[string]string, lang string) string {
	for _, l := range []string{lang, langEN, langZH} {
		if n := strings.TrimSpace(names[l]); n != "" {
			return n
		}
	}
	return ""
}

// The review page: messages the bot answered that may have been complaints.

type reviewView struct {
	Days  int
	Items []reviewItem
}

type reviewItem struct {
	ID             int64
	ConversationID bot.ConversationID
	Customer       string
	Channel        string
	Time           string
	Text           string
	Why            string // the score, and "negative" when it read so
}

// reviewing reports whether the review page is on.
func (c *Console) reviewing() bool { return c.opts.Review != nil && c.opts.Verdicts != nil }

func (c *Console) handleReview(w http.ResponseWriter, r *http.Request) {
	if !c.reviewing() {
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
		return
	}
	ctx := r.Context()
	p := c.newPage(w, r, "review")
	v := reviewView{Days: int(c.opts.ReviewWindow / (24 * time.Hour))}
	msgs, err := c.opts.Review.ReviewMessages(ctx, c.opts.Now().Add(-c.opts.ReviewWindow), c.opts.ReviewFrom, 50)
	if err != nil {
		status, msg := c.userError(r, err)
		c.renderError(w, r, status, msg)
		return
	}
	names := map[int64]string{}
	for _, m := range msgs {
		name, ok := names[m.CustomerID]
		if !ok {
			if cust, err := c.opts.Records.Customer(ctx, m.CustomerID); err == nil {
				name = displayName(cust, p.Lang)
			} else {
				name = tr(p.Lang, "customer") + " #" + strconv.FormatInt(m.CustomerID, 10)
			}
			names[m.CustomerID] = name
		}
		why := tr(p.Lang, "complaint_score", m.Complaint)
		if m.Sentiment <= -0.4 {
			why += " · " + tr(p.Lang, "negative")
		}
		v.Items = append(v.Items, reviewItem{ID: m.ID, ConversationID: m.ConversationID, Customer: name, Channel: m.Channel,
			Time: fmtTime(m.Time), Text: m.Text, Why: why})
	}
	p.Body = v
	c.render(w, r, http.StatusOK, "review", "layout", p)
}

// handleReviewVerdict records a verdict given on the review page and shows
// the page again, without the message.
func (c *Console) handleReviewVerdict(w http.ResponseWriter, r *http.Request) {
	if !c.reviewing() {
		c.renderError(w, r, http.StatusNotFound, tr(pickLang(r), "not_found"))
		return
	}
	agent, _, _ := AgentFrom(r.Context())
	id, err := strconv.ParseInt(r.PostFormValue("message"), 10, 64)
	if err != nil || id <= 0 {
		err = bot.Errorf(bot.EINVALID, "The message to label is missing.")
	} else {
		err = c.opts.Verdicts.LabelMessage(r.Context(), id, r.PostFormValue("label"), agent)
	}
	if err != nil {
		status, msg := c.userError(r, err)
		c.renderError(w, r, status, msg)
		return
	}
	c.log.Info("console: verdict", "message", id, "agent", agent)
	http.Redirect(w, r, "/console/review", http.StatusSeeOther)
}
