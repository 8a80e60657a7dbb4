package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/escalation"
)

// weComStateFile keeps the adapter's kf cursors and reply windows in the
// data directory.
const weComStateFile = "wecom-kf.json"

// startWeCom mounts WeCom's callbacks (/wecom/callback, /wecom/kf/callback)
// on mux when the config has a wecom section, makes it the escalation
// service's Deliverer for channels "wecom" and "wecom_kf" (so agents'
// replies reach the customer there), and starts answering. The returned
// stop ends intake, drains what was accepted and returns; call it after
// the HTTP server has shut down. Without a wecom section it does nothing.
// It must run before the app's workers start: they read the Deliverers.
func startWeCom(ctx context.Context, cfg Config, a *app, handler messageHandler, mux *http.ServeMux, log *slog.Logger) (stop func(), err error) {
	w := cfg.WeCom
	if !w.on() {
		return func() {}, nil
	}
	ad, err := wecom.New(wecom.Options{
		CorpID: w.CorpID, AgentID: w.AgentID, Secret: w.Secret, Token: w.Token, EncodingAESKey: w.EncodingAESKey,
		KFSecret: w.KFSecret, CustomerChats: w.CustomerChats, APIURL: w.APIURL,
		PublicURL: cfg.Server.linkBase(),
		StateFile: filepath.Join(cfg.DataDir, weComStateFile),
		Handler:   handler, Customers: a.store, Logger: log,
	})
	if err != nil {
		return nil, chatAppError(cfg, "wecom", err)
	}
	d := weComDeliverer{ad}
	a.deliverers[wecom.ChannelApp] = d
	a.deliverers[wecom.ChannelKF] = d
	log.Info("wecom: callbacks at /wecom/callback and /wecom/kf/callback", "corp", w.CorpID,
		"app", w.Secret != "", "kf", w.KFSecret != "" || w.Secret != "")
	return runChatApp(ctx, "wecom", ad, mux, log), nil
}

// weComDeliverer delivers agents' replies and rating questions through the
// WeCom adapter: it is the escalation service's Deliverer for its channels.
type weComDeliverer struct{ a *wecom.Adapter }

// Deliver implements escalation.Deliverer.
func (d weComDeliverer) Deliver(ctx context.Context, x escalation.Delivery) error {
	if err := d.a.Deliver(ctx, wecom.Delivery{Channel: x.Channel, ConversationID: int64(x.ConversationID),
		CustomerID: x.CustomerID, MessageID: x.MessageID, Text: x.Text}); err != nil {
		return fmt.Errorf("wecom: %w", err)
	}
	return nil
}
