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
	"strings"
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
	"github.com/concierge-bot/concierge/storage"
)

// loadConfig reads the --config file (or the defaults), applies --data and
// validates the result. Its errors are configErrors that name the file and
// line, or the flag, of the value at fault.
func (e *env) loadConfig() (Config, error) {
	cfg := DefaultConfig()
	src := &configSource{file: e.configPath, lines: fieldLines{}, flags: map[string]string{}}
	if e.configPath != "" {
		raw, err := readConfigFile(e.configPath)
		if err != nil {
			return Config{}, err
		}
		var lines fieldLines
		if cfg, lines, err = parseConfig(bytes.NewReader(raw), e.getenv); err != nil {
			var ce *ConfigError
			if errors.As(err, &ce) && ce.Line > 0 {
				return Config{}, configError{explain(err, "%s line %d: %s", e.configPath, ce.Line, ce.Msg)}
			}
			return Config{}, configError{fmt.Errorf("%s: %w", e.configPath, err)}
		}
		src.lines = lines
		resolvePaths(&cfg, e.configPath, lines)
	}
	cfg.src = src
	if e.dataDir != "" {
		cfg.DataDir = e.dataDir
		cfg.setByFlag("data_dir", "--data")
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, cfg.locate(err)
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

// contentFS returns the knowledge content directory: the config's, or the
// embedded demo company's.
func contentFS(cfg Config) fs.FS {
	if cfg.Content != "" {
		return os.DirFS(cfg.Content)
	}
	return demo.Content()
}

// intentsFile reads and parses the intents file: the config's, or the
// embedded demo company's. A file that is missing or does not parse is a
// configError naming the file and line.
func intentsFile(cfg Config) (*intents.File, error) {
	name, data := "demo/intents.yaml", demo.Intents()
	if cfg.Intents != "" {
		if err := checkPath(cfg, "intents", cfg.Intents, false); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(cfg.Intents)
		if err != nil {
			return nil, explain(err, "intents: %s cannot be read: %s%s", absPath(cfg.Intents), reason(err), cfg.origin("intents"))
		}
		name, data = cfg.Intents, b
	}
	f, err := parseIntents(name, data)
	if err != nil {
		return nil, configError{err}
	}
	return f, nil
}

// parseIntents parses the intents file data, named name in messages. Its
// error reads "intents FILE line 7: what is wrong".
func parseIntents(name string, data []byte) (*intents.File, error) {
	f, err := intents.ParseFile(bytes.NewReader(data), name)
	if err != nil {
		// intents writes "file:7: message"; say it the way config errors do.
		msg := err.Error()
		if m := fileLine.FindStringSubmatch(msg); m != nil && m[1] == name {
			msg = fmt.Sprintf("%s line %s: %s", m[1], m[2], m[3])
		}
		return nil, explain(err, "intents %s", msg)
	}
	return f, nil
}

// intentsName names the intents file in messages.
func intentsName(cfg Config) string {
	if cfg.Intents == "" {
		return "demo/intents.yaml"
	}
	return cfg.Intents
}

var fileLine = regexp.MustCompile(`^(.*):(\d+): (.*)$`)

// loadContent loads the knowledge documents, logging each broken file or
// row; it fails only when nothing at all could be loaded.
func loadContent(cfg Config, log *slog.Logger) ([]knowledge.Document, error) {
	if cfg.Content != "" {
		if err := checkPath(cfg, "content", cfg.Content, true); err != nil {
			return nil, err
		}
	}
	docs, problems, err := knowledge.Load(contentFS(cfg))
	if err != nil {
		return nil, explain(err, "content: %s cannot be read: %s%s", absPath(cfg.Content), reason(err), cfg.origin("content"))
	}
	if len(docs) == 0 {
		return nil, noDocuments(cfg, problems)
	}
	for _, p := range problems {
		log.Warn("knowledge content problem (skipped)", "problem", p.Error())
	}
	return docs, nil
}

// noDocuments is the error for a content folder with nothing to serve. The
// problems of its files are the reason, so the first goes into the one
// sentence instead of the log.
func noDocuments(cfg Config, problems []error) error {
	if len(problems) > 0 {
		return configError{fmt.Errorf("content: %s has no usable documents%s: %d skipped, the first because %s",
			absPath(cfg.Content), cfg.origin("content"), len(problems), problems[0])}
	}
	return configError{fmt.Errorf("content: %s has no documents%s: add Markdown pages, FAQ files (.csv, .yaml) or product catalogues",
		absPath(cfg.Content), cfg.origin("content"))}
}

// openIndexOf opens the data directory's index (openIndexWith) from
// documents already loaded with an intent model already trained (serve's).
func openIndexOf(ctx context.Context, cfg Config, docs []knowledge.Document, c *intents.Classifier, log *slog.Logger) (*knowledge.Index, error) {
	opts, err := buildOptions(cfg, c, log)
	if err != nil {
		return nil, err
	}
	return openIndexWith(ctx, cfg, docs, opts)
}

// openIndexWith opens the knowledge index in the data directory, rebuilding
// it from docs with opts when they changed. A lock another process does not
// release in time is explained.
func openIndexWith(ctx context.Context, cfg Config, docs []knowledge.Document, opts knowledge.BuildOptions) (*knowledge.Index, error) {
	path := indexDir(cfg)
	ix, _, err := knowledge.OpenOrBuild(ctx, path, docs, opts)
	if errors.Is(err, knowledge.ErrLocked) {
		return nil, explain(err, "the knowledge index %s is locked by another process (an older concierge?) and was not released within %s: stop that process, or use another --data",
			absPath(path), knowledge.OpenLockWait)
	}
	if err != nil {
		return nil, fmt.Errorf("open knowledge index: %w", err)
	}
	return ix, nil
}

// openIndexBeside opens the knowledge index for a command that reads it
// while another process may hold the data directory (a running serve, or an
// older binary holding the index locked). It never writes in the data
// directory: it opens the index there read-only if it was built from the
// current content, and otherwise builds a private one from the content in a
// temporary folder. done closes the index and removes the private copy.
// docs and opts are indexSources'.
func openIndexBeside(ctx context.Context, cfg Config, docs []knowledge.Document, opts knowledge.BuildOptions, log *slog.Logger) (ix *knowledge.Index, done func(), err error) {
	docs = knowledge.Tagged(docs, opts.Tag)
	opts.Tag = nil
	hash, err := knowledge.ContentHash(docs, opts.Synonyms)
	if err != nil {
		return nil, nil, err
	}
	shared, err := knowledge.Open(indexDir(cfg))
	switch {
	case err == nil && shared.Hash() == hash:
		return shared, func() { _ = shared.Close() }, nil
	case err == nil:
		_ = shared.Close()
		log.Info("the index in the data directory is not built from the current content; using a private one")
	case errors.Is(err, knowledge.ErrLocked):
		log.Warn("the knowledge index is locked by another process; using a private copy built from the content", "err", err)
	}
	tmp, err := os.MkdirTemp("", "concierge-index-*")
	if err != nil {
		return nil, nil, fmt.Errorf("private knowledge index: %w", err)
	}
	private, err := knowledge.Build(ctx, filepath.Join(tmp, "index"), docs, opts)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, nil, fmt.Errorf("private knowledge index: %w", err)
	}
	return private, func() { _ = private.Close(); _ = os.RemoveAll(tmp) }, nil
}

// indexDir is the knowledge index's folder in the data directory: the one
// index builds, serve opens and search and chat read.
func indexDir(cfg Config) string {
	return filepath.Join(cfg.DataDir, "index")
}

// indexSources are what a command that has no intent model yet builds the
// data directory's index from: the content's documents and buildOptions
// with the model of the intents file (openClassifier), loaded in that
// order, so that index, search and chat fail alike on the same mistake;
// and the classifier of that model, which reads a query as the bot does.
func indexSources(ctx context.Context, cfg Config, log *slog.Logger) ([]knowledge.Document, knowledge.BuildOptions, *intents.Classifier, error) {
	docs, err := loadContent(cfg, log)
	if err != nil {
		return nil, knowledge.BuildOptions{}, nil, err
	}
	file, err := intentsFile(cfg)
	if err != nil {
		return nil, knowledge.BuildOptions{}, nil, err
	}
	c, err := openClassifier(ctx, cfg, file, log)
	if err != nil {
		return nil, knowledge.BuildOptions{}, nil, err
	}
	opts, err := buildOptions(cfg, c, log)
	if err != nil {
		return nil, knowledge.BuildOptions{}, nil, err
	}
	return docs, opts, c, nil
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
// one cached in the data directory for the same examples. A mistake in the
// examples is a configError naming the file.
func openClassifier(ctx context.Context, cfg Config, file *intents.File, log *slog.Logger) (*intents.Classifier, error) {
	model, err := openModel(ctx, cfg, file)
	if err != nil {
		return nil, err
	}
	return newClassifier(ctx, cfg, model, log)
}

// openModel is the intent model of openClassifier.
func openModel(ctx context.Context, cfg Config, file *intents.File) (*intents.Model, error) {
	model, _, err := intents.LoadOrTrain(ctx, filepath.Join(cfg.DataDir, "intents"), file.Examples(), intents.TrainOptions{})
	if err != nil {
		// The intents package prefixes what is wrong with the examples
		// themselves with "intents: train:"; anything else (saving the
		// model, a cancelled start) is a runtime failure.
		if msg, ok := strings.CutPrefix(err.Error(), "intents: train: "); ok && ctx.Err() == nil {
			return nil, configError{explain(err, "intents %s: %s%s", intentsName(cfg), msg, cfg.origin("intents"))}
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("train intents: %w", err)
		}
		dir := filepath.Join(absPath(cfg.DataDir), "intents")
		return nil, explain(err, "the intent model cannot be saved in %s: %s", dir, reason(err))
	}
	return model, nil
}

// newClassifier is the classifier of a trained model, with the complaint
// detector of the config's complaint examples.
func newClassifier(ctx context.Context, cfg Config, model *intents.Model, log *slog.Logger) (*intents.Classifier, error) {
	d, err := complaintDetector(ctx, cfg)
	if err != nil {
		return nil, err
	}
	c, err := intents.NewClassifier(intents.ClassifierOptions{Model: model, Complaints: d, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("intent classifier: %w", err)
	}
	return c, nil
}

// complaintDetector trains the complaint detector on the built-in examples
// and the config's complaint_examples, if any. A file that is missing or
// malformed, or a label other than complaint or other, is a configError
// naming the file and line.
func complaintDetector(ctx context.Context, cfg Config) (*intents.ComplaintDetector, error) {
	var extra []intents.Example
	if path := cfg.ComplaintExamples; path != "" {
		var err error
		if extra, err = readComplaintExamples(cfg, path); err != nil {
			return nil, err
		}
	}
	d, err := intents.NewComplaintDetector(ctx, intents.ComplaintOptions{Extra: extra})
	if err != nil {
		return nil, fmt.Errorf("complaint detector: %w", err)
	}
	return d, nil
}

// newLearner returns the learner that teaches the classifier the agents'
// verdicts kept in the store, after learning those there are now, so that
// every command (a one-shot chat too) starts with them. A store that cannot
// be read for them is logged and tried again by the running learner.
func newLearner(ctx context.Context, cfg Config, c *intents.Classifier, store intents.LabelSource, log *slog.Logger) (*intents.Learner, error) {
	var examples []intents.Example
	if path := cfg.ComplaintExamples; path != "" {
		var err error
		if examples, err = readComplaintExamples(cfg, path); err != nil {
			return nil, err
		}
	}
	l, err := intents.NewLearner(intents.LearnerOptions{Classifier: c, Labels: store, Examples: examples, Logger: log})
	if err != nil {
		return nil, err
	}
	if _, err := l.Learn(ctx); err != nil {
		log.Warn("the agents' verdicts on complaints are not learnt yet", "err", err)
	}
	return l, nil
}

// verdicts records an agent's verdict on a message in the store and has
// the learner learn it at once (console.Verdicts).
type verdicts struct {
	store   storage.Store
	learner *intents.Learner
}

func (v verdicts) LabelMessage(ctx context.Context, messageID int64, label, agent string) error {
	if err := v.store.LabelMessage(ctx, messageID, label, agent); err != nil {
		return err
	}
	v.learner.Nudge()
	return nil
}

// readComplaintExamples reads a complaint_examples file: CSV text,label
// with labels complaint and other.
func readComplaintExamples(cfg Config, path string) ([]intents.Example, error) {
	if err := checkPath(cfg, "complaint_examples", path, false); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, explain(err, "complaint_examples: %s cannot be read: %s%s", absPath(path), reason(err), cfg.origin("complaint_examples"))
	}
	defer f.Close()
	ex, err := intents.ReadCSV(f, path)
	if err != nil {
		return nil, configErrorf("complaint_examples %v%s", err, cfg.origin("complaint_examples"))
	}
	for i, e := range ex {
		if e.Label != intents.LabelComplaint && e.Label != intents.LabelOther {
			return nil, configErrorf("complaint_examples %s: example %d (%.40q) is labelled %q; the labels are %q and %q%s",
				path, i+1, e.Text, e.Label, intents.LabelComplaint, intents.LabelOther, cfg.origin("complaint_examples"))
		}
	}
	return ex, nil
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
	site, err := siteOf(cfg)
	if err != nil {
		return nil, err
	}
	opts.Company = site.Name.In("en")
	if cfg.LLM.MaskOrderNumbers != "" {
		opts.MaskOrderNumbers = regexp.MustCompile(cfg.LLM.MaskOrderNumbers) // validated
	}
	c, err := llm.New(opts)
	if err != nil {
		// llm.New fails only on its options and prompt templates: the setup.
		return nil, configError{explain(err, "llm: %s%s", strings.TrimPrefix(err.Error(), "llm: "), cfg.origin("llm"))}
	}
	return c, nil
}

// app is everything a command that talks to the Engine needs, opened in
// order and closed in reverse.
type app struct {
	cfg         Config
	log         *slog.Logger
	store       storage.Store
	index       *knowledge.Index     // the index, when not live
	docs        []knowledge.Document // the documents of index, when not live
	live        *knowledge.Live      // the watched index of a content directory (serve)
	retriever   bot.Retriever        // the index, or the hybrid of the index and embeddings
	classifier  *intents.Classifier
	learner     *intents.Learner  // teaches the classifier the agents' verdicts on complaints
	site        SiteConfig        // the company's branding: its own, or the demo's
	intentNames []string          // the company's intents, for bounded metric labels
	llm         *llm.Client       // nil without a model
	dispatcher  *alert.Dispatcher // nil without alerts configured
	chats       *chatAdapters     // what alert cards of kind feishu and dingtalk are posted through
	handoff     *escalation.Service
	deliverers  map[string]escalation.Deliverer // by channel; serve adds its chat adapters' before the workers start
	engine      *bot.Engine

	// checkIntents, when not nil, cross-validates the intents file, logs
	// the confusions and saves the report (warnIntents's later).
	checkIntents func(context.Context)

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
// the optional language model, and builds the Engine. It checks the setup
// first (checkSetup, the intents file), so that a mistake in it is reported
// before anything is created, and it trains the intent model before opening
// the store and the index. On error everything it opened is closed again
// before it returns: the caller gets a nil app and has nothing to release.
func openApp(ctx context.Context, cfg Config, log *slog.Logger, ao appOptions) (_ *app, err error) {
	reg := ao.Registerer
	if err := checkSetup(cfg); err != nil {
		return nil, err
	}
	file, err := intentsFile(cfg)
	if err != nil {
		return nil, err
	}
	if err := ensureDataDir(cfg); err != nil {
		return nil, err
	}
	// a is not the named result: `return nil, err` sets the result to nil
	// before deferred calls run, and the clean-up below must still see what
	// was opened.
	a := &app{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			if cerr := a.Close(); cerr != nil {
				log.Warn("closing after a failed start", "err", cerr)
			}
		}
	}()
	start := time.Now()
	for _, in := range file.Intents {
		a.intentNames = append(a.intentNames, in.Name)
	}
	model, err := openModel(ctx, cfg, file)
	if err != nil {
		return nil, err
	}
	if a.classifier, err = newClassifier(ctx, cfg, model, log); err != nil {
		return nil, err
	}
	a.checkIntents = warnIntents(ctx, cfg, file, model.Info(), startCheckBudget, log)
	if a.store, err = openStore(ctx, cfg, log); err != nil {
		return nil, err
	}
	if a.learner, err = newLearner(ctx, cfg, a.classifier, a.store, log); err != nil {
		return nil, err
	}
	var docs []knowledge.Document // loaded here unless the live index loads them itself
	if ao.Live && cfg.Content != "" {
		if a.live, err = knowledge.NewLive(ctx, knowledge.LiveOptions{Content: cfg.Content,
			Dir: filepath.Join(cfg.DataDir, "knowledge"), Logger: log, Tag: knowledge.IntentTagger(a.classifier)}); err != nil {
			return nil, fmt.Errorf("knowledge index: %w", err)
		}
		if n, err := a.live.Count(); err == nil && n == 0 {
			return nil, noDocuments(cfg, a.live.Problems())
		}
		a.retriever = a.live
	} else {
		if docs, err = loadContent(cfg, log); err != nil {
			return nil, err
		}
		if a.index, err = openIndexOf(ctx, cfg, docs, a.classifier, log); err != nil {
			return nil, err
		}
		a.docs = docs
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
	a.chats = &chatAdapters{}
	if a.dispatcher, err = newDispatcher(cfg, a.store, log, reg, a.chats); err != nil {
		return nil, err
	}
	var store bot.Store = a.store
	if a.dispatcher != nil {
		store = alert.KickOnAlert(a.store, a.dispatcher) // deliver alerts at once, not at the next poll
	}
	a.deliverers = map[string]escalation.Deliverer{}
	if a.handoff, err = escalation.New(escalation.Options{Store: a.store, Logger: log, Deliverers: a.deliverers,
		IdleTimeout: cfg.Escalation.IdleTimeout, SLA: cfg.Escalation.SLA}); err != nil {
		return nil, fmt.Errorf("escalation: %w", err)
	}
	if a.site, err = siteOf(cfg); err != nil {
		return nil, err
	}
	// The replies say the company's name where they write {name}: the
	// demo's intents greet a company with its own content in its own name.
	replies := brandReplies(file.Replies(), a.site)
	var catalog bot.Catalog // the live index or the index: both answer from the product files
	if a.live != nil {
		catalog = a.live
	} else {
		catalog = a.index
	}
	var gen bot.Generator // stays a nil interface without a model
	if a.llm != nil {
		gen = a.llm
	}
	fc := cfg.Escalation.Flood
	flood, err := escalation.NewFlood(escalation.FloodOptions{
		Alerts: alert.Queue{Outbox: a.store, Realerts: a.store, Kick: a.kick}, Logger: log,
		Window: fc.Window, PerOrigin: fc.PerOrigin, PerCustomer: fc.PerCustomer, GroupAt: fc.GroupAt})
	if err != nil {
		return nil, fmt.Errorf("escalation.flood: %w", err)
	}
	a.engine, err = bot.NewEngine(bot.EngineOptions{
		Escalations: flood,
		Classifier:  a.classifier, Retriever: a.retriever, Store: store, Logger: log, Catalog: catalog,
		Generator: gen, Summarizer: summarizer{a.llm},
		Customers: a.store, Ratings: a.store, // VIP trigger, CSAT after a resolve
		ExpectedWait:         cfg.Escalation.ExpectedWait,
		LeadEscalationValue:  cfg.Escalation.LeadValue,
		Replies:              replies,
		Emergency:            cfg.Site.Emergency.byLanguage(),
		MinAnswerConfidence:  cfg.Bot.MinAnswerConfidence,
		MinChoiceConfidence:  cfg.Bot.MinChoiceConfidence,
		MinSuggestConfidence: cfg.Bot.MinSuggestConfidence,
		ComplaintThreshold:   cfg.Bot.ComplaintThreshold,
		NegativeSentiment:    cfg.Bot.NegativeSentiment,
		Timeout:              cfg.Bot.Timeout,
		GenerateTimeout:      cfg.LLM.Timeout,
	})
	if err != nil {
		return nil, err
	}
	log.Debug("ready", "took", time.Since(start))
	return a, nil
}

// startWorkers starts the background work: the alert dispatcher and, for
// a long-running server (schedules), the managers' digest and the check of
// an intents file too large to cross-validate before the start. Close stops
// it.
func (a *app) startWorkers(ctx context.Context, schedules bool) {
	ctx, a.stopWorkers = context.WithCancel(ctx)
	synthetic := !syntheticUntil(a.cfg.DataDir).IsZero()
	if synthetic && schedules {
		a.log.Info("this data directory holds synthetic traffic from `concierge demo seed`: no digest is sent, and escalations from before the seeding are never re-alerted")
	}
	if a.dispatcher != nil && schedules && a.cfg.Insights.DigestEvery >= 0 && !synthetic {
		if err := a.startDigest(ctx); err != nil {
			a.log.Error("digest not scheduled", "err", err)
		}
	}
	if schedules {
		if err := a.startEscalationWatch(ctx); err != nil {
			a.log.Error("escalation checks not started", "err", err)
		}
	}
	if schedules && len(a.cfg.Sources) > 0 && a.live != nil {
		if err := a.startSync(ctx); err != nil {
			a.log.Error("scheduled imports not started", "err", err)
		}
	}
	if a.live != nil {
		a.goWork(ctx, "knowledge watcher stopped; the index stays as it is", a.live.Run)
	}
	if a.dispatcher != nil {
		a.goWork(ctx, "alert dispatcher stopped", a.dispatcher.Run)
	}
	if schedules {
		a.goWork(ctx, "", a.learner.Run)
	}
	a.startIntentsCheck(ctx, schedules)
}

// startIntentsCheck runs the check warnIntents left for later, if any: in
// the background for a server, and not at all for a terminal chat, whose
// conversation log lines would interrupt; it says so at Info instead.
func (a *app) startIntentsCheck(ctx context.Context, background bool) {
	check := a.checkIntents
	if check == nil {
		return
	}
	if !background {
		a.log.Info("intents: confusions between intents are not checked at start-up, run `concierge intents check` for them",
			"file", intentsName(a.cfg))
		return
	}
	a.goWork(ctx, "", func(ctx context.Context) error { check(ctx); return nil })
}

// goWork runs work in the background until ctx ends; Close waits for it.
// An error other than ctx's end is logged as failed (when failed is not
// empty: work that logs its own failures passes "").
func (a *app) goWork(ctx context.Context, failed string, work func(context.Context) error) {
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		if err := work(ctx); err != nil && !errors.Is(err, context.Canceled) && failed != "" {
			a.log.Error(failed, "err", err)
		}
	}()
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
	synthetic := syntheticUntil(a.cfg.DataDir)
	sla, err := escalation.NewSLA(escalation.SLAOptions{Store: a.store, Alerts: alerts, Logger: a.log,
		SLA: ec.SLA, Next: ec.Next, Since: synthetic})
	if err != nil {
		return err
	}
	spikes, err := escalation.NewSpikes(escalation.SpikeOptions{Source: a.store, Alerts: alerts, Logger: a.log,
		Window: ec.EarlyWarning.Window, Baseline: ec.EarlyWarning.Baseline, Factor: ec.EarlyWarning.Factor,
		MinComplaints: ec.EarlyWarning.MinComplaints, Since: synthetic})
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
	a.goWork(ctx, "", func(ctx context.Context) error { escalation.Watch(ctx, 30*time.Second, a.log, checks...); return nil })
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
	a.goWork(ctx, "", sched.Run) // returns when ctx ends; failures are logged by the scheduler
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
