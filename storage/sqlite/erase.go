package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// Erase removes a customer's personal data for good
// (storage.Writes.Erase). Deleted content is overwritten in the database
// file (secure_delete) and the write-ahead log is then checkpointed and
// truncated, so no trace of it is left in the file or its WAL.
func (db *DB) Erase(ctx context.Context, id int64, actor string) error {
	if err := db.writePaths.Erase(ctx, id, actor); err != nil {
		return err
	}
	if err := db.Checkpoint(ctx); err != nil {
		return fmt.Errorf("storage: erase customer %d: the data is erased but old copies may remain in the WAL until the next checkpoint: %w", id, err)
	}
	db.log.Info("customer erased", "customer", id, "actor", actor)
	return nil
}

// Checkpoint copies the write-ahead log into the database file and truncates
// it, waiting up to the busy timeout for readers to finish.
func (db *DB) Checkpoint(ctx context.Context) error {
	err := db.writeRaw(ctx, func(conn *sql.Conn) error {
		var busy, logFrames, done int
		if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
			return describe(err)
		}
		if busy != 0 {
			return fmt.Errorf("checkpoint blocked by readers (%d of %d frames done)", done, logFrames)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}
