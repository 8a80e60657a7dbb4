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
	mu       sync.RWMutex
	feishu   *feishu.Adapter
	dingtalk *dingtalk.Adapter
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.feishu == nil {
		ad, err := feishu.New(feishuOptions(cfg, notServed{}))
		if err != nil {
			return nil, err
		}
		c.feishu = ad
	}
	return c.feishu, nil
}

// dingTalkAdapter is feishuAdapter for DingTalk.
func (c *chatAdapters) dingTalkAdapter(cfg Config) (*dingtalk.Adapter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dingtalk == nil {
		ad, err := dingtalk.New(dingTalkOptions(cfg, notServed{}))
		if err != nil {
			return nil, err
		}
		c.dingtalk = ad
	}
	return c.dingtalk, nil
}

// serveFeishu makes the running adapter the one alert cards go through.
func (c *chatAdapters) serveFeishu(ad *feishu.Adapter) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.feishu = ad
}

// serveDingTalk makes the running adapter the one alert cards go through.
func (c *chatAdapters) serveDingTalk(ad *dingtalk.Adapter) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dingtalk = ad
}

func (c *chatAdapters) currentFeishu() *feishu.Adapter {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.feishu
}

func (c *chatAdapters) currentDingTalk() *dingtalk.Adapter {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.dingtalk
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
	c := alert.NewChatCard(a)
	_, err := s.ads.currentFeishu().PostAlert(ctx, s.to, feishu.AlertCard{Title: c.Title, Markdown: c.Markdown,
		Link: c.Link, EscalationID: c.EscalationID, Template: c.Color}, cardKey(a.IdempotencyKey, s.to))
	if err != nil {
		var ae *feishu.APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || ae.Code == 99991400) {
			return &alert.RetryAfterError{After: time.Minute, Err: fmt.Errorf("alert: feishu %s: %w", s.name, err)}
		}
		return fmt.Errorf("alert: feishu %s: %w", s.name, err)
	}
	return nil
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
	c := alert.NewChatCard(a)
	err := s.ads.currentDingTalk().PostAlert(ctx, s.to, dingtalk.AlertCard{Title: c.Title, Markdown: c.Markdown,
		Link: c.Link, EscalationID: c.EscalationID}, cardKey(a.IdempotencyKey, s.to))
	if err != nil {
		var ae *dingtalk.APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusTooManyRequests || strings.HasPrefix(ae.Code, "Throttling")) {
			return &alert.RetryAfterError{After: time.Minute, Err: fmt.Errorf("alert: dingtalk %s: %w", s.name, err)}
		}
		return fmt.Errorf("alert: dingtalk %s: %w", s.name, err)
	}
	return nil
}
