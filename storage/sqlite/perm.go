package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateMode is the permission of the database file: it holds customers'
// personal data, so only the account that runs Concierge may read it.
// SQLite gives the -wal and -shm files it creates beside it the same mode.
const privateMode fs.FileMode = 0o600

// makePrivate creates the database file at path with privateMode if it does
// not exist, and takes group and other access away from one that does
// (files made before this rule were created 0644).
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, st.Mode().Perm()&^0o077); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}
