package feishu

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/concierge-bot/concierge/channels/internal/replay"
	"github.com/concierge-bot/concierge/channels/internal/reqbody"
)

// envelope is an event body after decryption: a schema 2.0 event or
// callback, or the url_verification challenge.
type envelope struct {
	Encrypt   string `json:"encrypt"`
	Schema    string `json:"schema"`
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	Token     string `json:"token"`
	Header    struct {
		EventID    string `json:"event_id"`
		EventType  string `json:"event_type"`
		CreateTime string `json:"create_time"`
		Token      string `json:"token"`
		AppID      string `json:"app_id"`
		TenantKey  string `json:"tenant_key"`
	} `json:"header"`
	Event json.RawMessage `json:"event"`
}

// Event types the adapter acts on.
const (
	eventMessage    = "im.message.receive_v1"
	eventCardAction = "card.action.trigger"
)

// decodeEnvelope parses a (decrypted) event body. It fails on anything
// that is not one JSON object.
func decodeEnvelope(b []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return envelope{}, err
	}
	return env, nil
}

// openHTTP authenticates an HTTP event body and returns its plaintext
// envelope. challenge is true for a url_verification request, the one kind
// Feishu sends unsigned (it must still decrypt under the Encrypt Key and
// carry the verification token). sigKey is what the caller must forget if
// it cannot take the event after all.
func (a *Adapter) openHTTP(h http.Header, body []byte) (env envelope, sigKey string, err error) {
	outer, err := decodeEnvelope(body)
	if err != nil {
		return envelope{}, "", errBadEnvelope
	}
	signed := h.Get(HeaderSignature) != ""
	if signed {
		if err := verifySignature(h, a.opts.EncryptKey, body, a.opts.Now(), a.opts.ReplayWindow); err != nil {
			return envelope{}, "", err
		}
	}
	if outer.Encrypt == "" {
		return envelope{}, "", errNotEncrypted
	}
	plain, err := Decrypt(outer.Encrypt, a.opts.EncryptKey)
	if err != nil {
		return envelope{}, "", err
	}
	if env, err = decodeEnvelope(plain); err != nil {
		return envelope{}, "", errBadEnvelope
	}
	if !a.tokenOK(env) {
		return envelope{}, "", errBadToken
	}
	if env.Type == "url_verification" {
		return env, "", nil
	}
	if !signed {
		return envelope{}, "", errNoSignature
	}
	sigKey = h.Get(HeaderTimestamp) + ":" + h.Get(HeaderNonce) + ":" + h.Get(HeaderSignature)
	if !a.sigs.Add(sigKey, struct{}{}) {
		return envelope{}, "", replay.ErrReplayed
	}
	return env, sigKey, nil
}

// tokenOK checks the verification token of an envelope, when one is
// configured.
func (a *Adapter) tokenOK(env envelope) bool {
	if a.opts.VerificationToken == "" {
		return true
	}
	tok := env.Header.Token
	if env.Type == "url_verification" || tok == "" {
		tok = env.Token
	}
	return tok != "" && equalToken(tok, a.opts.VerificationToken)
}

// handleEvents serves POST /feishu/events: the URL challenge, events and
// card callbacks, each authenticated by openHTTP. Messages are answered by
// the workers; the response is immediate.
func (a *Adapter) handleEvents(w http.ResponseWriter, r *http.Request) {
	body, err := reqbody.Read(w, r, a.opts.MaxBodyBytes)
	if err != nil {
		return
	}
	env, sigKey, err := a.openHTTP(r.Header, body)
	if err != nil {
		a.log.Warn("feishu: request refused", "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid request", http.StatusUnauthorized)
		return
	}
	if env.Type == "url_verification" {
		a.log.Info("feishu: URL verification answered")
		reqbody.WriteJSON(w, map[string]string{"challenge": env.Challenge})
		return
	}
	status, resp := a.acceptEvent(r.Context(), env)
	if replay.NotTaken(w, status, a.sigs, sigKey) { // 503: Feishu's retry must not look like a replay
		return
	}
	if resp == nil {
		resp = map[string]any{}
	}
	reqbody.WriteJSON(w, resp)
}

// acceptEvent takes an authenticated event, from HTTP or the long
// connection. It returns the status to answer (503 when the queue is full,
// so that Feishu retries) and, for card callbacks, the response body.
func (a *Adapter) acceptEvent(ctx context.Context, env envelope) (int, any) {
	if env.Schema != "2.0" {
		return http.StatusOK, nil // old-style events are not subscribed to
	}
	if env.Header.AppID != "" && env.Header.AppID != a.opts.AppID {
		a.log.Warn("feishu: event for another app ignored", "app_id", env.Header.AppID)
		return http.StatusOK, nil
	}
	switch env.Header.EventType {
	case eventMessage:
		return a.acceptMessage(ctx, env), nil
	case eventCardAction:
		return http.StatusOK, a.cardAction(ctx, env)
	}
	return http.StatusOK, nil
}
