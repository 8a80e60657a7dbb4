package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Ping checks that the database answers a read, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Check reports whether the database can be read and written, for /healthz.
// It reads the schema and the newest message on a connection of its own,
// opened for the check, so that a damaged file is noticed rather than hidden
// behind a pooled connection's cache; and it commits an empty write
// transaction through the writer, so that a database locked by another
// process (or a writer stuck behind such a lock) is noticed. It returns when
// ctx ends even if the write has not finished; the write then completes or
// fails on its own, and at most one is under way at a time.
func (db *DB) Check(ctx context.Context) error {
	c := sql.OpenDB(connector{dsn: db.dsn(false), driver: &sqlite3.SQLiteDriver{}})
	defer c.Close()
	var tables int
	var newest sql.NullInt64
	if err := c.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sqlite_master), (SELECT max(id) FROM messages)`).
		Scan(&tables, &newest); err != nil {
		return fmt.Errorf("storage: check read: %w", describe(err))
	}
	if tables == 0 {
		return fmt.Errorf("storage: check read: the database has no tables")
	}
	done := db.writeProbe()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("storage: check write: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("storage: check write: %w (the database may be locked by another process)", ctx.Err())
	}
}

// writeProbe starts an empty write transaction unless one is under way,
// and returns a channel that receives its outcome.
func (db *DB) writeProbe() <-chan error {
	db.probeMu.Lock()
	defer db.probeMu.Unlock()
	if db.probe == nil {
		ch := make(chan struct{})
		p := &probe{done: ch}
		db.probe = p
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), db.opts.BusyTimeout+10*time.Second)
			defer cancel()
			p.err = db.write(ctx, func(tx *sql.Tx) error {
				var n int
				return describe(tx.QueryRow(`PRAGMA user_version`).Scan(&n))
			})
			db.probeMu.Lock()
			db.probe = nil
			db.probeMu.Unlock()
			close(ch)
		}()
	}
	p := db.probe
	out := make(chan error, 1)
	go func() {
		<-p.done
		out <- p.err
	}()
	return out
}

// probe is an empty write under way for Check.
type probe struct {
	done chan struct{}
	err  error
}
