package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/storage"
)

// newDispatcher builds the alert sinks of the config and the outbox
// dispatcher that delivers to them. It returns nil when no alerts are
// configured: escalations are then only recorded (and shown in the console).
// Alerts of kind feishu and dingtalk go through the adapters in ads.
func newDispatcher(cfg Config, db storage.Store, log *slog.Logger, reg prometheus.Registerer, ads *chatAdapters) (*alert.Dispatcher, error) {
	if len(cfg.Alerts) == 0 {
		return nil, nil
	}
	self := []string{cfg.Server.Addr}
	if cfg.Server.PublicURL != "" {
		self = append(self, cfg.Server.PublicURL)
	}
	var (
		sinks  []alert.Sink
		routes []alert.Route
	)
	for i, ac := range cfg.Alerts {
		sink, err := newSink(cfg, ac, self, ads)
		if err != nil {
			return nil, fmt.Errorf("alerts[%d] (%s): %w", i, ac.name(), err)
		}
		sinks = append(sinks, sink)
		// Every sink has a route, so routes select exactly their sinks.
		routes = append(routes, alert.Route{Reasons: ac.Reasons, MinSeverity: ac.MinSeverity, Sinks: []string{sink.Name()}})
	}
	site, err := siteOf(cfg)
	if err != nil {
		return nil, err
	}
	d, err := alert.NewDispatcher(alert.DispatcherOptions{
		Outbox: db, Records: db, Sinks: sinks, Routes: routes, Company: site.Name.In("en"),
		PublicURL: cfg.Server.linkBase(), Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("alert dispatcher: %w", err)
	}
	return d, nil
}

func newSink(cfg Config, ac AlertConfig, self []string, ads *chatAdapters) (alert.Sink, error) {
	switch ac.Kind {
	case "feishu":
		if _, err := ads.feishuAdapter(cfg); err != nil {
			return nil, err
		}
		return feishuAlertSink{name: ac.name(), to: strings.TrimSpace(ac.To), ads: ads}, nil
	case "dingtalk":
		if _, err := ads.dingTalkAdapter(cfg); err != nil {
			return nil, err
		}
		return dingTalkAlertSink{name: ac.name(), to: strings.TrimSpace(ac.To), ads: ads}, nil
	case "webhook":
		return alert.NewWebhook(alert.WebhookOptions{Name: ac.name(), URL: ac.URL, Format: ac.Format, Secret: ac.Secret, Self: self})
	case "slack":
		return alert.NewSlack(alert.SlackOptions{Name: ac.name(), Token: cfg.Slack.BotToken, Channel: ac.To, APIURL: cfg.Slack.APIURL})
	case "email":
		u, err := url.Parse(ac.URL) // validated
		if err != nil {
			return nil, err
		}
		var to []string
		for _, t := range strings.Split(ac.To, ",") {
			if t = strings.TrimSpace(t); t != "" {
				to = append(to, t)
			}
		}
		return alert.NewEmail(alert.EmailOptions{Name: ac.name(), Addr: u.Host, From: ac.From, To: to,
			Username: ac.Username, Password: ac.Password, ImplicitTLS: u.Scheme == "smtps"})
	}
	return nil, fmt.Errorf("unknown kind %q", ac.Kind)
}
