package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/concierge-bot/concierge/channels/feishu"
)

// feishuOptions are the adapter options of the feishu section.
func feishuOptions(cfg Config, handler feishu.Handler, s chatAppServices) feishu.Options {
	f := cfg.Feishu
	return feishu.Options{
		AppID: f.AppID, AppSecret: f.AppSecret, VerificationToken: f.VerificationToken, EncryptKey: f.EncryptKey,
		LongConnection: f.LongConnection, CustomerChats: f.CustomerChats, APIURL: f.APIURL,
		PublicURL: cfg.Server.linkBase(), Handler: handler,
		Logger: s.log, Customers: s.customers, Escalations: s.escalations,
	}
}

// startFeishu mounts POST /feishu/events on mux (with an encrypt key) and
// opens the long connection (with long_connection) when the config has a
// feishu section, makes the adapter the escalation service's Deliverer for
// channel "feishu" (so agents' replies reach the customer there) and the
// poster of alert cards of kind feishu (so their buttons act through the
// escalation service), and starts answering. The returned stop ends
// intake, drains what was accepted and returns; call it after the HTTP
// server has shut down. Without a feishu section it does nothing. It must
// run before the app's workers start: they read the Deliverers.
func startFeishu(ctx context.Context, cfg Config, a *app, handler messageHandler, mux *http.ServeMux, log *slog.Logger) (stop func(), err error) {
	f := cfg.Feishu
	if !f.on() {
		return func() {}, nil
	}
	return startCardChatApp(ctx, cfg, a, mux, log, cardChatAppStart[*feishu.Adapter]{
		section: "feishu", channel: feishu.Channel,
		build: func(s chatAppServices) (*feishu.Adapter, error) {
			return feishu.New(feishuOptions(cfg, handler, s))
		},
		hold:    a.chats.serveFeishu,
		started: "feishu: started", startedArgs: []any{"app", f.AppID, "http_events", f.EncryptKey != "", "long_connection", f.LongConnection},
	})
}
