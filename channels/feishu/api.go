package feishu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/accesstoken"
	"github.com/concierge-bot/concierge/channels/internal/jsonapi"
)

// DefaultAPIURL is where every outgoing call goes unless Options.APIURL
// says otherwise (Lark, the international edition: https://open.larksuite.com).
const DefaultAPIURL = "https://open.feishu.cn"

// Platform codes the client acts on.
const (
	codeRateLimited   = 99991400         // request trigger frequency limit
	codeTokenInvalid  = 99991663         // tenant access token invalid
	codeTokenExpired  = 99991677         // token expired
	codeTokenMissing  = 99991661         // missing access token
	codeTokenBadFmt   = 99991668         // token format invalid
	tokenRefreshAhead = 30 * time.Minute // Feishu hands out a new token in the last 30 minutes
)

// APIError is a Feishu Open API call that failed: a status other than
// 2xx, or a platform code other than 0 (Code; 0 when the body had none).
type APIError = jsonapi.Error[int]

// apiClient calls the Feishu Open API with a cached tenant_access_token,
// refreshed before it expires, and backs off on rate limits (HTTP 429,
// code 99991400), honouring x-ogw-ratelimit-reset or Retry-After. Build it
// with newAPIClient.
type apiClient struct {
	base      string
	appID     string
	appSecret string
	now       func() time.Time
	log       *slog.Logger
	retrier   *jsonapi.Retrier

	// tokens replaces the token tokenRefreshAhead (a quarter of its life,
	// for short-lived tokens) before it expires.
	tokens *accesstoken.Cache
}

// newAPIClient returns c with its token cache.
func newAPIClient(c *apiClient) *apiClient {
	c.tokens = accesstoken.New(c.fetchToken, tokenRefreshAhead, 4, c.now)
	return c
}

// fetchToken asks for a new tenant access token.
func (c *apiClient) fetchToken(ctx context.Context) (string, time.Duration, error) {
	var out struct {
		Code   int    `json:"code"`
		Msg    string `json:"msg"`
		Token  string `json:"tenant_access_token"`
		Expire int64  `json:"expire"`
	}
	body := map[string]string{"app_id": c.appID, "app_secret": c.appSecret}
	if err := c.call(ctx, http.MethodPost, "/open-apis/auth/v3/tenant_access_token/internal", nil, body, "", &out); err != nil {
		return "", 0, fmt.Errorf("feishu: tenant_access_token: %w", err)
	}
	if out.Token == "" || out.Expire <= 0 {
		return "", 0, fmt.Errorf("feishu: tenant_access_token: no token in the reply (code %d: %s)", out.Code, out.Msg)
	}
	life := time.Duration(out.Expire) * time.Second
	c.log.Debug("feishu: new tenant access token", "expires_in", life)
	return out.Token, life, nil
}

// do calls an authenticated API and decodes its data field into out (when
// not nil). A rejected token is dropped and the call made once more.
func (c *apiClient) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var data json.RawMessage
	err := c.tokens.Do(ctx, func(tok string) error {
		var env struct {
			Code int             `json:"code"`
			Msg  string          `json:"msg"`
			Data json.RawMessage `json:"data"`
		}
		err := c.call(ctx, method, path, query, body, tok, &env)
		data = env.Data
		return err
	}, func(err error) bool {
		var ae *APIError
		return errors.As(err, &ae) && isTokenError(ae.Code)
	})
	if err != nil {
		return err
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("feishu: %s: decode: %w", path, err)
		}
	}
	return nil
}

func isTokenError(code int) bool {
	switch code {
	case codeTokenInvalid, codeTokenExpired, codeTokenMissing, codeTokenBadFmt:
		return true
	}
	return false
}

// call makes one request (with rate-limit and 5xx retries) and decodes the
// whole JSON reply into out. A reply with a non-zero "code" is an
// *APIError.
func (c *apiClient) call(ctx context.Context, method, path string, query url.Values, body any, token string, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("feishu: %s: encode: %w", path, err)
		}
	}
	req := jsonapi.Request{Method: method, URL: c.base + path, Path: path, Body: payload}
	if len(query) > 0 {
		req.URL += "?" + query.Encode()
	}
	if token != "" {
		req.Header = http.Header{"Authorization": {"Bearer " + token}}
	}
	var head struct {
		Code *int   `json:"code"`
		Msg  string `json:"msg"`
	}
	code := 0
	reply, err := c.retrier.Do(ctx, req, func(r *jsonapi.Reply) (bool, time.Duration) {
		head.Code, head.Msg = nil, ""
		_ = json.Unmarshal(r.Body, &head)
		code = 0
		if head.Code != nil {
			code = *head.Code
		}
		limited := r.Status == http.StatusTooManyRequests || code == codeRateLimited
		return limited || r.Status >= 500, rateLimitHint(r.Header)
	})
	if err != nil {
		return err
	}
	if reply.ReadErr != nil {
		return fmt.Errorf("feishu: %s: reading reply: %w", path, reply.ReadErr)
	}
	if reply.Status/100 != 2 || code != 0 {
		return &APIError{Platform: "feishu", Status: reply.Status, Code: code, Msg: head.Msg, Path: path}
	}
	if out != nil {
		if err := json.Unmarshal(reply.Body, out); err != nil {
			return fmt.Errorf("feishu: %s: decode: %w", path, err)
		}
	}
	return nil
}

// rateLimitHint reads how long the platform asks to wait:
// x-ogw-ratelimit-reset (seconds) or Retry-After (seconds).
func rateLimitHint(h http.Header) time.Duration {
	for _, k := range []string{"x-ogw-ratelimit-reset", "Retry-After"} {
		if n, err := strconv.Atoi(h.Get(k)); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}

// sentMessage is the data of a send or reply call.
type sentMessage struct {
	MessageID string `json:"message_id"`
	ChatID    string `json:"chat_id"`
}

// reply answers message id with content of msgType, in its thread when
// inThread. uuid makes a retried call idempotent on the platform side.
func (c *apiClient) reply(ctx context.Context, messageID, msgType, content string, inThread bool, uuid string) (sentMessage, error) {
	var out sentMessage
	body := map[string]any{"msg_type": msgType, "content": content, "reply_in_thread": inThread}
	if uuid != "" {
		body["uuid"] = uuid
	}
	err := c.do(ctx, http.MethodPost, "/open-apis/im/v1/messages/"+url.PathEscape(messageID)+"/reply", nil, body, &out)
	return out, err
}

// send posts content to a chat (idType "chat_id") or a person ("open_id").
func (c *apiClient) send(ctx context.Context, idType, id, msgType, content, uuid string) (sentMessage, error) {
	var out sentMessage
	body := map[string]any{"receive_id": id, "msg_type": msgType, "content": content}
	if uuid != "" {
		body["uuid"] = uuid
	}
	err := c.do(ctx, http.MethodPost, "/open-apis/im/v1/messages", url.Values{"receive_id_type": {idType}}, body, &out)
	return out, err
}

// updateCard replaces the card of a message the app sent.
func (c *apiClient) updateCard(ctx context.Context, messageID, card string) error {
	return c.do(ctx, http.MethodPatch, "/open-apis/im/v1/messages/"+url.PathEscape(messageID), nil,
		map[string]string{"content": card}, nil)
}

// botInfo returns the bot's own open_id.
func (c *apiClient) botInfo(ctx context.Context) (string, error) {
	tok, err := c.tokens.Get(ctx)
	if err != nil {
		return "", err
	}
	var out struct {
		Bot struct {
			OpenID  string `json:"open_id"`
			AppName string `json:"app_name"`
		} `json:"bot"`
	}
	if err := c.call(ctx, http.MethodGet, "/open-apis/bot/v3/info", nil, nil, tok, &out); err != nil {
		return "", err
	}
	return out.Bot.OpenID, nil
}

// chatExternal reports whether a group chat is an external one (people of
// other organisations are in it).
func (c *apiClient) chatExternal(ctx context.Context, chatID string) (bool, error) {
	var out struct {
		External bool `json:"external"`
	}
	err := c.do(ctx, http.MethodGet, "/open-apis/im/v1/chats/"+url.PathEscape(chatID), nil, nil, &out)
	return out.External, err
}
