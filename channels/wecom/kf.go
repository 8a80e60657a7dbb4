package wecom

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
)

// kfPageLimit is how many messages one sync_msg call asks for (WeCom's
// maximum), and kfMaxPages bounds the pages of one pull.
const (
	kfPageLimit = 1000
	kfMaxPages  = 100
)

// kfRetry is how long after a failed pull the adapter tries again on its
// own (a new notice from WeCom tries at once).
const kfRetry = 30 * time.Second

// notifyKF asks the puller to pull an account's new messages with token
// (from the kf_msg_or_event notice; empty when the adapter pulls on its
// own, which WeCom limits more strictly).
func (a *Adapter) notifyKF(openKfID, token string) {
	if a.kfSecret == "" {
		a.log.Warn("wecom: kf notice ignored: no wecom.kf_secret or wecom.secret to pull with")
		return
	}
	a.kfMu.Lock()
	if prev, ok := a.kfWant[openKfID]; !ok || token != "" || prev == "" {
		a.kfWant[openKfID] = token
	}
	a.kfMu.Unlock()
	select {
	case a.kfWake <- struct{}{}:
	default:
	}
}

// runKF pulls accounts as they are notified, until ctx is done. Pulls run
// with jobCtx, so that a page being answered is finished while draining.
func (a *Adapter) runKF(ctx, jobCtx context.Context) {
	for _, id := range a.state.accounts() {
		a.notifyKF(id, "") // catch up on what arrived while we were down
	}
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.kfWake:
		case <-retry:
			retry = nil
		}
		a.kfMu.Lock()
		want := a.kfWant
		a.kfWant = map[string]string{}
		a.kfMu.Unlock()
		failed := false
		for id, token := range want {
			if ctx.Err() != nil {
				return
			}
			if err := a.pullKF(ctx, jobCtx, id, token); err != nil {
				a.log.Error("wecom: kf sync_msg failed; will try again", "open_kfid", id, "err", err)
				a.kfMu.Lock()
				if _, ok := a.kfWant[id]; !ok {
					a.kfWant[id] = ""
				}
				a.kfMu.Unlock()
				failed = true
			}
		}
		if failed && retry == nil {
			retry = time.After(kfRetry)
		}
	}
}

// pullKF pulls an account's messages from its cursor, page by page, answers
// the customers' messages of each page, and only then moves the cursor on
// and saves it: a restart resumes after the last page answered, and a page
// pulled twice is answered once (message ids are claimed).
func (a *Adapter) pullKF(ctx, jobCtx context.Context, openKfID, token string) error {
	for range kfMaxPages {
		if ctx.Err() != nil {
			return nil
		}
		page, err := a.api.syncKF(jobCtx, a.kfSecret, a.state.cursor(openKfID), token, openKfID, kfPageLimit)
		if err != nil {
			return err
		}
		a.answerKFPage(jobCtx, page.MsgList)
		if page.NextCursor != "" {
			a.state.setCursor(openKfID, page.NextCursor)
		}
		if err := a.state.save(); err != nil {
			a.log.Error("wecom: saving the kf cursor", "err", err)
		}
		if page.HasMore == 0 {
			return nil
		}
	}
	return nil
}

// kfKey is the ExternalUserID of a kf customer: "<open_kfid>:<external_userid>".
func kfKey(openKfID, externalUserID string) string { return openKfID + ":" + externalUserID }

// answerKFPage opens the window of every customer who wrote, then answers
// the text messages of the page: each customer's in order, customers in
// parallel (at most Workers at once). It returns when all are answered.
func (a *Adapter) answerKFPage(ctx context.Context, msgs []kfMessage) {
	var order []string
	byKey := map[string][]kfMessage{}
	for _, m := range msgs {
		if m.Origin != originCustomer || m.OpenKfID == "" || m.ExternalUserID == "" {
			continue
		}
		key := kfKey(m.OpenKfID, m.ExternalUserID)
		a.state.open(key, m.MsgID, unixOr(m.SendTime, a.opts.Now))
		if _, ok := byKey[key]; !ok {
			order = append(order, key)
		}
		byKey[key] = append(byKey[key], m)
	}
	sem := make(chan struct{}, a.opts.Workers)
	var wg sync.WaitGroup
	for _, key := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			a.sendHeld(ctx, key)
			for _, m := range byKey[key] {
				a.jobs.Do(ctx, "kf", func(ctx context.Context) { a.answerKF(ctx, key, m) })
			}
		})
	}
	wg.Wait()
}

// answerKF answers one customer message of WeChat customer service.
func (a *Adapter) answerKF(ctx context.Context, key string, m kfMessage) {
	text := strings.TrimSpace(m.Text.Content)
	if m.MsgType != "text" || text == "" {
		return
	}
	claimKey := "kf:" + m.MsgID
	if m.MsgID != "" && a.state.done(m.OpenKfID, m.MsgID) {
		a.log.Info("wecom: kf message answered before a restart dropped", "msgid", m.MsgID)
		return
	}
	if m.MsgID != "" {
		claimed, err := a.dedup.Claim(ctx, claimKey)
		if err != nil {
			a.log.Error("wecom: claiming kf message id", "err", err)
			return
		}
		if !claimed {
			a.log.Info("wecom: duplicate kf message dropped", "msgid", m.MsgID)
			return
		}
	}
	msg := bot.Message{Channel: ChannelKF, ExternalUserID: key, Text: text, Role: bot.RoleCustomer,
		Time: unixOr(m.SendTime, a.opts.Now), ProviderMessageID: m.MsgID}
	offerKey := a.withChoice(&msg)
	a.log.Debug("wecom: kf message", "open_kfid", m.OpenKfID, "text", msg.Text)
	reply, err := a.opts.Handler.Handle(ctx, msg)
	if m.MsgID != "" && bot.ErrorCode(err) != bot.EINTERNAL {
		// Stored and decided: a page pulled again after a crash skips it.
		a.state.markDone(m.OpenKfID, m.MsgID)
		if err := a.state.save(); err != nil {
			a.log.Error("wecom: saving the kf state", "err", err)
		}
	}
	var out string
	switch {
	case err != nil:
		a.log.Warn("wecom: engine failed", "channel", ChannelKF, "code", bot.ErrorCode(err), "err", err)
		if bot.ErrorCode(err) == bot.EINTERNAL && m.MsgID != "" {
			// Nothing was acknowledged to the customer: a later pull may try again.
			_ = a.dedup.Release(context.WithoutCancel(ctx), claimKey)
		}
		out = bot.ErrorMessage(err)
	case chatreply.Silent(reply):
		a.offered.Remember(offerKey, reply)
		a.log.Info("wecom: no answer sent", "channel", ChannelKF, "conversation", reply.ConversationID, "action", string(reply.Action))
		return
	default:
		a.offered.Remember(offerKey, reply)
		out = a.render(reply)
	}
	switch err := a.sendKF(ctx, key, out, reply.Language); {
	case errors.Is(err, errWindowClosed):
		a.log.Warn("wecom: kf answer not sent: the customer's window closed before it was pulled",
			"conversation", reply.ConversationID, "sent_at", unixOr(m.SendTime, a.opts.Now))
	case err != nil:
		a.log.Error("wecom: sending the kf answer", "conversation", reply.ConversationID, "err", err)
	default:
		a.log.Info("wecom: answered", "channel", ChannelKF, "conversation", reply.ConversationID,
			"action", string(reply.Action), "intent", reply.Intent, "sources", len(reply.Sources))
	}
}

// windowNotice ends the last message a window allows, so that the
// customer knows why we fall silent and what to do.
func windowNotice(lang string) string {
	if lang == "zh" {
		return "\n\n（微信客服在您回复之前只允许我们发送这一条消息。如需继续，请回复任意内容，我们的同事会接着为您服务。）"
	}
	return "\n\n(WeChat lets us send no more messages until you write again. Reply with anything to continue; a colleague will take it from there.)"
}

// sendKF sends text to a kf customer within their window: it fails with
// errWindowClosed when the window is closed, and the last message a window
// allows says so.
func (a *Adapter) sendKF(ctx context.Context, key, text, lang string) error {
	openKfID, user, ok := strings.Cut(key, ":")
	if !ok || openKfID == "" || user == "" {
		return errors.New("malformed kf customer id " + key)
	}
	last, ok := a.state.reserve(key)
	if !ok {
		return errWindowClosed
	}
	if last {
		notice := windowNotice(lang)
		text = cutBytes(text, maxTextBytes-len(notice)) + notice
	}
	if err := a.api.sendKFText(ctx, a.kfSecret, openKfID, user, cutBytes(text, maxTextBytes)); err != nil {
		a.state.unreserve(key)
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == CodeKFWindow {
			return errWindowClosed
		}
		return err
	}
	if err := a.state.save(); err != nil {
		a.log.Error("wecom: saving the kf state", "err", err)
	}
	return nil
}

// sendHeld sends the agent replies held for a customer whose window was
// closed, now that they wrote again, before the answer to what they wrote.
func (a *Adapter) sendHeld(ctx context.Context, key string) {
	held := a.state.takeHeld(key)
	for i, text := range held {
		if err := a.sendKF(ctx, key, text, ""); err != nil {
			a.log.Warn("wecom: held agent reply not sent", "err", err)
			a.state.restoreHeld(key, held[i:])
			break
		}
	}
	if len(held) > 0 {
		if err := a.state.save(); err != nil {
			a.log.Error("wecom: saving the kf state", "err", err)
		}
	}
}

// unixOr converts Unix seconds, or returns now for a missing time.
func unixOr(sec int64, now func() time.Time) time.Time {
	if sec <= 0 {
		return now()
	}
	return time.Unix(sec, 0)
}
