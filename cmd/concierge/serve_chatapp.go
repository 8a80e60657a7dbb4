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

// chatAppStarter starts one chat app beside the HTTP server when the config
// has its section, with h as the adapter's Handler, and returns the stop
// that ends its intake and drains what it accepted (a no-op without the
// section). A config the adapter refuses is the section's config error
// (chatAppError). startWeCom, startFeishu and startDingTalk are ones.
type chatAppStarter func(ctx context.Context, cfg Config, a *app, h messageHandler, mux *http.ServeMux, log *slog.Logger) (stop func(), err error)

// startChatApps starts the chat apps (WeCom, Feishu, DingTalk, in that
// order) that the config has sections for, each with h as its Handler. The
// returned stop stops them in the reverse order; call it after the HTTP
// server has shut down. When one fails to start, those already started are
// stopped and its error is returned. It must run before the app's workers
// start: they read the Deliverers.
func startChatApps(ctx context.Context, cfg Config, a *app, h messageHandler, mux *http.ServeMux, log *slog.Logger) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for _, start := range []chatAppStarter{startWeCom, startFeishu, startDingTalk} {
		s, err := start(ctx, cfg, a, h, mux, log)
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, s)
	}
	return stop, nil
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

// cardChatApp is a chat adapter that also reaches a customer by record id
// and posts alert cards: Feishu's and DingTalk's.
type cardChatApp interface {
	chatApp
	customerDeliverer
}

// cardChatAppStart says how startCardChatApp starts one such chat app.
type cardChatAppStart[A cardChatApp] struct {
	section string                           // its config section, which also prefixes what it logs
	channel string                           // the channel whose Deliverer it becomes
	build   func(chatAppServices) (A, error) // its New, with the section's options and the given services
	hold    func(A)                          // makes it the adapter alert cards go through
	started string                           // logged at Info, with startedArgs, once it is built
	// startedArgs are the key-value pairs logged with started.
	startedArgs []any
}

// startCardChatApp is what serve does alike for Feishu and DingTalk once
// the config has the section: it builds the adapter with the app's
// services (a build error is the section's config error, chatAppError),
// makes it the escalation service's Deliverer for the channel (so agents'
// replies reach the customer there) and the adapter alert cards go through
// (so their buttons act through the escalation service), logs that it
// started, and runs it beside the HTTP server (runChatApp), whose stop it
// returns. It must run before the app's workers start: they read the
// Deliverers.
func startCardChatApp[A cardChatApp](ctx context.Context, cfg Config, a *app, mux *http.ServeMux, log *slog.Logger, s cardChatAppStart[A]) (stop func(), err error) {
	ad, err := s.build(a.chatAppServices(log))
	if err != nil {
		return nil, chatAppError(cfg, s.section, err)
	}
	a.deliverers[s.channel] = chatDeliverer{ad}
	s.hold(ad)
	log.Info(s.started, s.startedArgs...)
	return runChatApp(ctx, s.section, ad, mux, log), nil
}
