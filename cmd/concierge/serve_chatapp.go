package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/storage"
)

// This file holds what serve does alike for every chat app (WeCom, Feishu,
// DingTalk): the services an adapter reaches through the app, its config
// error, and running it beside the HTTP server.

// chatAppServices are what a chat adapter reaches through the app. The zero
// value is that of a send-only adapter, which only posts alert cards.
type chatAppServices struct {
	log       *slog.Logger  // nil: the adapter's default (discard)
	customers storage.Store // nil: Deliver reaches only people seen since start
	// escalations carries out the buttons of alert cards: the one
	// contract the chat adapters share (feishu.EscalationActions is the
	// same type). nil: alert buttons answer "not available".
	escalations dingtalk.EscalationActions
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
