// Package web is Concierge's HTTP adapter: the REST API under /api/v1 (with
// its OpenAPI document), the web chat widget (/widget.js and its visitor API
// under /api/v1/widget), the company's page at / (Options.Site), and /healthz. It turns HTTP
// requests into bot.Message values and bot.Reply values into JSON, mapping
// bot.Error codes to HTTP statuses.
//
// Every route is protected: request bodies are size-limited, widget traffic
// is rate-limited per client IP and per visitor, REST traffic per API key
// (429 with Retry-After), customer exports are bounded in number per API key
// or agent and in all, and a download whose client stops reading is cut
// (Limits), the widget API answers cross-origin requests only
// from configured origins, and every response carries security headers (a
// strict Content-Security-Policy on the page at /). Customer text is never
// logged above Debug level.
package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/guard"
)

// Handler is what the server needs of the Engine.
type Handler = chatreply.Handler

// VisitorHistory reads the messages of one channel identity, across all of
// its conversations on that channel. The widget uses it for history across
// page reloads and for the stream of new messages (agent replies included).
// storage.DB implements it.
type VisitorHistory interface {
	// VisitorHistory returns the messages of the conversations on channel of
	// the customer known there as externalID, oldest first. With afterID >= 0
	// it returns the first limit messages whose id is greater than afterID;
	// with afterID < 0 it returns the latest limit messages. An unknown
	// identity has no messages (and no error). Redacted (erased) messages are
	// left out.
	VisitorHistory(ctx context.Context, channel, externalID string, afterID int64, limit int) ([]bot.StoredMessage, error)
}

// Options configures a Server. Engine is required; every other field is
// optional and has a safe default.
type Options struct {
	Engine Handler
	// Keys are the API keys of the server-to-server API, each with its name
	// and scopes. With none (and no APIKeys), that API answers 401
	// explaining how to add one.
	Keys []APIKey
	// APIKeys are keys in the old form, a bare secret each: they have every
	// scope and are named by position, key-1, key-2, ... (after Keys, whose
	// names must not clash with them).
	APIKeys []string
	Logger  *slog.Logger
	// ReservedChannels are channel names that adapters other than the REST
	// API own (each adapter's Channel constants); POST /api/v1/messages
	// refuses them, so that an API key cannot write into a Slack employee's
	// or a WeChat customer's conversation. They add to the well-known
	// adapter channels, which are always refused: web, slack, terminal,
	// wecom, wecom_kf, feishu, dingtalk. "api" may not be reserved.
	ReservedChannels []string
	// MaxBodyBytes limits request bodies. Default 64 KiB.
	MaxBodyBytes int64
	// Ready reports whether the dependencies are healthy, for /healthz.
	// Nil means always ready. A failure is reported as the check "ready".
	Ready func(ctx context.Context) error
	// Checks are the named dependencies /healthz and /readyz check (the
	// store, the knowledge index), each within healthTimeout, at once.
	Checks []HealthCheck

	// History gives the widget its message history and the stream of new
	// messages. Without it the widget can still chat, but history and
	// agent replies answer 503.
	History VisitorHistory
	// SessionSecret signs visitor session tokens (HMAC-SHA256); at least 32
	// bytes. Keep it stable across restarts or every visitor loses their
	// conversation. Nil means a random secret for the life of the process
	// (a warning is logged).
	SessionSecret []byte
	// SessionTTL is how long a visitor token is valid; the widget renews it
	// while it is valid. Default 30 days.
	SessionTTL time.Duration
	// AllowedOrigins are the origins (scheme://host[:port]) of the sites
	// that embed the widget from another origin, for CORS on the widget API.
	// The server's own origin is always allowed; "*" is refused.
	AllowedOrigins []string
	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For header is believed when finding the client IP for rate
	// limits. Empty means the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// Limits are the rate limits. Zero fields take their defaults.
	Limits Limits
	// PollWait is the longest a widget long-poll waits for new messages.
	// Default 25s; it must stay below the http.Server's WriteTimeout.
	PollWait time.Duration
	// PollInterval is how often a waiting long-poll re-reads the store, to
	// see messages written by other processes (agents). Default 1s.
	PollInterval time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Customers backs the customers API under /api/v1/customers. Nil means
	// it answers 503.
	Customers CustomerStore
	// Staff recognises the console's signed-in agents, whose pages call the
	// customers API with their session instead of an API key. Nil means
	// only API keys are accepted there.
	Staff StaffSessions
	// Site is the company the page at / and the widget are branded for.
	// The zero Site is a neutral one.
	Site Site
	// Requests, when set, keeps the outcomes of keyed requests (the
	// widget's client_id, the API's Idempotency-Key) where every replica
	// sees them, so that a retry sent to another replica is answered from
	// the first outcome; nil keeps them in this process's memory.
	Requests Requests
	// Health, when set, adds what it returns to /healthz's answer (the
	// database's engine and pool, for example).
	Health func(ctx context.Context) map[string]any
	// Mount adds handlers served by this server, behind the same request
	// logging, panic recovery and security headers, keyed by
	// http.ServeMux pattern: for example "/console/" for the agent console
	// and "/api/v1/customers" for its API. A pattern that conflicts with a
	// built-in route is an error from New. Routes mounted under /api/v1 must
	// be added to the OpenAPI document.
	Mount map[string]http.Handler
}

// Requests keeps the outcome of keyed requests for every replica of the
// server (storage/postgres backs it in cmd/concierge).
type Requests interface {
	// Claim claims key for the calling request. It returns the context to
	// handle the request in (it may carry what the store needs to make the
	// handling idempotent), or — when a request with the same key was
	// handled already — that request's outcome, waiting while another
	// replica is still handling it. An error means neither (try later).
	Claim(ctx context.Context, key string) (handle context.Context, replay *Outcome, err error)
	// Finish records the outcome of a claimed request.
	Finish(ctx context.Context, key string, status int, body []byte)
	// Abandon releases a claimed request whose outcome must not be
	// replayed (a server error: a retry should try again).
	Abandon(ctx context.Context, key string)
}

// Outcome is a recorded answer: its status and JSON body.
type Outcome struct {
	Status int
	Body   []byte
}

// StaffSessions recognises the signed-in agents of the console (package
// console implements it).
type StaffSessions interface {
	// Agent returns the agent signed in on r; csrfOK reports whether r comes
	// from the same origin and carries the session's CSRF token, as a
	// state-changing request must.
	Agent(r *http.Request) (name string, csrfOK, ok bool)
}

// Server serves Concierge over HTTP. Create it with New; it is an
// http.Handler safe for concurrent use. Call Close when shutting down so
// that waiting long-polls return at once.
type Server struct {
	opts     Options
	log      *slog.Logger
	keys     []apiKey // SHA-256 of each API key, compared in constant time
	sessions *sessions
	origins  map[string]bool
	reserved []string // channels the REST API may not use, sorted
	ipLimit  *guard.Limiter
	visLimit *guard.Limiter
	keyLimit *guard.Limiter
	// exportLimit and exports bound the customer exports each API key or
	// agent starts, and how many stream at once.
	exportLimit *guard.Limiter
	exports     *guard.Slots
	admit       *guard.Admission
	clients     guard.Clients
	idem        *idempotency
	hub         *hub
	state       atomic.Int32 // a State: starting, ready or draining (for /readyz)
	visitors    *keyedMutex
	assets      map[string]asset
	site        *sitePage // the page at /, by language
	routes      []route
	handler     http.Handler
}

// route is one registered endpoint; the table is the source of truth that
// the OpenAPI document is checked against.
type route struct {
	method, path string
	handler      http.Handler
}

// New returns a Server, or an error naming an invalid option.
func New(opts Options) (*Server, error) {
	if opts.Engine == nil {
		return nil, errors.New("web: New: Engine is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 10
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.PollWait <= 0 {
		opts.PollWait = 25 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Limits = opts.Limits.withDefaults()
	s := &Server{opts: opts, log: opts.Logger, origins: map[string]bool{}}
	var err error
	if s.keys, err = newKeys(opts.Keys, opts.APIKeys); err != nil {
		return nil, fmt.Errorf("web: New: %w", err)
	}
	reserved := map[string]bool{}
	for _, ch := range append(slices.Clone(adapterChannels), opts.ReservedChannels...) {
		if ch == bot.ChannelAPI || !channelName.MatchString(ch) {
			return nil, fmt.Errorf("web: New: ReservedChannels: %q cannot be reserved", ch)
		}
		reserved[ch] = true
	}
	s.reserved = slices.Sorted(maps.Keys(reserved))
	for _, o := range opts.AllowedOrigins {
		norm, err := normalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("web: New: AllowedOrigins: %w", err)
		}
		s.origins[norm] = true
	}
	secret := opts.SessionSecret
	if secret == nil {
		if secret, err = randomBytes(32); err != nil {
			return nil, fmt.Errorf("web: New: session secret: %w", err)
		}
		s.log.Warn("no widget session secret configured: using a random one, so visitor sessions end when the server restarts")
	}
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("web: New: %w", err)
	}
	if err := s.brand(opts.Site); err != nil {
		return nil, fmt.Errorf("web: New: %w", err)
	}
	if s.sessions, err = newSessions(secret, opts.SessionTTL, opts.Now); err != nil {
		return nil, fmt.Errorf("web: New: %w", err)
	}
	l := opts.Limits
	s.ipLimit = guard.NewLimiter(guard.LimiterOptions{Rate: l.IPRate, Burst: l.IPBurst, MaxKeys: l.MaxTracked, Now: opts.Now})
	s.visLimit = guard.NewLimiter(guard.LimiterOptions{Rate: l.VisitorRate, Burst: l.VisitorBurst, MaxKeys: l.MaxTracked, Now: opts.Now})
	s.keyLimit = guard.NewLimiter(guard.LimiterOptions{Rate: l.APIKeyRate, Burst: l.APIKeyBurst, MaxKeys: 1024, Now: opts.Now})
	s.exportLimit = guard.NewLimiter(guard.LimiterOptions{Rate: l.ExportRate, Burst: l.ExportBurst, MaxKeys: 1024, Now: opts.Now})
	s.exports = guard.NewSlots(max(l.MaxExportsPerActor, 0), max(l.MaxExports, 0))
	s.admit = guard.NewAdmission(l.MaxInFlight, l.QueueWait)
	s.clients = guard.Clients{Trusted: opts.TrustedProxies}
	s.idem = newIdempotency(idempotencyTTL, idempotencyMaxBytes, opts.Now)
	s.hub = newHub(l.MaxWaiters)
	s.visitors = newKeyedMutex()

	api := func(h http.HandlerFunc) http.Handler { return apiHeaders(h) }
	widget := func(h http.HandlerFunc) http.Handler { return apiHeaders(s.cors(s.limitIP(h))) }
	s.routes = []route{
		{"GET", "/", http.HandlerFunc(s.handleSite)},
		{"GET", "/widget.js", http.HandlerFunc(s.handleAsset)},
		{"GET", "/widget.css", http.HandlerFunc(s.handleAsset)},
		{"GET", "/demo.css", http.HandlerFunc(s.handleAsset)},
		{"GET", "/demo.js", http.HandlerFunc(s.handleAsset)},
		{"GET", "/healthz", http.HandlerFunc(s.handleHealth)},
		{"GET", "/readyz", http.HandlerFunc(s.handleReady)},
		{"GET", "/api/v1/openapi.json", api(s.handleOpenAPI)},
		{"POST", "/api/v1/messages", api(s.requireAPIKey(ScopeMessages, s.admitted(s.handlePostMessage)))},
		{"POST", "/api/v1/widget/session", widget(s.handleSession)},
		{"OPTIONS", "/api/v1/widget/session", widget(s.handlePreflight)},
		{"GET", "/api/v1/widget/messages", widget(s.handleWidgetHistory)},
		{"POST", "/api/v1/widget/messages", widget(s.handleWidgetPost)},
		{"OPTIONS", "/api/v1/widget/messages", widget(s.handlePreflight)},
		{"GET", "/api/v1/customers", api(s.staffOnly(ScopeCustomersRead, s.handleListCustomers))},
		{"GET", "/api/v1/customers/export", api(s.staffOnly(ScopeCustomersRead, s.handleExport))},
		{"GET", "/api/v1/customers/{id}", api(s.staffOnly(ScopeCustomersRead, s.handleShowCustomer))},
		{"GET", "/api/v1/customers/{id}/export", api(s.staffOnly(ScopeCustomersRead, s.handleExport))},
		{"POST", "/api/v1/customers/{id}/erase", api(s.staffOnly(ScopeCustomersWrite, s.handleErase))},
		{"POST", "/api/v1/customers/{id}/merge", api(s.staffOnly(ScopeCustomersWrite, s.handleMerge))},
	}
	mux := http.NewServeMux()
	for _, r := range s.routes {
		pattern := r.method + " " + r.path
		if r.path == "/" {
			pattern += "{$}"
		}
		mux.Handle(pattern, r.handler)
	}
	for pattern, h := range opts.Mount {
		if err := handle(mux, pattern, h); err != nil {
			return nil, fmt.Errorf("web: New: Mount: %w", err)
		}
	}
	mux.Handle("/api/", api(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, http.StatusNotFound, bot.Errorf(bot.ENOTFOUND, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
	}))
	s.handler = s.recover(s.logRequests(securityHeaders(mux)))
	return s, nil
}

// handle registers h on mux, turning the mux's panic on a bad or
// conflicting pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	if h == nil {
		return fmt.Errorf("pattern %q has no handler", pattern)
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("pattern %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Wake wakes the widget long-polls waiting for messages of the web visitor
// (a message for them was stored by another replica): each re-reads the
// store from its cursor.
func (s *Server) Wake(visitor string) { s.hub.notify(visitor) }

// WakeAll wakes every waiting long-poll, for when wake-ups may have been
// missed (a lost notification connection); a waiter with nothing new waits
// on.
func (s *Server) WakeAll() { s.hub.notifyAll() }

// Close makes waiting long-polls return at once and refuses new ones; call
// it when the HTTP server shuts down (http.Server.RegisterOnShutdown). It is
// safe to call more than once. Other requests are still served.
func (s *Server) Close() { s.hub.close() }

// HTTPServer returns an http.Server for h with the timeouts Concierge needs:
// a slow client cannot hold a connection open, and the write timeout leaves
// room for the widget's long-polls. ErrorLog goes to log at Warn level.
func HTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      35 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError writes {"error":{"code","message"}}. The message is the
// customer-safe text of a *bot.Error; any other error is logged and hidden.
// A status of 0 means the status of the error's code.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := bot.ErrorCode(err)
	if code == bot.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == 0 {
		status = bot.HTTPStatus(code)
	}
	var body errorBody
	body.Error.Code, body.Error.Message = code, bot.ErrorMessage(err)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v) // HTML-escaped by default: safe if a browser renders it
}

// statusWriter records the status code for the request log, and makes
// every 429 and 503 say when to try again: a handler that set no
// Retry-After (a busy database, a missing dependency, a failing health
// check) gets defaultRetryAfter.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// defaultRetryAfter is the Retry-After, in seconds, of a 429 or 503 whose
// handler did not say: long enough for a busy database's lock to pass.
const defaultRetryAfter = "2"

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			if h := w.Header(); h.Get("Retry-After") == "" {
				h.Set("Retry-After", defaultRetryAfter)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request's method, path, status and duration at
// Debug level (Warn for server errors); never bodies or query strings, which
// may hold customer text or tokens. Every handler, mounted ones included,
// answers through its statusWriter.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		s.log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "took", time.Since(start))
	})
}

func (s *Server) recover(next http.Handler) http.Handler {
	return guard.Recover(next, func(w http.ResponseWriter, r *http.Request, v any) {
		s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
		s.writeError(w, r, http.StatusInternalServerError, errors.New("panic"))
	})
}

// securityHeaders sets the headers every response carries. Pages and assets
// add their own Content-Security-Policy.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		guard.BrowserHeaders(h, r, "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// apiHeaders marks JSON API responses as never cached and never rendered as
// a document.
func apiHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// requireAPIKey admits requests carrying `Authorization: Bearer <key>` with
// one of the configured keys that has scope, within that key's rate limit.
func (s *Server) requireAPIKey(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if len(s.keys) == 0 {
			s.writeError(w, r, http.StatusUnauthorized, errNoKeys)
			return
		}
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="concierge"`)
			s.writeError(w, r, http.StatusUnauthorized, bot.Errorf(bot.EUNAUTHORIZED, "Missing API key: send \"Authorization: Bearer <key>\"."))
			return
		}
		s.withKey(w, r, token, scope, next)
	}
}

// errNoKeys explains why the server-to-server API refuses every request.
var errNoKeys = bot.Errorf(bot.EUNAUTHORIZED,
	"The REST API is disabled because no API key is configured. Add one under api.keys in the config file (for example keys: [{name: my-app, key: \"${CONCIERGE_API_KEY}\", scopes: [messages]}]) and send it as \"Authorization: Bearer <key>\".")

// principalKey keys who made an API request in its context.
type principalKey struct{}

// principal is who made an API request: an API key or a signed-in agent.
type principal struct {
	// actor is recorded in the audit trail and the logs: "api:<key name>"
	// or the agent's name.
	actor string
	// limit keys the per-caller limits (exports); keys and agents never
	// share one.
	limit string
	// key is the API key's name; empty for an agent.
	key string
}

func withPrincipal(r *http.Request, p principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

func principalOf(r *http.Request) principal {
	if p, ok := r.Context().Value(principalKey{}).(principal); ok {
		return p
	}
	return principal{actor: "api", limit: "api"}
}

// actorOf returns who made an API request, for the records and the logs:
// "api:<key name>" or the signed-in agent's name.
func actorOf(r *http.Request) string { return principalOf(r).actor }

// staffOnly admits a request to the customers API: an API key with scope,
// as requireAPIKey, or a console session of a signed-in agent (who may do
// everything the API offers), whose state-changing requests must carry the
// session's CSRF token.
func (s *Server) staffOnly(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Customers == nil {
			s.writeError(w, r, 0, bot.Errorf(bot.EUNAVAILABLE, "The customers API is not configured."))
			return
		}
		if token, ok := bearer(r); ok {
			if len(s.keys) == 0 {
				s.writeError(w, r, http.StatusUnauthorized, errNoKeys)
				return
			}
			s.withKey(w, r, token, scope, next)
			return
		}
		if s.opts.Staff != nil {
			if name, csrfOK, ok := s.opts.Staff.Agent(r); ok {
				if r.Method != http.MethodGet && r.Method != http.MethodHead && !csrfOK {
					s.writeError(w, r, http.StatusForbidden, bot.Errorf(bot.EUNAUTHORIZED, "Missing or stale X-CSRF-Token header."))
					return
				}
				next(w, withPrincipal(r, principal{actor: name, limit: "agent:" + name}))
				return
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge"`)
		s.writeError(w, r, http.StatusUnauthorized, bot.Errorf(bot.EUNAUTHORIZED, "Sign in to the console or send \"Authorization: Bearer <api key>\"."))
	}
}

// withKey runs next if token is one of the configured keys (compared in
// constant time, as SHA-256 sums) and has scope, within that key's rate
// limit.
func (s *Server) withKey(w http.ResponseWriter, r *http.Request, token, scope string, next http.HandlerFunc) {
	sum := sha256.Sum256([]byte(token))
	match := -1
	for i, k := range s.keys {
		if subtle.ConstantTimeCompare(sum[:], k.sum[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge", error="invalid_token"`)
		s.writeError(w, r, http.StatusUnauthorized, bot.Errorf(bot.EUNAUTHORIZED, "The API key is not valid."))
		return
	}
	k := s.keys[match]
	if !k.has(scope) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge", error="insufficient_scope", scope="`+scope+`"`)
		s.writeError(w, r, 0, bot.Errorf(bot.EFORBIDDEN,
			"The API key %q lacks the scope %q that this request needs; add it to the key's scopes under api.keys.", k.name, scope))
		return
	}
	if !s.allow(w, r, s.keyLimit, k.name) {
		return
	}
	next(w, withPrincipal(r, principal{actor: "api:" + k.name, limit: "key:" + k.name, key: k.name}))
}

// bearer returns the token of an `Authorization: Bearer <token>` header.
func bearer(r *http.Request) (string, bool) {
	const prefix = "Bearer "
	auth := r.Header.Get("Authorization")
	if len(auth) <= len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return "", false
	}
	return auth[len(prefix):], true
}

// allow takes one token from l's bucket for key, answering 429 with
// Retry-After when it is empty.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l *guard.Limiter, key string) bool {
	ok, wait := l.Allow(key)
	if ok {
		return true
	}
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", fmt.Sprint(max(secs, 1)))
	s.writeError(w, r, 0, bot.Errorf(bot.ERATELIMIT, "Too many requests. Please wait %d second(s) and try again.", max(secs, 1)))
	return false
}

// errBusy refuses a message when the server is at its in-flight limit.
var errBusy = bot.Errorf(bot.EUNAVAILABLE, "The server is busy. Please try again in a moment.")

// admitted runs next if a message slot comes free in time, else answers
// 503 with Retry-After.
func (s *Server) admitted(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		release, ok := s.admit.Enter(r.Context())
		if !ok {
			w.Header().Set("Retry-After", "1")
			s.writeError(w, r, 0, errBusy)
			return
		}
		defer release()
		next(w, r)
	}
}

// limitIP applies the per-client-IP rate limit.
func (s *Server) limitIP(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || s.allow(w, r, s.ipLimit, s.clients.Key(r)) {
			next(w, r)
		}
	}
}
