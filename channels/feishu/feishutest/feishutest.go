// Package feishutest is a fake of the Feishu Open Platform for tests: an
// httptest server with the APIs the adapter calls (tenant access token,
// send, reply, update, bot info, chat info), the long connection gateway
// (endpoint and WebSocket, speaking the pbbp2 frames), and helpers that
// sign and encrypt events as Feishu does (X-Lark-Signature; AES-256-CBC
// under SHA-256 of the Encrypt Key with a random IV in front) and retry
// them like the platform. It rate-limits on demand (HTTP 429 with code
// 99991400 and x-ogw-ratelimit-reset) and rejects unknown or revoked
// tokens (code 99991663).
package feishutest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/internal/platformfake"
)

// Credentials the fake accepts.
const (
	AppID             = "cli_test_app"
	AppSecret         = "test-app-secret"
	VerificationToken = "test-verification-token"
	EncryptKey        = "test-encrypt-key"
	TenantKey         = "tenant-home"
	BotOpenID         = "ou_bot"
)

// Sent is one message the app sent or replied with.
type Sent struct {
	Path          string
	ReceiveIDType string
	ReceiveID     string // send: the chat or person
	ReplyTo       string // reply: the message replied to
	MsgType       string
	Content       string
	ReplyInThread bool
	UUID          string
	MessageID     string // the id the fake gave it
}

// Server is the fake platform. Create it with New. Its embedded parts
// count requests and rate-limit them on demand (RateLimit, Requests), issue
// and revoke tokens (TokenCalls, RevokeTokens) and keep the long
// connections (Connects, RefuseConnections, DropConnections).
type Server struct {
	platformfake.Platform
	t testing.TB

	sent        platformfake.Log[Sent]
	mu          sync.Mutex
	nextID      int
	updates     []Sent
	external    map[string]bool
	uuids       map[string]string
	TokenExpire int // seconds, in the token reply; default 7200

	wsMu    sync.Mutex             // guards replies and nextWS, and writes to a connection
	replies map[string]chan []byte // message_id → response payload
	nextWS  int
}

// New starts a fake platform, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, external: map[string]bool{}, uuids: map[string]string{}, replies: map[string]chan []byte{}, TokenExpire: 7200}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", s.handleToken)
	mux.HandleFunc("POST /open-apis/im/v1/messages", s.auth(s.handleSend))
	mux.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", s.auth(s.handleReply))
	mux.HandleFunc("PATCH /open-apis/im/v1/messages/{id}", s.auth(s.handleUpdate))
	mux.HandleFunc("GET /open-apis/bot/v3/info", s.auth(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		writeJSON(w, map[string]any{"code": 0, "msg": "ok", "bot": map[string]any{"open_id": BotOpenID, "app_name": "Concierge"}})
	}))
	mux.HandleFunc("GET /open-apis/im/v1/chats/{id}", s.auth(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.mu.Lock()
		ext := s.external[r.PathValue("id")]
		s.mu.Unlock()
		writeJSON(w, map[string]any{"code": 0, "msg": "ok", "data": map[string]any{"chat_id": r.PathValue("id"), "external": ext}})
	}))
	mux.HandleFunc("POST /callback/ws/endpoint", s.handleEndpoint)
	mux.HandleFunc("GET /ws", s.handleWS)
	s.Start(t, mux, refuseRateLimited)
	return s
}

var writeJSON = platformfake.WriteJSON

// refuseRateLimited answers a rate-limited request as Feishu does: HTTP 429
// with code 99991400 and x-ogw-ratelimit-reset.
func refuseRateLimited(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("x-ogw-ratelimit-limit", "5")
	w.Header().Set("x-ogw-ratelimit-reset", "1")
	w.WriteHeader(http.StatusTooManyRequests)
	writeJSON(w, map[string]any{"code": 99991400, "msg": "request trigger frequency limit"})
}

// SetExternal marks a chat as an external group.
func (s *Server) SetExternal(chat string, ext bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.external[chat] = ext
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.AppID != AppID || in.AppSecret != AppSecret {
		writeJSON(w, map[string]any{"code": 10014, "msg": "app secret invalid"})
		return
	}
	tok := s.Issue("t-")
	s.mu.Lock()
	exp := s.TokenExpire
	s.mu.Unlock()
	writeJSON(w, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": tok, "expire": exp})
}

// auth refuses a request whose token was not issued or was revoked with
// code 99991663.
func (s *Server) auth(h func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Valid(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]any{"code": 99991663, "msg": "Invalid access token for authorization"})
			return
		}
		body, _ := io.ReadAll(r.Body)
		h(w, r, body)
	}
}

type sendBody struct {
	ReceiveID     string `json:"receive_id"`
	MsgType       string `json:"msg_type"`
	Content       string `json:"content"`
	ReplyInThread bool   `json:"reply_in_thread"`
	UUID          string `json:"uuid"`
}

// record stores a sent message once per uuid, as Feishu does for an hour.
func (s *Server) record(w http.ResponseWriter, m Sent) {
	s.mu.Lock()
	if id, ok := s.uuids[m.UUID]; ok && m.UUID != "" {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"code": 0, "msg": "ok", "data": map[string]any{"message_id": id}})
		return
	}
	s.nextID++
	m.MessageID = fmt.Sprintf("om_sent_%d", s.nextID)
	if m.UUID != "" {
		s.uuids[m.UUID] = m.MessageID
	}
	s.sent.Add(m)
	s.mu.Unlock()
	writeJSON(w, map[string]any{"code": 0, "msg": "ok", "data": map[string]any{"message_id": m.MessageID}})
}

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request, body []byte) {
	var b sendBody
	if json.Unmarshal(body, &b) != nil || b.ReceiveID == "" || !json.Valid([]byte(b.Content)) {
		writeJSON(w, map[string]any{"code": 230001, "msg": "invalid request"})
		return
	}
	s.record(w, Sent{Path: r.URL.Path, ReceiveIDType: r.URL.Query().Get("receive_id_type"), ReceiveID: b.ReceiveID,
		MsgType: b.MsgType, Content: b.Content, UUID: b.UUID})
}

func (s *Server) handleReply(w http.ResponseWriter, r *http.Request, body []byte) {
	var b sendBody
	if json.Unmarshal(body, &b) != nil || !json.Valid([]byte(b.Content)) {
		writeJSON(w, map[string]any{"code": 230001, "msg": "invalid request"})
		return
	}
	s.record(w, Sent{Path: r.URL.Path, ReplyTo: r.PathValue("id"), MsgType: b.MsgType, Content: b.Content,
		ReplyInThread: b.ReplyInThread, UUID: b.UUID})
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request, body []byte) {
	var b sendBody
	_ = json.Unmarshal(body, &b)
	s.mu.Lock()
	s.updates = append(s.updates, Sent{Path: r.URL.Path, ReplyTo: r.PathValue("id"), Content: b.Content})
	s.mu.Unlock()
	writeJSON(w, map[string]any{"code": 0, "msg": "ok"})
}

// Sent returns the messages sent so far.
func (s *Server) Sent() []Sent { return s.sent.All() }

// WaitSent waits until at least n messages were sent, failing the test
// after 5 seconds.
func (s *Server) WaitSent(n int) []Sent {
	s.t.Helper()
	return s.sent.Wait(s.t, n, "feishutest", "messages sent")
}

// CardText returns the markdown and note texts of a card message, joined
// by newlines, for assertions.
func CardText(content string) string {
	var c struct {
		Header struct {
			Title struct{ Content string } `json:"title"`
		} `json:"header"`
		Elements []struct {
			Tag      string `json:"tag"`
			Content  string `json:"content"`
			Elements []struct {
				Content string `json:"content"`
			} `json:"elements"`
			Actions []struct {
				Text struct{ Content string } `json:"text"`
			} `json:"actions"`
		} `json:"elements"`
	}
	if json.Unmarshal([]byte(content), &c) != nil {
		return content
	}
	var parts []string
	if c.Header.Title.Content != "" {
		parts = append(parts, c.Header.Title.Content)
	}
	for _, e := range c.Elements {
		if e.Content != "" {
			parts = append(parts, e.Content)
		}
		for _, n := range e.Elements {
			parts = append(parts, n.Content)
		}
		for _, a := range e.Actions {
			parts = append(parts, "["+a.Text.Content+"]")
		}
	}
	return strings.Join(parts, "\n")
}

// Encrypt seals plaintext as Feishu does: base64(IV ‖ AES-256-CBC(PKCS#7))
// under SHA-256(key), with a random IV.
func Encrypt(plaintext []byte, key string) string {
	k := sha256.Sum256([]byte(key))
	block, _ := aes.NewCipher(k[:])
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	buf := make([]byte, aes.BlockSize+len(plaintext)+pad)
	_, _ = rand.Read(buf[:aes.BlockSize])
	copy(buf[aes.BlockSize:], plaintext)
	for i := len(buf) - pad; i < len(buf); i++ {
		buf[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, buf[:aes.BlockSize]).CryptBlocks(buf[aes.BlockSize:], buf[aes.BlockSize:])
	return base64.StdEncoding.EncodeToString(buf)
}

// Sign computes X-Lark-Signature: hex SHA-256 of timestamp+nonce+key+body.
func Sign(timestamp, nonce, key string, body []byte) string {
	h := sha256.Sum256(append([]byte(timestamp+nonce+key), body...))
	return hex.EncodeToString(h[:])
}

// Request is one signed, encrypted event delivery.
type Request struct {
	Body   []byte
	Header http.Header
}

// Seal encrypts an event envelope with the key and signs it at t, as a
// delivery to the events URL.
func Seal(envelope any, key string, t time.Time) Request {
	plain, _ := json.Marshal(envelope)
	body, _ := json.Marshal(map[string]string{"encrypt": Encrypt(plain, key)})
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	ts := strconv.FormatInt(t.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(feishu.HeaderTimestamp, ts)
	h.Set(feishu.HeaderNonce, hex.EncodeToString(nonce))
	h.Set(feishu.HeaderSignature, Sign(ts, hex.EncodeToString(nonce), key, body))
	return Request{Body: body, Header: h}
}

// Post sends a request to url and returns the status and body.
func Post(url string, req Request) (int, []byte, error) {
	hr, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(req.Body))
	if err != nil {
		return 0, nil, err
	}
	hr.Header = req.Header.Clone()
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, nil
}

// Deliver posts an event like the platform: sealed and signed now, and
// re-sent (freshly signed, same event) while the answer is not 200, up to
// attempts times. It returns the last status.
func Deliver(url string, envelope any, attempts int) int {
	status := 0
	for range attempts {
		st, _, err := Post(url, Seal(envelope, EncryptKey, time.Now()))
		status = st
		if err == nil && st == http.StatusOK {
			break
		}
	}
	return status
}

// MessageEvent is an im.message.receive_v1 envelope. chatType is "p2p" or
// "group"; mentionBot adds an @mention of the bot to the text.
func MessageEvent(eventID, messageID, chatID, chatType, senderOpenID, senderTenant, text string, mentionBot bool, rootID string) map[string]any {
	var mentions []any
	if mentionBot {
		text = "@_user_1 " + text
		mentions = append(mentions, map[string]any{"key": "@_user_1", "id": map[string]any{"open_id": BotOpenID}, "name": "Concierge", "tenant_key": TenantKey})
	}
	content, _ := json.Marshal(map[string]string{"text": text})
	return map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": eventID, "event_type": "im.message.receive_v1", "create_time": "1700000000000",
			"token": VerificationToken, "app_id": AppID, "tenant_key": TenantKey},
		"event": map[string]any{
			"sender": map[string]any{"sender_id": map[string]any{"open_id": senderOpenID}, "sender_type": "user", "tenant_key": senderTenant},
			"message": map[string]any{"message_id": messageID, "root_id": rootID, "chat_id": chatID, "chat_type": chatType,
				"message_type": "text", "content": string(content), "create_time": "1700000000000", "mentions": mentions},
		},
	}
}

// CardActionEvent is a card.action.trigger envelope for a click on a button
// whose value is value.
func CardActionEvent(eventID, operatorOpenID, operatorTenant, messageID, chatID string, value any) map[string]any {
	return map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": eventID, "event_type": "card.action.trigger", "create_time": "1700000000000",
			"token": VerificationToken, "app_id": AppID, "tenant_key": TenantKey},
		"event": map[string]any{
			"operator": map[string]any{"open_id": operatorOpenID, "tenant_key": operatorTenant},
			"action":   map[string]any{"tag": "button", "value": value},
			"context":  map[string]any{"open_message_id": messageID, "open_chat_id": chatID},
		},
	}
}
