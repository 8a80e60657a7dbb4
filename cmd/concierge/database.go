package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// DatabasePoolConfig sizes the PostgreSQL connection pool of one process
// (config database_pool). Zero fields take the defaults.
type DatabasePoolConfig struct {
	// MaxConns is the most connections this process opens (default: the
	// larger of 4 and the number of CPUs). Keep replicas × max_conns below
	// the server's max_connections.
	MaxConns int `yaml:"max_conns"`
	// MinConns are kept open while idle (default 0).
	MinConns int `yaml:"min_conns"`
	// MaxConnLifetime closes connections older than this (default 1h).
	MaxConnLifetime time.Duration `yaml:"max_conn_lifetime"`
	// MaxConnIdleTime closes connections idle for this long (default 30m).
	MaxConnIdleTime time.Duration `yaml:"max_conn_idle_time"`
	// ConnectTimeout bounds opening one connection (default 10s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// OutboxLease is how long a replica holds an alert it is delivering
	// before another may take it over (default 2m): longer than one
	// delivery attempt, short enough that a crashed replica's alerts go
	// out soon.
	OutboxLease time.Duration `yaml:"outbox_lease"`
}

// isSet reports whether any pool setting was written.
func (p DatabasePoolConfig) isSet() bool { return p != DatabasePoolConfig{} }

// postgresURL reports whether the database setting names PostgreSQL.
func postgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// validateDatabase checks database and database_pool.
func (c Config) validateDatabase() error {
	if c.Database != "" {
		if !postgresURL(c.Database) {
			return errors.New("database must be a postgres:// URL (write it as a ${ENV} secret), or be left out for SQLite in the data directory")
		}
		if u, err := url.Parse(c.Database); err != nil || u.Host == "" {
			return errors.New("database is not a valid postgres:// URL: it needs a host, like postgres://concierge:${PGPASSWORD}@db:5432/concierge")
		}
	} else if c.DatabasePool.isSet() {
		return errors.New("database_pool applies to a PostgreSQL database only: set database to a postgres:// URL, or remove database_pool")
	}
	p := c.DatabasePool
	switch {
	case p.MaxConns < 0 || p.MaxConns > 1000:
		return fmt.Errorf("database_pool.max_conns %d must be between 1 and 1000", p.MaxConns)
	case p.MinConns < 0:
		return fmt.Errorf("database_pool.min_conns %d must not be negative", p.MinConns)
	case p.MaxConns > 0 && p.MinConns > p.MaxConns:
		return fmt.Errorf("database_pool.min_conns %d must not exceed database_pool.max_conns %d", p.MinConns, p.MaxConns)
	case p.MaxConnLifetime < 0, p.MaxConnIdleTime < 0, p.ConnectTimeout < 0:
		return errors.New("database_pool durations must not be negative")
	case p.OutboxLease < 0 || (p.OutboxLease > 0 && p.OutboxLease < time.Second):
		return fmt.Errorf("database_pool.outbox_lease %v must be at least 1s", p.OutboxLease)
	}
	return nil
}

// storeOptions are what commands choose about the store they open.
type storeOptions struct {
	// migrate applies every missing PostgreSQL migration (concierge
	// migrate); otherwise only an empty database is given the schema.
	migrate bool
	// maintenance runs retention and segment upkeep (serve).
	maintenance bool
}

// sqlitePath is the SQLite database's file in the data directory.
func sqlitePath(cfg Config) string {
	return filepath.Join(cfg.DataDir, "concierge.db")
}

// openWrittenStore loads the config and opens its store for a command that
// only reads what others wrote, with a logger of warnings: with SQLite it
// refuses a data directory that has no database yet, rather than create an
// empty one, and its message says to run first (such as
// "`concierge serve`") to make one. The caller closes db.
func (e *env) openWrittenStore(ctx context.Context, first string) (db storage.Store, log *slog.Logger, err error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	log = e.logger(cfg, slog.LevelWarn)
	if _, err := os.Stat(sqlitePath(cfg)); err != nil && cfg.Database == "" {
		return nil, nil, fmt.Errorf("no database in %s: run %s first", cfg.DataDir, first)
	}
	db, err = openStore(ctx, cfg, log)
	return db, log, err
}

// openStore opens the configured database: SQLite in the data directory,
// or PostgreSQL when database is a postgres:// URL.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (storage.Store, error) {
	return openStoreWith(ctx, cfg, log, storeOptions{maintenance: true})
}

func openStoreWith(ctx context.Context, cfg Config, log *slog.Logger, so storeOptions) (storage.Store, error) {
	rules := storage.SegmentRules{VIPTag: cfg.Customers.VIPTag, VIPMinMessages: cfg.Customers.VIPMinMessages,
		VIPWon: cfg.Customers.VIPWon}
	if postgresURL(cfg.Database) {
		p := cfg.DatabasePool
		mode := postgres.MigrateEmpty
		if so.migrate {
			mode = postgres.MigrateAll
		}
		interval := time.Duration(0)
		if !so.maintenance {
			interval = -1
		}
		db, err := postgres.Open(ctx, postgres.Options{URL: cfg.Database, MaxConns: int32(p.MaxConns), MinConns: int32(p.MinConns),
			MaxConnLifetime: p.MaxConnLifetime, MaxConnIdleTime: p.MaxConnIdleTime, ConnectTimeout: p.ConnectTimeout,
			OutboxLease: p.OutboxLease, Logger: log, RetainText: cfg.Customers.RetainText, LeadOwner: cfg.Customers.LeadOwner,
			Alerts: alert.Protocol{}, Segments: rules, Migrate: mode, MaintenanceInterval: interval})
		if err != nil {
			switch {
			case errors.Is(err, postgres.ErrNewerSchema):
				return nil, explain(err, "the PostgreSQL database was migrated by a newer version of concierge: upgrade concierge (replicas must all run the newer version)")
			case errors.Is(err, postgres.ErrOlderSchema):
				return nil, explain(err, "the PostgreSQL database needs the schema of this version: run `concierge migrate` first (once, from any replica)")
			case bot.ErrorCode(err) != bot.EINTERNAL:
				return nil, explain(err, "database: %s", strings.TrimSuffix(bot.ErrorMessage(err), "."))
			}
			return nil, fmt.Errorf("open PostgreSQL database: %w", err)
		}
		return db, nil
	}
	path := sqlitePath(cfg)
	db, err := sqlite.Open(ctx, path, sqlite.Options{
		Logger: log, RetainText: cfg.Customers.RetainText, LeadOwner: cfg.Customers.LeadOwner, Alerts: alert.Protocol{},
		Segments: sqlite.SegmentRules{VIPTag: rules.VIPTag, VIPMinMessages: rules.VIPMinMessages, VIPWon: rules.VIPWon},
	})
	if err != nil {
		switch {
		case errors.Is(err, sqlite.ErrNewerSchema):
			return nil, explain(err, "database %s was written by a newer version of concierge: upgrade concierge, or restore a backup made by this version", path)
		case strings.Contains(bot.ErrorMessage(err), "not a Concierge database"):
			return nil, explain(err, "database %s is not a Concierge database or is damaged: move it aside to start afresh, or restore a backup", path)
		case bot.ErrorCode(err) != bot.EINTERNAL:
			return nil, explain(err, "database %s: %s", path, strings.TrimSuffix(bot.ErrorMessage(err), "."))
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// databaseHealth describes the store for /healthz: its engine, schema
// version and, for PostgreSQL, the connection pool.
func databaseHealth(ctx context.Context, s storage.Store) map[string]any {
	h := map[string]any{}
	switch db := s.(type) {
	case *postgres.DB:
		h["engine"] = "postgres"
		if v, err := db.Version(ctx); err == nil {
			h["schema"] = v
		}
		st := db.Stats()
		h["pool"] = map[string]any{"total": st.Total, "idle": st.Idle, "in_use": st.InUse, "max": st.Max}
	case *sqlite.DB:
		h["engine"] = "sqlite"
		h["schema"] = sqlite.SchemaVersion()
	}
	return h
}
