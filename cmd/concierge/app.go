package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/intents"
	"github.com/concierge-bot/concierge/knowledge"
	"github.com/concierge-bot/concierge/knowledge/semantic"
	"github.com/concierge-bot/concierge/llm"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// loadConfig reads the --config file (or the defaults), applies --data and
// validates the result.
func (e *env) loadConfig() (Config, error) {
	cfg := DefaultConfig()
	if e.configPath != "" {
		f, err := os.Open(e.configPath)
		if err != nil {
			return Config{}, fmt.Errorf("cannot open config: %w", err)
		}
		defer f.Close()
		if cfg, err = ParseConfig(f, e.getenv); err != nil {
			return Config{}, fmt.Errorf("%s: %w", e.configPath, err)
		}
	}
	if e.dataDir != "" {
		cfg.DataDir = e.dataDir
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// logger returns the process logger, writing to stderr. min raises the level
// for commands whose stdout is for people (chat, search).
func (e *env) logger(cfg Config, min slog.Level) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		level = slog.LevelInfo
	}
	level = max(level, min)
	if e.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// openStore opens the database in the data directory with the config's
// customer-record settings.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*sqlite.DB, error) {
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "concierge.db"), sqlite.Options{
		Logger: log, RetainText: cfg.Customers.RetainText, LeadOwner: cfg.Customers.LeadOwner, Alerts: alert.Protocol{},
		Segments: sqlite.SegmentRules{VIPTag: cfg.Customers.VIPTag, VIPMinMessages: cfg.Customers.VIPMinMessages,
			VIPWon: cfg.Customers.VIPWon},
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// contentFS returns the knowledge content directory: the config's, or the
// embedded demo company's.
func contentFS(cfg Config) fs.FS {
	if cfg.Content != "" {
		return os.DirFS(cfg.Content)
	}
	return demo.Content()
}

// intentsFile reads and parses the intents file: the config's, or the
// embedded demo company's.
func intentsFile(cfg Config) (*intents.File, error) {
	name, data := "demo/intents.yaml", demo.Intents()
	if cfg.Intents != "" {
		b, err := os.ReadFile(cfg.Intents)
		if err != nil {
			return nil, fmt.Errorf("cannot read intents: %w", err)
		}
		name, data = cfg.Intents, b
	}
	return intents.ParseFile(bytes.NewReader(data), name)
}

// loadContent loads the knowledge documents, logging each broken file or
// row; it fails only when nothing at all could be loaded.
func loadContent(cfg Config, log *slog.Logger) ([]knowledge.Document, error) {
	docs, problems, err := knowledge.Load(contentFS(cfg))
	if err != nil {
		return nil, fmt.Errorf("load knowledge content: %w", err)
	}
	for _, p := range problems {
		log.Warn("knowledge content problem (skipped)", "problem", p.Error())
	}
	if len(docs) == 0 {
		return nil, errors.New("the knowledge content has no documents")
	}
	return docs, nil
}

// openIndex opens the knowledge index in the data directory, rebuilding it
// when the content (or the intents that tag it) changed.
func openIndex(ctx context.Context, cfg Config, log *slog.Logger) (*knowledge.Index, error) {
	docs, err := loadContent(cfg, log)
	if err != nil {
		return nil, err
	}
	file, err := intentsFile(cfg)
	if err != nil {
		return nil, err
	}
	c, err := openClassifier(ctx, cfg, file, log)
	if err != nil {
		return nil, err
	}
	return openIndexOf(ctx, cfg, docs, c, log)
}

func openIndexOf(ctx context.Context, cfg Config, docs []knowledge.Document, c *intents.Classifier, log *slog.Logger) (*knowledge.Index, error) {
	opts, err := buildOptions(cfg, c, log)
	if err != nil {
		return nil, err
	}
	ix, _, err := knowledge.OpenOrBuild(ctx, filepath.Join(cfg.DataDir, "index"), docs, opts)
	if err != nil {
		return nil, fmt.Errorf("open knowledge index: %w", err)
	}
	return ix, nil
}

// buildOptions are the options every index of the data directory is built
// with: the content's synonyms and the intents tagger, so that index,
// search, chat and serve build and accept the same index.
func buildOptions(cfg Config, c *intents.Classifier, log *slog.Logger) (knowledge.BuildOptions, error) {
	syn, err := loadSynonyms(cfg, log)
	if err != nil {
		return knowledge.BuildOptions{}, err
	}
	return knowledge.BuildOptions{Logger: log, Synonyms: syn, Tag: knowledge.IntentTagger(c)}, nil
}

// openClassifier trains the intent model of the intents file, or loads the
// one cached in the data directory for the same examples.
func openClassifier(ctx context.Context, cfg Config, file *intents.File, log *slog.Logger) (*intents.Classifier, error) {
	model, _, err := intents.LoadOrTrain(ctx, filepath.Join(cfg.DataDir, "intents"), file.Examples(), intents.TrainOptions{})
	if err != nil {
		return nil, fmt.Errorf("train intents: %w", err)
	}
	c, err := intents.NewClassifier(intents.ClassifierOptions{Model: model, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("intent classifier: %w", err)
	}
	return c, nil
}

// loadSynonyms reads synonyms.yaml of the content; a broken file is logged
// and search goes on without synonyms.
func loadSynonyms(cfg Config, log *slog.Logger) (knowledge.Synonyms, error) {
	syn, err := knowledge.LoadSynonyms(contentFS(cfg))
	if err != nil {
		log.Warn("synonyms not loaded", "err", err)
		return nil, nil
	}
	return syn, nil
}

// newLLM returns the language-model client of the config, or nil when no
// model is configured.
func newLLM(cfg Config, log *slog.Logger, reg prometheus.Registerer) (*llm.Client, error) {
	if !cfg.LLM.on() {
		return nil, nil
	}
	opts := llm.Options{
		BaseURL: cfg.LLM.BaseURL, APIKey: cfg.LLM.APIKey, Model: cfg.LLM.Model, EmbeddingModel: cfg.LLM.EmbeddingModel,
		Timeout: cfg.LLM.Timeout, MaxTokens: cfg.LLM.MaxTokens, Temperature: cfg.LLM.Temperature,
		DailyTokenBudget: cfg.LLM.DailyTokenBudget, Logger: log, Registerer: reg,
	}
	if cfg.LLM.PromptsDir != "" {
		opts.Prompts = os.DirFS(cfg.LLM.PromptsDir)
	}
	if cfg.LLM.MaskOrderNumbers != "" {
		opts.MaskOrderNumbers = regexp.MustCompile(cfg.LLM.MaskOrderNumbers) // validated
	}
	c, err := llm.New(opts)
	if err != nil {
		return nil, fmt.Errorf("language model: %w", err)
	}
	return c, nil
}

// app is everything a command that talks to the Engine needs, opened in
// order and closed in reverse.
type app struct {
	cfg         Config
	log         *slog.Logger
	store       *sqlite.DB
	index       *knowledge.Index // the index, when not live
	live        *knowledge.Live  // the watched index of a content directory (serve)
	retriever   bot.Retriever    // the index, or the hybrid of the index and embeddings
	classifier  *intents.Classifier
	intentNames []string          // the company's intents, for bounded metric labels
	llm         *llm.Client       // nil without a model
	dispatcher  *alert.Dispatcher // nil without alerts configured
	handoff     *escalation.Service
	engine      *bot.Engine

	stopWorkers context.CancelFunc
	workers     sync.WaitGroup
}

// appOptions are what commands choose about the app they open.
type appOptions struct {
	// Registerer, optional, receives the metrics.
	Registerer prometheus.Registerer
	// Live watches a configured content directory and reindexes it on
	// changes (Run it with startWorkers). The embedded demo never changes.
	Live bool
}

// openApp opens the data directory, the store, the index and the classifier,
// the optional language model, and builds the Engine.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, ao appOptions) (a *app, err error) {
	reg := ao.Registerer
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	a = &app{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	start := time.Now()
	if a.store, err = openStore(ctx, cfg, log); err != nil {
		return nil, err
	}
	file, err := intentsFile(cfg)
	if err != nil {
		return nil, err
	}
	for _, in := range file.Intents {
		a.intentNames = append(a.intentNames, in.Name)
	}
	if a.classifier, err = openClassifier(ctx, cfg, file, log); err != nil {
		return nil, err
	}
	var docs []knowledge.Document // loaded here unless the live index loads them itself
	if ao.Live && cfg.Content != "" {
		if a.live, err = knowledge.NewLive(ctx, knowledge.LiveOptions{Content: cfg.Content,
			Dir: filepath.Join(cfg.DataDir, "knowledge"), Logger: log, Tag: knowledge.IntentTagger(a.classifier)}); err != nil {
			return nil, fmt.Errorf("knowledge index: %w", err)
		}
		a.retriever = a.live
	} else {
		if docs, err = loadContent(cfg, log); err != nil {
			return nil, err
		}
		if a.index, err = openIndexOf(ctx, cfg, docs, a.classifier, log); err != nil {
			return nil, err
		}
		a.retriever = a.index
	}
	if a.llm, err = newLLM(cfg, log, reg); err != nil {
		return nil, err
	}
	if a.llm != nil && cfg.LLM.EmbeddingModel != "" {
		hybrid, err := semantic.New(semantic.Options{Base: a.retriever, Embedder: a.llm, Model: cfg.LLM.EmbeddingModel,
			CacheDir: filepath.Join(cfg.DataDir, "embeddings"), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("semantic search: %w", err)
		}
		if docs == nil {
			if docs, err = loadContent(cfg, log); err != nil {
				return nil, err
			}
		}
		if _, err := hybrid.Index(ctx, docs); err != nil {
			// Keyword search still works: say so and go on without vectors.
			log.Warn("embedding the knowledge base failed; using keyword search only", "err", err)
		} else {
			a.retriever = hybrid
		}
	}
	if a.dispatcher, err = newDispatcher(cfg, a.store, log, reg); err != nil {
		return nil, err
	}
	var store bot.Store = a.store
	if a.dispatcher != nil {
		store = alert.KickOnAlert(a.store, a.dispatcher) // deliver alerts at once, not at the next poll
	}
	if a.handoff, err = escalation.New(escalation.Options{Store: a.store, Logger: log,
		IdleTimeout: cfg.Escalation.IdleTimeout, SLA: cfg.Escalation.SLA}); err != nil {
		return nil, fmt.Errorf("escalation: %w", err)
	}
	replies := file.Replies()
	if cfg.Intents == "" && cfg.Content != "" {
		// The demo's small-talk replies name the demo company: a company
		// with its own content but the demo's intents gets the built-in
		// texts instead.
		replies = nil
	}
	var gen bot.Generator // stays a nil interface without a model
	if a.llm != nil {
		gen = a.llm
	}
	a.engine, err = bot.NewEngine(bot.EngineOptions{
		Classifier: a.classifier, Retriever: a.retriever, Store: store, Logger: log,
		Generator: gen, Summarizer: summarizer{a.llm},
		Customers: a.store, Ratings: a.store, // VIP trigger, CSAT after a resolve
		ExpectedWait:        cfg.Escalation.ExpectedWait,
		LeadEscalationValue: cfg.Escalation.LeadValue,
		Replies:             replies,
		MinAnswerConfidence: cfg.Bot.MinAnswerConfidence,
		MinChoiceConfidence: cfg.Bot.MinChoiceConfidence,
		ComplaintThreshold:  cfg.Bot.ComplaintThreshold,
		NegativeSentiment:   cfg.Bot.NegativeSentiment,
		Timeout:             cfg.Bot.Timeout,
		GenerateTimeout:     cfg.LLM.Timeout,
	})
	if err != nil {
		return nil, err
	}
	log.Debug("ready", "took", time.Since(start))
	return a, nil
}

// startWorkers starts the background work: the alert dispatcher and, for
// a long-running server (schedules), the managers' digest. Close stops it.
func (a *app) startWorkers(ctx context.Context, schedules bool) {
	ctx, a.stopWorkers = context.WithCancel(ctx)
	if a.dispatcher != nil && schedules && a.cfg.Insights.DigestEvery >= 0 {
		if err := a.startDigest(ctx); err != nil {
			a.log.Error("digest not scheduled", "err", err)
		}
	}
	if schedules {
		if err := a.startEscalationWatch(ctx); err != nil {
			a.log.Error("escalation checks not started", "err", err)
		}
	}
	if a.live != nil {
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			if err := a.live.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("knowledge watcher stopped; the index stays as it is", "err", err)
			}
		}()
	}
	if a.dispatcher != nil {
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			if err := a.dispatcher.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				a.log.Error("alert dispatcher stopped", "err", err)
			}
		}()
	}
}

// summarizer summarises conversations for alerts and the console: with the
// model when there is one, else (or when it fails) extractively.
type summarizer struct{ c *llm.Client }

func (s summarizer) Summarize(ctx context.Context, msgs []bot.StoredMessage, lang string) (string, error) {
	if s.c != nil {
		if text, err := s.c.Summarize(ctx, msgs, lang); err == nil {
			return text, nil
		}
	}
	return llm.Extractive(msgs, lang), nil
}

// kick wakes the alert dispatcher, when there is one.
func (a *app) kick() {
	if a.dispatcher != nil {
		a.dispatcher.Kick()
	}
}

// startEscalationWatch runs the periodic escalation checks: re-alerts after
// the SLA, the complaint-spike early warning and the idle timeout.
func (a *app) startEscalationWatch(ctx context.Context) error {
	ec := a.cfg.Escalation
	alerts := alert.Queue{Outbox: a.store, Realerts: a.store, Kick: a.kick}
	sla, err := escalation.NewSLA(escalation.SLAOptions{Store: a.store, Alerts: alerts, Logger: a.log,
		SLA: ec.SLA, Next: ec.Next})
	if err != nil {
		return err
	}
	spikes, err := escalation.NewSpikes(escalation.SpikeOptions{Source: a.store, Alerts: alerts, Logger: a.log,
		Window: ec.EarlyWarning.Window, Baseline: ec.EarlyWarning.Baseline, Factor: ec.EarlyWarning.Factor,
		MinComplaints: ec.EarlyWarning.MinComplaints})
	if err != nil {
		return err
	}
	checks := []func(context.Context) error{
		func(ctx context.Context) error { _, err := spikes.Check(ctx); return err },
		func(ctx context.Context) error { _, err := a.handoff.ResolveIdle(ctx); return err },
	}
	if ec.SLA > 0 {
		checks = append(checks, func(ctx context.Context) error { _, err := sla.Check(ctx); return err })
	}
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		escalation.Watch(ctx, 30*time.Second, a.log, checks...)
	}()
	return nil
}

// startDigest sends the managers' digest through the alert sinks every
// insights.digest_every.
func (a *app) startDigest(ctx context.Context) error {
	rep, err := insights.New(insights.Options{Source: a.store, Logger: a.log})
	if err != nil {
		return err
	}
	sched, err := insights.NewScheduler(insights.SchedulerOptions{Reporter: rep, Every: a.cfg.Insights.DigestEvery,
		Sender: digestSender{a}, Logger: a.log})
	if err != nil {
		return err
	}
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		_ = sched.Run(ctx) // returns when ctx ends; failures are logged by the scheduler
	}()
	return nil
}

// digestSender queues a digest in the outbox and wakes the dispatcher.
type digestSender struct{ a *app }

func (s digestSender) SendDigest(ctx context.Context, d insights.Digest) error {
	_, err := alert.Enqueue(ctx, s.a.store, alert.Alert{Kind: alert.KindDigest, IdempotencyKey: d.Key, Time: d.Until,
		Digest: &alert.Digest{Title: d.Title, Lines: d.Lines}})
	if err != nil {
		return err
	}
	s.a.dispatcher.Kick()
	return nil
}

// Close stops the workers, delivers what alerts it can within a few seconds
// (the rest stay in the outbox for the next start), and releases everything
// openApp opened, in reverse order.
func (a *app) Close() error {
	if a.stopWorkers != nil {
		a.stopWorkers()
		a.workers.Wait()
	}
	if a.dispatcher != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := a.dispatcher.Flush(ctx); err != nil {
			a.log.Warn("alerts not all delivered before exit; they stay queued", "err", err)
		}
		cancel()
	}
	var errs []error
	if a.index != nil {
		errs = append(errs, a.index.Close())
	}
	if a.live != nil {
		errs = append(errs, a.live.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
