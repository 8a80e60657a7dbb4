package slack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/channels/internal/replay"
	"github.com/concierge-bot/concierge/channels/internal/reqbody"
)

// readVerified reads the body of r, at most MaxBodyBytes, and verifies its
// Slack signature. With checkReplay, a request whose signature was already
// seen is refused too (slash commands and clicks carry no id of their own;
// events are deduplicated by event id instead). On failure it writes the
// response (401, 400 or 413) and returns ok false; sigKey is what the caller
// must forget if it cannot take the request after all, so that Slack's
// retry is not mistaken for a replay.
func (a *Adapter) readVerified(w http.ResponseWriter, r *http.Request, checkReplay bool) (body []byte, sigKey string, ok bool) {
	body, err := reqbody.Read(w, r, a.opts.MaxBodyBytes)
	if err != nil {
		a.log.Warn("slack: reading request body", "path", r.URL.Path, "limit", a.opts.MaxBodyBytes, "err", err, "remote", r.RemoteAddr)
		return nil, "", false
	}
	if err := verifySignature(a.secret, r.Header, body, a.opts.Now(), ReplayWindow); err != nil {
		a.refuse(w, r, err)
		return nil, "", false
	}
	if checkReplay {
		// The key is the signature's value, not its spelling: the hex
		// decodes the same in either case, and a replay must not pass for
		// new by changing the case of a letter.
		sigKey = replayKey(r.Header.Get(headerSignature))
		if !a.sigs.Add(sigKey, struct{}{}) {
			a.refuse(w, r, replay.ErrReplayed)
			return nil, "", false
		}
	}
	return body, sigKey, true
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, reason error) {
	a.log.Warn("slack: request refused", "path", r.URL.Path, "reason", reason.Error(), "remote", r.RemoteAddr)
	http.Error(w, "invalid request signature", http.StatusUnauthorized)
}

// handleEvents serves POST /slack/events: URL verification and event
// callbacks. It answers at once; messages are answered by the workers.
func (a *Adapter) handleEvents(w http.ResponseWriter, r *http.Request) {
	body, _, ok := a.readVerified(w, r, false)
	if !ok {
		return
	}
	status, challenge := a.acceptEventBody(body, r.Header.Get(headerRetryNum))
	if challenge != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, challenge)
		return
	}
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handleCommands serves POST /slack/commands: a slash command such as
// /ask <question>. The question is answered in a thread by a worker; the
// response here is a short ephemeral acknowledgement.
func (a *Adapter) handleCommands(w http.ResponseWriter, r *http.Request) {
	body, sigKey, ok := a.readVerified(w, r, true)
	if !ok {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slackapi.SlashCommandParse(r)
	if err != nil || cmd.ChannelID == "" || cmd.UserID == "" {
		http.Error(w, "malformed slash command", http.StatusBadRequest)
		return
	}
	ack, ok := a.acceptCommand(cmd)
	if !ok {
		a.sigs.Delete(sigKey)
		http.Error(w, "busy, try again", http.StatusServiceUnavailable)
		return
	}
	reqbody.WriteJSON(w, ack)
}

// handleInteractive serves POST /slack/interactive: button clicks (feedback
// and alert actions), carried out by a worker.
func (a *Adapter) handleInteractive(w http.ResponseWriter, r *http.Request) {
	body, sigKey, ok := a.readVerified(w, r, true)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "missing payload", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if !a.acceptInteraction(cb) {
		a.sigs.Delete(sigKey)
		http.Error(w, "busy, try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}
