package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/dingtalk"
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/slack"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/console/dashboard"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// shutdownGrace bounds a graceful shutdown (DESIGN.md: within 10 s).
const shutdownGrace = 10 * time.Second

func newServeCmd(e *env) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web widget, REST API, Slack, console and health checks over HTTP",
		Long: `Serve Concierge over HTTP: the demo page with the chat widget at /, the
REST API under /api/v1, Slack, WeCom, Feishu and DingTalk (each when
configured), the agent console, /healthz and /metrics.
Stops gracefully on SIGINT or SIGTERM (a second signal exits at once).

While it runs, serve holds the data directory (the file serve.lock in it
names its pid and address): a second serve on it refuses at once; search,
chat, customers, report and backup work beside it; index refuses.`,
		Args: noArgs,
		RunE: e.withConfig(func(cmd *cobra.Command, args []string, cfg Config) error {
			if addr != "" {
				if err := checkListenAddr(addr); err != nil {
					return usagef("--addr %v", err)
				}
				cfg.Server.Addr = addr
				cfg.setByFlag("server.addr", "--addr")
			}
			log, held := e.startupLogger(cfg, slog.LevelDebug)
			defer held.drop() // a failed start prints its error alone
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, stop, cfg, log, held, e)
		}),
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen `ADDRESS` (default 127.0.0.1:8080, or server.addr from the config)")
	return cmd
}

// serve runs the server until ctx is done, then shuts down in reverse order
// of start: stop intake, drain requests and Slack work, flush the outbox,
// close the index and the store. It takes the listen address before the
// slow part of the start, so that a port in use is reported at once, and
// releases the held start-up log once it is serving.
//
// For as long as it runs, serve holds the data directory (serveLockName):
// a second serve on it refuses at once, and the other commands know that
// serve (pid N) is there (see dataDirHolder).
func serve(ctx context.Context, stopSignals func(), cfg Config, log *slog.Logger, held *startLog, e *env) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := checkSetup(cfg); err != nil {
		return err
	}
	if err := ensureDataDir(cfg); err != nil {
		return err
	}
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return err
	}
	defer func() {
		if err := lock.Release(); err != nil {
			log.Warn("releasing the data directory", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return explain(err, "server.addr: cannot listen on %s: %s%s; stop what uses it or choose another address with --addr",
			cfg.Server.Addr, listenReason(err), cfg.origin("server.addr"))
	}
	defer ln.Close() // hs.Serve closes it too; closing twice is harmless
	if err := lock.setAddr("http://" + ln.Addr().String()); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, log, appOptions{Registerer: reg, Live: true})
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	if len(cfg.API.Keys) == 0 {
		log.Warn("REST API disabled: no api.keys configured")
	}
	// With PostgreSQL every replica shares the store: the signing keys (when
	// the config names none), keyed requests, sign-in limits and wake-ups
	// come from it too.
	pg, _ := a.store.(*postgres.DB)
	secret, err := serveSecret(ctx, cfg, pg, cfg.Server.SessionSecret, "session.key")
	if err != nil {
		return err
	}
	consoleSecret, err := serveSecret(ctx, cfg, pg, cfg.Console.Secret, "console.key")
	if err != nil {
		return err
	}
	var signInState console.SignIns
	var requests web.Requests
	if pg != nil {
		signInState = signIns{db: pg, log: log}
		requests = postgresLedger(pg, cfg.Bot.Timeout+5*time.Second, 30*time.Second, log)
	} else if sq, ok := a.store.(*sqlite.DB); ok {
		requests = sqliteLedger(sq, 30*time.Second, log)
	}
	agents, adminPassword, err := consoleAgents(cfg)
	if err != nil {
		return err
	}
	var proxies []netip.Prefix
	for _, p := range cfg.Server.TrustedProxies {
		proxies = append(proxies, netip.MustParsePrefix(p)) // validated
	}
	rep, err := insights.New(insights.Options{Source: a.store, Logger: log})
	if err != nil {
		return err
	}
	dash, err := dashboard.New(dashboard.Options{Reports: rep, SignedIn: console.AgentFrom, Logger: log, SiteName: a.site.Name.byLanguage()})
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	metrics, err := insights.NewMetrics(insights.MetricsOptions{Registerer: reg, Intents: a.intentNames,
		Escalations: a.store, Logger: log})
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	handler := insights.Instrument(a.engine, metrics) // every channel's messages are counted

	con, err := console.New(console.Options{
		Handoff: a.handoff, Records: a.store, Verdicts: verdicts{a.store, a.learner},
		Review: a.store, ReviewFrom: cfg.Bot.ComplaintThreshold / 2,
		Agents: agents, Secret: consoleSecret, SecureCookies: cfg.Console.SecureCookies,
		TrustedProxies: proxies, SignIns: signInState, SignOuts: a.store,
		DashboardPath: "/console/dashboard", Logger: log, SiteName: a.site.Name.byLanguage(),
	})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	kb, err := helpCenterMounts(a, a.site.Name.In("en"), con.RequireLogin)
	if err != nil {
		return fmt.Errorf("help center: %w", err)
	}
	mounts := map[string]http.Handler{
		"/console": con, "/console/": con,
		"/console/dashboard":     con.RequireLogin(dash),
		"/console/dashboard.csv": con.RequireLogin(dash),
		"/console/dashboard.css": con.RequireLogin(dash),
	}
	for p, h := range kb {
		mounts[p] = h
	}
	site, err := web.New(web.Options{
		Engine: handler, Keys: webKeys(cfg.API.Keys, log), Logger: log, ReservedChannels: adapterChannels(),
		Checks:   []web.HealthCheck{{Name: "store", Check: storeCheck(a.store)}, {Name: "index", Check: a.checkIndex}},
		Health:   func(ctx context.Context) map[string]any { return databaseHealth(ctx, a.store) },
		Requests: requests,
		History:  a.store, SessionSecret: secret, Customers: a.store, Staff: con,
		AllowedOrigins: cfg.Server.AllowedOrigins, TrustedProxies: proxies, Site: a.site.webSite(),
		Mount: mounts,
	})
	if err != nil {
		return err
	}
	site.SetState(web.StateStarting) // until the workers run: /readyz answers 503

	mux := http.NewServeMux()
	mux.Handle("/", site)
	metricsHandler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	if cfg.Metrics.Addr == "" {
		mux.Handle("GET /metrics", guardMetrics(metricsHandler, cfg.Metrics.Token, log))
	} else {
		mln, err := net.Listen("tcp", cfg.Metrics.Addr)
		if err != nil {
			return explain(err, "metrics.addr: cannot listen on %s: %s%s", cfg.Metrics.Addr, listenReason(err), cfg.origin("metrics.addr"))
		}
		ms := metricsServer(metricsHandler, log)
		go func() { _ = ms.Serve(mln) }()
		defer ms.Close()
		log.Info("metrics listening", "addr", "http://"+mln.Addr().String()+"/metrics")
	}

	var slackApp *slack.Adapter
	var slackSocket func() (*slack.Adapter, error) // with PostgreSQL: Socket Mode on the lease holder only
	if cfg.Slack.BotToken != "" {
		slackOpts := slack.Options{
			BotToken: cfg.Slack.BotToken, SigningSecret: cfg.Slack.SigningSecret, AppToken: cfg.Slack.AppToken,
			APIURL: cfg.Slack.APIURL, PublicURL: cfg.Server.linkBase(),
			CustomerChannels: cfg.Slack.CustomerChannels, Handler: handler, Feedback: a.store,
			Escalations: a.handoff, Customers: a.store, Logger: log,
		}
		if pg != nil {
			slackOpts.Handler = slackOnce{next: handler, db: pg, lease: cfg.Bot.Timeout + 20*time.Second, log: log}
			if socket := slackOpts; socket.AppToken != "" {
				socket.SigningSecret = ""
				slackSocket = func() (*slack.Adapter, error) { return slack.New(socket) }
				slackOpts.AppToken = ""
			}
		}
		if slackOpts.SigningSecret != "" || slackOpts.AppToken != "" {
			slackApp, err = slack.New(slackOpts)
			if err != nil {
				return configError{explain(err, "slack: %s%s", strings.TrimPrefix(err.Error(), "slack: New: "), cfg.origin("slack"))}
			}
			slackApp.Register(mux)
			// Agents' replies reach customers who wrote on Slack (Slack
			// Connect channels included), as on the other chat apps.
			a.deliverers[string(bot.ChannelSlack)] = chatDeliverer{slackApp}
		}
	}

	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second, // above the widget's 25 s long-poll
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(site.Close) // waiting long-polls return at once

	// The chat apps' retries are answered once across restarts and replicas.
	once := chatOnce{next: handler, requests: requests, log: log}
	stopChatApps, err := startChatApps(ctx, cfg, a, once, mux, log)
	if err != nil {
		return err
	}
	defer stopChatApps() // after the HTTP server and Slack have stopped, before the store closes
	a.startWorkers(ctx, true)
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var work sync.WaitGroup
	errc := make(chan error, 2)
	if slackApp != nil {
		work.Add(1)
		go func() {
			defer work.Done()
			if err := slackApp.Run(workCtx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("slack: %w", err)
			}
		}()
	}
	if slackSocket != nil {
		work.Add(1)
		go func() {
			defer work.Done()
			runSocketModeLeader(workCtx, pg, 15*time.Second, log, slackSocket)
		}()
	}
	if pg != nil {
		work.Add(1)
		go func() {
			defer work.Done()
			wakeWidgets(workCtx, pg, site, log)
		}()
	}
	site.SetState(web.StateReady)
	go func() { errc <- hs.Serve(ln) }()
	held.release()
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "slack", slackApp != nil || slackSocket != nil, "alerts", a.dispatcher != nil, "llm", a.llm != nil)
	fmt.Fprintf(e.stderr, "Concierge is listening on http://%s (Ctrl-C to stop)\n", ln.Addr())
	if adminPassword != "" {
		fmt.Fprintf(e.stderr, "Agent console: http://%s/console (user admin, password in %s)\n",
			ln.Addr(), filepath.Join(cfg.DataDir, "console-password"))
	}

	var runErr error
	select {
	case err := <-errc:
		runErr = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Restore default signal handling: a second signal exits at once.
	stopSignals()
	log.Info("shutting down")
	site.SetState(web.StateDraining) // /readyz answers 503 on connections still open
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		runErr = errors.Join(runErr, fmt.Errorf("shutdown: %w", err))
	}
	stopWork() // Slack drains what it accepted within its own bound
	work.Wait()
	return runErr
}

// webKeys returns the configured API keys for package web, logging once,
// at Info, that keys written as bare strings (the old form, named key-N and
// given every scope by ParseConfig) should be named and scoped.
func webKeys(keys []APIKeyConfig, log *slog.Logger) []web.APIKey {
	var out []web.APIKey
	var bare []string
	for _, k := range keys {
		out = append(out, web.APIKey{Name: k.Name, Key: k.Key, Scopes: k.Scopes})
		if k.Bare {
			bare = append(bare, k.Name)
		}
	}
	if len(bare) > 0 {
		log.Info("api.keys: a key written as a plain string is deprecated: write {name, key, scopes} instead; until then it is named by its position and has every scope (messages, customers:read, customers:write)",
			"keys", strings.Join(bare, ", "))
	}
	return out
}

// adapterChannels are the channels Concierge's adapters own, which the REST
// API may not write into.
func adapterChannels() []string {
	return []string{bot.ChannelWeb, bot.ChannelSlack, bot.ChannelTerminal, wecom.ChannelApp, wecom.ChannelKF,
		feishu.Channel, dingtalk.Channel}
}

// serveSecret returns a signing secret: the configured one; with
// PostgreSQL one kept in the database, so that every replica signs and
// checks visitor tokens and console sessions alike; else one kept in the
// data directory (dataSecret).
func serveSecret(ctx context.Context, cfg Config, pg *postgres.DB, configured, name string) ([]byte, error) {
	if configured != "" || pg == nil {
		return dataSecret(cfg, configured, name)
	}
	b, err := pg.Secret(ctx, name, 32)
	if err != nil {
		return nil, fmt.Errorf("shared %s: %w", name, err)
	}
	return b, nil
}

// dataSecret returns a signing secret: the configured one, or a random one
// kept in the data directory file name, so that visitors and agents keep
// their sessions across restarts.
func dataSecret(cfg Config, configured, name string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	path := filepath.Join(cfg.DataDir, name)
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session secret: %w", err)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate session secret: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("save session secret: %w", err)
	}
	return b, nil
}

// listenReason returns why a listen failed in the operating system's words
// ("address already in use").
func listenReason(err error) string {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

// checkIndex checks that the knowledge index answers, for /healthz.
func (a *app) checkIndex(ctx context.Context) error {
	var err error
	if a.live != nil {
		_, err = a.live.Count()
	} else if a.index != nil {
		_, err = a.index.Count()
	}
	if err != nil {
		return fmt.Errorf("knowledge index: %w", err)
	}
	return ctx.Err()
}

// storeCheck returns the store's check for /healthz: SQLite's Check (a read
// on a fresh connection and an empty write, so that a locked or damaged file
// is noticed), else the store's Ping.
func storeCheck(st storage.Store) func(ctx context.Context) error {
	if sq, ok := st.(*sqlite.DB); ok {
		return sq.Check
	}
	return st.Ping
}

// customerDeliverer is what the Slack, Feishu and DingTalk adapters offer
// to reach a customer by record id; their errors name the platform.
type customerDeliverer interface {
	Deliver(ctx context.Context, customerID, messageID int64, agent, text string) error
}

// chatDeliverer delivers agents' replies and rating questions through a
// chat app's adapter: it is the escalation service's Deliverer for that
// channel. The system's rating question goes without a name.
type chatDeliverer struct{ a customerDeliverer }

// Deliver implements escalation.Deliverer.
func (d chatDeliverer) Deliver(ctx context.Context, x escalation.Delivery) error {
	agent := x.Agent
	if x.Author == bot.AuthorSystem {
		agent = ""
	}
	return d.a.Deliver(ctx, x.CustomerID, x.MessageID, agent, x.Text)
}
