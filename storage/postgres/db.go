// Package postgres keeps Concierge's records in PostgreSQL (jackc/pgx v5),
// for shops that outgrow one machine or want several `concierge serve`
// replicas behind one address. A DB implements storage.Store with the same
// semantics as storage/sqlite — the conformance suite storage/storetest
// holds both to them — and adds what replicas share: leases, keyed
// requests, shared secrets, rate-limit buckets and LISTEN/NOTIFY wake-ups.
//
// Every write is one transaction, committed before the call returns.
// Writes that touch a customer or one of its conversations lock the
// customer's row first (FOR NO KEY UPDATE) and then the conversation's, so
// concurrent writers of several replicas serialise per customer without
// deadlocking; a new channel identity is created under a transaction-scoped
// advisory lock of its (channel, external id), so a customer's first
// messages arriving on two replicas at once open one customer and one
// conversation. A transaction that still meets a deadlock or a
// serialisation failure is retried.
//
// The counters and insight rollups are kept by PL/pgSQL triggers, as
// SQLite's are kept by its triggers: an append costs no extra round trips,
// and every writer keeps them right. Migrations are embedded, forward-only
// and applied under an advisory lock, each in its own transaction.
//
// Errors a user can act on are *bot.Error values (ENOTFOUND, EINVALID,
// ECONFLICT, EUNAVAILABLE).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Options configures a DB. Only URL is required.
type Options struct {
	// URL is the connection string, postgres://user:pass@host:port/db?… (or
	// the key=value form). Required.
	URL string
	// Pool sizes the connection pool; zero fields take pgxpool's defaults
	// (MaxConns: the larger of 4 and the number of CPUs).
	MaxConns          int32
	MinConns          int32
	MaxConnLifetime   time.Duration
	MaxConnIdleTime   time.Duration
	HealthCheckPeriod time.Duration
	// ConnectTimeout bounds opening a connection. Default 10s.
	ConnectTimeout time.Duration
	// Logger receives operational logs; customer text is never logged.
	// Default: discard.
	Logger *slog.Logger
	// Now is the clock used for record times. Default: time.Now. Replicas
	// should have clocks in step (NTP): leases compare their times.
	Now func() time.Time
	// RetainText, when positive, is how long message text is kept (see
	// PurgeTextBefore). Zero keeps text forever.
	RetainText time.Duration
	// MaintenanceInterval is how often retention and segments are applied,
	// by one replica at a time. Default 1h; negative turns it off.
	MaintenanceInterval time.Duration
	// Segments are the rules that put customers in segments.
	Segments storage.SegmentRules
	// LeadOwner is the owner given to a customer who becomes a sales lead
	// and has no owner yet.
	LeadOwner string
	// Alerts writes the outbox messages of escalations and leads in the
	// same transaction. Nil means none are written.
	Alerts storage.AlertEncoder
	// OutboxLease is how long DueOutbox hands an item to its caller before
	// another caller may take it (the delivery lease). Default 2m.
	OutboxLease time.Duration
	// Migrate controls the schema: MigrateEmpty (the default) applies the
	// migrations to an empty database only and refuses an older schema
	// (run `concierge migrate`); MigrateAll applies whatever is missing;
	// MigrateNone only checks.
	Migrate MigrateMode
	// Holder names this process in leases and keyed requests. Default:
	// host name, process id and a random suffix.
	Holder string
}

// MigrateMode says what Open does about a schema that is not the newest.
type MigrateMode int

// The migration modes of Options.Migrate.
const (
	MigrateEmpty MigrateMode = iota // create the schema in an empty database; refuse an older one
	MigrateAll                      // apply every missing migration
	MigrateNone                     // apply nothing; refuse any schema but the newest
)

// DB is a Concierge database on PostgreSQL. It is safe for concurrent use
// and must be closed with Close.
type DB struct {
	pool   *pgxpool.Pool
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	rules  storage.SegmentRules
	holder string
	writePaths
	conversationEdits
	reads

	closeOnce sync.Once
	stop      chan struct{}
	done      sync.WaitGroup
}

// ErrNewerSchema is wrapped by Open's error when the database was migrated
// by a newer version of Concierge than this one.
var ErrNewerSchema = errors.New("database schema is newer than this version of concierge supports")

// ErrOlderSchema is wrapped by Open's error when the database needs
// migrations this version has and Options.Migrate does not allow applying
// them: run `concierge migrate`.
var ErrOlderSchema = errors.New("database schema is older than this version of concierge")

// Open connects to the database, checks (and, as Options.Migrate says,
// applies) the schema and starts the maintenance goroutine. The caller must
// Close the DB.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.URL == "" {
		return nil, errors.New("postgres: open: no database URL")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = time.Hour
	}
	if opts.OutboxLease <= 0 {
		opts.OutboxLease = 2 * time.Minute
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if opts.Holder == "" {
		opts.Holder = defaultHolder()
	}
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, bot.Errorf(bot.EINVALID, "The database URL cannot be read: %s.", redactURLError(err))
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.MinConns > 0 {
		cfg.MinConns = opts.MinConns
	}
	if opts.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.MaxConnLifetime
	}
	if opts.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = opts.MaxConnIdleTime
	}
	if opts.HealthCheckPeriod > 0 {
		cfg.HealthCheckPeriod = opts.HealthCheckPeriod
	}
	cfg.ConnConfig.ConnectTimeout = opts.ConnectTimeout
	// Day arithmetic (+1 day, -30 days) and day boundaries are UTC, as in
	// SQLite, whatever the server's default time zone.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "concierge"
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", describe(err))
	}
	db := &DB{pool: pool, opts: opts, log: opts.Logger, now: opts.Now, rules: opts.Segments.WithDefaults(),
		holder: opts.Holder, stop: make(chan struct{})}
	db.writePaths = newWritePaths(db)
	db.conversationEdits = newConversationEdits(db)
	db.reads = newReads(db)
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", describe(err))
	}
	if err := db.migrate(ctx, opts.Migrate); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.done.Add(1)
	go db.maintainer()
	return db, nil
}

// Close stops maintenance and closes the pool. It is safe to call more than
// once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.stop)
		db.done.Wait()
		db.pool.Close()
	})
	return nil
}

// Pool returns the connection pool, for tools that copy data in and for
// tests.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Holder returns the name this process uses in leases and keyed requests.
func (db *DB) Holder() string { return db.holder }

// Ping checks that the database answers, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", describe(err))
	}
	return nil
}

// PoolStats are the pool's figures, for /healthz and metrics.
type PoolStats struct {
	Total, Idle, InUse, Max int32
	WaitCount               int64
	WaitDuration            time.Duration
}

// Stats returns the pool's figures.
func (db *DB) Stats() PoolStats {
	s := db.pool.Stat()
	return PoolStats{Total: s.TotalConns(), Idle: s.IdleConns(), InUse: s.AcquiredConns(), Max: s.MaxConns(),
		WaitCount: s.EmptyAcquireCount(), WaitDuration: s.AcquireDuration()}
}

// write runs fn in a read-committed transaction and commits it, retrying
// the whole transaction (up to 8 times) when PostgreSQL reports a deadlock
// or a serialisation failure. fn must be safe to run again.
func (db *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := range 8 {
		err = db.attempt(ctx, fn)
		if !retryable(err) {
			return err
		}
		db.log.Debug("postgres: retrying a transaction", "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 2 * time.Millisecond):
		}
	}
	return err
}

func (db *DB) attempt(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", describe(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", describe(err))
	}
	return nil
}

// read runs fn in a read-only, repeatable-read transaction: every query of
// fn sees one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", describe(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// retryable reports whether err is a deadlock or serialisation failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// describe turns PostgreSQL errors a user can act on into *bot.Error values
// with a clear message, keeping the original error in the text.
func describe(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database server is out of disk space."), err)
		case pe.Code == "53300": // too_many_connections
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database server has no free connections: lower database_pool.max_conns or raise max_connections."), err)
		case pe.Code == "25006": // read_only_sql_transaction
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database is read-only (a standby?): point database at the primary."), err)
		case pe.Code == "28P01" || pe.Code == "28000":
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database refused the user name or password in the database URL."), err)
		case pe.Code == "3D000":
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database named in the database URL does not exist: create it first."), err)
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57P"):
			return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database server is unavailable."), err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database server cannot be reached: check the host and port of the database URL and that PostgreSQL is running."), err)
	}
	return err
}

// redactURLError says what is wrong with a connection string without
// repeating it (it may hold a password).
func redactURLError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.Contains(msg[:i], "cannot parse") {
		return "it is not a valid postgres:// URL or key=value list"
	}
	if strings.Contains(msg, "://") || strings.Contains(msg, "password") {
		return "it is not a valid postgres:// URL or key=value list"
	}
	return msg
}

func notFound(format string, args ...any) error { return bot.Errorf(bot.ENOTFOUND, format, args...) }

// refuseNUL returns an EINVALID *bot.Error with the message msg when one
// of texts holds a NUL character, which PostgreSQL text cannot hold, else
// nil.
func refuseNUL(msg string, texts ...string) error {
	for _, s := range texts {
		if strings.ContainsRune(s, 0) {
			return bot.Errorf(bot.EINVALID, "%s", msg)
		}
	}
	return nil
}

// noRows reports whether err is pgx's "no rows".
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// us rounds a time down to the microsecond, as PostgreSQL stores it, in UTC.
func us(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

var _ storage.Store = (*DB)(nil)

// param names the n-th parameter of a query (storage.Placeholder).
var param = storage.Numbered("$")
