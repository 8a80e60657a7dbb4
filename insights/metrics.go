package insights

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/concierge-bot/concierge/bot"
)

// Handler handles one inbound message; *bot.Engine satisfies it.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, m bot.Message) (bot.Reply, error)

// Handle calls f(ctx, m).
func (f HandlerFunc) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) { return f(ctx, m) }

// EscalationLookup finds an escalation by id, so the metrics can label an
// escalation with its reason; *storage.DB satisfies it.
type EscalationLookup interface {
	Escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error)
}

// Label values used when a real value is outside the bounded label sets.
const (
	// LabelOther replaces a channel, intent or reason that is not in the
	// configured set.
	LabelOther = "other"
	// LabelError is the outcome of a message the handler failed on.
	LabelError = "error"
	// LabelUnknown is the reason of an escalation whose reason could not be
	// looked up.
	LabelUnknown = "unknown"
)

// MetricsOptions configures NewMetrics. Registerer is required.
type MetricsOptions struct {
	// Registerer receives the collectors. Required; pass a
	// prometheus.NewRegistry(), never the global default.
	Registerer prometheus.Registerer
	// Channels are the channel label values; any other channel is "other".
	// Default: web, api, slack, terminal.
	Channels []string
	// Intents are the company's intent names; any other intent is "other".
	// The Engine's own intents (greeting, complaint, oos, csat_rating, …)
	// are always included.
	Intents []string
	// Escalations, optional, looks up an escalation's reason. Without it,
	// escalations are labelled "lead" for a sales lead and "unknown"
	// otherwise, because bot.Reply does not carry the reason.
	Escalations EscalationLookup
	// Logger receives lookup failures at Warn level. Default: discard.
	Logger *slog.Logger
}

// Metrics are the Prometheus counters behind the insights, with bounded
// labels: channel (a fixed set plus "other"), intent (the configured set
// plus "other"), outcome (a bot.Action or "error") and escalation reason
// (the Engine's reasons plus "other" and "unknown"). It is safe for
// concurrent use.
type Metrics struct {
	messages    *prometheus.CounterVec
	escalations *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	channels    []string
	intents     []string
	lookup      EscalationLookup
	log         *slog.Logger
}

// engineIntents are the intents the Engine itself gives a meaning to.
var engineIntents = []string{bot.IntentOutOfScope, bot.IntentGreeting, bot.IntentGoodbye, bot.IntentThanks, bot.IntentAboutBot,
	bot.IntentAskHuman, bot.IntentComplaint, bot.IntentPurchase, bot.IntentOrderStatus, bot.IntentRefundRequest,
	bot.IntentRating}

// reasons are the escalation reasons the Engine records.
var reasons = []string{bot.ReasonComplaint, bot.ReasonRequestedHuman, bot.ReasonEscalationWords,
	bot.ReasonRepeatedFailure, bot.ReasonNegativeTrend, bot.ReasonLead, bot.ReasonVIP}

// outcomes are the outcome label values.
var outcomes = []string{string(bot.ActionSmallTalk), string(bot.ActionAnswer), string(bot.ActionClarify),
	string(bot.ActionEscalate), string(bot.ActionLead), string(bot.ActionRelay), string(bot.ActionHold), LabelError}

// maxLabelValues bounds a configured label set, so a misconfiguration
// cannot explode the number of series.
const maxLabelValues = 200

// NewMetrics creates the collectors and registers them on
// opts.Registerer:
//
//   - concierge_messages_total{channel,intent,outcome}: messages handled;
//   - concierge_escalations_total{channel,reason}: messages that opened an
//     escalation (sales leads included, reason "lead");
//   - concierge_message_duration_seconds{channel}: time to handle a message.
//
// It fails when Registerer is nil, a label set is too large, or the
// collectors are already registered there.
func NewMetrics(opts MetricsOptions) (*Metrics, error) {
	if opts.Registerer == nil {
		return nil, errors.New("insights: NewMetrics: Registerer is required")
	}
	if opts.Channels == nil {
		opts.Channels = wellKnownChannels
	}
	if len(opts.Channels) > maxLabelValues || len(opts.Intents) > maxLabelValues {
		return nil, fmt.Errorf("insights: NewMetrics: at most %d channels and %d intents can be labels", maxLabelValues, maxLabelValues)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	intents := slices.Concat(engineIntents, opts.Intents)
	slices.Sort(intents)
	m := &Metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_messages_total",
			Help: "Inbound messages handled, by channel, classified intent and outcome (the action of the reply, or error).",
		}, []string{"channel", "intent", "outcome"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "concierge_escalations_total",
			Help: "Messages that opened an escalation, by channel and reason (lead = passed to sales).",
		}, []string{"channel", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "concierge_message_duration_seconds",
			Help:    "Time to handle one inbound message, by channel.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel"}),
		channels: slices.Clone(opts.Channels),
		intents:  slices.Compact(intents),
		lookup:   opts.Escalations,
		log:      opts.Logger,
	}
	for _, c := range []prometheus.Collector{m.messages, m.escalations, m.duration} {
		if err := opts.Registerer.Register(c); err != nil {
			return nil, fmt.Errorf("insights: NewMetrics: %w", err)
		}
	}
	return m, nil
}

// bound returns v when it is in set, else LabelOther.
func bound(v string, set []string) string {
	if slices.Contains(set, v) {
		return v
	}
	return LabelOther
}

// Channel returns the label value of a channel name.
func (m *Metrics) Channel(name string) string { return bound(name, m.channels) }

// Intent returns the label value of an intent name.
func (m *Metrics) Intent(name string) string { return bound(name, m.intents) }

// Observe records one handled message: its channel, the reply (or the
// error) and how long handling took. An escalation opened by the message
// (reply.EscalationID set) is counted with its reason.
func (m *Metrics) Observe(ctx context.Context, channel string, reply bot.Reply, err error, took time.Duration) {
	ch := m.Channel(channel)
	m.duration.WithLabelValues(ch).Observe(took.Seconds())
	if err != nil {
		m.messages.WithLabelValues(ch, m.Intent(reply.Intent), LabelError).Inc()
		return
	}
	m.messages.WithLabelValues(ch, m.Intent(reply.Intent), bound(string(reply.Action), outcomes)).Inc()
	if reply.EscalationID != 0 {
		m.escalations.WithLabelValues(ch, m.reason(ctx, reply)).Inc()
	}
}

// reason returns the bounded reason label of the escalation a reply opened.
func (m *Metrics) reason(ctx context.Context, reply bot.Reply) string {
	if m.lookup != nil {
		e, err := m.lookup.Escalation(ctx, reply.EscalationID)
		if err == nil {
			return bound(e.Reason, reasons)
		}
		m.log.Warn("metrics: look up escalation reason", "escalation", reply.EscalationID, "err", err)
	}
	if reply.Action == bot.ActionLead {
		return bot.ReasonLead
	}
	return LabelUnknown
}

// Instrument returns a Handler that passes each message to h and records it
// in m. It does not change h's replies or errors.
func Instrument(h Handler, m *Metrics) Handler {
	return HandlerFunc(func(ctx context.Context, msg bot.Message) (bot.Reply, error) {
		start := time.Now()
		reply, err := h.Handle(ctx, msg)
		m.Observe(ctx, msg.Channel, reply, err, time.Since(start))
		return reply, err
	})
}
