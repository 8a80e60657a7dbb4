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
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concierge-bot/concierge/channels/dingtalk"
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

// Server is the fake.
type Server struct {
	*httptest.Server
	t testing.TB

	mu         sync.Mutex
	tokens     map[string]bool
	tokenCalls int
	sent       []Sent
	limited    map[string]int
	requests   map[string]int

	wsMu     sync.Mutex
	conns    []*websocket.Conn
	connects int
	acks     map[string]chan dingtalk.StreamAck
	next     int
	refuse   bool
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, tokens: map[string]bool{}, limited: map[string]int{}, requests: map[string]int{}, acks: map[string]chan dingtalk.StreamAck{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1.0/oauth2/accessToken", s.handleToken)
	mux.HandleFunc("POST /v1.0/robot/groupMessages/send", s.auth(s.record("openConversationId")))
	mux.HandleFunc("POST /v1.0/robot/oToMessages/batchSend", s.auth(s.record("userIds")))
	mux.HandleFunc("POST /v1.0/im/v1.0/robot/interactiveCards/send", s.auth(s.record("openConversationId")))
	mux.HandleFunc("POST /robot/sendBySession", s.handleSession)
	mux.HandleFunc("POST /v1.0/gateway/connections/open", s.handleOpen)
	mux.HandleFunc("GET /stream", s.handleWS)
	s.Server = httptest.NewServer(s.limit(mux))
	t.Cleanup(func() { s.DropConnections(); s.Server.Close() })
	return s
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		n := s.limited[r.URL.Path]
		if n > 0 {
			s.limited[r.URL.Path] = n - 1
		}
		s.mu.Unlock()
		if n > 0 {
			if strings.HasPrefix(r.URL.Path, "/robot/") { // the old API: 200 with errcode
				writeJSON(w, map[string]any{"errcode": 130101, "errmsg": "send too fast"})
				return
			}
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			writeJSON(w, map[string]any{"code": "Throttling.Api", "message": "too many requests"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RateLimit makes the next n requests to path fail as rate limited.
func (s *Server) RateLimit(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited[path] = n
}

// Requests returns how many requests reached path.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	var in struct{ AppKey, AppSecret string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.AppKey != AppKey || in.AppSecret != AppSecret {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"code": "invalidClientIdOrSecret", "message": "bad credentials"})
		return
	}
	s.mu.Lock()
	s.tokenCalls++
	tok := "dt-" + strconv.Itoa(s.tokenCalls)
	s.tokens[tok] = true
	s.mu.Unlock()
	writeJSON(w, map[string]any{"accessToken": tok, "expireIn": 7200})
}

// TokenCalls returns how many tokens were issued.
func (s *Server) TokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// RevokeTokens invalidates every issued token.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok := s.tokens[r.Header.Get("x-acs-dingtalk-access-token")]
		s.mu.Unlock()
		if !ok {
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
		s.mu.Lock()
		s.sent = append(s.sent, Sent{Path: r.URL.Path, Body: b, Text: text, Target: target})
		s.mu.Unlock()
		writeJSON(w, map[string]any{"processQueryKey": "q"})
	}
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Markdown struct{ Title, Text string } `json:"markdown"`
	}
	_ = json.NewDecoder(r.Body).Decode(&b)
	s.mu.Lock()
	s.sent = append(s.sent, Sent{Path: r.URL.Path, Text: b.Markdown.Text, Target: r.URL.Query().Get("session")})
	s.mu.Unlock()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

// Sent returns what the robot sent.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// WaitSent waits for at least n sent messages.
func (s *Server) WaitSent(n int) []Sent {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := s.Sent(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("dingtalktest: %d messages sent, want %d", len(s.Sent()), n)
	return nil
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

var upgrader = websocket.Upgrader{}

func (s *Server) handleOpen(w http.ResponseWriter, r *http.Request) {
	var in struct{ ClientID, ClientSecret string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.ClientID != AppKey || in.ClientSecret != AppSecret {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]any{"code": "invalidClient", "message": "bad credentials"})
		return
	}
	writeJSON(w, map[string]any{"endpoint": "ws" + strings.TrimPrefix(s.URL, "http") + "/stream", "ticket": "ticket-1"})
}

// RefuseConnections makes the WebSocket handshake fail while on.
func (s *Server) RefuseConnections(on bool) {
	s.wsMu.Lock()
	defer s.wsMu.Unlock()
	s.refuse = on
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	s.wsMu.Lock()
	refuse := s.refuse
	s.wsMu.Unlock()
	if refuse || r.URL.Query().Get("ticket") != "ticket-1" {
		http.Error(w, "no", http.StatusServiceUnavailable)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.wsMu.Lock()
	s.conns = append(s.conns, conn)
	s.connects++
	s.wsMu.Unlock()
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
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.wsMu.Lock()
		c := s.connects
		s.wsMu.Unlock()
		if c >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("dingtalktest: fewer than %d stream connections", n)
}

// DropConnections closes every Stream connection.
func (s *Server) DropConnections() {
	s.wsMu.Lock()
	defer s.wsMu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

// Push sends a frame over the newest Stream connection and waits for the
// client's ack.
func (s *Server) Push(typ, topic string, data any) (dingtalk.StreamAck, bool) {
	b, _ := json.Marshal(data)
	s.wsMu.Lock()
	if len(s.conns) == 0 {
		s.wsMu.Unlock()
		return dingtalk.StreamAck{}, false
	}
	s.next++
	id := "m-" + strconv.Itoa(s.next)
	ch := make(chan dingtalk.StreamAck, 1)
	s.acks[id] = ch
	f := dingtalk.StreamFrame{SpecVersion: "1.0", Type: typ, Data: string(b),
		Headers: map[string]string{"topic": topic, "messageId": id, "contentType": "application/json", "time": strconv.FormatInt(time.Now().UnixMilli(), 10)}}
	err := s.conns[len(s.conns)-1].WriteJSON(f)
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
