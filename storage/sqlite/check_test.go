package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestCheckNoticesLockAndDamage: Check, behind /healthz, fails when another
// process holds the database's write lock and when the file is damaged,
// where Ping (SELECT 1 on a pooled connection) passed both.
func TestCheckNoticesLockAndDamage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "concierge.db")
	db := openAt(t, path, sqlite.Options{BusyTimeout: 5 * time.Second, MaintenanceInterval: -1})
	if err := db.Check(ctx); err != nil {
		t.Fatalf("Check on a healthy database: %v", err)
	}

	// Another process takes the write lock and keeps it.
	other := raw(t, path)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	start := time.Now()
	err = db.Check(cctx)
	cancel()
	if err == nil {
		t.Error("Check passed with the database locked by another process")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Check took %v with a 500ms deadline", took)
	}
	if err := db.Ping(ctx); err != nil {
		t.Logf("(Ping failed too: %v)", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	// The probe under way finishes once the lock is released.
	deadline := time.Now().Add(10 * time.Second)
	for db.Check(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatalf("Check after the lock was released: %v", err)
	}

	// The file's header is overwritten.
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("this is not a SQLite database..."), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := db.Check(ctx); err == nil {
		t.Error("Check passed on a damaged file")
	} else {
		t.Logf("damaged: %v", err)
	}
	if err := db.Ping(ctx); err == nil {
		t.Log("(Ping still passes on the damaged file)")
	}
}
