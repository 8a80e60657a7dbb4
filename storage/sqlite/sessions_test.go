package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSignOutsSurviveAndExpire: a sign-out outlives closing the database
// (a restart) and is forgotten by maintenance once its session would have
// expired anyway.
func TestSignOutsSurviveAndExpire(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "concierge.db")
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := Open(ctx, path, Options{MaintenanceInterval: -1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	short, long := []byte("short-lived"), []byte("long-lived")
	for id, expires := range map[string]time.Time{string(short): now.Add(time.Hour), string(long): now.Add(12 * time.Hour)} {
		if err := db.RevokeSession(ctx, []byte(id), expires); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	db, err = Open(ctx, path, Options{MaintenanceInterval: -1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range [][]byte{short, long} {
		if r, err := db.SessionRevoked(ctx, id); err != nil || !r {
			t.Errorf("SessionRevoked(%s) after reopening = %v, %v; want true", id, r, err)
		}
	}
	db.maintain(ctx)
	var left []string
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM revoked_sessions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, string(id))
	}
	rows.Close()
	if len(left) != 1 || left[0] != string(long) {
		t.Errorf("sign-outs after maintenance = %q, want only the one whose session is still live", left)
	}
}
