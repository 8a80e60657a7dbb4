package llm

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Operations and outcomes used as metric labels; both sets are fixed.
const (
	opChat   = "chat"
	opEmbed  = "embed"
	opModels = "models"

	outcomeOK          = "ok"
	outcomeError       = "error"
	outcomeTimeout     = "timeout"
	outcomeRateLimited = "rate_limited"
	outcomeCircuitOpen = "circuit_open"
	outcomeBudget      = "budget"
	outcomeBadResponse = "bad_response"
)

type metrics struct {
	requests *prometheus.CounterVec   // op, outcome: one per logical call
	attempts *prometheus.CounterVec   // op, status: one per HTTP attempt
	tokens   *prometheus.CounterVec   // op, kind (prompt|completion)
	latency  *prometheus.HistogramVec // op: per logical call, seconds
	circuit  prometheus.Gauge
	budget   prometheus.Gauge
	answers  *prometheus.CounterVec // result: answered|refused|rejected
}

// metricOpts names a metric of this package, concierge_llm_<name>, with its help.
func metricOpts(name, help string) prometheus.Opts {
	return prometheus.Opts{Namespace: "concierge", Subsystem: "llm", Name: name, Help: help}
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts(metricOpts("requests_total",
			"Language-model calls by operation and outcome (after retries).")), []string{"op", "outcome"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts(metricOpts("attempts_total",
			"HTTP attempts to the model provider by operation and status class.")), []string{"op", "status"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts(metricOpts("tokens_total",
			"Tokens reported by the provider, by operation and kind (prompt, completion).")), []string{"op", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "request_duration_seconds",
			Help:    "Duration of language-model calls including retries, by operation.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16},
		}, []string{"op"}),
		circuit: prometheus.NewGauge(prometheus.GaugeOpts(metricOpts("circuit_open",
			"1 while the circuit breaker is open (calls fail fast to the retrieval answer)."))),
		budget: prometheus.NewGauge(prometheus.GaugeOpts(metricOpts("budget_remaining_tokens",
			"Tokens left in today's budget (-1 when unlimited)."))),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts(metricOpts("answers_total",
			"Grounded answers by result: answered, refused (no support in the passages), rejected (bad output).")),
			[]string{"result"}),
	}
	m.budget.Set(-1)
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.attempts, m.tokens, m.latency, m.circuit, m.budget, m.answers} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, fmt.Errorf("llm: metrics already registered (one Client per Registerer): %w", err)
			}
			return nil, fmt.Errorf("llm: register metrics: %w", err)
		}
	}
	return m, nil
}
