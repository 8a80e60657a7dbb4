package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestDatabaseFilesArePrivate: the database and its WAL hold personal data
// and are readable by their owner only, new or made before the rule.
func TestDatabaseFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			st, err := os.Stat(p)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if m := st.Mode().Perm(); m&0o077 != 0 {
				t.Errorf("%s has mode %v, want no access for group and others", filepath.Base(p), m)
			}
		}
	}
	check()
	db.Close()
	// A database created world-readable by an older version is made private.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check()
}
