package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// The widget API, under /api/v1/widget:
//
//	POST /session   {} or {"token"}  → a new visitor, or the same visitor with a renewed token
//	POST /messages  {"client_id","text"[,"choice"]} → the stored message and the bot's reply; idempotent per client_id
//	GET  /messages  ?after=N&wait=S&limit=L → messages after id N, waiting up to S seconds for one
//	GET  /messages  ?limit=L → the latest L messages (history after a reload)
//
// Every call but /session needs `Authorization: Bearer <visitor token>`, and
// a token only ever reads or writes its own visitor's conversation: the
// visitor id comes from the verified token, never from the request.
//
// Agent replies reach the widget by long-polling GET /messages?after=N
// rather than server-sent events: the widget must send its token in a
// header, which EventSource cannot do (a token in the URL would end up in
// proxy logs); a poll fits under the server's write timeout and through any
// proxy without special cases; and "messages after N" is the same store
// read as history, so a widget that lost its connection resumes exactly
// where it stopped, without gaps or duplicates.

// SessionRequest is the body of POST /api/v1/widget/session.
type SessionRequest struct {
	// Token, when it is a valid token, is renewed for the same visitor;
	// otherwise a new visitor is created.
	Token string `json:"token,omitempty"`
}

// SessionResponse is the answer to POST /api/v1/widget/session.
type SessionResponse struct {
	VisitorID string    `json:"visitor_id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	// Renewed is true when the request's token was renewed (same visitor).
	Renewed bool `json:"renewed"`
}

// WidgetPostRequest is the body of POST /api/v1/widget/messages.
type WidgetPostRequest struct {
	// ClientID is the widget's id for this message (8-64 characters of
	// A-Z a-z 0-9 _ -); posting the same id again returns the first answer.
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
	// Choice, when set, is the id of a choice a bot message offered that
	// the visitor clicked; Text is then the choice's title.
	Choice string `json:"choice,omitempty"`
}

// WidgetMessage is one message of a visitor's conversation as the widget
// shows it. It carries no classification data.
type WidgetMessage struct {
	ID     int64  `json:"id"`
	Author string `json:"author"` // customer, bot, agent or system
	// Text is the message as written: Markdown for the bot's messages,
	// plain text for everyone else's.
	Text string `json:"text"`
	// Content is a bot message's Markdown parsed and sanitised by package
	// markdown (its Node tree), for the widget to build with
	// createElement and textContent: no HTML from the content, links only
	// http(s), mailto and site-relative. Absent for other authors, whose
	// Text is shown as plain text.
	Content []*markdown.Node `json:"content,omitempty"`
	Time    time.Time        `json:"time"`
	Sources []bot.Source     `json:"sources,omitempty"`
	// Choices are what a bot message offered ("did you mean …?"), best
	// first; the widget shows them as buttons that post the choice's id
	// as WidgetPostRequest.Choice. Absent when none.
	Choices []bot.Source `json:"choices,omitempty"`
}

// botMessage is the widget's form of one of the bot's messages.
func botMessage(id int64, text string, t time.Time, sources, offered []bot.Source) WidgetMessage {
	m := WidgetMessage{ID: id, Author: bot.AuthorBot, Text: text, Time: t.UTC(), Sources: sources}
	m.Content = markdown.Parse(text).Blocks
	if cs := choices(offered); len(cs) > 0 {
		m.Choices = cs
	}
	return m
}

// widgetMessage is the widget's form of a stored message.
func widgetMessage(m bot.StoredMessage) WidgetMessage {
	if m.Author == bot.AuthorBot {
		return botMessage(m.ID, m.Text, m.Time, m.Sources, m.Choices)
	}
	return WidgetMessage{ID: m.ID, Author: m.Author, Text: m.Text, Time: m.Time.UTC(), Sources: m.Sources}
}

// WidgetPostResponse is the answer to POST /api/v1/widget/messages.
type WidgetPostResponse struct {
	ClientID string `json:"client_id"`
	// Message is the visitor's stored message; its ID is 0 when the server
	// has no history store.
	Message WidgetMessage `json:"message"`
	// Reply is the bot's reply, or null when a human has the conversation.
	Reply *WidgetMessage `json:"reply"`
	// Handoff is true when the conversation is now with a human.
	Handoff bool `json:"handoff"`
}

// WidgetMessagesResponse is the answer to GET /api/v1/widget/messages.
type WidgetMessagesResponse struct {
	Messages []WidgetMessage `json:"messages"`
	// LastID is the highest id returned, or the request's after when none.
	LastID int64 `json:"last_id"`
	// More is true when more messages may follow LastID right away.
	More bool `json:"more"`
}

var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

const (
	maxHistoryLimit     = 100
	defaultHistoryLimit = 50
	// widgetTimeout bounds the handling of one widget message, detached
	// from the client's connection so that a dropped connection does not
	// abandon a message half-way.
	widgetTimeout = 30 * time.Second
)

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	var req SessionRequest
	if r.ContentLength != 0 {
		if err := s.decodeJSON(w, r, &req); err != nil {
			s.writeError(w, r, 0, err)
			return
		}
	}
	visitor, renewed := "", false
	if req.Token != "" {
		if v, _, err := s.sessions.verify(req.Token); err == nil {
			visitor, renewed = v, true
		}
	}
	if visitor == "" {
		var err error
		if visitor, err = newVisitor(); err != nil {
			s.writeError(w, r, 0, err)
			return
		}
	}
	token, exp, err := s.sessions.issue(visitor)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	writeJSON(w, http.StatusOK, SessionResponse{VisitorID: visitor, Token: token, ExpiresAt: exp.UTC(), Renewed: renewed})
}

// visitor returns the visitor of the request's token, or writes 401.
func (s *Server) visitor(w http.ResponseWriter, r *http.Request) (string, bool) {
	token, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge-widget"`)
		s.writeError(w, r, 0, bot.Errorf(bot.EUNAUTHORIZED, "Missing chat session: send \"Authorization: Bearer <visitor token>\"."))
		return "", false
	}
	v, _, err := s.sessions.verify(token)
	switch {
	case errors.Is(err, errExpiredToken):
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge-widget", error="invalid_token"`)
		s.writeError(w, r, 0, bot.Errorf(bot.EUNAUTHORIZED, "Your chat session has expired. Please start a new one."))
		return "", false
	case err != nil:
		w.Header().Set("WWW-Authenticate", `Bearer realm="concierge-widget", error="invalid_token"`)
		s.writeError(w, r, 0, bot.Errorf(bot.EUNAUTHORIZED, "Your chat session is not valid. Please start a new one."))
		return "", false
	}
	return v, true
}

func (s *Server) handleWidgetPost(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.visitor(w, r)
	if !ok {
		return
	}
	var req WidgetPostRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	if !clientIDPattern.MatchString(req.ClientID) {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "client_id must be 8-64 letters, digits, '-' or '_'."))
		return
	}
	if len(req.Choice) > maxChoiceBytes {
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "choice must be the id of an offered choice (at most %d bytes).", maxChoiceBytes))
		return
	}
	key := "widget:" + visitor + "\x00" + req.ClientID
	s.once(w, r, key, func() bool { return s.allow(w, r, s.visLimit, visitor) },
		func(ctx context.Context) (int, []byte, bool) { return s.postWidgetMessage(ctx, r, visitor, req) })
}

// once handles a keyed request at most once: a retry with the same key (on
// this server or, with Options.Requests, on any replica) gets the first
// outcome instead of handling the request again. admit, checked only for a
// request that is not a replay, may refuse it (it then writes the answer).
// handle gets the context to handle the request in.
func (s *Server) once(w http.ResponseWriter, r *http.Request, key string, admit func() bool,
	handle func(ctx context.Context) (status int, body []byte, keep bool)) {
	if rq := s.opts.Requests; rq != nil {
		if !admit() {
			return
		}
		ctx, replay, err := rq.Claim(r.Context(), key)
		if err != nil {
			if r.Context().Err() == nil {
				s.log.Warn("keyed request: claim failed", "err", err)
				w.Header().Set("Retry-After", "1")
				s.writeError(w, r, 0, errBusy)
			}
			return
		}
		if replay != nil {
			writeRaw(w, replay.Status, replay.Body)
			return
		}
		status, body, keep := handle(ctx)
		done := context.WithoutCancel(r.Context())
		if keep {
			rq.Finish(done, key, status, body)
		} else {
			rq.Abandon(done, key)
		}
		writeRaw(w, status, body)
		return
	}
	if o := s.idem.lookup(key); o != nil {
		s.replay(w, r, o)
		return
	}
	if !admit() {
		return
	}
	o, owner := s.idem.begin(key)
	if !owner {
		s.replay(w, r, o)
		return
	}
	status, body, keep := handle(r.Context())
	if keep {
		s.idem.finish(o, status, body)
	} else {
		s.idem.abandon(o, status, body)
	}
	writeRaw(w, status, body)
}

// postWidgetMessage hands a visitor's message to the Engine, one message per
// visitor at a time, and returns the response. keep is false when the
// outcome should not be replayed (a retry should try again).
func (s *Server) postWidgetMessage(base context.Context, r *http.Request, visitor string, req WidgetPostRequest) (status int, body []byte, keep bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(base), widgetTimeout)
	defer cancel()
	fail := func(err error) (int, []byte, bool) {
		code := bot.ErrorCode(err)
		if code == bot.EINTERNAL {
			s.log.Error("widget message failed", "err", err)
		}
		var eb errorBody
		eb.Error.Code, eb.Error.Message = code, bot.ErrorMessage(err)
		st := bot.HTTPStatus(code)
		return st, mustJSON(eb), st < 500
	}
	unlock, ok := s.visitors.lock(ctx, visitor)
	if !ok {
		return fail(errBusy)
	}
	defer unlock()
	release, ok := s.admit.Enter(ctx)
	if !ok {
		return fail(errBusy)
	}
	defer release()
	reply, err := s.opts.Engine.Handle(ctx, bot.Message{
		Channel: bot.ChannelWeb, ExternalUserID: visitor, Text: req.Text, Role: bot.RoleCustomer, Choice: req.Choice,
		Origin: "addr:" + s.clients.Key(r),
	})
	if err != nil {
		return fail(err)
	}
	now := s.opts.Now().UTC()
	resp := WidgetPostResponse{ClientID: req.ClientID, Handoff: reply.Handoff,
		Message: WidgetMessage{Author: bot.AuthorCustomer, Text: req.Text, Time: now}}
	if reply.MessageID != 0 && reply.Text != "" {
		m := botMessage(reply.MessageID, reply.Text, now, reply.Sources, reply.Choices)
		resp.Reply = &m
	}
	if s.opts.History != nil {
		// The visitor's lock is held, so the newest customer message before
		// the reply is the one just stored.
		recent, err := s.opts.History.VisitorHistory(ctx, bot.ChannelWeb, visitor, -1, 4)
		if err != nil {
			s.log.Warn("widget: find stored message", "err", err)
		}
		for i := len(recent) - 1; i >= 0; i-- {
			m := recent[i]
			if m.Author == bot.AuthorCustomer && (reply.MessageID == 0 || m.ID < reply.MessageID) {
				resp.Message.ID, resp.Message.Time = m.ID, m.Time.UTC()
				break
			}
		}
	}
	s.hub.notify(visitor)
	return http.StatusOK, mustJSON(resp), true
}

// replay answers with a recorded outcome, waiting for it if the first
// request is still being handled.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, o *outcome) {
	if !o.wait(r.Context()) {
		return // the client went away
	}
	writeRaw(w, o.status, o.body)
}

func (s *Server) handleWidgetHistory(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.visitor(w, r)
	if !ok {
		return
	}
	if s.opts.History == nil {
		s.writeError(w, r, 0, bot.Errorf(bot.EUNAVAILABLE, "Message history is not available on this server."))
		return
	}
	q := r.URL.Query()
	after, limit, wait := int64(-1), defaultHistoryLimit, time.Duration(0)
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "after must be a message id (a whole number, 0 or more)."))
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxHistoryLimit {
			s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "limit must be between 1 and %d.", maxHistoryLimit))
			return
		}
		limit = n
	}
	if v := q.Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || after < 0 {
			s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "wait must be a number of seconds, with after."))
			return
		}
		wait = min(time.Duration(min(n, 3600))*time.Second, s.opts.PollWait)
	}
	msgs, err := s.waitMessages(r.Context(), visitor, after, limit, wait)
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	resp := WidgetMessagesResponse{Messages: make([]WidgetMessage, 0, len(msgs)), LastID: max(after, 0)}
	for _, m := range msgs {
		resp.Messages = append(resp.Messages, widgetMessage(m))
		resp.LastID = max(resp.LastID, m.ID)
	}
	resp.More = after >= 0 && len(msgs) == limit
	writeJSON(w, http.StatusOK, resp)
}

// waitMessages reads the visitor's messages after after; when there are none
// and wait > 0 it waits for one: woken by this server storing a message for
// the visitor, re-reading the store every PollInterval for messages written
// elsewhere, until wait passes, the client leaves or the server closes.
func (s *Server) waitMessages(ctx context.Context, visitor string, after int64, limit int, wait time.Duration) ([]bot.StoredMessage, error) {
	read := func() ([]bot.StoredMessage, error) {
		msgs, err := s.opts.History.VisitorHistory(ctx, bot.ChannelWeb, visitor, after, limit)
		if err != nil && ctx.Err() == nil {
			return nil, err
		}
		return msgs, nil
	}
	if wait <= 0 {
		return read()
	}
	wake, cancel, ok := s.hub.subscribe(visitor)
	if !ok {
		return read() // full or shutting down: answer at once
	}
	defer cancel()
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	for {
		msgs, err := read()
		if err != nil || len(msgs) > 0 {
			return msgs, err
		}
		select {
		case <-wake:
		case <-tick.C:
		case <-deadline.C:
			return nil, nil
		case <-ctx.Done():
			return nil, nil
		case <-s.hub.done():
			return nil, nil
		}
	}
}

func mustJSON(v any) []byte {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		// Only our own response types are encoded here; they always encode.
		panic("web: encode response: " + err.Error())
	}
	return buf.Bytes()
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
