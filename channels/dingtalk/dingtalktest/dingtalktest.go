// Package dingtalktest is a fake of DingTalk for tests: the access token,
// robot send APIs, sessionWebhooks, interactive cards and the Stream
// gateway (endpoint and WebSocket), plus helpers that sign callbacks as
// DingTalk does (timestamp + Base64 HMAC-SHA256 sign headers). It
// rate-limits on demand (HTTP 429 / errcode 130101) and rejects revoked
// tokens (401).
package dingtalktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/internal/platformfake"
)

// Credentials the fake accepts.
const (
	AppKey    = "dingtestappkey"
	AppSecret = "test-app-secret"
	CorpID    = "corp-home"
)

// Sent is one message the robot sent.
type Sent struct {
	Path   string
	Body   map[string]any
	Text   string // markdown text (or card data)
	Target string // openConversationId, user id, or session
}

// Server is the fake. Its embedded parts count requests and rate-limit
// them on demand (RateLimit, Requests), issue and revoke tokens
// (TokenCalls, RevokeTokens) and keep the Stream connections
// (RefuseConnections, DropConnections).
type Server struct {
	platformfake.Platform
	t testing.TB

	sent platformfake.Log[Sent]

	wsMu sync.Mutex // guards acks and next, and writes to a connection
	acks map[string]chan dingtalk.StreamAck
	next int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, acks: map[string]chan dingtalk.StreamAck{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", s.handleToken)
	mux.HandleFunc("POST /v1.0/robot/groupMessages/send", s.auth(s.record("openConversationId")))
	mux.HandleFunc("POST /v1.0/robot/oToMessages/batchSend", s.auth(s.record("userIds")))
	mux.HandleFunc("POST /v1.0/im/v1.0/robot/interactiveCards/send", s.auth(s.record("openConversationId")))
	mux.HandleFunc("POST /robot/sendBySession", s.handleSession)
	mux.HandleFunc("POST /v1.0/gateway/connections/open", s.handleOpen)
	mux.HandleFunc("GET /stream", s.handleWS)
	s.Start(t, mux, refuseRateLimited)
	return s
}

var writeJSON = platformfake.WriteJSON

// refuseRateLimited answers a rate-limited request as DingTalk does.
func refuseRateLimited(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/robot/") { // the old API: 200 with errcode
		writeJSON(w, map[string]any{"errcode": 130101, "errmsg": "send too fast"})
		return
	}
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusTooManyRequests)
	writeJSON(w, map[string]any{"code": "Throttling.Api", "message": "too many requests"})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !credentials(w, r, "appKey", "appSecret", http.StatusBadRequest, "invalidClientIdOrSecret") {
		return
	}
	writeJSON(w, map[string]any{"accessToken": s.Issue("dt-"), "expireIn": 7200})
}

// credentials reports whether the JSON body of r carries AppKey and
// AppSecret under the names key and secret; when it does not, it has
// answered status with DingTalk's error code.
func credentials(w http.ResponseWriter, r *http.Request, key, secret string, status int, code string) bool {
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in[key] != AppKey || in[secret] != AppSecret {
		w.WriteHeader(status)
		writeJSON(w, map[string]any{"code": code, "message": "bad credentials"})
		return false
	}
	return true
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Valid(r.Header.Get("x-acs-dingtalk-access-token")) {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]any{"code": "InvalidAuthentication", "message": "token invalid"})
			return
		}
		h(w, r)
	}
}

func (s *Server) record(targetKey string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &b)
		text := ""
		if p, ok := b["msgParam"].(string); ok {
			var mp struct{ Text string }
			_ = json.Unmarshal([]byte(p), &mp)
			text = mp.Text
		}
		if c, ok := b["cardData"].(string); ok {
			text = c
		}
		target := ""
		switch v := b[targetKey].(type) {
		case string:
			target = v
		case []any:
			if len(v) > 0 {
				target, _ = v[0].(string)
			}
		}
		if target == "" {
			target, _ = b["singleChatReceiver"].(string)
		}
		s.sent.Add(Sent{Path: r.URL.Path, Body: b, Text: text, Target: target})
		writeJSON(w, map[string]any{"processQueryKey": "q"})
	}
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Markdown struct{ Title, Text string } `json:"markdown"`
	}
	_ = json.NewDecoder(r.Body).Decode(&b)
	s.sent.Add(Sent{Path: r.URL.Path, Text: b.Markdown.Text, Target: r.URL.Query().Get("session")})
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// Sent returns what the robot sent.
func (s *Server) Sent() []Sent { return s.sent.All() }

// WaitSent waits for at least n sent messages.
func (s *Server) WaitSent(n int) []Sent {
	s.t.Helper()
	return s.sent.Wait(s.t, n, "dingtalktest", "messages sent")
}

// Message is a robot callback body. group selects a group conversation;
// the sessionWebhook points at the fake and expires at expires.
func (s *Server) Message(msgID, conversationID string, group bool, staffID, corpID, text string, expires time.Time) map[string]any {
	ct := "1"
	if group {
		ct = "2"
	}
	return map[string]any{
		"msgId": msgID, "msgtype": "text", "text": map[string]string{"content": text}, "createAt": time.Now().UnixMilli(),
		"conversationType": ct, "conversationId": conversationID, "senderId": "$:LWCP_v1:$" + staffID, "senderStaffId": staffID,
		"senderNick": staffID, "senderCorpId": corpID, "chatbotCorpId": CorpID, "chatbotUserId": "$:bot", "robotCode": AppKey,
		"sessionWebhook": s.URL + "/robot/sendBySession?session=" + conversationID, "sessionWebhookExpiredTime": expires.UnixMilli(),
		"isInAtList": true,
	}
}

// Signed returns the callback request DingTalk sends at t: the body and
// the timestamp and sign headers.
func Signed(body any, secret string, t time.Time) (*http.Request, []byte) {
	b, _ := json.Marshal(body)
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("timestamp", ts)
	r.Header.Set("sign", dingtalk.Sign(ts, secret))
	return r, b
}

// Post sends a request with the given headers and body to url.
func Post(url string, h http.Header, body []byte) int {
	r, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	r.Header = h.Clone()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Deliver posts a freshly signed callback, as DingTalk does.
func Deliver(url string, body any) int {
	r, b := Signed(body, AppSecret, time.Now())
	return Post(url, r.Header, b)
}

func (s *Server) handleOpen(w http.ResponseWriter, r *http.Request) {
	if !credentials(w, r, "clientId", "clientSecret", http.StatusUnauthorized, "invalidClient") {
		return
	}
	writeJSON(w, map[string]any{"endpoint": "ws" + strings.TrimPrefix(s.URL, "http") + "/stream", "ticket": "ticket-1"})
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("ticket") != "ticket-1" {
		http.Error(w, "no", http.StatusServiceUnavailable)
		return
	}
	conn := s.Accept(w, r)
	if conn == nil {
		return
	}
	go func() {
		defer conn.Close()
		for {
			var ack dingtalk.StreamAck
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			s.wsMu.Lock()
			ch := s.acks[ack.Headers["messageId"]]
			s.wsMu.Unlock()
			if ch != nil {
				ch <- ack
			}
		}
	}()
}

// WaitConnects waits for at least n Stream connections.
func (s *Server) WaitConnects(n int) {
	s.t.Helper()
	s.WaitOpened(s.t, "dingtalktest: Stream", n)
}

// Push sends a frame over the newest Stream connection and waits for the
// client's ack.
func (s *Server) Push(typ, topic string, data any) (dingtalk.StreamAck, bool) {
	b, _ := json.Marshal(data)
	conn := s.Newest()
	if conn == nil {
		return dingtalk.StreamAck{}, false
	}
	s.wsMu.Lock()
	s.next++
	id := "m-" + strconv.Itoa(s.next)
	ch := make(chan dingtalk.StreamAck, 1)
	s.acks[id] = ch
	f := dingtalk.StreamFrame{SpecVersion: "1.0", Type: typ, Data: string(b),
		Headers: map[string]string{"topic": topic, "messageId": id, "contentType": "application/json", "time": strconv.FormatInt(time.Now().UnixMilli(), 10)}}
	err := conn.WriteJSON(f)
	s.wsMu.Unlock()
	if err != nil {
		return dingtalk.StreamAck{}, false
	}
	select {
	case a := <-ch:
		return a, true
	case <-time.After(5 * time.Second):
		return dingtalk.StreamAck{}, false
	}
}
