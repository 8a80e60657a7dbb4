// Package console is Concierge's agent console.
//
// The console (mounted at /console) is server-rendered HTML: agents sign in
// with a name and password from the config, see the queue of conversations
// waiting for a human (oldest first, with wait times), open a conversation to
// read the customer's whole archive across channels with its escalations,
// notes and tags, and take it over, reply, add notes and tags, and resolve
// it. Its scripts read customer records through the customers API of
// package web, which admits a console session through Agent.
//
// Security: sessions are HMAC-signed cookies (HttpOnly, SameSite=Strict,
// Secure behind HTTPS) that end on logout, on expiry and when the agent's
// password changes; every state-changing request needs a signed-in agent and
// a CSRF token bound to the session, and is refused when the browser says it
// comes from another site; sign-in attempts are rate-limited per client
// address and per agent name; pages carry a Content-Security-Policy that
// allows no inline script, and html/template escapes all customer text.
package console

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/guard"
	"golang.org/x/crypto/bcrypt"
)

// Handoff is the one authority over who handles a handed-off conversation
// (escalation.Service implements it): the console never changes a
// conversation's assignee or status itself.
type Handoff interface {
	// Queue returns the conversations with a human or waiting for one,
	// longest waiting first.
	Queue(ctx context.Context) ([]bot.QueueItem, error)
	// TakeOverConversation gives a conversation to agent unless another
	// agent holds it (ECONFLICT naming them).
	TakeOverConversation(ctx context.Context, id bot.ConversationID, agent string) error
	// Reassign gives a conversation to agent to, whoever holds it, on the
	// say of manager; it is recorded.
	Reassign(ctx context.Context, id bot.ConversationID, to, manager string) error
	// ReplyToConversation stores and delivers agent's message to the
	// customer, taking the conversation if nobody holds it.
	ReplyToConversation(ctx context.Context, id bot.ConversationID, agent, text string) (int64, error)
	// ResolveConversation closes a conversation and asks for a rating.
	ResolveConversation(ctx context.Context, id bot.ConversationID, agent string) error
	// AddNote, AddTag and RemoveTag change the record of the
	// conversation's customer.
	AddNote(ctx context.Context, id bot.ConversationID, agent, text string) (int64, error)
	AddTag(ctx context.Context, id bot.ConversationID, tag, agent string) error
	RemoveTag(ctx context.Context, id bot.ConversationID, tag, agent string) error
}

// Records is what the console reads of conversations and customers.
type Records interface {
	// Conversation returns one conversation, or an ENOTFOUND *bot.Error.
	Conversation(ctx context.Context, id bot.ConversationID) (bot.ConversationInfo, error)
	// Escalations returns escalations matching f, newest first.
	Escalations(ctx context.Context, f bot.EscalationFilter) ([]bot.EscalationInfo, error)
	// Customer returns one customer, or an ENOTFOUND *bot.Error.
	Customer(ctx context.Context, id int64) (bot.Customer, error)
	// Timeline returns the customer's messages, events and notes on every
	// channel, in time order.
	Timeline(ctx context.Context, customerID int64, opts bot.TimelineOptions) ([]bot.TimelineEntry, error)
	// Notes returns the notes on a customer, oldest first.
	Notes(ctx context.Context, customerID int64) ([]bot.Note, error)
}

// Verdicts records agents' verdicts on customers' messages: whether a
// message was a complaint, whatever the bot made of it. The complaint
// detector learns them.
type Verdicts interface {
	// LabelMessage records label (bot.LabelComplaint or
	// bot.LabelNotComplaint) on a customer's message for agent: ENOTFOUND
	// when no customer's message has the id, EINVALID for another label.
	LabelMessage(ctx context.Context, messageID int64, label, agent string) error
}

// Review lists the customers' messages the bot answered although they read
// negative or nearly a complaint, and that no agent has judged (the store
// satisfies it).
type Review interface {
	// ReviewMessages returns such messages since since that score at least
	// minComplaint or read negative, the highest score first, at most limit.
	ReviewMessages(ctx context.Context, since time.Time, minComplaint float64, limit int) ([]bot.ReviewMessage, error)
}

// Agent is a person who may sign in to the console.
type Agent struct {
	// Name is what the agent types to sign in and how colleagues and the
	// records see them; it is matched case-insensitively.
	Name string
	// PasswordHash is a bcrypt hash of the agent's password, as made by
	// HashPassword.
	PasswordHash string
	// Manager lets the agent reassign to themselves a conversation another
	// agent holds (recorded as a reassigned event).
	Manager bool
}

// HashPassword returns the bcrypt hash of a password, for Agent.PasswordHash
// in the config. Passwords must be 8 to 72 bytes (bcrypt's limit).
func HashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", errors.New("console: a password must be at least 8 characters")
	}
	if len(password) > 72 {
		return "", errors.New("console: a password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("console: hash password: %w", err)
	}
	return string(h), nil
}

// Options configures a Console. Handoff, Records and Agents are required;
// everything else has a default.
type Options struct {
	Handoff Handoff
	Records Records
	// Verdicts, when set, lets agents mark each customer's message as a
	// complaint or not (a button beside it), to teach the bot; nil hides
	// the buttons.
	Verdicts Verdicts
	// Review, with Verdicts, adds the page /console/review: the messages the
	// bot answered that may have been complaints (ReviewFrom or more, or
	// negative; of the last ReviewWindow), each with the verdict buttons,
	// so that missed complaints are found and followed up.
	Review Review
	// ReviewFrom is the least complaint score the review page lists
	// (besides negative messages). Default 0.3, half the default
	// complaint threshold.
	ReviewFrom float64
	// ReviewWindow is how far back the review page looks. Default 7 days.
	ReviewWindow time.Duration
	// Agents may sign in. Their names must be distinct and non-empty and
	// their hashes bcrypt hashes.
	Agents []Agent
	// Secret keys the session cookies and CSRF tokens (HMAC-SHA256); at least
	// 32 bytes. Keep it stable across restarts or every agent is signed out.
	// Nil means a random secret for the life of the process (a warning is
	// logged).
	Secret []byte
	// SessionTTL is how long a sign-in lasts. Default 12 hours.
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure on every request; set it when a
	// TLS-terminating proxy is in front. Requests over TLS get Secure cookies
	// anyway.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header is
	// believed when finding the client address for the sign-in rate limit.
	TrustedProxies []netip.Prefix
	// LoginBurst failed sign-ins are allowed per client address and agent
	// name, then one per LoginEvery. Defaults 10 and 1 minute. A client
	// address may fail three times as often across all names. Failures for
	// one name from other addresses never refuse a correct password: they
	// only slow every attempt for that name (see LoginDelay).
	LoginBurst int
	LoginEvery time.Duration
	// LoginDelay is the longest wait before a sign-in for a name is checked
	// after many recent failures for it from anywhere: the wait doubles with
	// each failure past LoginBurst, from 250 ms up to LoginDelay. Default 8s.
	LoginDelay time.Duration
	// SiteName is the company's name by language ("en", "zh"), shown in
	// the header beside Concierge. Optional.
	SiteName map[string]string
	// SignIns, when set, keeps sign-in failures where every replica of the
	// console sees them (cmd/concierge backs it with the PostgreSQL store),
	// so the sign-in limits hold across replicas. Nil keeps them in this
	// process's memory.
	SignIns SignIns
	// SignOuts, when set, keeps the sessions ended by sign-out (serve gives
	// it the store), so a signed-out cookie is refused after a restart and
	// by every replica. Nil keeps them in this process's memory, which a
	// restart forgets.
	SignOuts SignOuts
	// DashboardPath, when set, adds a link to the dashboard to the console's
	// navigation (e.g. "/console/dashboard").
	DashboardPath string
	// RefreshEvery is how often the queue and an open conversation refresh
	// themselves in the browser. Default 10 seconds.
	RefreshEvery time.Duration
	// ArchiveLimit bounds how many of a customer's latest messages and events
	// a conversation page shows. Default 1000.
	ArchiveLimit int
	// MaxBodyBytes limits request bodies. Default 64 KiB.
	MaxBodyBytes int64
	Logger       *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Console serves the agent console and the customers API. Create it with
// New; it is safe for concurrent use.
type Console struct {
	opts         Options
	log          *slog.Logger
	keys         keys
	agents       map[string]Agent // by lower-case name
	dummyHash    []byte           // compared against for unknown names, so timing reveals nothing
	revoked      revocationStore
	pairLimit    Limiter // failed sign-ins per (client address, name)
	ipLimit      Limiter // failed sign-ins per client address, across names
	nameFailures Limiter // recent failures per name, from anywhere: they slow, never refuse
	clients      guard.Clients
	pages        map[string]*template.Template
	assets       map[string]asset
	handler      http.Handler
	api          http.Handler
}

// New returns a Console, or an error naming the invalid option.
func New(opts Options) (*Console, error) {
	if opts.Handoff == nil || opts.Records == nil {
		return nil, errors.New("console: New: Handoff and Records are required")
	}
	if len(opts.Agents) == 0 {
		return nil, errors.New("console: New: no agents: add at least one agent with a name and a password hash")
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	bot.SetDefault(&opts.SessionTTL, 12*time.Hour)
	bot.SetDefault(&opts.LoginBurst, 10)
	bot.SetDefault(&opts.LoginDelay, 8*time.Second)
	bot.SetDefault(&opts.LoginEvery, time.Minute)
	bot.SetDefault(&opts.RefreshEvery, 10*time.Second)
	bot.SetDefault(&opts.ArchiveLimit, 1000)
	bot.SetDefault(&opts.ReviewFrom, 0.3)
	bot.SetDefault(&opts.ReviewWindow, 7*24*time.Hour)
	bot.SetDefault(&opts.MaxBodyBytes, 64<<10)
	c := &Console{opts: opts, log: opts.Logger, agents: map[string]Agent{}}
	for i, a := range opts.Agents {
		a.Name = strings.TrimSpace(a.Name)
		if a.Name == "" || len(a.Name) > maxAgentName {
			return nil, fmt.Errorf("console: New: agent %d: a name must be 1 to %d bytes", i+1, maxAgentName)
		}
		if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
			return nil, fmt.Errorf("console: New: agent %q: the password hash is not a bcrypt hash (make one with HashPassword): %w", a.Name, err)
		}
		key := strings.ToLower(a.Name)
		if _, dup := c.agents[key]; dup {
			return nil, fmt.Errorf("console: New: agent %q is listed twice", a.Name)
		}
		c.agents[key] = a
	}
	secret := opts.Secret
	if secret == nil {
		var err error
		if secret, err = randomBytes(32); err != nil {
			return nil, fmt.Errorf("console: New: secret: %w", err)
		}
		c.log.Warn("no console secret configured: using a random one, so agents are signed out when the server restarts")
	}
	var err error
	if c.keys, err = deriveKeys(secret); err != nil {
		return nil, fmt.Errorf("console: New: %w", err)
	}
	// A hash of the same cost as the agents', for unknown names.
	cost, _ := bcrypt.Cost([]byte(opts.Agents[0].PasswordHash))
	if c.dummyHash, err = bcrypt.GenerateFromPassword([]byte("concierge-no-such-agent"), cost); err != nil {
		return nil, fmt.Errorf("console: New: %w", err)
	}
	if opts.SignOuts != nil {
		c.revoked = storedRevocations{so: opts.SignOuts, log: c.log}
	} else {
		c.revoked = newRevocations(100_000, opts.Now)
	}
	if si := opts.SignIns; si != nil {
		c.pairLimit = si.Limiter("console-pair", guard.Every(opts.LoginEvery), opts.LoginBurst)
		c.ipLimit = si.Limiter("console-ip", 3*guard.Every(opts.LoginEvery), 3*opts.LoginBurst)
		c.nameFailures = si.Limiter("console-name", guard.Every(opts.LoginEvery), 1<<20)
	} else {
		c.pairLimit = guard.NewLimiter(guard.LimiterOptions{Rate: guard.Every(opts.LoginEvery), Burst: opts.LoginBurst,
			MaxKeys: 50_000, FailClosed: true, Now: opts.Now})
		c.ipLimit = guard.NewLimiter(guard.LimiterOptions{Rate: 3 * guard.Every(opts.LoginEvery), Burst: 3 * opts.LoginBurst,
			MaxKeys: 50_000, FailClosed: true, Now: opts.Now})
		c.nameFailures = guard.NewLimiter(guard.LimiterOptions{Rate: guard.Every(opts.LoginEvery), Burst: 1 << 20,
			MaxKeys: 10_000, Now: opts.Now})
	}
	c.clients = guard.Clients{Trusted: opts.TrustedProxies}
	if c.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("console: New: %w", err)
	}
	if c.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("console: New: %w", err)
	}
	c.handler = c.routes()
	return c, nil
}

// ServeHTTP serves the console under /console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Agent returns the agent signed in on r, for the customers API that the
// console's pages call with their session: csrfOK reports whether r comes
// from the console's own origin and carries the session's CSRF token in the
// X-CSRF-Token header, as a state-changing request must.
func (c *Console) Agent(r *http.Request) (name string, csrfOK, ok bool) {
	s, ok := c.currentSession(r)
	if !ok {
		return "", false, false
	}
	return s.Agent, sameOrigin(r) && c.keys.checkCSRF(s.ID, r.Header.Get("X-CSRF-Token")), true
}

// ctxKey keys the signed-in agent in a request context.
type ctxKey struct{}

type agentInfo struct {
	name string
	csrf string
}

// AgentFrom returns the name of the signed-in agent of a request that went
// through RequireLogin (or the console), and its CSRF token, which scripts
// send in the X-CSRF-Token header and forms in the "csrf" field.
func AgentFrom(ctx context.Context) (name, csrf string, ok bool) {
	a, ok := ctx.Value(ctxKey{}).(agentInfo)
	return a.name, a.csrf, ok
}

// RequireLogin admits requests of signed-in agents to h. Others are sent to
// the sign-in page (GET and HEAD) or refused with 401. State-changing
// requests must also carry the session's CSRF token and must not come from
// another site (403). AgentFrom tells h who is signed in.
func (c *Console) RequireLogin(h http.Handler) http.Handler {
	return pageHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.currentSession(r)
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "Sign in first.", http.StatusUnauthorized)
			return
		}
		if !safeMethod(r.Method) && !c.csrfOK(r, s) {
			http.Error(w, tr(pickLang(r), "forbidden"), http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r.WithContext(c.withAgent(r.Context(), s)))
	}))
}

func (c *Console) withAgent(ctx context.Context, s session) context.Context {
	return context.WithValue(ctx, ctxKey{}, agentInfo{name: s.Agent, csrf: c.keys.csrfToken(s.ID)})
}

const sessionCookie = "concierge_console"

// currentSession returns the request's valid session: signed, unexpired, not
// logged out, of an agent still configured with the same password.
func (c *Console) currentSession(r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	s, err := c.keys.decodeSession(ck.Value, c.opts.Now())
	if err != nil {
		return session{}, false
	}
	a, ok := c.agents[strings.ToLower(s.Agent)]
	if !ok || a.Name != s.Agent || passwordPrint(a.PasswordHash) != s.pwPrint || c.revoked.revoked(r.Context(), s.ID) {
		return session{}, false
	}
	return s, true
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfOK reports whether a state-changing request carries the session's
// CSRF token and does not come from another site.
func (c *Console) csrfOK(r *http.Request, s session) bool {
	if !sameOrigin(r) {
		return false
	}
	token := r.Header.Get("X-CSRF-Token")
	if token == "" {
		token = r.PostFormValue("csrf")
	}
	return c.keys.checkCSRF(s.ID, token)
}

// sameOrigin refuses requests a browser marks as cross-site, or whose
// Origin header names another host.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return origin == ""
	}
	_, host, ok := strings.Cut(origin, "://")
	return ok && strings.EqualFold(host, r.Host)
}

// secure reports whether cookies of this request must be Secure.
func (c *Console) secure(r *http.Request) bool { return c.opts.SecureCookies || r.TLS != nil }

func (c *Console) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteStrictMode})
}

// fingerprint is a short, non-secret label of a string for logs.
func fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return b64.EncodeToString(sum[:6])
}
