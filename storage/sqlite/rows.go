package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/concierge-bot/concierge/storage"
)

// rowScanner is what *sql.Row and *sql.Rows have in common, so one scan
// function reads a row whether it came from QueryRow or from Query.
type rowScanner = storage.RowScanner

// eachRow calls fn for every row of rows, stopping at the first error, and
// closes rows. err is the error of the query that returned rows, so a call
// reads
//
//	rows, err := tx.QueryContext(ctx, query, args...)
//	err = eachRow(rows, err, func(rows *sql.Rows) error { ... })
//
// Every error is passed through describe; the caller adds what it was
// reading.
func eachRow(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return describe(err)
	}
	defer rows.Close()
	return describe(storage.EachRow(rows, func(storage.RowScanner) error { return fn(rows) }))
}

// queryEach runs a query on q (the read pool or a transaction) and calls fn
// for each row, as eachRow does.
func queryEach(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, query string, args []any, fn func(rowScanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	return eachRow(rows, err, func(rows *sql.Rows) error { return fn(rows) })
}

// collect is eachRow for the common case: every row becomes one value, by
// scan, in a slice, which is nil when there are no rows.
func collect[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	return appendRows(nil, rows, err, scan)
}

// appendRows is collect appending to dst, for a caller that sizes the slice
// or wants an empty one rather than nil. On an error it returns nil.
func appendRows[T any](dst []T, rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, describe(err)
	}
	defer rows.Close()
	dst, err = storage.AppendRows(dst, rows, scan)
	return dst, describe(err)
}

// scanValue scans a row of one column, such as an id.
func scanValue[T any](sc rowScanner) (T, error) {
	var v T
	err := sc.Scan(&v)
	return v, err
}

// param names the n-th parameter of a query (storage.Placeholder).
var param = storage.Numbered("?")

// dialect is how SQLite's statements name parameters and take times: as
// text in storage.TimeLayout.
func dialect() storage.Dialect {
	return storage.Dialect{Param: param, At: func(t time.Time) any { return fmtTime(t) },
		Round: func(t time.Time) time.Time { return t }}
}

// reads are the engine-neutral reads (Conversation, HandoffQueue, IsVIP,
// ...) on the read-only connections; embedded in DB, they are its methods.
type reads = storage.Reads

// newReads returns db's reads.
func newReads(db *DB) reads {
	each := func(ctx context.Context, query string, args []any, fn func(rowScanner) error) error {
		return queryEach(ctx, db.r, query, args, fn)
	}
	snapshot := func(ctx context.Context, fn func(storage.Query) error) error {
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return describe(err)
		}
		defer func() { _ = tx.Rollback() }()
		return fn(func(query string, args []any, fn func(rowScanner) error) error {
			return queryEach(ctx, tx, query, args, fn)
		})
	}
	return storage.NewReads(each, snapshot, dialect(), db.rules)
}
