package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/concierge-bot/concierge/channels/dingtalk"
)

// dingTalkOptions are the adapter options of the dingtalk section.
func dingTalkOptions(cfg Config, handler dingtalk.Handler, s chatAppServices) dingtalk.Options {
	d := cfg.DingTalk
	return dingtalk.Options{
		AppKey: d.AppKey, AppSecret: d.AppSecret, RobotCode: d.RobotCode, Stream: d.Stream,
		CustomerChats: d.CustomerChats, APIURL: d.APIURL,
		PublicURL: cfg.Server.linkBase(), Handler: handler,
		Logger: s.log, Customers: s.customers, Escalations: s.escalations,
	}
}

// startDingTalk mounts POST /dingtalk/callback on mux and, with stream,
// opens the Stream connection when the config has a dingtalk section; it
// makes the adapter the escalation service's Deliverer for channel
// "dingtalk" (so agents' replies reach the customer there) and the poster
// of alert cards of kind dingtalk (so their buttons, whose clicks come over
// Stream, act through the escalation service), and starts answering. The
// returned stop ends intake, drains what was accepted and returns; call it
// after the HTTP server has shut down. Without a dingtalk section it does
// nothing. It must run before the app's workers start: they read the
// Deliverers.
func startDingTalk(ctx context.Context, cfg Config, a *app, handler messageHandler, mux *http.ServeMux, log *slog.Logger) (stop func(), err error) {
	d := cfg.DingTalk
	if !d.on() {
		return func() {}, nil
	}
	return startCardChatApp(ctx, cfg, a, mux, log, cardChatAppStart[*dingtalk.Adapter]{
		section: "dingtalk", channel: dingtalk.Channel,
		build: func(s chatAppServices) (*dingtalk.Adapter, error) {
			return dingtalk.New(dingTalkOptions(cfg, handler, s))
		},
		hold:    a.chats.serveDingTalk,
		started: "dingtalk: callback at /dingtalk/callback", startedArgs: []any{"app", d.AppKey, "stream", d.Stream},
	})
}
