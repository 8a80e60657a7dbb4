package alert_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// How cmd/concierge wires the alerts: sinks from the `alerts:` config, the
// store as outbox and records, Run beside the HTTP server, Kick after a reply
// that escalated, Flush on shutdown.
func ExampleDispatcher() {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, "concierge-data/concierge.db", sqlite.Options{})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	self := []string{"127.0.0.1:8080", "https://support.example.com"} // server.addr, server.public_url
	ding, err := alert.NewWebhook(alert.WebhookOptions{Name: "dingtalk",
		URL: "https://oapi.dingtalk.com/robot/send?access_token=TOKEN", Format: alert.FormatDingTalk,
		Secret: "SEC...", Self: self})
	if err != nil {
		panic(err)
	}
	mail, err := alert.NewEmail(alert.EmailOptions{Name: "sales-email", Addr: "smtp.example.com:587",
		From: "Concierge <alerts@example.com>", To: []string{"sales@example.com"}, RequireTLS: true})
	if err != nil {
		panic(err)
	}
	d, err := alert.NewDispatcher(alert.DispatcherOptions{
		Outbox: db, Records: db, Sinks: []alert.Sink{ding, mail},
		Routes:    []alert.Route{{Reasons: []string{bot.ReasonLead}, Sinks: []string{"sales-email"}}},
		PublicURL: "https://support.example.com", Logger: slog.Default(),
	})
	if err != nil {
		panic(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	go d.Run(runCtx)
	// ... after Engine.Handle returned a Reply with an EscalationID:
	d.Kick()
	// ... on shutdown, within the 10 s budget:
	stop()
	flushCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = d.Flush(flushCtx)
}
