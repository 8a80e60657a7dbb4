package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strconv"

	"github.com/concierge-bot/concierge/storage"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// schema is the embedded migrations, migrations/000n_name.sql.
var schema = storage.Schema{FS: migrationFiles, Dir: "migrations"}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int { return schema.Version() }

// migrate applies the migrations the database lacks, each in its own
// immediate transaction together with the new PRAGMA user_version, so two
// processes opening the same new file do not both migrate it. It refuses a
// database whose version is newer than the newest migration.
func migrate(ctx context.Context, conn *sql.Conn) error {
	_, err := schema.Migrate(ctx, migrator{conn})
	return err
}

// migrator migrates the database of conn, keeping the version in PRAGMA
// user_version.
type migrator struct{ conn *sql.Conn }

func (m migrator) Begin(ctx context.Context) (storage.MigrationTx, error) {
	tx, err := m.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", describe(err))
	}
	return migrationTx{tx}, nil
}

// Allow refuses a newer schema; an older one is always migrated.
func (migrator) Allow(current, newest int) error {
	if current > newest {
		return fmt.Errorf("%w: the file has schema version %d, this binary knows up to %d; upgrade concierge or restore a backup",
			ErrNewerSchema, current, newest)
	}
	return nil
}

// migrationTx is a migration step's transaction.
type migrationTx struct{ tx *sql.Tx }

func (t migrationTx) Version(ctx context.Context) (int, error) {
	var v int
	err := t.tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, describe(err)
}

func (t migrationTx) Apply(ctx context.Context, m storage.Migration) error {
	if _, err := t.tx.ExecContext(ctx, m.SQL); err != nil {
		return describe(err)
	}
	// PRAGMA arguments cannot be bound; the version is an integer we own.
	if _, err := t.tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.Version)); err != nil {
		return fmt.Errorf("set version: %w", describe(err))
	}
	return nil
}

func (t migrationTx) Commit(context.Context) error   { return describe(t.tx.Commit()) }
func (t migrationTx) Rollback(context.Context) error { return t.tx.Rollback() }
