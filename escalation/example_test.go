package escalation_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// How cmd/concierge wires the handoff: the store as the Engine's customer
// directory and ratings, the Service behind the Slack buttons and the
// console, and the periodic checks beside the alert Dispatcher.
func Example() {
	ctx := context.Background()
	log := slog.Default()
	db, err := sqlite.Open(ctx, "concierge-data/concierge.db", sqlite.Options{Alerts: alert.Protocol{}})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	var d *alert.Dispatcher // built from the `alerts:` config, see alert.ExampleDispatcher

	// The Engine: VIP trigger, lead value, holding message, ratings.
	_ = bot.EngineOptions{
		Store:     alert.KickOnAlert(db, d), // or escalation.RelayTo(..., slackRelayer, log)
		Customers: db, Ratings: db,
		ExpectedWait:        15 * time.Minute, // escalation.expected_wait
		LeadEscalationValue: 2000,             // escalation.lead_value
	}

	// The Service: slack.Options.Escalations and the console.
	svc, err := escalation.New(escalation.Options{Store: db, Logger: log,
		Deliverers:  map[string]escalation.Deliverer{ /* "slack": the Slack adapter's deliverer */ },
		IdleTimeout: 24 * time.Hour, SLA: 15 * time.Minute}) // escalation.idle_timeout, escalation.sla
	if err != nil {
		panic(err)
	}
	// The watchers decide; alert.Queue turns their decisions into alerts.
	alerts := alert.Queue{Outbox: db, Realerts: db, Kick: d.Kick}
	sla, err := escalation.NewSLA(escalation.SLAOptions{Store: db, Alerts: alerts, Logger: log,
		SLA: 15 * time.Minute, Next: []string{"duty manager", "head of support"}}) // escalation.sla, escalation.next
	if err != nil {
		panic(err)
	}
	spikes, err := escalation.NewSpikes(escalation.SpikeOptions{Source: db, Alerts: alerts, Logger: log})
	if err != nil {
		panic(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	go escalation.Watch(runCtx, 30*time.Second, log,
		func(ctx context.Context) error { _, err := sla.Check(ctx); return err },
		func(ctx context.Context) error { _, err := spikes.Check(ctx); return err },
		func(ctx context.Context) error { _, err := svc.ResolveIdle(ctx); return err },
	)
	// ... on shutdown, before the Dispatcher's Flush:
	stop()
}
