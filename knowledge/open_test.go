package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/concierge-bot/concierge/bot"
)

// TestOpenShared opens one index twice at once, as a running serve and a
// search beside it do: both answer.
func TestOpenShared(t *testing.T) {
	ix, _ := buildFixture(t)
	other, err := Open(ix.Path())
	if err != nil {
		t.Fatalf("second Open of an open index: %v", err)
	}
	defer other.Close()
	for _, r := range []*Index{ix, other} {
		hits, err := r.Retrieve(context.Background(), bot.Query{Text: "shipping", Audiences: bot.RoleEmployee.Audiences(), Limit: 3})
		if err != nil || len(hits) == 0 {
			t.Errorf("Retrieve on a shared index: %d hits, %v", len(hits), err)
		}
	}
}

// TestOpenLocked holds the index files locked for writing, as an older
// binary that opened the index read-write did: Open gives up after
// OpenLockWait with ErrLocked, and OpenOrBuild does not replace the index.
func TestOpenLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out OpenLockWait (about 6 s); the full suite runs it")
	}
	dir := t.TempDir()
	writeFiles(t, dir, fixture)
	docs, _, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kb")
	ix, err := Build(context.Background(), path, docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(path, "store", "root.bolt"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	done := make(chan error, 1)
	go func() {
		_, err := Open(path)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("Open of a locked index: %v, want ErrLocked", err)
		}
	case <-time.After(OpenLockWait + 30*time.Second):
		t.Fatal("Open of a locked index did not give up")
	}
	if _, _, err := OpenOrBuild(context.Background(), path, docs, BuildOptions{}); !errors.Is(err, ErrLocked) {
		t.Errorf("OpenOrBuild of a locked index: %v, want ErrLocked and no rebuild", err)
	}
}
