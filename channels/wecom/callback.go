package wecom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/replay"
)

// errMissingParams is another reason a callback is refused (see also
// crypto.go and package replay).
var errMissingParams = errors.New("msg_signature, timestamp or nonce missing")

// params are the query parameters WeCom signs a callback with.
type params struct {
	sig, ts, nonce string
}

func queryParams(r *http.Request) params {
	q := r.URL.Query()
	return params{sig: q.Get("msg_signature"), ts: q.Get("timestamp"), nonce: q.Get("nonce")}
}

// checkTime refuses a malformed timestamp and, unless the check is off
// (MaxClockSkew negative), one further than MaxClockSkew from now.
func (a *Adapter) checkTime(ts string) error {
	return replay.CheckTime(ts, time.Second, a.opts.Now(), a.opts.MaxClockSkew)
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, status int, reason error) {
	a.log.Warn("wecom: callback refused", "path", r.URL.Path, "status", status, "reason", reason.Error(), "remote", r.RemoteAddr)
	http.Error(w, http.StatusText(status), status)
}

// handleVerify serves GET /wecom/callback and /wecom/kf/callback: WeCom's
// check of the URL when it is saved in the admin console. The answer is the
// decrypted echostr.
func (a *Adapter) handleVerify(w http.ResponseWriter, r *http.Request) {
	p := queryParams(r)
	// A "+" of base64 that was not percent-encoded arrives as a space.
	echo := strings.ReplaceAll(r.URL.Query().Get("echostr"), " ", "+")
	if p.sig == "" || p.ts == "" || p.nonce == "" || echo == "" {
		a.refuse(w, r, http.StatusBadRequest, errMissingParams)
		return
	}
	if err := a.checkTime(p.ts); err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return
	}
	if err := a.crypto.Verify(p.sig, p.ts, p.nonce, echo); err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return
	}
	plain, err := a.crypto.Decrypt(echo)
	if err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return
	}
	a.log.Info("wecom: callback URL verified", "path", r.URL.Path)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(plain)
}

// readCallback reads and opens a POSTed callback: body size, envelope XML,
// timestamp, signature, nonce replay, decryption (padding, length, corp
// id) and the decrypted XML, in that order. On failure it writes the
// answer (400, 401 or 413; 200 for a byte-for-byte retransmission of a
// callback already taken) and returns ok false. nonceKey is what the caller
// must forget if it cannot take the callback after all, so that WeCom's
// retry is not mistaken for a replay.
func (a *Adapter) readCallback(w http.ResponseWriter, r *http.Request) (m message, nonceKey string, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes))
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			a.refuse(w, r, http.StatusRequestEntityTooLarge, err)
			return message{}, "", false
		}
		a.refuse(w, r, http.StatusBadRequest, err)
		return message{}, "", false
	}
	p := queryParams(r)
	if p.sig == "" || p.ts == "" || p.nonce == "" {
		a.refuse(w, r, http.StatusUnauthorized, errMissingParams)
		return message{}, "", false
	}
	env, err := parseEnvelope(body)
	if err != nil {
		a.refuse(w, r, http.StatusBadRequest, err)
		return message{}, "", false
	}
	if err := a.checkTime(p.ts); err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return message{}, "", false
	}
	if err := a.crypto.Verify(p.sig, p.ts, p.nonce, env.Encrypt); err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return message{}, "", false
	}
	nonceKey = p.ts + "|" + p.nonce
	if prev, seen := a.nonces.Get(nonceKey); seen {
		if prev == strings.ToLower(p.sig) {
			// The same request again (WeCom retransmits when it did not
			// see our answer): it was taken; acknowledge, do nothing.
			a.log.Debug("wecom: retransmitted callback acknowledged", "path", r.URL.Path)
			w.WriteHeader(http.StatusOK)
			return message{}, "", false
		}
		a.refuse(w, r, http.StatusUnauthorized, replay.ErrReplayed)
		return message{}, "", false
	}
	plain, err := a.crypto.Decrypt(env.Encrypt)
	if err != nil {
		a.refuse(w, r, http.StatusUnauthorized, err)
		return message{}, "", false
	}
	if m, err = parseMessage(plain); err != nil {
		a.refuse(w, r, http.StatusBadRequest, err)
		return message{}, "", false
	}
	if !a.nonces.Add(nonceKey, strings.ToLower(p.sig)) {
		// A concurrent copy of the same request won the race.
		w.WriteHeader(http.StatusOK)
		return message{}, "", false
	}
	return m, nonceKey, true
}

// handleApp serves POST /wecom/callback: a message or event of the
// self-built app. Text messages are claimed by id and queued; the answer
// is an empty 200 at once (the reply is sent through the message API).
func (a *Adapter) handleApp(w http.ResponseWriter, r *http.Request) {
	m, nonceKey, ok := a.readCallback(w, r)
	if !ok {
		return
	}
	if replay.NotTaken(w, a.acceptApp(r.Context(), m), a.nonces, nonceKey) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

// acceptApp claims and queues a decrypted app message; it returns the HTTP
// status to answer with.
func (a *Adapter) acceptApp(ctx context.Context, m message) int {
	if m.MsgType != "text" || strings.TrimSpace(m.Content) == "" || m.FromUserName == "" {
		a.log.Debug("wecom: app callback ignored", "msgtype", m.MsgType, "event", m.Event)
		return http.StatusOK
	}
	if a.opts.Secret == "" {
		a.log.Warn("wecom: app message ignored: no wecom.secret to answer with")
		return http.StatusOK
	}
	id := m.MsgID
	if id == "" {
		id = m.FromUserName + "@" + m.CreateTime
	}
	key := "app:" + id
	claimed, err := a.dedup.Claim(ctx, key)
	if err != nil {
		a.log.Error("wecom: claiming message id", "err", err)
		return http.StatusServiceUnavailable
	}
	if !claimed {
		a.log.Info("wecom: duplicate message dropped", "msgid", id)
		return http.StatusOK
	}
	if !a.jobs.EnqueueFor("app", m.ChatID+":"+m.FromUserName, func(ctx context.Context) { a.answerApp(ctx, m) }) {
		_ = a.dedup.Release(context.WithoutCancel(ctx), key)
		a.log.Warn("wecom: queue full; asking WeCom to retry", "queue", a.opts.QueueSize)
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// handleKF serves POST /wecom/kf/callback: WeChat customer service's
// kf_msg_or_event notice, which says that an account has new messages to
// pull. It is acknowledged at once; the pull runs in the background.
func (a *Adapter) handleKF(w http.ResponseWriter, r *http.Request) {
	m, _, ok := a.readCallback(w, r)
	if !ok {
		return
	}
	if m.MsgType == "event" && m.Event == "kf_msg_or_event" && m.OpenKfID != "" {
		a.notifyKF(m.OpenKfID, m.Token)
	} else {
		a.log.Debug("wecom: kf callback ignored", "msgtype", m.MsgType, "event", m.Event)
	}
	w.WriteHeader(http.StatusOK)
}
