package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/textdist"
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
	// ClientID, when set, is the caller's id for this message, as the
	// Idempotency-Key header is: a retry with the same id (from the same
	// API key) is answered with the first answer and stores nothing again,
	// even after the server crashed while handling it. 1-255 visible ASCII
	// characters; when both are sent they must be equal.
	ClientID string `json:"client_id,omitempty"`
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
	// Choices are the documents the bot offers (bot.Reply.Choices: "did
	// you mean …?", suggestions, or alternatives after an answer), best
	// first, at most bot.MaxChoices. Always present: an empty array when the bot offers
	// none. Send one back as MessageRequest.Choice.
	Choices      []bot.Source     `json:"choices"`
	Handoff      bool             `json:"handoff"`
	EscalationID bot.EscalationID `json:"escalation_id"`
}

// maxChoiceBytes bounds the id of a picked choice.
const maxChoiceBytes = 256

// channelName bounds channel names: they become metric labels.
var channelName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// adapterChannels are the channels of Concierge's adapters, which the REST
// API never writes into (Options.ReservedChannels adds to them). This
// package may not import the adapters, so the names are written out here;
// cmd/concierge checks them against the adapters' constants.
var adapterChannels = []string{bot.ChannelWeb, bot.ChannelSlack, bot.ChannelTerminal, "wecom", "wecom_kf", "feishu", "dingtalk"}

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
	case slices.Contains(s.reserved, req.Channel):
		// Another adapter's customers and employees are only ever written
		// through that adapter (the widget's visitors through their
		// session), so that no API key can put words in their
		// conversations or open escalations under their names.
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID,
			"channel %q belongs to another adapter. The REST API may use %q (the default) or a channel name of your own that no adapter uses: not %s.",
			req.Channel, bot.ChannelAPI, strings.Join(s.reserved, ", ")))
		return
	case req.UserID == "" || len(req.UserID) > 256 || !utf8.ValidString(req.UserID):
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "user_id is required (at most 256 bytes of UTF-8)."))
		return
	case len(req.Choice) > maxChoiceBytes:
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "choice must be the id of an offered choice (at most %d bytes).", maxChoiceBytes))
		return
	}
	msg := bot.Message{Channel: req.Channel, ExternalUserID: req.UserID, Text: req.Text, Role: bot.RoleCustomer, Choice: req.Choice,
		Origin: actorOf(r)}
	handle := func(ctx context.Context) (int, []byte, bool) {
		// Detached from the connection: a message whose sender hung up is
		// still handled to the end (the Engine bounds it with its own
		// deadline).
		reply, err := s.opts.Engine.Handle(context.WithoutCancel(ctx), msg)
		if err != nil {
			code := bot.ErrorCode(err)
			if code == bot.EINTERNAL {
				s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			var eb errorBody
			eb.Error.Code, eb.Error.Message = code, bot.ErrorMessage(err)
			st := bot.HTTPStatus(code)
			return st, mustJSON(eb), st < 500
		}
		return http.StatusOK, mustJSON(ToMessageResponse(reply)), true
	}
	key := r.Header.Get("Idempotency-Key")
	switch {
	case key != "" && !validRequestKey(key):
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "The Idempotency-Key header must be 1-255 visible ASCII characters."))
		return
	case req.ClientID != "" && !validRequestKey(req.ClientID):
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "client_id must be 1-255 visible ASCII characters."))
		return
	case key != "" && req.ClientID != "" && key != req.ClientID:
		s.writeError(w, r, 0, bot.Errorf(bot.EINVALID, "The Idempotency-Key header and client_id name the same message: send one, or both equal."))
		return
	case key == "":
		key = req.ClientID
	}
	if key == "" {
		status, body, _ := handle(r.Context())
		writeRaw(w, status, body)
		return
	}
	// A key is the caller's: two API keys may use the same one.
	s.once(w, r, "api:"+actorOf(r)+"\x00"+key, func() bool { return true }, handle)
}

// validRequestKey reports whether an Idempotency-Key or client_id is 1-255
// visible ASCII characters.
func validRequestKey(k string) bool {
	return k != "" && len(k) <= 255 && !strings.ContainsFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e })
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
// the size limit, UTF-8, one object and no unknown fields: a misspelt field
// is refused and named, with the endpoint's fields (and the likely one), never
// silently ignored. Errors are *bot.Error values (a wrong content type has
// code EUNSUPPORTED) whose message is in the request's language: Chinese when
// Accept-Language prefers it, else English.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	zh := bot.PreferredLanguage(r.Header.Get("Accept-Language")) == "zh"
	say := func(code, en, cn string, args ...any) error {
		if zh {
			return bot.Errorf(code, cn, args...)
		}
		return bot.Errorf(code, en, args...)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return say(bot.EUNSUPPORTED, `Send the request body as JSON with "Content-Type: application/json".`,
			`请以 JSON 发送请求体，并设置 "Content-Type: application/json"。`)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return say(bot.ETOOLARGE, "The request body is larger than %d bytes.", "请求体超过了 %d 字节。", s.opts.MaxBodyBytes)
	case err != nil:
		return say(bot.EINVALID, "The request body could not be read.", "无法读取请求体。")
	case !utf8.Valid(body):
		return say(bot.EINVALID, "The request body is not valid UTF-8.", "请求体不是有效的 UTF-8。")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			fields := jsonFields(v)
			sep := `", "`
			if zh {
				sep = `"、"`
			}
			list := `"` + strings.Join(fields, sep) + `"`
			if near := nearest(name, fields); near != "" {
				return say(bot.EINVALID, "The request body has an unknown field %q: did you mean %q? This endpoint takes %s.",
					"请求体中有未知字段 %q：您是不是想写 %q？此接口的字段为 %s。", name, near, list)
			}
			return say(bot.EINVALID, "The request body has an unknown field %q; this endpoint takes %s.",
				"请求体中有未知字段 %q；此接口的字段为 %s。", name, list)
		}
		if zh {
			return bot.Errorf(bot.EINVALID, "请求体不是此接口可接受的 JSON：%s。", jsonProblem(err, true))
		}
		return bot.Errorf(bot.EINVALID, "The request body is not valid JSON for this endpoint: %s.", jsonProblem(err, false))
	}
	if _, err := dec.Token(); err != io.EOF {
		return say(bot.EINVALID, "The request body must hold one JSON object.", "请求体必须只包含一个 JSON 对象。")
	}
	return nil
}

// decodeOptionalJSON is decodeJSON for an endpoint whose body is optional:
// a request without one is accepted as it is (v is left alone), but a body,
// or a declared content type other than JSON, is held to decodeJSON's rules,
// so that a form or text sent to the endpoint is refused (415) instead of
// being ignored while the endpoint acts.
func (s *Server) decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); ct == "" || (err == nil && mt == "application/json") {
			return nil
		}
		return errUnsupportedMedia
	}
	return s.decodeJSON(w, r, v)
}

// errUnsupportedMedia is answered with 415.
var errUnsupportedMedia = &bot.Error{Code: bot.EUNSUPPORTED, Message: "Send the request body as JSON with \"Content-Type: application/json\"."}

// jsonFields returns the JSON names of the fields of the struct v points
// to, in declaration order.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		out = append(out, cmp.Or(name, f.Name))
	}
	return out
}

// nearest returns the field a misspelt name most likely meant: the one
// within two edits of it (case ignored; a swap of two neighbouring letters
// is one edit), or "" when none is that close.
func nearest(name string, fields []string) string {
	best, bestD := "", 3
	for _, f := range fields {
		if d := textdist.OSAString(strings.ToLower(name), strings.ToLower(f), 2); d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

// jsonProblem describes a JSON decoding error without echoing the input,
// in Chinese when zh is set.
func jsonProblem(err error, zh bool) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	pick := func(en, cn string) string {
		if zh {
			return cn
		}
		return en
	}
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf(pick("syntax error at byte %d", "第 %d 字节处有语法错误"), syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf(pick("field %q has the wrong type", "字段 %q 的类型不对"), typ.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return pick("it is empty or cut short", "内容为空或不完整")
	}
	return pick("it cannot be read", "无法解析")
}
