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

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "requests_total",
			Help: "Language-model calls by operation and outcome (after retries).",
		}, []string{"op", "outcome"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "attempts_total",
			Help: "HTTP attempts to the model provider by operation and status class.",
		}, []string{"op", "status"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "tokens_total",
			Help: "Tokens reported by the provider, by operation and kind (prompt, completion).",
		}, []string{"op", "kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "request_duration_seconds",
			Help:    "Duration of language-model calls including retries, by operation.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16},
		}, []string{"op"}),
		circuit: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "circuit_open",
			Help: "1 while the circuit breaker is open (calls fail fast to the retrieval answer).",
		}),
		budget: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "budget_remaining_tokens",
			Help: "Tokens left in today's budget (-1 when unlimited).",
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "concierge", Subsystem: "llm", Name: "answers_total",
			Help: "Grounded answers by result: answered, refused (no support in the passages), rejected (bad output).",
		}, []string{"result"}),
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
