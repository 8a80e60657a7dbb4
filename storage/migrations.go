package storage

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one forward-only schema step of an engine; version n is in
// the file 000n_name.sql.
type Migration struct {
	Version int
	Name    string // the file name
	SQL     string
}

// Schema is where an engine keeps its migrations: the directory Dir of FS
// (usually an embedded file system), one file 000n_name.sql per version.
type Schema struct {
	FS  fs.FS
	Dir string
}

// Version is the schema version the migrations bring a database to, or 0
// when they cannot be read.
func (s Schema) Version() int {
	ms, err := s.Migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Migrations returns the migrations in version order. Every file name must
// start with its version number and an underscore, and the versions must be
// 1, 2, 3, … without gaps.
func (s Schema) Migrations() ([]Migration, error) {
	fsys, dir := s.FS, s.Dir
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must start with a version number", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// MigrationTx is the transaction of one migration step as an engine opens
// it. Its errors are the engine's own; Migrate says which step failed.
type MigrationTx interface {
	// Version reads the schema version the database has (0 when empty).
	Version(ctx context.Context) (int, error)
	// Apply runs a migration and records its version.
	Apply(ctx context.Context, m Migration) error
	Commit(ctx context.Context) error
	// Rollback ends the transaction unless it was committed; after a
	// commit it does nothing.
	Rollback(ctx context.Context) error
}

// Migrator is how an engine migrates its database, one step at a time.
type Migrator interface {
	// Begin opens the transaction of one step, holding whatever lock keeps
	// two processes from migrating the same database at once; its error
	// says what failed.
	Begin(ctx context.Context) (MigrationTx, error)
	// Allow returns nil when a database at schema version current (not
	// newest) may be brought to newest, else the error that refuses it
	// (a newer schema, or an older one the engine may not migrate now).
	Allow(current, newest int) error
}

// Migrate applies the migrations of s that the database lacks, each in a
// transaction of its own that reads the version again, so that processes
// migrating together apply each migration once. An empty database gets the
// whole schema in one transaction, so a process starting beside the one
// that creates it sees either no schema or all of it, never a part it
// would mistake for an older database. Migrate returns the migrations it
// applied, in order (also those applied before a failure).
func (s Schema) Migrate(ctx context.Context, m Migrator) ([]Migration, error) {
	ms, err := s.Migrations()
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for {
		next, err := migrateStep(ctx, m, ms)
		if err != nil || len(next) == 0 {
			return applied, err
		}
		applied = append(applied, next...)
	}
}

// migrateStep applies the next migration of ms the database lacks (all of
// them when it has none) and returns what it applied, or nil when there was
// nothing to apply.
func migrateStep(ctx context.Context, m Migrator, ms []Migration) ([]Migration, error) {
	tx, err := m.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	current, err := tx.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if current == len(ms) {
		return nil, tx.Commit(ctx)
	}
	if err := m.Allow(current, len(ms)); err != nil {
		return nil, err
	}
	if current > len(ms) {
		return nil, fmt.Errorf("schema version %d is newer than %d", current, len(ms))
	}
	steps := ms[current : current+1]
	if current == 0 {
		steps = ms
	}
	for _, next := range steps {
		if err := tx.Apply(ctx, next); err != nil {
			return nil, fmt.Errorf("migration %s: %w", next.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("migration %s: commit: %w", steps[len(steps)-1].Name, err)
	}
	return steps, nil
}
