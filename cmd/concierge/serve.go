package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot/web"
)

// shutdownGrace bounds a graceful shutdown (DESIGN.md: within 10 s).
const shutdownGrace = 10 * time.Second

func newServeCmd(e *env) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API, web widget, console and health checks over HTTP",
		Long: `Serve Concierge over HTTP: the REST API under /api/v1, /healthz, and the
channels configured. Stops gracefully on SIGINT or SIGTERM (a second signal
exits at once).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			if addr != "" {
				cfg.Server.Addr = addr
			}
			log := e.logger(cfg, slog.LevelDebug)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, stop, cfg, log, e)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "listen `ADDRESS` (default 127.0.0.1:8080, or server.addr from the config)")
	return cmd
}

// serve runs the server until ctx is done, then shuts down in reverse order
// of start: stop intake, drain requests, close the index and the store.
func serve(ctx context.Context, stopSignals func(), cfg Config, log *slog.Logger, e *env) error {
	a, err := openApp(ctx, cfg, log)
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
	srv, err := web.New(web.Options{
		Engine: a.engine, APIKeys: cfg.API.Keys, Logger: log,
		Ready: func(ctx context.Context) error { return a.store.Ping(ctx) },
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Server.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "addr", "http://"+ln.Addr().String())
	fmt.Fprintf(e.stderr, "Concierge is listening on http://%s (Ctrl-C to stop)\n", ln.Addr())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Restore default signal handling: a second signal exits at once.
	stopSignals()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
