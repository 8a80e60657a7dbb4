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

// scanAll runs a query in tx and calls fn for each row.
func scanAll(ctx context.Context, tx pgx.Tx, query string, args []any, fn func(storage.RowScanner) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return describe(err)
	}
	defer rows.Close()
	return describe(storage.EachRow(rows, fn))
}

// dialect is how PostgreSQL's statements name parameters and take times:
// as timestamps, which it stores to the microsecond.
func dialect() storage.Dialect {
	return storage.Dialect{Param: param, At: func(t time.Time) any { return us(t) }, Round: us}
}
