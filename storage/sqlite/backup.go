package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/concierge-bot/concierge/bot"
)

// Backup writes a consistent copy of the live database to the file dest with
// SQLite's online backup API, without stopping writers. It refuses to
// overwrite an existing file (ECONFLICT). The copy is written beside dest,
// checked with PRAGMA quick_check, synced and renamed into place, so dest is
// either absent or complete. Restore by stopping concierge and copying the
// backup over the database file.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return bot.Errorf(bot.ECONFLICT, "The backup file %s already exists; choose another name.", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmpPath)
			_ = os.Remove(tmpPath + "-wal")
			_ = os.Remove(tmpPath + "-shm")
		}
	}()
	if err := db.backupTo(ctx, tmpPath); err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	if err := os.Rename(tmpPath, dest); err != nil {
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	ok = true
	return syncFile(filepath.Dir(dest))
}

func (db *DB) backupTo(ctx context.Context, path string) error {
	// The copy is a plain rollback-journal file, so it is one self-contained
	// file until it is opened by concierge (which turns WAL back on).
	dst, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return describe(err)
	}
	defer dconn.Close()
	sconn, err := db.r.Conn(ctx)
	if err != nil {
		return describe(err)
	}
	defer sconn.Close()
	err = dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("not a sqlite3 connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return describe(err)
			}
			// One step copies everything under one read snapshot; in WAL mode
			// that never blocks the writer, and the copy never restarts.
			if _, err := b.Step(-1); err != nil {
				_ = b.Close()
				return describe(err)
			}
			return describe(b.Finish())
		})
	})
	if err != nil {
		return err
	}
	if _, err := dconn.ExecContext(ctx, "PRAGMA journal_mode = DELETE"); err != nil {
		return describe(err)
	}
	var check string
	if err := dconn.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return describe(err)
	}
	if check != "ok" {
		return fmt.Errorf("the copy failed its integrity check: %s", check)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
