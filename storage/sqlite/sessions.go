package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RevokeSession records that a console session ended (sign-out) until it
// would have expired; revoking it again changes nothing. It survives a
// restart: a signed-out cookie is never accepted again.
func (db *DB) RevokeSession(ctx context.Context, id []byte, expires time.Time) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT OR IGNORE INTO revoked_sessions (id, expires) VALUES (?, ?)`, id, fmtTime(expires))
		return describe(err)
	})
	if err != nil {
		return fmt.Errorf("storage: revoke session: %w", err)
	}
	return nil
}

// SessionRevoked reports whether a console session was ended by
// RevokeSession.
func (db *DB) SessionRevoked(ctx context.Context, id []byte) (bool, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM revoked_sessions WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("storage: session revoked: %w", describe(err))
	}
	return n > 0, nil
}

// pruneSessions forgets the sign-outs of sessions that have expired anyway.
func (db *DB) pruneSessions(ctx context.Context) (int64, error) {
	n, err := db.writeCount(ctx, `DELETE FROM revoked_sessions WHERE expires < ?`, fmtTime(db.now()))
	if err != nil {
		return 0, fmt.Errorf("storage: forget expired sign-outs: %w", err)
	}
	return n, nil
}
