package alert

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// robotServer is an httptest robot that records the requests it accepted.
type robotServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	urls   []string
	header []http.Header
}

func newRobotServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte) bool) *robotServer {
	t.Helper()
	rs := &robotServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if handle(w, r, body) {
			rs.mu.Lock()
			rs.bodies = append(rs.bodies, body)
			rs.urls = append(rs.urls, r.URL.String())
			rs.header = append(rs.header, r.Header.Clone())
			rs.mu.Unlock()
		}
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *robotServer) last(t *testing.T) ([]byte, string, http.Header) {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.bodies) == 0 {
		t.Fatal("the server accepted no request")
	}
	n := len(rs.bodies) - 1
	return rs.bodies[n], rs.urls[n], rs.header[n]
}

func TestGenericWebhookSignsAndIdentifies(t *testing.T) {
	const secret = "s3cret"
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		// The receiver's side, written from the contract, not from Sign.
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		if !hmac.Equal([]byte(r.Header.Get("X-Concierge-Signature")), []byte(want)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return false
		}
		return true
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL + "/hook", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	a := sampleAlert()
	if err := wh.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	body, _, h := rs.last(t)
	if got := h.Get("Idempotency-Key"); got != a.IdempotencyKey {
		t.Errorf("Idempotency-Key = %q, want %q", got, a.IdempotencyKey)
	}
	if got := h.Get("X-Concierge-Event"); got != "escalation" {
		t.Errorf("event header = %q", got)
	}
	got, err := DecodeAlert(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.EscalationID != a.EscalationID || got.Customer != a.Customer || got.ConsoleURL != a.ConsoleURL {
		t.Errorf("body = %+v, want the alert", got)
	}

	wrong, err := NewWebhook(WebhookOptions{URL: rs.URL, Secret: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Send(context.Background(), a); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("send with the wrong secret = %v, want an HTTP 401 error", err)
	}
}

func TestWeComMarkdown(t *testing.T) {
	reply := `{"errcode":0,"errmsg":"ok"}`
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		io.WriteString(w, reply)
		return true
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL + "/cgi-bin/webhook/send?key=abc", Format: FormatWeCom})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Send(context.Background(), sampleAlert()); err != nil {
		t.Fatal(err)
	}
	body, u, _ := rs.last(t)
	if !strings.Contains(u, "key=abc") {
		t.Errorf("URL %q lost its key", u)
	}
	var msg struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Content string `json:"content"`
		} `json:"markdown"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.MsgType != "markdown" || msg.Markdown.Content == "" {
		t.Fatalf("body %s is not a WeCom markdown message", body)
	}
	c := msg.Markdown.Content
	for _, want := range []string{"Ada Lovelace", "Escalation", "[Open the conversation](https://support.example.com/console/conversations/42)", `<font color="warning">`} {
		if !strings.Contains(c, want) {
			t.Errorf("content lacks %q:\n%s", want, c)
		}
	}
	if !strings.HasPrefix(c, "### Escalation") {
		t.Errorf("content does not open with its heading:\n%s", c)
	}
	if strings.Count(c, "<font") != 1 || strings.Contains(c, "[x](http://evil)") {
		t.Errorf("customer markup survived:\n%s", c)
	}

	// A 200 that carries an error code is an error.
	reply = `{"errcode":93000,"errmsg":"invalid webhook url"}`
	if err := wh.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "93000") {
		t.Errorf("errcode 93000: got %v, want an error naming the code", err)
	}
	// A rate limit asks to come back later.
	reply = `{"errcode":45009,"errmsg":"api freq out of limit"}`
	var ra *RetryAfterError
	if err := wh.Send(context.Background(), sampleAlert()); !errors.As(err, &ra) || ra.After < time.Minute {
		t.Errorf("errcode 45009: got %v, want a RetryAfterError of at least a minute", err)
	}
	reply = `<html>gateway</html>`
	if err := wh.Send(context.Background(), sampleAlert()); err == nil {
		t.Error("a non-JSON reply was taken for success")
	}
}

func TestDingTalkSignature(t *testing.T) {
	const secret = "SECabc123"
	now := time.Now()
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		// DingTalk's check, from its documentation: sign =
		// Base64(HmacSHA256(key=secret, timestamp+"\n"+secret)), URL-encoded,
		// timestamp in ms within an hour of the server's clock.
		q := r.URL.Query()
		ts, sign := q.Get("timestamp"), q.Get("sign")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || now.Sub(time.UnixMilli(ms)).Abs() > time.Hour {
			io.WriteString(w, `{"errcode":310000,"errmsg":"timestamp invalid"}`)
			return false
		}
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "\n" + secret))
		if sign != base64.StdEncoding.EncodeToString(m.Sum(nil)) || q.Get("access_token") != "tok" {
			io.WriteString(w, `{"errcode":310000,"errmsg":"sign not match"}`)
			return false
		}
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		return true
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL + "/robot/send?access_token=tok", Format: FormatDingTalk, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Send(context.Background(), sampleAlert()); err != nil {
		t.Fatal(err)
	}
	body, _, _ := rs.last(t)
	var msg struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Title, Text string }
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	if msg.MsgType != "markdown" || msg.Markdown.Title == "" || !strings.Contains(msg.Markdown.Text, "Ada Lovelace") {
		t.Errorf("body %s is not a DingTalk markdown alert", body)
	}
	bad, err := NewWebhook(WebhookOptions{URL: rs.URL + "/robot/send?access_token=tok", Format: FormatDingTalk, Secret: "SECwrong"})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "310000") {
		t.Errorf("wrong secret: got %v, want errcode 310000", err)
	}
}

func TestFeishuSignature(t *testing.T) {
	const secret = "feishu-secret"
	now := time.Now()
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		var msg struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Card      struct {
				Header struct {
					Title struct{ Content string } `json:"title"`
				} `json:"header"`
				Elements []struct {
					Tag     string `json:"tag"`
					Content string `json:"content"`
				} `json:"elements"`
			} `json:"card"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.MsgType != "interactive" {
			io.WriteString(w, `{"code":9499,"msg":"Bad Request","data":{}}`)
			return false
		}
		// Feishu's check, from its documentation: sign =
		// Base64(HmacSHA256(key=timestamp+"\n"+secret, empty data)),
		// timestamp in seconds within an hour.
		sec, err := strconv.ParseInt(msg.Timestamp, 10, 64)
		m := hmac.New(sha256.New, []byte(msg.Timestamp+"\n"+secret))
		if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > time.Hour || msg.Sign != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			io.WriteString(w, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`)
			return false
		}
		if msg.Card.Header.Title.Content == "" || len(msg.Card.Elements) == 0 || msg.Card.Elements[0].Tag != "markdown" {
			io.WriteString(w, `{"code":9499,"msg":"Bad Request","data":{}}`)
			return false
		}
		io.WriteString(w, `{"code":0,"msg":"success","data":{}}`)
		return true
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL + "/open-apis/bot/v2/hook/x", Format: FormatFeishu, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Send(context.Background(), sampleAlert()); err != nil {
		t.Fatal(err)
	}
	body, _, _ := rs.last(t)
	if strings.Contains(string(body), `<at user_id=\"all\">`) {
		t.Errorf("customer text can mention everyone: %s", body)
	}
	bad, err := NewWebhook(WebhookOptions{URL: rs.URL + "/open-apis/bot/v2/hook/x", Format: FormatFeishu, Secret: "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "19021") {
		t.Errorf("wrong secret: got %v, want code 19021", err)
	}
}

func TestFeishuWithoutSecretSendsNoSign(t *testing.T) {
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		io.WriteString(w, `{"StatusCode":0,"StatusMessage":"success"}`)
		return true
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL, Format: FormatFeishu})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Send(context.Background(), sampleAlert()); err != nil {
		t.Fatal(err)
	}
	body, _, _ := rs.last(t)
	if strings.Contains(string(body), `"sign"`) {
		t.Errorf("unsigned robot got a sign field: %s", body)
	}
}

func TestWebhookHTTPErrors(t *testing.T) {
	status := http.StatusInternalServerError
	rs := newRobotServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(status)
		return false
	})
	wh, err := NewWebhook(WebhookOptions{URL: rs.URL, Secret: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("HTTP 500: got %v", err)
	}
	status = http.StatusTooManyRequests
	var ra *RetryAfterError
	if err := wh.Send(context.Background(), sampleAlert()); !errors.As(err, &ra) || ra.After != 2*time.Minute {
		t.Errorf("HTTP 429 with Retry-After 120: got %v", err)
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	wh, err := NewWebhook(WebhookOptions{URL: srv.URL, Secret: "k", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- wh.Send(context.Background(), sampleAlert()) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a hanging receiver was taken for success")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Send did not return: the timeout does not bound a hanging receiver")
	}
}

func TestWebhookRefusesSelf(t *testing.T) {
	tests := []struct {
		url  string
		self []string
		ok   bool
	}{
		{"http://127.0.0.1:8080/hook", []string{"127.0.0.1:8080"}, false},
		{"http://localhost:8080/hook", []string{"127.0.0.1:8080"}, false},
		{"http://[::1]:8080/hook", []string{":8080"}, false},
		{"http://0.0.0.0:8080/", []string{"0.0.0.0:8080"}, false},
		{"https://support.example.com/api", []string{"127.0.0.1:8080", "https://support.example.com"}, false},
		{"http://LOCALHOST:8080/", []string{"localhost:8080"}, false},
		{"http://127.0.0.1:9090/hook", []string{"127.0.0.1:8080"}, true},
		{"https://hooks.example.com/x", []string{":443"}, true},
		{"https://oapi.dingtalk.com/robot/send?access_token=x", []string{"127.0.0.1:8080"}, true},
		{"ftp://example.com/x", nil, false},
		{"http://user:pw@example.com/x", nil, false},
		{"http:///nohost", nil, false},
	}
	for _, tt := range tests {
		_, err := NewWebhook(WebhookOptions{URL: tt.url, Format: FormatWeCom, Self: tt.self})
		if (err == nil) != tt.ok {
			t.Errorf("NewWebhook(%q, self %v) = %v, want ok=%v", tt.url, tt.self, err, tt.ok)
		}
	}
	if _, err := NewWebhook(WebhookOptions{URL: "http://127.0.0.1:8080/", Format: FormatWeCom, Self: []string{":8080"}}); !errors.Is(err, ErrSelfURL) {
		t.Errorf("error %v does not wrap ErrSelfURL", err)
	}
	if _, err := NewWebhook(WebhookOptions{URL: "https://x.example/", Format: "telegram"}); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := NewWebhook(WebhookOptions{URL: "https://x.example/"}); err == nil {
		t.Error("generic webhook without a secret accepted")
	}
}

// TestWebhookDialGuard: whatever name the URL used, a connection that lands
// on the service's own port on this machine is refused when dialling.
func TestWebhookDialGuard(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"errcode":0}`)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	self, err := parseSelf([]string{":" + port})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newHTTPClient(5*time.Second, self).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrSelfURL) {
		t.Errorf("got %v, want ErrSelfURL from the dial guard", err)
	}
	other, err := parseSelf([]string{":1"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = newHTTPClient(5*time.Second, other).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("guard refused a foreign port: %v", err)
	}
	resp.Body.Close()
}
