package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// This file holds what serve and the alert sinks do alike for every chat
// app (WeCom, Feishu, DingTalk): the services an adapter reaches through
// the app, running an adapter beside the HTTP server, the adapter alert
// cards go through, and posting one card.

// escalationButtons is what the Feishu and DingTalk adapters need of the
// escalation service for the buttons of alert cards.
type escalationButtons interface {
	Acknowledge(ctx context.Context, escalationID bot.EscalationID, agent string) error
	TakeOver(ctx context.Context, escalationID bot.EscalationID, agent string) error
	Resolve(ctx context.Context, escalationID bot.EscalationID, agent string) error
}

// chatAppServices are what a chat adapter reaches through the app. The zero
// value is that of a send-only adapter, which only posts alert cards.
type chatAppServices struct {
	log         *slog.Logger      // nil: the adapter's default (discard)
	customers   storage.Store     // nil: Deliver reaches only people seen since start
	escalations escalationButtons // nil: alert buttons answer "not available"
}

// chatAppServices returns the services of a served chat adapter, logging to
// log.
func (a *app) chatAppServices(log *slog.Logger) chatAppServices {
	s := chatAppServices{log: log, customers: a.store}
	if a.handoff != nil { // a nil *escalation.Service would be a non-nil interface
		s.escalations = a.handoff
	}
	return s
}

// chatAppError is the config error of an adapter's New error: it names the
// config section and where it was set.
func chatAppError(cfg Config, section string, err error) error {
	return configError{explain(err, "%s: %s%s", section, strings.TrimPrefix(err.Error(), section+": New: "), cfg.origin(section))}
}

// chatApp is a chat adapter as serve runs it.
type chatApp interface {
	Register(mux *http.ServeMux)
	Run(ctx context.Context) error
}

// runChatApp mounts ad's endpoints on mux and runs it in the background;
// an error it ends with is logged as "<section> stopped". The returned stop
// ends its intake, waits for it to drain what it accepted and returns; call
// it after the HTTP server has shut down.
func runChatApp(ctx context.Context, section string, ad chatApp, mux *http.ServeMux, log *slog.Logger) (stop func()) {
	ad.Register(mux)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := ad.Run(runCtx); err != nil {
			log.Error(section+" stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
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

// validateAPIURL checks the api_url of a chat app's config section: empty
// (the platform's own) or an absolute http(s) URL; like is the example the
// message gives.
func validateAPIURL(section, apiURL, like string) error {
	if apiURL == "" {
		return nil
	}
	if u, err := url.Parse(apiURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s.api_url %q must be an http or https URL, like %s", section, apiURL, like)
	}
	return nil
}

// validateCustomerChats checks the customer_chats of a chat app's config
// section, where ids says what to list: "chat ids (oc_…)".
func validateCustomerChats(section string, chats []string, ids string) error {
	for i, c := range chats {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("%s.customer_chats[%d] is empty: list the %s of the groups whose members are customers", section, i, ids)
		}
	}
	return nil
}
