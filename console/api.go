package console

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage"
)

// API limits.
const (
	defaultPageSize     = 50
	maxPageSize         = 500
	defaultTimelineSize = 200
	maxTimelineSize     = 5000
)

func (c *Console) apiRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/customers", c.apiAuth(c.handleListCustomers))
	mux.HandleFunc("GET /api/v1/customers/{$}", c.apiAuth(c.handleListCustomers))
	mux.HandleFunc("GET /api/v1/customers/export", c.apiAuth(c.handleExport))
	mux.HandleFunc("GET /api/v1/customers/{id}", c.apiAuth(c.handleShowCustomer))
	mux.HandleFunc("GET /api/v1/customers/{id}/export", c.apiAuth(c.handleExport))
	mux.HandleFunc("POST /api/v1/customers/{id}/erase", c.apiAuth(c.handleErase))
	mux.HandleFunc("POST /api/v1/customers/{id}/merge", c.apiAuth(c.handleMerge))
	mux.HandleFunc("/api/v1/customers/", func(w http.ResponseWriter, r *http.Request) {
		c.writeError(w, r, http.StatusNotFound, bot.Errorf(bot.ENOTFOUND, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		mux.ServeHTTP(w, r)
	})
}

// apiAuth admits a request with a valid API key (Authorization: Bearer) or
// a signed-in agent's session; a session's state-changing requests must also
// carry the X-CSRF-Token header. The actor recorded for changes is the agent
// or "api".
func (c *Console) apiAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c.opts.Customers == nil {
			c.writeError(w, r, 0, bot.Errorf(bot.EUNAVAILABLE, "The customers API is not configured."))
			return
		}
		if token, ok := bearer(r); ok {
			if c.opts.APIKey == nil || !c.opts.APIKey(token) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="concierge", error="invalid_token"`)
				c.writeError(w, r, 0, bot.Errorf(bot.EUNAUTHORIZED, "The API key is not valid."))
				return
			}
			next(w, r.WithContext(r.Context()))
			return
		}
		s, ok := c.currentSession(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="concierge"`)
			c.writeError(w, r, 0, bot.Errorf(bot.EUNAUTHORIZED, "Sign in to the console or send \"Authorization: Bearer <api key>\"."))
			return
		}
		if !safeMethod(r.Method) && (!sameOrigin(r) || !c.keys.checkCSRF(s.ID, r.Header.Get("X-CSRF-Token"))) {
			c.writeError(w, r, http.StatusForbidden, bot.Errorf(bot.EUNAUTHORIZED, "Missing or stale X-CSRF-Token header."))
			return
		}
		next(w, r.WithContext(c.withAgent(r.Context(), s)))
	}
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

// KeyChecker returns an Options.APIKey function that accepts exactly the
// given keys, comparing in constant time. With no keys it accepts nothing.
func KeyChecker(keys []string) func(token string) bool {
	ks := make([][]byte, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			ks = append(ks, []byte(k))
		}
	}
	return func(token string) bool {
		match := 0
		for _, k := range ks {
			match |= subtle.ConstantTimeCompare([]byte(token), k)
		}
		return match == 1
	}
}

func actor(r *http.Request) string {
	if name, _, ok := AgentFrom(r.Context()); ok {
		return name
	}
	return "api"
}

// ErrorBody is the JSON of an API error: {"error":{"code","message"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code (a bot.Error code) and the user-safe message of an
// API error.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError writes an API error; status 0 means the status of the error's
// code. Errors other than *bot.Error are logged and hidden.
func (c *Console) writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := bot.ErrorCode(err)
	if code == bot.EINTERNAL {
		c.log.Error("console: api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == 0 {
		status = web.ErrorStatus(code)
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: bot.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // HTML-escaped: safe if a browser renders it
}

// CustomerJSON is a customer in the API.
type CustomerJSON struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Language   string         `json:"language"`
	Segment    string         `json:"segment"`
	Stage      string         `json:"stage"`
	Owner      string         `json:"owner"`
	Role       string         `json:"role"`
	Tags       []string       `json:"tags"`
	Identities []IdentityJSON `json:"identities"`
	Inbound    int            `json:"inbound"`
	Outbound   int            `json:"outbound"`
	Complaints int            `json:"complaints"`
	Created    time.Time      `json:"created"`
	Updated    time.Time      `json:"updated"`
	LastSeen   *time.Time     `json:"last_seen,omitempty"`
	Erased     *time.Time     `json:"erased,omitempty"`
	MergedInto int64          `json:"merged_into,omitempty"`
}

// IdentityJSON is a customer's id on one channel.
type IdentityJSON struct {
	Channel    string `json:"channel"`
	ExternalID string `json:"external_id"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func toCustomerJSON(c storage.Customer) CustomerJSON {
	j := CustomerJSON{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Language: c.Language, Segment: c.Segment,
		Stage: c.Stage, Owner: c.Owner, Role: c.Role, Tags: c.Tags, Inbound: c.Inbound, Outbound: c.Outbound,
		Complaints: c.Complaints, Created: c.Created.UTC(), Updated: c.Updated.UTC(), LastSeen: optTime(c.LastSeen),
		Erased: optTime(c.Erased), MergedInto: c.MergedInto, Identities: []IdentityJSON{}}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	for _, id := range c.Identities {
		j.Identities = append(j.Identities, IdentityJSON{Channel: id.Channel, ExternalID: id.ExternalID})
	}
	return j
}

// CustomerList is the answer of GET /api/v1/customers. NextAfter, when
// non-zero, is the after_id of the next page.
type CustomerList struct {
	Customers []CustomerJSON `json:"customers"`
	NextAfter int64          `json:"next_after,omitempty"`
}

// queryInt parses an optional non-negative integer query parameter.
func queryInt(r *http.Request, name string, def, maxVal int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxVal {
		return 0, bot.Errorf(bot.EINVALID, "The %s parameter must be a whole number from 0 to %d.", name, maxVal)
	}
	return n, nil
}

func (c *Console) handleListCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", defaultPageSize, maxPageSize)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	if limit == 0 {
		limit = defaultPageSize
	}
	after, err := queryInt(r, "after_id", 0, 1<<62)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	f := storage.CustomerFilter{Segment: q.Get("segment"), Stage: q.Get("stage"), Tag: q.Get("tag"), Query: q.Get("q"),
		Limit: int(limit), AfterID: after}
	if f.Segment != "" && !contains(storage.Segments(), f.Segment) {
		c.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown segment %q; use one of %s.", f.Segment, strings.Join(storage.Segments(), ", ")))
		return
	}
	if f.Stage != "" && !contains(storage.Stages(), f.Stage) {
		c.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown stage %q; use one of %s.", f.Stage, strings.Join(storage.Stages(), ", ")))
		return
	}
	if len(f.Query) > 200 || len(f.Tag) > 200 {
		c.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "The q and tag parameters must be at most 200 bytes."))
		return
	}
	cs, err := c.opts.Customers.Customers(r.Context(), f)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	out := CustomerList{Customers: make([]CustomerJSON, 0, len(cs))}
	for _, cu := range cs {
		out.Customers = append(out.Customers, toCustomerJSON(cu))
	}
	if len(cs) == int(limit) {
		out.NextAfter = cs[len(cs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TimelineJSON is one entry of a customer's timeline: type "message",
// "event" or "note", with the matching field set.
type TimelineJSON struct {
	Time    time.Time    `json:"time"`
	Channel string       `json:"channel,omitempty"`
	Type    string       `json:"type"`
	Message *MessageJSON `json:"message,omitempty"`
	Event   *EventJSON   `json:"event,omitempty"`
	Note    *NoteJSON    `json:"note,omitempty"`
}

// MessageJSON is a stored message in the API.
type MessageJSON struct {
	ID             int64        `json:"id"`
	ConversationID int64        `json:"conversation_id"`
	Inbound        bool         `json:"inbound"`
	Author         string       `json:"author"`
	Text           string       `json:"text"`
	Intent         string       `json:"intent,omitempty"`
	Confidence     float64      `json:"confidence,omitempty"`
	Language       string       `json:"language,omitempty"`
	Sentiment      float64      `json:"sentiment,omitempty"`
	Action         string       `json:"action,omitempty"`
	Sources        []bot.Source `json:"sources,omitempty"`
}

// EventJSON is a recorded change of a customer or conversation.
type EventJSON struct {
	ID             int64           `json:"id"`
	ConversationID int64           `json:"conversation_id,omitempty"`
	Kind           string          `json:"kind"`
	Detail         json.RawMessage `json:"detail,omitempty"`
	Actor          string          `json:"actor,omitempty"`
}

// NoteJSON is an agent's note.
type NoteJSON struct {
	ID             int64  `json:"id"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	Author         string `json:"author"`
	Text           string `json:"text"`
}

// CustomerDetail is the answer of GET /api/v1/customers/{id}: the profile
// with its identities and the latest entries of its timeline, oldest first.
type CustomerDetail struct {
	Customer CustomerJSON   `json:"customer"`
	Timeline []TimelineJSON `json:"timeline"`
}

func toTimelineJSON(e storage.TimelineEntry) TimelineJSON {
	t := TimelineJSON{Time: e.Time.UTC(), Channel: e.Channel}
	switch {
	case e.Message != nil:
		m := e.Message
		t.Type = "message"
		t.Message = &MessageJSON{ID: m.ID, ConversationID: m.ConversationID, Inbound: m.Inbound, Author: m.Author,
			Text: m.Text, Intent: m.Intent, Confidence: m.Confidence, Language: m.Language, Sentiment: m.Sentiment,
			Action: string(m.Action), Sources: m.Sources}
	case e.Event != nil:
		ev := e.Event
		t.Type = "event"
		detail := ev.Detail
		if !json.Valid(detail) || string(detail) == "null" {
			detail = nil
		}
		t.Event = &EventJSON{ID: ev.ID, ConversationID: ev.ConversationID, Kind: ev.Kind, Detail: detail, Actor: ev.Actor}
	case e.Note != nil:
		n := e.Note
		t.Type = "note"
		t.Note = &NoteJSON{ID: n.ID, ConversationID: n.ConversationID, Author: n.Author, Text: n.Text}
	}
	return t
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, bot.Errorf(bot.ENOTFOUND, "There is no customer %q.", r.PathValue("id"))
	}
	return id, nil
}

func (c *Console) handleShowCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	limit, err := queryInt(r, "timeline_limit", defaultTimelineSize, maxTimelineSize)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	cust, err := c.opts.Customers.Customer(r.Context(), id)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	out := CustomerDetail{Customer: toCustomerJSON(cust), Timeline: []TimelineJSON{}}
	if limit > 0 {
		tl, err := c.opts.Customers.Timeline(r.Context(), id, storage.TimelineOptions{Limit: int(limit)})
		if err != nil {
			c.writeError(w, r, 0, err)
			return
		}
		for _, e := range tl {
			out.Timeline = append(out.Timeline, toTimelineJSON(e))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *Console) handleErase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	if err := c.opts.Customers.Erase(r.Context(), id, actor(r)); err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	c.log.Info("console: customer erased", "customer", id, "actor", actor(r))
	writeJSON(w, http.StatusOK, map[string]any{"erased": id})
}

// MergeRequest is the body of POST /api/v1/customers/{id}/merge: customer
// {id} is merged into customer Into.
type MergeRequest struct {
	Into int64 `json:"into"`
}

func (c *Console) handleMerge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	var req MergeRequest
	if err := decodeJSON(w, r, &req, 4<<10); err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	if req.Into <= 0 {
		c.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Name the customer to merge into: {\"into\": <id>}."))
		return
	}
	if err := c.opts.Customers.Merge(r.Context(), id, req.Into, actor(r)); err != nil {
		c.writeError(w, r, 0, err)
		return
	}
	c.log.Info("console: customers merged", "from", id, "into", req.Into, "actor", actor(r))
	writeJSON(w, http.StatusOK, map[string]any{"merged": id, "into": req.Into})
}

// decodeJSON reads one JSON object of at most limit bytes into v, refusing
// unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return bot.Errorf(bot.EINVALID, "Send the body as application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return bot.Errorf(bot.ETOOLARGE, "The body is larger than %d bytes.", limit)
		}
		return bot.Errorf(bot.EINVALID, "The body is not valid JSON: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return bot.Errorf(bot.EINVALID, "The body must hold one JSON object.")
	}
	return nil
}

// jsonProblem describes a JSON decoding error without echoing the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.EOF):
		return "it is empty"
	}
	return "it cannot be read"
}

// handleExport streams messages as CSV or JSON Lines: every customer's
// (/export) or one customer's (/{id}/export).
func (c *Console) handleExport(w http.ResponseWriter, r *http.Request) {
	opts := storage.ExportOptions{Format: r.URL.Query().Get("format")}
	if opts.Format == "" {
		opts.Format = storage.FormatCSV
	}
	name := "customers"
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			c.writeError(w, r, 0, err)
			return
		}
		if _, err := c.opts.Customers.Customer(r.Context(), id); err != nil {
			c.writeError(w, r, 0, err)
			return
		}
		opts.CustomerID = id
		name = "customer-" + strconv.FormatInt(id, 10)
	}
	switch opts.Format {
	case storage.FormatCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	case storage.FormatJSON:
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		name += ".jsonl"
	default:
		c.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown export format %q; use csv or json.", opts.Format))
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// A large export may outlast the server's write timeout: lift it for
	// this response (the client's context still bounds it).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	cw := &countingWriter{w: w}
	n, err := c.opts.Customers.Export(r.Context(), cw, opts)
	if err != nil {
		if cw.n == 0 { // nothing sent yet: a proper error answer
			w.Header().Del("Content-Disposition")
			c.writeError(w, r, 0, err)
			return
		}
		// The status is sent already; cut the response so the client sees
		// a broken download rather than a short one that looks whole.
		c.log.Error("console: export failed", "rows", n, "err", err)
		panic(http.ErrAbortHandler)
	}
	c.log.Info("console: export", "rows", n, "format", opts.Format, "customer", opts.CustomerID, "actor", actor(r))
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
