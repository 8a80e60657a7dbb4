package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Webhook formats.
const (
	FormatGeneric  = "generic"  // the Alert as JSON, HMAC-signed
	FormatWeCom    = "wecom"    // 企业微信群机器人, markdown message
	FormatDingTalk = "dingtalk" // 钉钉自定义机器人, markdown message, optional 加签
	FormatFeishu   = "feishu"   // 飞书自定义机器人, interactive card, optional 签名校验
)

// Headers of the generic webhook.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the raw
	// request body under the configured secret.
	HeaderSignature = "X-Concierge-Signature"
	// HeaderIdempotencyKey carries Alert.IdempotencyKey.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderEvent carries Alert.Kind.
	HeaderEvent = "X-Concierge-Event"
)

// Size limits of the robots' markdown texts, in bytes.
const (
	wecomMaxBytes    = 4096
	dingtalkMaxBytes = 18000
	feishuMaxBytes   = 25000
	maxResponseBytes = 64 << 10
)

// WebhookOptions configures a Webhook sink.
type WebhookOptions struct {
	// Name identifies the sink; default "webhook-<format>".
	Name string
	// URL is the endpoint: the robot's webhook address (with its key or
	// access_token) or the generic receiver. http or https only.
	URL string
	// Format is FormatGeneric (default), FormatWeCom, FormatDingTalk or
	// FormatFeishu.
	Format string
	// Secret signs requests: the HMAC key of the generic webhook (required
	// there), the DingTalk 加签 secret (SEC...) or the Feishu 签名校验 secret.
	// Optional for the robots.
	Secret string
	// Timeout bounds one request, connection included. Default 10s.
	Timeout time.Duration
	// Self lists the service's own addresses (its listen address, e.g.
	// "127.0.0.1:8080" or ":8080", and its public URL): a URL pointing at one
	// of them is refused, and so is a connection that resolves to loopback
	// or an unspecified address at one of their ports.
	Self []string
	// Client sends the requests; default a client with Timeout and the Self
	// guard. A custom client bypasses the dial-time guard, not the URL check.
	Client *http.Client
	// Now is the clock for signature timestamps; default time.Now.
	Now func() time.Time
}

// Webhook is a Sink that POSTs alerts to a URL in one of the Formats.
type Webhook struct {
	name   string
	url    *url.URL
	format string
	secret string
	client *http.Client
	now    func() time.Time
}

var _ Sink = (*Webhook)(nil)

// ErrSelfURL is wrapped by the error of NewWebhook for a URL that points at
// the service itself, and by a send whose connection resolved to it.
var ErrSelfURL = errors.New("webhook URL points at this service")

// NewWebhook checks opts and returns the sink. It refuses a URL that is not
// http(s), has no host, carries credentials, or points at the service itself
// (see WebhookOptions.Self), an unknown format, and a generic webhook without
// a secret.
func NewWebhook(opts WebhookOptions) (*Webhook, error) {
	if opts.Format == "" {
		opts.Format = FormatGeneric
	}
	switch opts.Format {
	case FormatGeneric, FormatWeCom, FormatDingTalk, FormatFeishu:
	default:
		return nil, fmt.Errorf("alert: webhook format %q must be one of generic, wecom, dingtalk, feishu", opts.Format)
	}
	if opts.Name == "" {
		opts.Name = "webhook-" + opts.Format
	}
	u, err := url.Parse(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("alert: webhook %s: bad URL: %w", opts.Name, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("alert: webhook %s: URL must be http or https", opts.Name)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("alert: webhook %s: URL has no host", opts.Name)
	}
	if u.User != nil {
		return nil, fmt.Errorf("alert: webhook %s: URL must not carry a user name or password", opts.Name)
	}
	if opts.Format == FormatGeneric && opts.Secret == "" {
		return nil, fmt.Errorf("alert: webhook %s: a generic webhook needs a secret to sign with", opts.Name)
	}
	self, err := parseSelf(opts.Self)
	if err != nil {
		return nil, fmt.Errorf("alert: webhook %s: %w", opts.Name, err)
	}
	if self.matchesURL(u) {
		return nil, fmt.Errorf("alert: webhook %s: %w (%s)", opts.Name, ErrSelfURL, u.Host)
	}
	bot.SetDefault(&opts.Timeout, 10*time.Second)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	client := opts.Client
	if client == nil {
		client = newHTTPClient(opts.Timeout, self)
	}
	return &Webhook{name: opts.Name, url: u, format: opts.Format, secret: opts.Secret, client: client, now: opts.Now}, nil
}

// Name implements Sink.
func (w *Webhook) Name() string { return w.name }

// Send implements Sink: it renders a in the sink's format, signs it and POSTs
// it. A non-2xx status, or a robot's reply with a non-zero error code, is an
// error; rate limits come back as *RetryAfterError.
func (w *Webhook) Send(ctx context.Context, a Alert) error {
	u := *w.url
	var body []byte
	var err error
	switch w.format {
	case FormatWeCom:
		body, err = wecomBody(a)
	case FormatDingTalk:
		body, err = dingtalkBody(a)
		if w.secret != "" {
			ts, sign := DingTalkSign(w.secret, w.now())
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", sign)
			u.RawQuery = q.Encode()
		}
	case FormatFeishu:
		body, err = feishuBody(a, w.secret, w.now())
	default:
		body, err = json.Marshal(a)
	}
	if err != nil {
		return fmt.Errorf("alert: webhook %s: encode: %w", w.name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert: webhook %s: %w", w.name, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "concierge-alerts/1")
	if w.format == FormatGeneric {
		req.Header.Set(HeaderIdempotencyKey, a.IdempotencyKey)
		req.Header.Set(HeaderEvent, string(a.Kind))
		req.Header.Set(HeaderSignature, Sign(w.secret, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("alert: webhook %s: %w", w.name, redactURLError(err))
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fmt.Errorf("alert: webhook %s: HTTP %d", w.name, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			return &RetryAfterError{After: retryAfter(resp.Header.Get("Retry-After"), w.now()), Err: err}
		}
		return err
	}
	if w.format == FormatGeneric {
		return nil
	}
	return robotResult(w.name, w.format, data)
}

// Sign returns the generic webhook's signature of body: "sha256=" followed by
// the hex HMAC-SHA256 of body under secret. Receivers compare it with
// hmac.Equal against their own computation.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// DingTalkSign returns the timestamp (milliseconds) and sign query parameters
// of DingTalk's 加签: Base64(HMAC-SHA256(key=secret, timestamp+"\n"+secret)).
// The caller URL-encodes sign (url.Values does).
func DingTalkSign(secret string, t time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(t.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return timestamp, base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// FeishuSign returns the timestamp (seconds) and sign body fields of Feishu's
// 签名校验: Base64(HMAC-SHA256(key=timestamp+"\n"+secret, empty message)).
func FeishuSign(secret string, t time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return timestamp, base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func wecomBody(a Alert) ([]byte, error) {
	v := render(a)
	content := "### " + escapeMarkdown(v.Title) + "\n"
	if a.Severity == SeverityHigh {
		// WeCom's markdown colours text with one of three built-in colours.
		content += `<font color="warning">` + escapeMarkdown(strings.ToUpper(SeverityHigh)) + "</font>\n"
	}
	content += v.markdown(false)
	return json.Marshal(map[string]any{
		"msgtype":  "markdown",
		"markdown": map[string]string{"content": truncateBytes(content, wecomMaxBytes)},
	})
}

func dingtalkBody(a Alert) ([]byte, error) {
	v := render(a)
	return json.Marshal(map[string]any{
		"msgtype": "markdown",
		"markdown": map[string]string{
			"title": v.Title, // shown in the notification; plain text
			"text":  truncateBytes(v.markdown(true), dingtalkMaxBytes),
		},
	})
}

func feishuBody(a Alert, secret string, now time.Time) ([]byte, error) {
	v := render(a)
	template := "blue"
	switch {
	case a.Kind == KindEarlyWarning || a.Severity == SeverityHigh:
		template = "red"
	case a.Kind == KindEscalation:
		template = "orange"
	}
	elements := []any{map[string]string{"tag": "markdown", "content": truncateBytes(v.markdown(false), feishuMaxBytes)}}
	if v.Link != "" {
		elements = append(elements, map[string]any{
			"tag": "action",
			"actions": []any{map[string]any{
				"tag":  "button",
				"text": map[string]string{"tag": "plain_text", "content": "Open the conversation"},
				"type": "primary",
				"url":  v.Link,
			}},
		})
	}
	msg := map[string]any{
		"msg_type": "interactive",
		"card": map[string]any{
			"config": map[string]bool{"wide_screen_mode": true},
			"header": map[string]any{
				"title":    map[string]string{"tag": "plain_text", "content": v.Title},
				"template": template,
			},
			"elements": elements,
		},
	}
	if secret != "" {
		msg["timestamp"], msg["sign"] = FeishuSign(secret, now)
	}
	return json.Marshal(msg)
}

// robotReply is the union of the WeCom/DingTalk ({"errcode","errmsg"}) and
// Feishu ({"code","msg"}, formerly {"StatusCode","StatusMessage"}) replies.
type robotReply struct {
	ErrCode       *int   `json:"errcode"`
	ErrMsg        string `json:"errmsg"`
	Code          *int   `json:"code"`
	Msg           string `json:"msg"`
	StatusCode    *int   `json:"StatusCode"`
	StatusMessage string `json:"StatusMessage"`
}

// Robot error codes that mean "too many messages, slow down": WeCom 45009,
// DingTalk 130101 (send too fast), Feishu 11232 (frequency limited).
var robotRateLimited = map[int]bool{45009: true, 130101: true, 11232: true}

// robotResult turns a robot's 200 reply into an error when it carries a
// non-zero error code. An empty or non-JSON body is an error too: every
// robot answers with JSON.
func robotResult(name, format string, body []byte) error {
	var r robotReply
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("alert: webhook %s: %s replied with something that is not JSON", name, format)
	}
	code, msg := 0, ""
	switch {
	case r.ErrCode != nil:
		code, msg = *r.ErrCode, r.ErrMsg
	case r.Code != nil:
		code, msg = *r.Code, r.Msg
	case r.StatusCode != nil:
		code, msg = *r.StatusCode, r.StatusMessage
	default:
		return fmt.Errorf("alert: webhook %s: %s reply has no error code", name, format)
	}
	if code == 0 {
		return nil
	}
	err := fmt.Errorf("alert: webhook %s: %s error %d: %s", name, format, code, oneLine(msg, 200))
	if robotRateLimited[code] {
		return &RetryAfterError{After: time.Minute, Err: err}
	}
	return err
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); the
// default is one minute, and the result is capped at one hour.
func retryAfter(h string, now time.Time) time.Duration {
	d := time.Minute
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), time.Hour)
}

// redactURLError drops the URL (which holds the robot's key or token) from
// an error of http.Client.Do.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// selfAddrs are the service's own addresses.
type selfAddrs []selfAddr

type selfAddr struct {
	host string // empty for "all interfaces"
	port string
}

// parseSelf parses "host:port", ":port" and "http(s)://host[:port]" forms.
func parseSelf(list []string) (selfAddrs, error) {
	var out selfAddrs
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if strings.Contains(s, "://") {
			u, err := url.Parse(s)
			if err != nil || u.Hostname() == "" {
				return nil, fmt.Errorf("bad self address %q", s)
			}
			out = append(out, selfAddr{host: strings.ToLower(u.Hostname()), port: urlPort(u)})
			continue
		}
		h, p, err := net.SplitHostPort(s)
		if err != nil || p == "" {
			return nil, fmt.Errorf("bad self address %q: want host:port", s)
		}
		out = append(out, selfAddr{host: strings.ToLower(h), port: p})
	}
	return out, nil
}

func urlPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// isLocal reports whether host names this machine: localhost, a loopback or
// an unspecified address.
func isLocal(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// matchesURL reports whether u points at one of the service's addresses.
func (s selfAddrs) matchesURL(u *url.URL) bool {
	return s.matches(strings.ToLower(u.Hostname()), urlPort(u))
}

func (s selfAddrs) matches(host, port string) bool {
	for _, a := range s {
		if a.port != port {
			continue
		}
		if host == a.host {
			return true
		}
		if a.host == "" || isLocal(a.host) {
			// The service listens on loopback or on every interface: any
			// local name or any address of this machine reaches it.
			if isLocal(host) || isInterfaceAddr(host) {
				return true
			}
		}
	}
	return false
}

// isInterfaceAddr reports whether host is an IP address of one of this
// machine's network interfaces.
func isInterfaceAddr(host string) bool {
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// newHTTPClient returns a client whose connections time out and that refuses
// to connect to the service itself, whatever name resolved to it.
func newHTTPClient(timeout time.Duration, self selfAddrs) *http.Client {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if len(self) > 0 {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			h, p, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if self.matches(strings.ToLower(h), p) {
				return ErrSelfURL
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// Alerts are POSTs to a fixed endpoint; a redirect is a misconfiguration.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
