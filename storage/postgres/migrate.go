package postgres

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/storage"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// schema is the embedded migrations, migrations/000n_name.sql.
var schema = storage.Schema{FS: migrationFiles, Dir: "migrations"}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return schema.Version() }

// migrationLock keys the advisory lock that serialises migrations of one
// database ("concierge" in ASCII).
const migrationLock int64 = 0x636f6e6369657267

// Version returns the schema version of the database (0 when empty).
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", describe(err))
	}
	return v, nil
}

// Migrate applies the migrations the database lacks and returns the
// versions it applied (none when it was up to date). It is what `concierge
// migrate` runs; several processes may run it at once.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	return db.apply(ctx, MigrateAll)
}

func (db *DB) migrate(ctx context.Context, mode MigrateMode) error {
	_, err := db.apply(ctx, mode)
	return err
}

// apply brings the schema up to date as mode allows, each migration in its
// own transaction under the migration lock, so replicas starting together
// migrate once.
func (db *DB) apply(ctx context.Context, mode MigrateMode) ([]int, error) {
	if mode == MigrateEmpty {
		v, err := db.Version(ctx)
		if err != nil {
			return nil, err
		}
		if v == 0 {
			mode = MigrateAll // a new database: create the schema
		}
	}
	ms, err := schema.Migrate(ctx, migrator{db: db, mode: mode})
	var applied []int
	for _, m := range ms {
		db.log.Info("database migrated", "version", m.Version, "migration", m.Name)
		applied = append(applied, m.Version)
	}
	return applied, err
}

// migrator migrates under the advisory lock migrationLock, recording the
// versions in schema_migrations, as mode allows.
type migrator struct {
	db   *DB
	mode MigrateMode
}

// Begin opens a step's transaction, takes the migration lock and creates
// schema_migrations if it is missing.
func (m migrator) Begin(ctx context.Context) (storage.MigrationTx, error) {
	tx, err := m.db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("migrate: lock: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("migrate: %w", describe(err))
	}
	return migrationTx{tx}, nil
}

// Allow refuses a newer schema, and an older one unless mode migrates it.
func (m migrator) Allow(current, newest int) error {
	switch {
	case current > newest:
		return fmt.Errorf("%w: the database has schema version %d, this binary knows up to %d; upgrade concierge",
			ErrNewerSchema, current, newest)
	case m.mode == MigrateNone, m.mode == MigrateEmpty && current > 0:
		return fmt.Errorf("%w: the database has schema version %d and this binary needs %d; run `concierge migrate`",
			ErrOlderSchema, current, newest)
	}
	return nil
}

// migrationTx is a migration step's transaction.
type migrationTx struct{ tx pgx.Tx }

func (t migrationTx) Version(ctx context.Context) (int, error) {
	var v int
	err := t.tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, describe(err)
}

// Apply runs the migration's SQL as one simple-protocol statement batch.
func (t migrationTx) Apply(ctx context.Context, m storage.Migration) error {
	if _, err := t.tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return describe(err)
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
	return describe(err)
}

func (t migrationTx) Commit(ctx context.Context) error   { return describe(t.tx.Commit(ctx)) }
func (t migrationTx) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

// DatabaseVersion connects to the database at url and returns its schema
// version (0 when it has no Concierge schema), without changing anything.
func DatabaseVersion(ctx context.Context, url string) (int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("postgres: %w", describe(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: %w", describe(err))
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: %w", describe(err))
	}
	return v, nil
}
