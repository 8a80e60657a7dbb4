package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// CustomerStore is what the customers API needs of the store.
type CustomerStore interface {
	// Customers returns the customers matching f, by id.
	Customers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error)
	// Customer returns one customer, or an ENOTFOUND *bot.Error.
	Customer(ctx context.Context, id int64) (bot.Customer, error)
	// Timeline returns the customer's messages, events and notes in time order.
	Timeline(ctx context.Context, customerID int64, opts bot.TimelineOptions) ([]bot.TimelineEntry, error)
	// Erase removes a customer's personal data for good.
	Erase(ctx context.Context, id int64, actor string) error
	// Merge makes customer from part of customer into.
	Merge(ctx context.Context, from, into int64, actor string) error
	// Export streams messages with their customers to w.
	Export(ctx context.Context, w io.Writer, opts bot.ExportOptions) (int64, error)
}

// API limits.
const (
	defaultPageSize     = 50
	maxPageSize         = 500
	defaultTimelineSize = 200
	maxTimelineSize     = 5000
)

// Customer is a customer record in the API and in the CLI's JSON output.
type Customer struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Email      string     `json:"email"`
	Phone      string     `json:"phone"`
	Language   string     `json:"language"`
	Segment    string     `json:"segment"`
	Stage      string     `json:"stage"`
	Owner      string     `json:"owner"`
	Role       string     `json:"role"`
	Tags       []string   `json:"tags"`
	Identities []Identity `json:"identities"`
	Inbound    int        `json:"inbound"`
	Outbound   int        `json:"outbound"`
	Complaints int        `json:"complaints"`
	Created    time.Time  `json:"created"`
	Updated    time.Time  `json:"updated"`
	LastSeen   *time.Time `json:"last_seen,omitempty"`
	Erased     *time.Time `json:"erased,omitempty"`
	MergedInto int64      `json:"merged_into,omitempty"`
}

// Identity is a customer's id on one channel.
type Identity struct {
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

func ToCustomer(c bot.Customer) Customer {
	j := Customer{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Language: c.Language, Segment: c.Segment,
		Stage: c.Stage, Owner: c.Owner, Role: c.Role, Tags: c.Tags, Inbound: c.Inbound, Outbound: c.Outbound,
		Complaints: c.Complaints, Created: c.Created.UTC(), Updated: c.Updated.UTC(), LastSeen: optTime(c.LastSeen),
		Erased: optTime(c.Erased), MergedInto: c.MergedInto, Identities: []Identity{}}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	for _, id := range c.Identities {
		j.Identities = append(j.Identities, Identity{Channel: id.Channel, ExternalID: id.ExternalID})
	}
	return j
}

// CustomerList is the answer of GET /api/v1/customers. NextAfter, when
// non-zero, is the after_id of the next page.
type CustomerList struct {
	Customers []Customer `json:"customers"`
	NextAfter int64      `json:"next_after,omitempty"`
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

func (s *Server) handleListCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit", defaultPageSize, maxPageSize)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	if limit == 0 {
		limit = defaultPageSize
	}
	after, err := queryInt(r, "after_id", 0, 1<<62)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	f := bot.CustomerFilter{Segment: q.Get("segment"), Stage: q.Get("stage"), Tag: q.Get("tag"), Query: q.Get("q"),
		Limit: int(limit), AfterID: after}
	if f.Segment != "" && !slices.Contains(bot.Segments(), f.Segment) {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown segment %q; use one of %s.", f.Segment, strings.Join(bot.Segments(), ", ")))
		return
	}
	if f.Stage != "" && !slices.Contains(bot.Stages(), f.Stage) {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown stage %q; use one of %s.", f.Stage, strings.Join(bot.Stages(), ", ")))
		return
	}
	if len(f.Query) > 200 || len(f.Tag) > 200 {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "The q and tag parameters must be at most 200 bytes."))
		return
	}
	cs, err := s.opts.Customers.Customers(r.Context(), f)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	out := CustomerList{Customers: make([]Customer, 0, len(cs))}
	for _, cu := range cs {
		out.Customers = append(out.Customers, ToCustomer(cu))
	}
	if len(cs) == int(limit) {
		out.NextAfter = cs[len(cs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// TimelineEntry is one entry of a customer's timeline: type "message",
// "event" or "note", with the matching field set.
type TimelineEntry struct {
	Time    time.Time `json:"time"`
	Channel string    `json:"channel,omitempty"`
	Type    string    `json:"type"`
	Message *Message  `json:"message,omitempty"`
	Event   *Event    `json:"event,omitempty"`
	Note    *Note     `json:"note,omitempty"`
}

// Message is a stored message in the API.
type Message struct {
	ID             int64              `json:"id"`
	ConversationID bot.ConversationID `json:"conversation_id"`
	Inbound        bool               `json:"inbound"`
	Author         string             `json:"author"`
	Text           string             `json:"text"`
	Intent         string             `json:"intent,omitempty"`
	Confidence     float64            `json:"confidence,omitempty"`
	Language       string             `json:"language,omitempty"`
	Sentiment      float64            `json:"sentiment,omitempty"`
	Action         string             `json:"action,omitempty"`
	Sources        []bot.Source       `json:"sources,omitempty"`
}

// Event is a recorded change of a customer or conversation.
type Event struct {
	ID             int64              `json:"id"`
	ConversationID bot.ConversationID `json:"conversation_id,omitempty"`
	Kind           string             `json:"kind"`
	Detail         json.RawMessage    `json:"detail,omitempty"`
	Actor          string             `json:"actor,omitempty"`
}

// Note is an agent's note.
type Note struct {
	ID             int64              `json:"id"`
	ConversationID bot.ConversationID `json:"conversation_id,omitempty"`
	Author         string             `json:"author"`
	Text           string             `json:"text"`
}

// CustomerDetail is the answer of GET /api/v1/customers/{id}: the profile
// with its identities and the latest entries of its timeline, oldest first.
type CustomerDetail struct {
	Customer Customer        `json:"customer"`
	Timeline []TimelineEntry `json:"timeline"`
}

func ToTimelineEntry(e bot.TimelineEntry) TimelineEntry {
	t := TimelineEntry{Time: e.Time.UTC(), Channel: e.Channel}
	switch {
	case e.Message != nil:
		m := e.Message
		t.Type = "message"
		t.Message = &Message{ID: m.ID, ConversationID: m.ConversationID, Inbound: m.Inbound, Author: m.Author,
			Text: m.Text, Intent: m.Intent, Confidence: m.Confidence, Language: m.Language, Sentiment: m.Sentiment,
			Action: string(m.Action), Sources: m.Sources}
	case e.Event != nil:
		ev := e.Event
		t.Type = "event"
		detail := ev.Detail
		if !json.Valid(detail) || string(detail) == "null" {
			detail = nil
		}
		t.Event = &Event{ID: ev.ID, ConversationID: ev.ConversationID, Kind: ev.Kind, Detail: detail, Actor: ev.Actor}
	case e.Note != nil:
		n := e.Note
		t.Type = "note"
		t.Note = &Note{ID: n.ID, ConversationID: n.ConversationID, Author: n.Author, Text: n.Text}
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

func (s *Server) handleShowCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	limit, err := queryInt(r, "timeline_limit", defaultTimelineSize, maxTimelineSize)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	cust, err := s.opts.Customers.Customer(r.Context(), id)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	out := CustomerDetail{Customer: ToCustomer(cust), Timeline: []TimelineEntry{}}
	if limit > 0 {
		tl, err := s.opts.Customers.Timeline(r.Context(), id, bot.TimelineOptions{Limit: int(limit)})
		if err != nil {
			s.writeError(w, r, 0, err)
			return
		}
		for _, e := range tl {
			out.Timeline = append(out.Timeline, ToTimelineEntry(e))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleErase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	// Erase takes no body: none, or an empty JSON object.
	if err := s.decodeOptionalJSON(w, r, &struct{}{}); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	if err := s.opts.Customers.Erase(r.Context(), id, actorOf(r)); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	s.log.Info("web: customer erased", "customer", id, "actor", actorOf(r))
	writeJSON(w, http.StatusOK, map[string]any{"erased": id})
}

// MergeRequest is the body of POST /api/v1/customers/{id}/merge: customer
// {id} is merged into customer Into.
type MergeRequest struct {
	Into int64 `json:"into"`
}

func (s *Server) handleMerge(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	var req MergeRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	if req.Into <= 0 {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Name the customer to merge into: {\"into\": <id>}."))
		return
	}
	if err := s.opts.Customers.Merge(r.Context(), id, req.Into, actorOf(r)); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	s.log.Info("web: customers merged", "from", id, "into", req.Into, "actor", actorOf(r))
	writeJSON(w, http.StatusOK, map[string]any{"merged": id, "into": req.Into})
}

// handleExport streams messages as CSV or JSON Lines: every customer's
// (/export) or one customer's (/{id}/export).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	opts := bot.ExportOptions{Format: r.URL.Query().Get("format")}
	if opts.Format == "" {
		opts.Format = bot.ExportCSV
	}
	name := "customers"
	if r.PathValue("id") != "" {
		id, err := pathID(r)
		if err != nil {
			s.writeError(w, r, 0, err)
			return
		}
		if _, err := s.opts.Customers.Customer(r.Context(), id); err != nil {
			s.writeError(w, r, 0, err)
			return
		}
		opts.CustomerID = id
		name = "customer-" + strconv.FormatInt(id, 10)
	}
	switch opts.Format {
	case bot.ExportCSV:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	case bot.ExportJSON:
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		name += ".jsonl"
	default:
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "Unknown export format %q; use csv or json.", opts.Format))
		return
	}
	// Only now, with a request that will be answered with a download,
	// does the caller spend an export and take a slot.
	who := principalOf(r)
	release, full, ok := s.exports.Take(who.limit)
	if !ok {
		stall := max(int(s.opts.Limits.ExportStall/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(stall))
		msg := "Too many exports are running on this server. Please try again in a minute."
		if full == "key" {
			msg = fmt.Sprintf("You have %d exports running already. Wait for one to finish, then try again.", s.opts.Limits.MaxExportsPerActor)
		}
		s.writeError(w, r, 0, bot.Errorf(bot.ERATELIMIT, "%s", msg))
		return
	}
	defer release()
	if !s.allow(w, r, s.exportLimit, who.limit) {
		return
	}
	h := w.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// The connection is not kept for another request: its write deadline
	// is the export's, not the server's.
	h.Set("Connection", "close")
	cw := &stallWriter{w: w, rc: http.NewResponseController(w), stall: s.opts.Limits.ExportStall}
	n, err := s.opts.Customers.Export(r.Context(), cw, opts)
	if err != nil {
		if cw.n == 0 && !cw.failed { // nothing sent yet: a proper error answer
			h.Del("Content-Disposition")
			s.writeError(w, r, 0, err)
			return
		}
		// The status is sent already; cut the response so the client sees
		// a broken download rather than a short one that looks whole.
		if cw.failed {
			s.log.Warn("web: export cut: the client stopped taking data", "rows", n, "stall", s.opts.Limits.ExportStall,
				"actor", who.actor, "err", err)
		} else {
			s.log.Error("web: export failed", "rows", n, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	s.log.Info("web: export", "rows", n, "format", opts.Format, "customer", opts.CustomerID, "actor", who.actor)
}

// stallWriter writes an export to its client, giving each write (at most
// one chunk of the store's buffer) stall to reach the connection: a client
// that stops reading is cut after stall without progress, however long a
// download that keeps moving takes. It counts the bytes written and
// remembers whether a write to the client failed.
type stallWriter struct {
	w      io.Writer
	rc     *http.ResponseController
	stall  time.Duration
	n      int64
	failed bool
}

func (c *stallWriter) Write(p []byte) (int, error) {
	_ = c.rc.SetWriteDeadline(time.Now().Add(c.stall)) // unsupported only by test recorders
	n, err := c.w.Write(p)
	if err == nil {
		// Through the response's buffer to the connection, under this
		// write's deadline.
		if err = c.rc.Flush(); errors.Is(err, http.ErrNotSupported) {
			err = nil
		}
	}
	c.n += int64(n)
	if err != nil {
		c.failed = true
	}
	return n, err
}
