package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/accesstoken"
)

// DefaultAPIURL is WeCom's server API, where every outgoing call goes unless
// Options.APIURL says otherwise.
const DefaultAPIURL = "https://qyapi.weixin.qq.com"

// WeCom errcodes the client acts on (developer.work.weixin.qq.com, 全局错误码).
const (
	codeBusy            = -1    // 系统繁忙: retry after a pause
	codeInvalidToken    = 40014 // 不合法的access_token: fetch a new one
	codeMissingToken    = 41001 // 缺少access_token参数
	codeTokenExpired    = 42001 // access_token已过期: fetch a new one
	codeFreqLimit       = 45009 // 接口调用超过限制: back off
	codeTooFrequent     = 45011 // API调用太频繁: back off
	codeConcurrentLimit = 45033 // 接口并发调用超过限制: back off
	// CodeKFWindow is what kf/send_msg answers when the 48-hour / 5-message
	// window is closed. The adapter keeps the window itself and does not
	// send outside it; this code only backs that up.
	CodeKFWindow = 95001
)

// APIError is an errcode other than 0 from a WeCom API call that retrying
// did not cure.
type APIError struct {
	Path    string
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.Path, e.Code, e.Message)
}

// apiResult is the common part of every WeCom API answer.
type apiResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// retryable reports whether an errcode asks the caller to try again later.
func retryable(code int) bool {
	switch code {
	case codeBusy, codeFreqLimit, codeTooFrequent, codeConcurrentLimit:
		return true
	}
	return false
}

// tokenInvalid reports whether an errcode says the access_token is no good.
func tokenInvalid(code int) bool {
	return code == codeInvalidToken || code == codeTokenExpired || code == codeMissingToken
}

// client calls WeCom's server API with a cached access_token per secret,
// backing off on HTTP 429 and 5xx and on WeCom's rate-limit errcodes, and
// fetching a new token once when WeCom says the cached one is invalid or
// expired.
type client struct {
	base        string
	corpID      string
	http        *http.Client
	log         *slog.Logger
	now         func() time.Time
	retryBase   time.Duration
	retryMax    time.Duration
	maxAttempts int
	sleep       func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	tokens map[string]*accesstoken.Cache // by secret
}

// tokenMargin is how long before its expiry a token is refreshed.
const tokenMargin = 5 * time.Minute

// cache returns the access_token cache of secret, refreshing a token
// tokenMargin (a tenth of its life, for short-lived ones) before it expires.
func (c *client) cache(secret string) *accesstoken.Cache {
	c.mu.Lock()
	defer c.mu.Unlock()
	tc := c.tokens[secret]
	if tc == nil {
		tc = accesstoken.New(func(ctx context.Context) (string, time.Duration, error) { return c.fetchToken(ctx, secret) },
			tokenMargin, 10, c.now)
		c.tokens[secret] = tc
	}
	return tc
}

// token returns a valid access_token for secret, fetching one when there is
// none, it is due for refresh, or stale is the token the caller was just
// told is invalid.
func (c *client) token(ctx context.Context, secret, stale string) (string, error) {
	tc := c.cache(secret)
	if stale != "" {
		tc.Drop(stale)
	}
	return tc.Get(ctx)
}

// fetchToken asks for a new access_token of secret (gettoken).
func (c *client) fetchToken(ctx context.Context, secret string) (string, time.Duration, error) {
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {secret}}
	var out struct {
		apiResult
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.roundTrip(ctx, http.MethodGet, "/cgi-bin/gettoken", q, nil, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" {
		return "", 0, &APIError{Path: "/cgi-bin/gettoken", Code: out.ErrCode, Message: "no access_token in the answer"}
	}
	life := time.Duration(out.ExpiresIn) * time.Second
	if life <= 0 {
		life = 2 * time.Hour
	}
	c.log.Debug("wecom: access token fetched", "expires_in", out.ExpiresIn)
	return out.AccessToken, life, nil
}

// call makes one API call with the token of secret: POST with body as JSON
// when body is not nil, else GET. out must embed apiResult.
func (c *client) call(ctx context.Context, secret, method, path string, q url.Values, body any, out interface{ result() *apiResult }) error {
	if q == nil {
		q = url.Values{}
	}
	var stale string
	refreshed := false
	for {
		tok, err := c.token(ctx, secret, stale)
		if err != nil {
			return err
		}
		q.Set("access_token", tok)
		if err := c.roundTrip(ctx, method, path, q, body, out); err != nil {
			return err
		}
		r := out.result()
		if tokenInvalid(r.ErrCode) && !refreshed {
			c.log.Info("wecom: access token refused; fetching a new one", "path", path, "errcode", r.ErrCode)
			stale, refreshed = tok, true
			continue
		}
		if r.ErrCode != 0 {
			return &APIError{Path: path, Code: r.ErrCode, Message: r.ErrMsg}
		}
		return nil
	}
}

// roundTrip sends one request, retrying with exponential back-off (and
// jitter) on transport errors, HTTP 429 (honouring Retry-After) and 5xx,
// and on WeCom's busy and rate-limit errcodes, for at most maxAttempts
// attempts. It decodes the JSON answer into out, which must embed
// apiResult; an errcode that is not retried is left in out for the caller.
func (c *client) roundTrip(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("wecom %s: %w", path, err)
		}
	}
	u := c.base + path + "?" + q.Encode()
	var last error
	for attempt := 0; attempt < c.maxAttempts; attempt++ {
		if attempt > 0 {
			wait := c.backoff(attempt)
			var re *retryAfter
			if errors.As(last, &re) && re.d > wait {
				wait = min(re.d, c.retryMax)
			}
			c.log.Warn("wecom: backing off", "path", path, "attempt", attempt+1, "wait", wait, "reason", last)
			if err := c.sleep(ctx, wait); err != nil {
				return fmt.Errorf("wecom %s: %w (after %v)", path, err, last)
			}
		}
		var rd io.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return fmt.Errorf("wecom %s: %w", path, err)
		}
		if payload != nil {
			req.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("wecom %s: %w", path, ctx.Err())
			}
			last = redact(err)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			last = &retryAfter{d: parseRetryAfter(resp.Header.Get("Retry-After")), status: resp.StatusCode}
			continue
		case resp.StatusCode >= 500:
			last = &retryAfter{status: resp.StatusCode}
			continue
		case resp.StatusCode != http.StatusOK:
			return fmt.Errorf("wecom %s: HTTP %d", path, resp.StatusCode)
		case err != nil:
			last = fmt.Errorf("reading the answer: %w", err)
			continue
		}
		var head apiResult
		if err := json.Unmarshal(b, &head); err != nil {
			return fmt.Errorf("wecom %s: malformed answer: %w", path, err)
		}
		if retryable(head.ErrCode) {
			last = &APIError{Path: path, Code: head.ErrCode, Message: head.ErrMsg}
			continue
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("wecom %s: malformed answer: %w", path, err)
		}
		return nil
	}
	if _, ok := last.(*APIError); ok {
		return last
	}
	return fmt.Errorf("wecom %s: giving up after %d attempts: %w", path, c.maxAttempts, last)
}

// backoff is the pause before attempt n (1, 2, …): retryBase doubled each
// time, at most retryMax, with ±20% jitter so that many callers spread out.
func (c *client) backoff(n int) time.Duration {
	d := c.retryBase << (n - 1)
	if d > c.retryMax || d <= 0 {
		d = c.retryMax
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// retryAfter is an HTTP answer that asks to try again (429, 5xx).
type retryAfter struct {
	d      time.Duration
	status int
}

func (r *retryAfter) Error() string { return "HTTP " + strconv.Itoa(r.status) }

func parseRetryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// redact drops the URL (with its access_token or corpsecret) from a
// transport error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func (r *apiResult) result() *apiResult { return r }

// The API calls the adapter makes.

type textBody struct {
	Content string `json:"content"`
}

// sendAppText sends a text message from the self-built app to one member
// (message/send).
func (c *client) sendAppText(ctx context.Context, secret string, agentID int64, userID, text string) error {
	body := map[string]any{"touser": userID, "msgtype": "text", "agentid": agentID, "text": textBody{text}}
	var out apiResult
	return c.call(ctx, secret, http.MethodPost, "/cgi-bin/message/send", nil, body, &out)
}

// sendChatText sends a text message to a group chat of the app
// (appchat/send).
func (c *client) sendChatText(ctx context.Context, secret, chatID, text string) error {
	body := map[string]any{"chatid": chatID, "msgtype": "text", "text": textBody{text}}
	var out apiResult
	return c.call(ctx, secret, http.MethodPost, "/cgi-bin/appchat/send", nil, body, &out)
}

// agentName returns the self-built app's name (agent/get), which members
// type after "@" to mention it in a group.
func (c *client) agentName(ctx context.Context, secret string, agentID int64) (string, error) {
	var out struct {
		apiResult
		Name string `json:"name"`
	}
	q := url.Values{"agentid": {strconv.FormatInt(agentID, 10)}}
	if err := c.call(ctx, secret, http.MethodGet, "/cgi-bin/agent/get", q, nil, &out); err != nil {
		return "", err
	}
	return out.Name, nil
}

// kfMessage is one entry of kf/sync_msg's msg_list.
type kfMessage struct {
	MsgID          string `json:"msgid"`
	OpenKfID       string `json:"open_kfid"`
	ExternalUserID string `json:"external_userid"`
	SendTime       int64  `json:"send_time"`
	Origin         int    `json:"origin"` // 3: the customer; 4: the system; 5: a servicer
	MsgType        string `json:"msgtype"`
	Text           struct {
		Content string `json:"content"`
		MenuID  string `json:"menu_id"`
	} `json:"text"`
}

// Origins of kf messages.
const originCustomer = 3

// kfPage is one answer of kf/sync_msg.
type kfPage struct {
	apiResult
	NextCursor string      `json:"next_cursor"`
	HasMore    int         `json:"has_more"`
	MsgList    []kfMessage `json:"msg_list"`
}

// syncKF pulls the next page of kf messages of one account after cursor.
func (c *client) syncKF(ctx context.Context, secret, cursor, token, openKfID string, limit int) (kfPage, error) {
	body := map[string]any{"cursor": cursor, "token": token, "limit": limit, "open_kfid": openKfID}
	var out kfPage
	err := c.call(ctx, secret, http.MethodPost, "/cgi-bin/kf/sync_msg", nil, body, &out)
	return out, err
}

// sendKFText sends a text message to a WeChat customer of a kf account
// (kf/send_msg).
func (c *client) sendKFText(ctx context.Context, secret, openKfID, externalUserID, text string) error {
	body := map[string]any{"touser": externalUserID, "open_kfid": openKfID, "msgtype": "text", "text": textBody{text}}
	var out struct {
		apiResult
		MsgID string `json:"msgid"`
	}
	return c.call(ctx, secret, http.MethodPost, "/cgi-bin/kf/send_msg", nil, body, &out)
}
