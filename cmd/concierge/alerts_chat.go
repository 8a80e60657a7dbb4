package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/feishu"
)

// chatAdapters holds the Feishu and DingTalk adapters that alert cards
// (alerts of kind feishu and dingtalk) are posted through. Until serve
// starts a channel it is a send-only adapter built from the config, which
// is enough to post (as `concierge chat` does); once serve runs the
// channel it is the running one, so that the clicks on the cards it posts
// find them (DingTalk knows a card's escalation only from the adapter that
// posted it).
type chatAdapters struct {
	feishu   cardAdapter[*feishu.Adapter]
	dingtalk cardAdapter[*dingtalk.Adapter]
}

// notServed is the Handler of a send-only adapter: it is never registered
// or run, so it is never asked.
type notServed struct{}

func (notServed) Handle(context.Context, bot.Message) (bot.Reply, error) {
	return bot.Reply{}, errors.New("this channel is not served by this process")
}

// feishuAdapter returns the adapter alert cards go through, building a
// send-only one from cfg when there is none yet.
func (c *chatAdapters) feishuAdapter(cfg Config) (*feishu.Adapter, error) {
	return c.feishu.get(func() (*feishu.Adapter, error) {
		return feishu.New(feishuOptions(cfg, notServed{}, chatAppServices{}))
	})
}

// dingTalkAdapter is feishuAdapter for DingTalk.
func (c *chatAdapters) dingTalkAdapter(cfg Config) (*dingtalk.Adapter, error) {
	return c.dingtalk.get(func() (*dingtalk.Adapter, error) {
		return dingtalk.New(dingTalkOptions(cfg, notServed{}, chatAppServices{}))
	})
}

// serveFeishu makes the running adapter the one alert cards go through.
func (c *chatAdapters) serveFeishu(ad *feishu.Adapter) {
	if c != nil {
		c.feishu.serve(ad)
	}
}

// serveDingTalk makes the running adapter the one alert cards go through.
func (c *chatAdapters) serveDingTalk(ad *dingtalk.Adapter) {
	if c != nil {
		c.dingtalk.serve(ad)
	}
}

// cardKey is the idempotency key of one alert's card to one destination:
// the same on every retry (so the platform drops a repeat), different for
// two destinations of the same alert, and short and plain enough for both
// platforms (Feishu's uuid takes 50 characters).
func cardKey(idempotencyKey, to string) string {
	h := sha256.Sum256([]byte(idempotencyKey + "\x00" + to))
	return "concierge-" + hex.EncodeToString(h[:16])
}

// feishuAlertSink is an alert sink (kind feishu) that posts an alert card
// through the Feishu app's bot to a chat or person; escalations carry
// Acknowledge / Take over / Resolve buttons that act through the escalation
// service of the serve that runs the channel.
type feishuAlertSink struct {
	name string
	to   string // chat id oc_…, or open_id ou_…
	ads  *chatAdapters
}

// Name implements alert.Sink.
func (s feishuAlertSink) Name() string { return s.name }

// Send implements alert.Sink. Rate limits that outlast the adapter's own
// retries come back as *alert.RetryAfterError.
func (s feishuAlertSink) Send(ctx context.Context, a alert.Alert) error {
	return postAlertCard(ctx, "feishu", s.name, a, func(c alert.ChatCard) error {
		_, err := s.ads.feishu.current().PostAlert(ctx, s.to, feishu.AlertCard{Title: c.Title, Markdown: c.Markdown,
			Link: c.Link, EscalationID: c.EscalationID, Template: c.Color}, cardKey(a.IdempotencyKey, s.to))
		return err
	}, func(err error) bool {
		var ae *feishu.APIError
		return errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || ae.Code == 99991400)
	})
}

// dingTalkAlertSink is an alert sink (kind dingtalk) that posts an
// interactive card through the DingTalk app's robot to a group
// (openConversationId) or a person ("user:<userId>"); the buttons of an
// escalation's card act through the escalation service when serve runs the
// channel in Stream mode (DingTalk sends card clicks only over Stream).
type dingTalkAlertSink struct {
	name string
	to   string
	ads  *chatAdapters
}

// Name implements alert.Sink.
func (s dingTalkAlertSink) Name() string { return s.name }

// Send implements alert.Sink.
func (s dingTalkAlertSink) Send(ctx context.Context, a alert.Alert) error {
	return postAlertCard(ctx, "dingtalk", s.name, a, func(c alert.ChatCard) error {
		return s.ads.dingtalk.current().PostAlert(ctx, s.to, dingtalk.AlertCard{Title: c.Title, Markdown: c.Markdown,
			Link: c.Link, EscalationID: c.EscalationID}, cardKey(a.IdempotencyKey, s.to))
	}, func(err error) bool {
		var ae *dingtalk.APIError
		return errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || strings.HasPrefix(ae.Code, "Throttling"))
	})
}

// cardAdapter holds the adapter of one chat app that alert cards are posted
// through (see chatAdapters). Its zero value holds none. It is safe for
// concurrent use.
type cardAdapter[A any] struct {
	mu  sync.RWMutex
	ad  A
	set bool
}

// get returns the held adapter, building (and holding) one with build when
// there is none yet.
func (h *cardAdapter[A]) get(build func() (A, error)) (A, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.set {
		ad, err := build()
		if err != nil {
			return ad, err
		}
		h.ad, h.set = ad, true
	}
	return h.ad, nil
}

// serve makes ad, the running adapter, the one held.
func (h *cardAdapter[A]) serve(ad A) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ad, h.set = ad, true
}

// current returns the held adapter.
func (h *cardAdapter[A]) current() A {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.ad
}

// postAlertCard posts alert a as a card through post, for the sink of kind
// kind named name. A failure that rateLimited recognises comes back as
// *alert.RetryAfterError, so the outbox tries again in a minute.
func postAlertCard(ctx context.Context, kind, name string, a alert.Alert, post func(alert.ChatCard) error, rateLimited func(error) bool) error {
	if err := post(alert.NewChatCard(a)); err != nil {
		err = fmt.Errorf("alert: %s %s: %w", kind, name, err)
		if rateLimited(err) {
			return &alert.RetryAfterError{After: time.Minute, Err: err}
		}
		return err
	}
	return nil
}
