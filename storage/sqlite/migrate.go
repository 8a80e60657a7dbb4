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
	ms, err := schema.Migrations()
	if err != nil {
		return err
	}
	for {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", describe(err))
		}
		var current int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("read schema version: %w", describe(err))
		}
		if current > len(ms) {
			_ = tx.Rollback()
			return fmt.Errorf("%w: the file has schema version %d, this binary knows up to %d; upgrade concierge or restore a backup",
				ErrNewerSchema, current, len(ms))
		}
		if current == len(ms) {
			return tx.Rollback()
		}
		m := ms[current]
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, describe(err))
		}
		// PRAGMA arguments cannot be bound; the version is an integer we own.
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(m.Version)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: set version: %w", m.Name, describe(err))
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: commit: %w", m.Name, describe(err))
		}
	}
}
