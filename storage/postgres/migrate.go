package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one forward-only schema step; version n is in the file
// migrations/000n_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order; versions are
// 1, 2, 3, … without gaps.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a version number", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

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
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if mode == MigrateEmpty {
		v, err := db.Version(ctx)
		if err != nil {
			return nil, err
		}
		if v == 0 {
			mode = MigrateAll // a new database: create the schema
		}
	}
	var applied []int
	for {
		done, v, err := db.step(ctx, ms, mode)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		applied = append(applied, v)
	}
}

// step applies the next missing migration, or reports that there is none.
func (db *DB) step(ctx context.Context, ms []migration, mode MigrateMode) (done bool, version int, err error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, 0, fmt.Errorf("migrate: %w", describe(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return false, 0, fmt.Errorf("migrate: lock: %w", describe(err))
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return false, 0, fmt.Errorf("migrate: %w", describe(err))
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return false, 0, fmt.Errorf("read schema version: %w", describe(err))
	}
	switch {
	case current > len(ms):
		return false, 0, fmt.Errorf("%w: the database has schema version %d, this binary knows up to %d; upgrade concierge",
			ErrNewerSchema, current, len(ms))
	case current == len(ms):
		return true, current, tx.Commit(ctx)
	case mode == MigrateNone, mode == MigrateEmpty && current > 0:
		return false, 0, fmt.Errorf("%w: the database has schema version %d and this binary needs %d; run `concierge migrate`",
			ErrOlderSchema, current, len(ms))
	}
	m := ms[current]
	if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		return false, 0, fmt.Errorf("migration %s: %w", m.name, describe(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
		return false, 0, fmt.Errorf("migration %s: %w", m.name, describe(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return false, 0, fmt.Errorf("migration %s: commit: %w", m.name, describe(err))
	}
	db.log.Info("database migrated", "version", m.version, "migration", m.name)
	return false, m.version, nil
}

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
