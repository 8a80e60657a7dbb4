package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// MessageRequest is the body of POST /api/v1/messages.
type MessageRequest struct {
	Channel string `json:"channel"`
	UserID  string `json:"user_id"`
	Text    string `json:"text"`
	// Choice, when set, is the id of one of the choices the previous reply
	// offered ("did you mean …?") that the customer picked; Text is still
	// required (for example the choice's title, as the customer saw it).
	Choice string `json:"choice,omitempty"`
}

// MessageResponse is the answer to POST /api/v1/messages and the object
// `concierge chat --json` prints per reply; its keys are a fixed contract
// (DESIGN.md).
type MessageResponse struct {
	ConversationID bot.ConversationID `json:"conversation_id"`
	Reply          string             `json:"reply"`
	Intent         string             `json:"intent"`
	Confidence     float64            `json:"confidence"`
	Language       string             `json:"language"`
	Sources        []bot.Source       `json:"sources"`
	// Choices are the documents the bot offers when it is not sure which
	// one the customer means ("did you mean …?"), best first, at most
	// bot.MaxChoices. Always present: an empty array when the bot offers
	// none. Send one back as MessageRequest.Choice.
	Choices      []bot.Source     `json:"choices"`
	Handoff      bool             `json:"handoff"`
	EscalationID bot.EscalationID `json:"escalation_id"`
}

// maxChoiceBytes bounds the id of a picked choice.
const maxChoiceBytes = 256

// channelName bounds channel names: they become metric labels.
var channelName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

func (s *Server) handlePostMessage(w http.ResponseWriter, r *http.Request) {
	var req MessageRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	if req.Channel == "" {
		req.Channel = bot.ChannelAPI
	}
	switch {
	case !channelName.MatchString(req.Channel):
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "channel must be 1-32 lower-case letters, digits, '-' or '_'."))
		return
	case req.Channel == bot.ChannelWeb:
		// The widget's visitors are only ever written through their session,
		// so that no one else can put words in a visitor's conversation.
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "channel %q is reserved for the web chat widget; use another channel name.", bot.ChannelWeb))
		return
	case req.UserID == "" || len(req.UserID) > 256 || !utf8.ValidString(req.UserID):
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "user_id is required (at most 256 bytes of UTF-8)."))
		return
	case len(req.Choice) > maxChoiceBytes:
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "choice must be the id of an offered choice (at most %d bytes).", maxChoiceBytes))
		return
	}
	// Detached from the connection: a message whose sender hung up is still
	// handled to the end (the Engine bounds it with its own deadline).
	reply, err := s.opts.Engine.Handle(context.WithoutCancel(r.Context()), bot.Message{
		Channel: req.Channel, ExternalUserID: req.UserID, Text: req.Text, Role: bot.RoleCustomer, Choice: req.Choice,
		Origin: actorOf(r),
	})
	if err != nil {
		s.writeError(w, r, 0, err)
		return
	}
	writeJSON(w, http.StatusOK, ToMessageResponse(reply))
}

// ToMessageResponse is the JSON form of a reply: sources and choices are
// arrays, never null, and at most bot.MaxChoices choices are kept.
func ToMessageResponse(r bot.Reply) MessageResponse {
	src := r.Sources
	if src == nil {
		src = []bot.Source{}
	}
	return MessageResponse{ConversationID: r.ConversationID, Reply: r.Text, Intent: r.Intent,
		Confidence: r.Confidence, Language: r.Language, Sources: src, Choices: choices(r.Choices),
		Handoff: r.Handoff, EscalationID: r.EscalationID}
}

// choices returns the offered choices as a non-nil slice of at most
// bot.MaxChoices, leaving out any without an id.
func choices(cs []bot.Source) []bot.Source {
	out := make([]bot.Source, 0, min(len(cs), bot.MaxChoices))
	for _, c := range cs {
		if len(out) == bot.MaxChoices {
			break
		}
		if c.ID != "" {
			out = append(out, c)
		}
	}
	return out
}

// decodeJSON reads a JSON request body into v, enforcing the content type,
// the size limit, UTF-8, one object and no unknown fields (a misspelt field
// is named in the error rather than silently ignored). Errors are *bot.Error values; a wrong content
// type is reported by errUnsupportedMedia.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errUnsupportedMedia
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return bot.Errorf(bot.ETOOLARGE, "The request body is larger than %d bytes.", s.opts.MaxBodyBytes)
	case err != nil:
		return bot.Errorf(bot.EINVALID, "The request body could not be read.")
	case !utf8.Valid(body):
		return bot.Errorf(bot.EINVALID, "The request body is not valid UTF-8.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bot.Errorf(bot.EINVALID, "The request body is not valid JSON for this endpoint: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return bot.Errorf(bot.EINVALID, "The request body must hold one JSON object.")
	}
	return nil
}

// errUnsupportedMedia is answered with 415.
var errUnsupportedMedia = &bot.Error{Code: bot.EUNSUPPORTED, Message: "Send the request body as JSON with \"Content-Type: application/json\"."}

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
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it is empty or cut short"
	}
	return "it cannot be read"
}
