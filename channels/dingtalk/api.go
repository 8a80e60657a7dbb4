package dingtalk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/accesstoken"
	"github.com/concierge-bot/concierge/channels/internal/jsonapi"
)

// Default addresses of DingTalk's APIs: the new API (token, robot send,
// Stream) and the old one (the host of sessionWebhook URLs).
const (
	DefaultAPIURL  = "https://api.dingtalk.com"
	DefaultOAPIURL = "https://oapi.dingtalk.com"
)

// DingTalk's "send too fast" codes (old API errcode) and throttling codes
// (new API "code").
var rateLimitedCodes = map[string]bool{"130101": true, "90018": true, "90002": true,
	"Throttling": true, "Throttling.Api": true, "Forbidden.AccessDenied.QpsLimitForApi": true, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi": true}

// APIError is a DingTalk call that failed: a status other than 2xx, or an
// old-API errcode other than 0. Code is the new API's "code" or the old
// API's errcode in decimal.
type APIError = jsonapi.Error[string]

// apiClient calls DingTalk with a cached access token (refreshed five
// minutes before it expires, or at a quarter of a short life) and backs off
// on rate limits. Build it with newAPIClient.
type apiClient struct {
	base      string
	appKey    string
	appSecret string
	now       func() time.Time
	retrier   *jsonapi.Retrier

	tokens *accesstoken.Cache
}

// newAPIClient returns c with its token cache.
func newAPIClient(c *apiClient) *apiClient {
	c.tokens = accesstoken.New(c.fetchToken, 5*time.Minute, 4, c.now)
	return c
}

// fetchToken asks for a new access token.
func (c *apiClient) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpireIn    int64  `json:"expireIn"`
	}
	if err := c.call(ctx, http.MethodPost, c.base+"/v1.0/oauth2/accessToken", "",
		map[string]string{"appKey": c.appKey, "appSecret": c.appSecret}, &out); err != nil {
		return "", 0, fmt.Errorf("dingtalk: access token: %w", err)
	}
	if out.AccessToken == "" || out.ExpireIn <= 0 {
		return "", 0, fmt.Errorf("dingtalk: access token: no token in the reply")
	}
	return out.AccessToken, time.Duration(out.ExpireIn) * time.Second, nil
}

// do calls an authenticated new-API path; a rejected token is replaced once.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	return c.tokens.Do(ctx, func(tok string) error {
		return c.call(ctx, method, c.base+path, tok, body, out)
	}, func(err error) bool {
		ae, ok := err.(*APIError)
		return ok && (ae.Status == http.StatusUnauthorized || strings.Contains(ae.Code, "InvalidAuthentication"))
	})
}

// call makes one request with retries on rate limits and 5xx. A non-2xx
// status, or a body with a non-zero errcode, is an *APIError.
func (c *apiClient) call(ctx context.Context, method, u, token string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	path := u
	if i := strings.Index(u, "?"); i >= 0 {
		path = u[:i] // never log the session key
	}
	req := jsonapi.Request{Method: method, URL: u, Path: path, Body: payload}
	if token != "" {
		req.Header = http.Header{}
		req.Header.Set("x-acs-dingtalk-access-token", token)
	}
	var code, msg string
	var errcode bool
	reply, err := c.retrier.Do(ctx, req, func(r *jsonapi.Reply) (bool, time.Duration) {
		code, msg, errcode = replyCode(r.Body)
		limited := r.Status == http.StatusTooManyRequests || rateLimitedCodes[code]
		return limited || r.Status >= 500, retryAfter(r.Header)
	})
	if err != nil {
		return err
	}
	if reply.Status/100 != 2 || errcode {
		return &APIError{Platform: "dingtalk", Status: reply.Status, Code: code, Msg: msg, Path: path}
	}
	if out != nil && len(reply.Body) > 0 {
		if err := json.Unmarshal(reply.Body, out); err != nil {
			return fmt.Errorf("dingtalk: %s: decode: %w", path, err)
		}
	}
	return nil
}

// replyCode reads the code and message of a reply: the new API's "code"
// and "message", or the old API's "errcode" and "errmsg", which is set
// when errcode is not 0.
func replyCode(data []byte) (code, msg string, errcode bool) {
	var head struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	_ = json.Unmarshal(data, &head)
	switch v := head.Code.(type) {
	case string:
		code = v
	case float64:
		code = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if head.ErrCode != nil && *head.ErrCode != 0 {
		return strconv.Itoa(*head.ErrCode), head.ErrMsg, true
	}
	return code, head.Message, false
}

// retryAfter is the wait a Retry-After header (seconds) asks for, or 0.
func retryAfter(h http.Header) time.Duration {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

// markdownMsg is a robot markdown message body for a sessionWebhook.
func markdownMsg(title, text string) map[string]any {
	return map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": text}}
}

// sendSession posts a message to a sessionWebhook URL (no token needed).
func (c *apiClient) sendSession(ctx context.Context, webhook string, msg any) error {
	return c.call(ctx, http.MethodPost, webhook, "", msg, nil)
}

// sendGroup posts a markdown message to a group by its openConversationId.
func (c *apiClient) sendGroup(ctx context.Context, robotCode, conversationID, title, text string) error {
	param, _ := json.Marshal(map[string]string{"title": title, "text": text})
	return c.do(ctx, http.MethodPost, "/v1.0/robot/groupMessages/send", map[string]any{
		"robotCode": robotCode, "openConversationId": conversationID, "msgKey": "sampleMarkdown", "msgParam": string(param)}, nil)
}

// sendUser posts a markdown message to a person (1:1 with the robot).
func (c *apiClient) sendUser(ctx context.Context, robotCode, staffID, title, text string) error {
	param, _ := json.Marshal(map[string]string{"title": title, "text": text})
	return c.do(ctx, http.MethodPost, "/v1.0/robot/oToMessages/batchSend", map[string]any{
		"robotCode": robotCode, "userIds": []string{staffID}, "msgKey": "sampleMarkdown", "msgParam": string(param)}, nil)
}
