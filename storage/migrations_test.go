package storage_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/concierge-bot/concierge/storage"
)

// fakeDB is a database whose schema version a fakeMigrator moves.
type fakeDB struct {
	version int
	ran     []string
	refuse  error
	commits []int // the version after each commit
}

type fakeMigrator struct{ db *fakeDB }

func (m fakeMigrator) Begin(context.Context) (storage.MigrationTx, error) {
	return &fakeTx{db: m.db, version: m.db.version}, nil
}

func (m fakeMigrator) Allow(current, newest int) error {
	if current > newest {
		return m.db.refuse
	}
	return nil
}

type fakeTx struct {
	db      *fakeDB
	version int
	ran     []string
}

func (t *fakeTx) Version(context.Context) (int, error) { return t.version, nil }

func (t *fakeTx) Apply(_ context.Context, m storage.Migration) error {
	t.ran, t.version = append(t.ran, m.SQL), m.Version
	return nil
}

func (t *fakeTx) Commit(context.Context) error {
	t.db.version, t.db.ran = t.version, append(t.db.ran, t.ran...)
	t.db.commits = append(t.db.commits, t.version)
	return nil
}

func (t *fakeTx) Rollback(context.Context) error { return nil }

func TestSchemaMigrate(t *testing.T) {
	s := storage.Schema{FS: fstest.MapFS{
		"m/0001_a.sql": {Data: []byte("a")},
		"m/0002_b.sql": {Data: []byte("b")},
		"m/0003_c.sql": {Data: []byte("c")},
	}, Dir: "m"}
	ctx := context.Background()
	db := &fakeDB{version: 1}
	applied, err := s.Migrate(ctx, fakeMigrator{db})
	if err != nil || len(applied) != 2 || applied[0].Version != 2 || applied[1].Version != 3 {
		t.Fatalf("Migrate from 1 = %+v, %v; want versions 2 and 3", applied, err)
	}
	if db.version != 3 || len(db.ran) != 2 || db.ran[0] != "b" || db.ran[1] != "c" {
		t.Errorf("database at %d ran %q, want 3 after b, c", db.version, db.ran)
	}
	if applied, err := s.Migrate(ctx, fakeMigrator{db}); err != nil || len(applied) != 0 {
		t.Errorf("Migrate up to date = %+v, %v; want nothing", applied, err)
	}
	// An empty database gets the whole schema in one transaction: a
	// process starting beside it never sees a part of it (version 1 or 2)
	// that it would take for an older database.
	empty := &fakeDB{}
	applied, err = s.Migrate(ctx, fakeMigrator{empty})
	if err != nil || len(applied) != 3 || empty.version != 3 {
		t.Fatalf("Migrate of an empty database = %+v, %v; want versions 1 to 3", applied, err)
	}
	if len(empty.commits) != 2 || empty.commits[0] != 3 {
		t.Errorf("commits of an empty database at versions %v, want [3 3] (all at once, then the check)", empty.commits)
	}
	newer := &fakeDB{version: 4, refuse: errors.New("newer")}
	if _, err := s.Migrate(ctx, fakeMigrator{newer}); err != newer.refuse {
		t.Errorf("Migrate of a newer schema = %v, want the engine's refusal", err)
	}
}
