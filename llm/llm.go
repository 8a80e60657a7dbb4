// Package llm is Concierge's optional language-model tier: it composes
// grounded answers from retrieved passages, summarises conversations for
// agents and embeds text for semantic search, with any OpenAI-compatible
// endpoint (OpenAI, Ollama, vLLM, llama.cpp server, hosted gateways) through
// github.com/sashabaranov/go-openai.
//
// The tier is built to fail safe. Every call has a deadline, is retried a
// bounded number of times on 429 and 5xx with backoff, and goes through a
// circuit breaker that fails fast after repeated failures and recovers by
// itself; responses are read up to a size limit; a per-day token budget caps
// spending. Any error is returned to the caller (the bot.Engine), which then
// answers from retrieval, so a slow or broken provider never stops the bot.
//
// Before any text leaves the process, contact data (emails, phone numbers,
// optionally order numbers) is replaced by placeholders, which are restored
// in the reply. Customer text is placed between delimiters the customer cannot
// forge and the model is told it is data, never instructions. Passages for a
// customer must be public: the client refuses to send an internal one.
// Replies are checked: citations must name passages that were given, the
// reply must be in the requested language, and a refusal marker turns into a
// polite offer of a human.
package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	openai "github.com/sashabaranov/go-openai"

	"github.com/concierge-bot/concierge/bot"
)

// Errors a Client returns, for errors.Is. Every error from Generate means
// "answer from retrieval instead".
var (
	// ErrCircuitOpen: recent calls failed; calls fail fast until the
	// cool-down has passed.
	ErrCircuitOpen = errors.New("llm: circuit open after repeated provider failures")
	// ErrBudgetExhausted: today's token budget is spent.
	ErrBudgetExhausted = errors.New("llm: daily token budget exhausted")
	// ErrBadResponse: the provider answered something unusable: not JSON
	// (an HTML page), too large, empty, truncated or malformed.
	ErrBadResponse = errors.New("llm: bad response from provider")
	// ErrInventedSource: the reply cites a passage number it was not given,
	// or cites none.
	ErrInventedSource = errors.New("llm: reply cites passages it was not given")
	// ErrWrongLanguage: the reply is not in the requested language.
	ErrWrongLanguage = errors.New("llm: reply in the wrong language")
	// ErrInternalPassage: an internal passage was offered for a customer;
	// nothing was sent.
	ErrInternalPassage = errors.New("llm: internal passage refused for a customer")
	// ErrNoPassages: there is nothing to ground an answer in.
	ErrNoPassages = errors.New("llm: no passages to answer from")
	// ErrUnavailable: the provider failed (network error, 429 or 5xx after
	// retries, or another error status).
	ErrUnavailable = errors.New("llm: provider unavailable")
	// ErrTimeout: the provider did not answer within the deadline.
	ErrTimeout = errors.New("llm: provider timed out")
)

// Options configures a Client. BaseURL and Model are required; every other
// field has a default.
type Options struct {
	// BaseURL is the OpenAI-compatible API root, e.g.
	// http://localhost:11434/v1 (Ollama) or https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// Model names the chat model; EmbeddingModel the embedding model
	// (optional: Embed fails without it).
	Model, EmbeddingModel string
	// Timeout bounds one HTTP attempt. Default 8s. The caller's context
	// bounds the whole call including retries.
	Timeout time.Duration
	// MaxTokens caps a completion. Default 400.
	MaxTokens int
	// Temperature of the chat model; 0 means 0.2.
	Temperature float64
	// DailyTokenBudget caps prompt+completion tokens per calendar day (of
	// Now); <= 0 means unlimited.
	DailyTokenBudget int
	// Prompts, optional, is a company's prompt directory: a file named like
	// a built-in prompt (AnswerPrompt, SummaryPrompt, RefusalPrompt)
	// replaces it.
	Prompts fs.FS
	// MaskOrderNumbers, optional, matches the company's order numbers,
	// which are then masked like contact data.
	MaskOrderNumbers *regexp.Regexp
	// Company is the company's name, used in the prompts; optional.
	Company string
	// Stream, when true, asks for chat completions as server-sent events and
	// assembles them; a stream that never ends is cut at the deadline.
	Stream bool
	// MaxRetries is the number of retries after a 429, 5xx, network error or
	// attempt timeout. Default 2; negative means none.
	MaxRetries int
	// Backoff is the first retry delay, doubled on each retry, with jitter.
	// Default 250ms.
	Backoff time.Duration
	// BreakerThreshold is the number of consecutive failed calls that opens
	// the circuit. Default 5.
	BreakerThreshold int
	// BreakerCoolDown is how long the circuit stays open before one probe
	// call is let through. Default 30s.
	BreakerCoolDown time.Duration
	// MaxResponseBytes limits how much of one response is read. Default
	// 1 MiB for chat and models, 16 times that for embeddings.
	MaxResponseBytes int64
	// EmbedBatchSize is the number of texts per embeddings request.
	// Default 32.
	EmbedBatchSize int
	// HTTPClient, optional, sends the requests (its Timeout should be zero;
	// deadlines come from contexts).
	HTTPClient *http.Client
	// Logger receives events without customer text (that only at Debug).
	// Default: discard.
	Logger *slog.Logger
	// Registerer, optional, receives the metrics; nil keeps them
	// unregistered.
	Registerer prometheus.Registerer
	// Now is the clock of the budget and the breaker. Default time.Now.
	Now func() time.Time
}

// Client talks to one OpenAI-compatible endpoint. It implements
// bot.Generator and is safe for concurrent use.
type Client struct {
	opts    Options
	api     *openai.Client
	log     *slog.Logger
	prompts prompts
	breaker *breaker
	budget  *budget
	metrics *metrics
}

// New returns a Client, or an error naming the option that is wrong. It
// sends nothing; use Check to verify the endpoint.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("llm: BaseURL is required")
	}
	if opts.Model == "" {
		return nil, errors.New("llm: Model is required")
	}
	bot.SetDefault(&opts.Timeout, 8*time.Second)
	bot.SetDefault(&opts.MaxTokens, 400)
	if opts.Temperature == 0 {
		opts.Temperature = 0.2
	}
	if opts.Temperature < 0 || opts.Temperature > 2 {
		return nil, fmt.Errorf("llm: Temperature %v is outside 0..2", opts.Temperature)
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 2
	} else if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	bot.SetDefault(&opts.Backoff, 250*time.Millisecond)
	bot.SetDefault(&opts.BreakerThreshold, 5)
	bot.SetDefault(&opts.BreakerCoolDown, 30*time.Second)
	bot.SetDefault(&opts.MaxResponseBytes, 1<<20)
	bot.SetDefault(&opts.EmbedBatchSize, 32)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 0, // the context's deadline applies
		}}
	}
	p, err := loadPrompts(opts.Prompts)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = opts.BaseURL
	cfg.HTTPClient = &limitDoer{client: hc, limit: opts.MaxResponseBytes}
	cfg.EmptyMessagesLimit = 50
	return &Client{
		opts:    opts,
		api:     openai.NewClientWithConfig(cfg),
		log:     opts.Logger,
		prompts: p,
		breaker: &breaker{threshold: opts.BreakerThreshold, coolDown: opts.BreakerCoolDown, now: opts.Now},
		budget:  &budget{limit: opts.DailyTokenBudget, now: opts.Now},
		metrics: m,
	}, nil
}

// usage is what one call spent.
type usage struct{ prompt, completion int }

// call runs fn under the budget, the breaker, per-attempt deadlines and
// bounded retries, and records metrics. fn must return errors from the
// go-openai client unwrapped or wrapped with %w.
func (c *Client) call(ctx context.Context, op string, fn func(ctx context.Context) (usage, error)) error {
	start := time.Now()
	outcome := outcomeOK
	defer func() {
		c.metrics.requests.WithLabelValues(op, outcome).Inc()
		c.metrics.latency.WithLabelValues(op).Observe(time.Since(start).Seconds())
	}()
	if !c.budget.available() {
		outcome = outcomeBudget
		c.log.Warn("llm call skipped: daily token budget exhausted", "op", op)
		return ErrBudgetExhausted
	}
	if !c.breaker.allow() {
		outcome = outcomeCircuitOpen
		return ErrCircuitOpen
	}
	var err error
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
		var u usage
		u, err = fn(actx)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			c.spend(op, u)
			break
		}
		err = classify(err, timedOut)
		status := statusOf(err)
		c.metrics.attempts.WithLabelValues(op, status).Inc()
		retry := attempt < c.opts.MaxRetries && ctx.Err() == nil && retryable(err)
		c.log.Warn("llm attempt failed", "op", op, "attempt", attempt+1, "status", status, "retry", retry, "err", safeError(err))
		if !retry || !sleep(ctx, c.backoff(attempt, err)) {
			break
		}
	}
	if err == nil {
		c.metrics.attempts.WithLabelValues(op, "2xx").Inc()
	}
	failed := err != nil && !errors.Is(err, context.Canceled)
	open := c.breaker.done(!failed)
	if open {
		c.metrics.circuit.Set(1)
	} else {
		c.metrics.circuit.Set(0)
	}
	if err != nil {
		outcome = outcomeOf(err)
		return err
	}
	return nil
}

func (c *Client) spend(op string, u usage) {
	c.metrics.tokens.WithLabelValues(op, "prompt").Add(float64(u.prompt))
	c.metrics.tokens.WithLabelValues(op, "completion").Add(float64(u.completion))
	left := c.budget.spend(u.prompt + u.completion)
	c.metrics.budget.Set(float64(left))
}

// backoff returns the delay before retry number attempt+1: exponential with
// jitter in [d/2, d], doubled after a 429.
func (c *Client) backoff(attempt int, err error) time.Duration {
	d := c.opts.Backoff << attempt
	d = d/2 + rand.N(d/2+1)
	if errors.Is(err, errRateLimited) {
		d *= 2 // the provider asked us to slow down
	}
	return d
}

// sleep waits for d or until ctx is done; it reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
