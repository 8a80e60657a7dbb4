// Package wecomtest is a fake of WeCom (企业微信) for tests: an httptest
// server with the server API the wecom adapter calls (gettoken,
// message/send, appchat/send, agent/get, kf/sync_msg, kf/send_msg) and a
// sender of callbacks that signs and encrypts them exactly as WeCom does
// and retries one that is not acknowledged within CallbackTimeout (5 s, as
// WeCom).
//
// Its crypto is written here again from WeCom's published description, not
// taken from the adapter, so that the two implementations check each
// other. It enforces what the real API enforces and tests rely on:
// access_tokens expire (errcode 42001) and unknown ones are refused
// (40014), calls over a rate limit get errcode 45009, a kf customer may be
// sent at most 5 messages within 48 hours of their last message (errcode
// 95001), and sync_msg's token from a notice is valid for 10 minutes.
package wecomtest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/platformfake"
)

// Errcodes the fake answers with.
const (
	CodeInvalidSecret = 40001
	CodeInvalidToken  = 40014
	CodeTokenExpired  = 42001
	CodeFreqLimit     = 45009
	CodeNoPermission  = 48002
	CodeKFWindow      = 95001
	CodeKFBadToken    = 95007
	CodeTooLong       = 44004
)

// Options configure a Server. CorpID, Token and EncodingAESKey are
// required.
type Options struct {
	CorpID         string
	Token          string
	EncodingAESKey string
	AgentID        int64
	AgentName      string // answered by agent/get; default "Concierge"
	Secret         string // the self-built app's
	KFSecret       string // customer service's
	// TokenTTL is the life of an access_token. Default 7200s, as WeCom.
	TokenTTL time.Duration
	// CallbackTimeout is how long a callback waits for its answer before
	// WeCom gives up on it and retries. Default 5s.
	CallbackTimeout time.Duration
	// Retries is how many times an unacknowledged callback is sent again.
	// Default 3.
	Retries int
	// ReSignRetries sends each retry with a new timestamp, nonce and
	// signature instead of the same bytes.
	ReSignRetries bool
	// Now is the fake's clock (tokens, windows, timestamps). Default time.Now.
	Now func() time.Time
}

// Sent is one message the fake accepted from the adapter.
type Sent struct {
	Path     string // "/cgi-bin/message/send", "/cgi-bin/appchat/send" or "/cgi-bin/kf/send_msg"
	ToUser   string // member userid or kf external_userid
	ChatID   string
	OpenKfID string
	AgentID  int64
	Text     string
}

// KFMessage is one message of the kf log that sync_msg serves.
type KFMessage struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	Origin         int    `json:"origin"`
	MsgType        string `json:"msgtype"`
	Text           *struct {
		Content string `json:"content"`
	} `json:"text,omitempty"`
}

type issued struct {
	secret  string
	expires time.Time
}

type window struct {
	last time.Time
	sent int
}

// Server is the fake. Its embedded httptest.Server serves the API; set
// Target to the adapter's base URL to send callbacks.
type Server struct {
	*httptest.Server
	// Target is the base URL of the adapter (e.g. an httptest server of
	// its mux) that callbacks are POSTed to.
	Target string

	opts   Options
	block  cipher.Block
	iv     []byte
	client *http.Client

	sent platformfake.Log[Sent]

	mu         sync.Mutex
	seq        int
	tokens     map[string]issued
	kfTokens   map[string]time.Time
	kfLog      []KFMessage
	windows    map[string]*window
	calls      map[string]int
	failCodes  []int
	fail429    int
	rateLimit  int
	rateWindow time.Time
	rateCount  int
}

// New starts a fake; Close it when done.
func New(opts Options) (*Server, error) {
	if opts.CorpID == "" || opts.Token == "" {
		return nil, fmt.Errorf("wecomtest: CorpID and Token are required")
	}
	key, err := base64.StdEncoding.DecodeString(opts.EncodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("wecomtest: EncodingAESKey must be 43 characters of base64")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if opts.AgentName == "" {
		opts.AgentName = "Concierge"
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 7200 * time.Second
	}
	if opts.CallbackTimeout <= 0 {
		opts.CallbackTimeout = 5 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 3
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, block: block, iv: key[:16], client: &http.Client{Timeout: opts.CallbackTimeout},
		tokens: map[string]issued{}, kfTokens: map[string]time.Time{}, windows: map[string]*window{},
		calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.getToken)
	mux.HandleFunc("POST /cgi-bin/message/send", s.api(func(w http.ResponseWriter, r *http.Request, secret string) {
		s.textSend(w, r, secret, false)
	}))
	mux.HandleFunc("POST /cgi-bin/appchat/send", s.api(func(w http.ResponseWriter, r *http.Request, secret string) {
		s.textSend(w, r, secret, true)
	}))
	mux.HandleFunc("GET /cgi-bin/agent/get", s.api(s.agentGet))
	mux.HandleFunc("POST /cgi-bin/kf/sync_msg", s.api(s.syncMsg))
	mux.HandleFunc("POST /cgi-bin/kf/send_msg", s.api(s.kfSend))
	s.Server = httptest.NewServer(mux)
	return s, nil
}

// ----- crypto, as WeCom describes it -----

// Encrypt seals msg for receiveID: 16 random bytes, the length in network
// order, msg, receiveID, PKCS#7 to 32 bytes, AES-256-CBC, base64.
func (s *Server) Encrypt(msg []byte, receiveID string) string {
	var buf bytes.Buffer
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	buf.Write(random)
	_ = binary.Write(&buf, binary.BigEndian, uint32(len(msg)))
	buf.Write(msg)
	buf.WriteString(receiveID)
	pad := 32 - buf.Len()%32
	buf.Write(bytes.Repeat([]byte{byte(pad)}, pad))
	return s.EncryptBlocks(buf.Bytes())
}

// EncryptBlocks encrypts padded (a multiple of 16 bytes, padding left to
// the caller) with the fake's key and IV, base64: for forging callbacks
// with bad padding or lengths.
func (s *Server) EncryptBlocks(padded []byte) string {
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(s.block, s.iv).CryptBlocks(out, padded)
	return base64.StdEncoding.EncodeToString(out)
}

// Sign is msg_signature: SHA-1 of the sorted token, timestamp, nonce and
// ciphertext.
func Sign(token, timestamp, nonce, encrypt string) string {
	p := []string{token, timestamp, nonce, encrypt}
	slices.Sort(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

// Envelope is the XML body of a callback carrying encrypt.
func (s *Server) Envelope(encrypt string) []byte {
	return fmt.Appendf(nil, "<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt><AgentID><![CDATA[%d]]></AgentID></xml>",
		s.opts.CorpID, encrypt, s.opts.AgentID)
}

// Callback is one signed, encrypted callback, ready to POST.
type Callback struct {
	Path  string
	Query url.Values
	Body  []byte
}

// Seal signs and encrypts plaintext (a decrypted callback XML) for path as
// WeCom would now.
func (s *Server) Seal(path string, plaintext []byte) Callback {
	enc := s.Encrypt(plaintext, s.opts.CorpID)
	return s.SealEncrypted(path, enc)
}

// SealEncrypted signs an already encrypted payload.
func (s *Server) SealEncrypted(path, encrypt string) Callback {
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	nonce := s.nonce()
	q := url.Values{"msg_signature": {Sign(s.opts.Token, ts, nonce, encrypt)}, "timestamp": {ts}, "nonce": {nonce}}
	return Callback{Path: path, Query: q, Body: s.Envelope(encrypt)}
}

func (s *Server) nonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatUint(binary.BigEndian.Uint64(b[:])>>20, 10) // WeCom's are decimal too
}

// VerifyURL is the GET WeCom sends when the callback URL is saved: a
// signed, encrypted echostr whose plaintext the adapter must answer with.
func (s *Server) VerifyURL(ctx context.Context, path string) (status int, body, want string, err error) {
	want = strconv.FormatInt(time.Now().UnixNano(), 10)
	echo := s.Encrypt([]byte(want), s.opts.CorpID)
	ts := strconv.FormatInt(s.opts.Now().Unix(), 10)
	nonce := s.nonce()
	q := url.Values{"msg_signature": {Sign(s.opts.Token, ts, nonce, echo)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Target+path+"?"+q.Encode(), nil)
	if err != nil {
		return 0, "", want, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", want, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), want, nil
}

// ----- callbacks -----

// Result is what became of a callback: the status of each attempt (0 for
// one that timed out).
type Result struct {
	Attempts []int
}

// Acked reports whether an attempt was acknowledged with 200.
func (r Result) Acked() bool { return slices.Contains(r.Attempts, http.StatusOK) }

// Post sends a callback as WeCom does: it waits CallbackTimeout for a 200
// and otherwise sends it again, up to Retries times (the same bytes, or
// re-signed with ReSignRetries).
func (s *Server) Post(ctx context.Context, cb Callback) Result {
	var r Result
	for attempt := 0; attempt <= s.opts.Retries; attempt++ {
		if attempt > 0 && s.opts.ReSignRetries {
			var env struct {
				Encrypt string `xml:"Encrypt"`
			}
			if xml.Unmarshal(cb.Body, &env) == nil && env.Encrypt != "" {
				cb = s.SealEncrypted(cb.Path, env.Encrypt)
			}
		}
		status := s.post(ctx, cb)
		r.Attempts = append(r.Attempts, status)
		if status == http.StatusOK || ctx.Err() != nil {
			break
		}
	}
	return r
}

// PostOnce sends a callback once and returns the status (0 on a time-out).
func (s *Server) PostOnce(ctx context.Context, cb Callback) int { return s.post(ctx, cb) }

func (s *Server) post(ctx context.Context, cb Callback) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Target+cb.Path+"?"+cb.Query.Encode(), bytes.NewReader(cb.Body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// AppMessage is a member's text message to the self-built app.
type AppMessage struct {
	From    string
	Content string
	MsgID   string // default: a fresh id
	ChatID  string // set for a group chat
}

// AppText returns the decrypted XML WeCom sends for m.
func (s *Server) AppText(m AppMessage) []byte {
	if m.MsgID == "" {
		m.MsgID = s.nextID("")
	}
	var chat string
	if m.ChatID != "" {
		chat = fmt.Sprintf("<ChatId><![CDATA[%s]]></ChatId><ChatType><![CDATA[group]]></ChatType>", xmlText(m.ChatID))
	}
	return fmt.Appendf(nil, "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content>"+
		"<MsgId>%s</MsgId><AgentID>%d</AgentID>%s</xml>",
		s.opts.CorpID, xmlText(m.From), s.opts.Now().Unix(), xmlText(m.Content), m.MsgID, s.opts.AgentID, chat)
}

// xmlText keeps text inside CDATA.
func xmlText(s string) string { return strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") }

// SendApp delivers a member's message to /wecom/callback, with retries.
func (s *Server) SendApp(ctx context.Context, m AppMessage) Result {
	return s.Post(ctx, s.Seal("/wecom/callback", s.AppText(m)))
}

// CustomerWrites appends a WeChat customer's text message to the kf log (it
// is pulled with sync_msg) and opens their window. It returns the msgid.
func (s *Server) CustomerWrites(openKfID, externalUserID, text string) string {
	return s.CustomerWritesAt(openKfID, externalUserID, text, s.opts.Now())
}

// CustomerWritesAt is CustomerWrites at a given time.
func (s *Server) CustomerWritesAt(openKfID, externalUserID, text string, at time.Time) string {
	id := s.nextID("kfmsg")
	m := KFMessage{MsgID: id, OpenKfID: openKfID, ExternalUserID: externalUserID, SendTime: at.Unix(), Origin: 3,
		MsgType: "text", Text: &struct {
			Content string `json:"content"`
		}{text}}
	s.mu.Lock()
	s.kfLog = append(s.kfLog, m)
	w := s.windows[openKfID+":"+externalUserID]
	if w == nil || !at.Before(w.last) {
		s.windows[openKfID+":"+externalUserID] = &window{last: at}
	}
	s.mu.Unlock()
	return id
}

// KFNotice returns the decrypted kf_msg_or_event XML for an account, with a
// fresh sync_msg token valid for 10 minutes.
func (s *Server) KFNotice(openKfID string) []byte {
	tok := s.nextID("kftoken")
	s.mu.Lock()
	s.kfTokens[tok] = s.opts.Now().Add(10 * time.Minute)
	s.mu.Unlock()
	return fmt.Appendf(nil, "<xml><ToUserName><![CDATA[%s]]></ToUserName><CreateTime>%d</CreateTime>"+
		"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"+
		"<Token><![CDATA[%s]]></Token><OpenKfId><![CDATA[%s]]></OpenKfId></xml>",
		s.opts.CorpID, s.opts.Now().Unix(), tok, openKfID)
}

// NotifyKF sends the kf_msg_or_event callback for an account, with retries.
func (s *Server) NotifyKF(ctx context.Context, openKfID string) Result {
	return s.Post(ctx, s.Seal("/wecom/kf/callback", s.KFNotice(openKfID)))
}

func (s *Server) nextID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if prefix == "" {
		return strconv.Itoa(7000000000 + s.seq)
	}
	return fmt.Sprintf("%s_%d", prefix, s.seq)
}

// ----- controls and records -----

// Sent returns the messages accepted so far.
func (s *Server) Sent() []Sent {
	return s.sent.All()
}

// Calls returns how many times a path was called (gettoken included).
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// ExpireTokens makes every access_token issued so far expired: the next
// call with one gets errcode 42001.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.tokens {
		v.expires = s.opts.Now().Add(-time.Second)
		s.tokens[k] = v
	}
}

// FailNext makes the next API calls (not gettoken) answer with these
// errcodes, one each, in order.
func (s *Server) FailNext(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCodes = append(s.failCodes, codes...)
}

// Fail429 makes the next n API calls answer HTTP 429 with Retry-After: 0.
func (s *Server) Fail429(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail429 += n
}

// SetRateLimit allows at most n API calls (not gettoken) per minute of the
// fake's clock; beyond, calls get errcode 45009. 0 lifts the limit.
func (s *Server) SetRateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimit, s.rateCount, s.rateWindow = n, 0, s.opts.Now()
}

// ----- the API -----

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func errJSON(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
	secret := q.Get("corpsecret")
	if q.Get("corpid") != s.opts.CorpID || secret == "" || (secret != s.opts.Secret && secret != s.opts.KFSecret) {
		errJSON(w, CodeInvalidSecret, "invalid credential")
		return
	}
	tok := s.nextID("token")
	s.mu.Lock()
	s.tokens[tok] = issued{secret: secret, expires: s.opts.Now().Add(s.opts.TokenTTL)}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": int(s.opts.TokenTTL / time.Second)})
}

// api checks the access_token and the injected failures and rate limit,
// then calls h with the secret the token was issued for.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request, secret string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[r.URL.Path]++
		tok, ok := s.tokens[r.URL.Query().Get("access_token")]
		now := s.opts.Now()
		var fail int
		switch {
		case !ok:
			fail = CodeInvalidToken
		case !now.Before(tok.expires):
			fail = CodeTokenExpired
		case s.fail429 > 0:
			s.fail429--
			s.mu.Unlock()
			w.Header().Set("Retry-After", "0")
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		case len(s.failCodes) > 0:
			fail, s.failCodes = s.failCodes[0], s.failCodes[1:]
		case s.rateLimit > 0:
			if now.Sub(s.rateWindow) >= time.Minute {
				s.rateWindow, s.rateCount = now, 0
			}
			s.rateCount++
			if s.rateCount > s.rateLimit {
				fail = CodeFreqLimit
			}
		}
		s.mu.Unlock()
		if fail != 0 {
			errJSON(w, fail, "fake failure")
			return
		}
		h(w, r, tok.secret)
	}
}

func decode(r *http.Request, v any) bool {
	return json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(v) == nil
}

// textMessage is the body of a text message to message/send (touser,
// agentid) or appchat/send (chatid).
type textMessage struct {
	ToUser  string `json:"touser"`
	ChatID  string `json:"chatid"`
	MsgType string `json:"msgtype"`
	AgentID int64  `json:"agentid"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
}

// textSend serves message/send (to a member, as the app; chat false) and
// appchat/send (to a group chat; chat true), text messages only.
func (s *Server) textSend(w http.ResponseWriter, r *http.Request, secret string, chat bool) {
	var in textMessage
	ok := decode(r, &in) && in.MsgType == "text"
	sent := Sent{Path: r.URL.Path, ToUser: in.ToUser, AgentID: in.AgentID, Text: in.Text.Content}
	to := in.ToUser
	if chat {
		sent = Sent{Path: r.URL.Path, ChatID: in.ChatID, Text: in.Text.Content}
		to = in.ChatID
	}
	switch {
	case !ok || to == "":
		errJSON(w, 40008, "invalid message")
	case secret != s.opts.Secret || (!chat && in.AgentID != s.opts.AgentID):
		errJSON(w, CodeNoPermission, "api forbidden")
	case len(in.Text.Content) > 2048:
		errJSON(w, CodeTooLong, "content too long")
	default:
		s.sent.Add(sent)
		errJSON(w, 0, "ok")
	}
}

func (s *Server) agentGet(w http.ResponseWriter, r *http.Request, secret string) {
	if r.URL.Query().Get("agentid") != strconv.FormatInt(s.opts.AgentID, 10) || secret != s.opts.Secret {
		errJSON(w, CodeNoPermission, "api forbidden")
		return
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "agentid": s.opts.AgentID, "name": s.opts.AgentName})
}

func (s *Server) syncMsg(w http.ResponseWriter, r *http.Request, _ string) {
	var in struct {
		Cursor   string `json:"cursor"`
		Token    string `json:"token"`
		Limit    int    `json:"limit"`
		OpenKfID string `json:"open_kfid"`
	}
	if !decode(r, &in) {
		errJSON(w, 40058, "invalid json")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Token != "" {
		if exp, ok := s.kfTokens[in.Token]; !ok || !s.opts.Now().Before(exp) {
			errJSON(w, CodeKFBadToken, "invalid token")
			return
		}
	}
	start := 0
	if in.Cursor != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.Cursor, "c"))
		if err != nil || n < 0 || n > len(s.kfLog) {
			errJSON(w, 95000, "invalid cursor")
			return
		}
		start = n
	}
	limit := in.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var out []KFMessage
	i := start
	for ; i < len(s.kfLog) && len(out) < limit; i++ {
		if in.OpenKfID == "" || s.kfLog[i].OpenKfID == in.OpenKfID {
			out = append(out, s.kfLog[i])
		}
	}
	hasMore := 0
	if i < len(s.kfLog) {
		hasMore = 1
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "next_cursor": "c" + strconv.Itoa(i), "has_more": hasMore,
		"msg_list": out})
}

func (s *Server) kfSend(w http.ResponseWriter, r *http.Request, secret string) {
	var in struct {
		ToUser   string `json:"touser"`
		OpenKfID string `json:"open_kfid"`
		MsgType  string `json:"msgtype"`
		Text     struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if !decode(r, &in) || in.MsgType != "text" || in.ToUser == "" || in.OpenKfID == "" {
		errJSON(w, 40008, "invalid message")
		return
	}
	if secret != s.opts.KFSecret && !(s.opts.KFSecret == "" && secret == s.opts.Secret) {
		errJSON(w, CodeNoPermission, "api forbidden")
		return
	}
	if len(in.Text.Content) > 2048 {
		errJSON(w, CodeTooLong, "content too long")
		return
	}
	s.mu.Lock()
	win := s.windows[in.OpenKfID+":"+in.ToUser]
	if win == nil || s.opts.Now().Sub(win.last) >= 48*time.Hour || win.sent >= 5 {
		s.mu.Unlock()
		errJSON(w, CodeKFWindow, "out of the 48 hours / 5 messages window")
		return
	}
	win.sent++
	s.seq++
	id := "sent_" + strconv.Itoa(s.seq)
	s.kfLog = append(s.kfLog, KFMessage{MsgID: id, OpenKfID: in.OpenKfID, ExternalUserID: in.ToUser,
		SendTime: s.opts.Now().Unix(), Origin: 5, MsgType: "text", Text: &struct {
			Content string `json:"content"`
		}{in.Text.Content}})
	s.sent.Add(Sent{Path: r.URL.Path, ToUser: in.ToUser, OpenKfID: in.OpenKfID, Text: in.Text.Content})
	s.mu.Unlock()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": id})
}
