package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/storage"
)

// collect reads the rows of a query that returned err into a slice, one
// value a row by scan (nil when there are no rows), and closes rows. Every
// error is passed through describe; the caller adds what it was reading:
//
//	rows, err := tx.Query(ctx, query, args...)
//	out, err := collect(rows, err, scanThing)
func collect[T any](rows pgx.Rows, err error, scan func(storage.RowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	out, err := storage.AppendRows(nil, rows, scan)
	return out, describe(err)
}

// querier is what a pool and a transaction have in common to run a query.
type querier interface {
	Query(ctx context.Context, query string, args ...any) (pgx.Rows, error)
}

// scanAll runs a query in q and calls fn for each row.
func scanAll(ctx context.Context, q querier, query string, args []any, fn func(storage.RowScanner) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return describe(err)
	}
	defer rows.Close()
	return describe(storage.EachRow(rows, fn))
}

// dialect is how PostgreSQL's statements name parameters and take times (as
// timestamps, which it stores to the microsecond); its text cannot hold NUL.
func dialect() storage.Dialect {
	return storage.Dialect{Param: param, At: func(t time.Time) any { return us(t) }, Round: us, Refuse: refuseNUL}
}

// reads are the engine-neutral reads (Conversation, HandoffQueue, IsVIP,
// ...) on the pool; embedded in DB, they are its methods.
type reads = storage.Reads

// newReads returns db's reads.
func newReads(db *DB) reads {
	each := func(ctx context.Context, query string, args []any, fn func(storage.RowScanner) error) error {
		return scanAll(ctx, db.pool, query, args, fn)
	}
	snapshot := func(ctx context.Context, fn func(storage.Query) error) error {
		return db.read(ctx, func(tx pgx.Tx) error {
			return fn(func(query string, args []any, fn func(storage.RowScanner) error) error {
				return scanAll(ctx, tx, query, args, fn)
			})
		})
	}
	return storage.NewReads(each, snapshot, dialect(), db.rules)
}
