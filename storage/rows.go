package storage

// Every engine reads its query results through these, so that a function
// that reads one row (a scan function) serves QueryRow and Query alike, and
// the loop over a result is written once.

// RowScanner is a row of a query's result as database/sql (*sql.Row,
// *sql.Rows) and pgx (pgx.Row, pgx.Rows) both offer it, so one function
// reads a row of the same shape for every engine.
type RowScanner interface {
	Scan(dest ...any) error
}

// Rows is a query's result being read, as database/sql (*sql.Rows) and pgx
// (pgx.Rows) both offer it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// EachRow calls fn for each row of rows, stopping at the first error, and
// returns that error or the error that ended rows. Closing rows is the
// caller's.
func EachRow(rows Rows, fn func(RowScanner) error) error {
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AppendRows appends to dst one value for each row of rows, made by scan,
// and returns the slice, or nil and the first error (of scan or the one
// that ended rows). With dst nil and no rows it returns nil. Closing rows
// is the caller's.
func AppendRows[T any](dst []T, rows Rows, scan func(RowScanner) (T, error)) ([]T, error) {
	if err := EachRow(rows, appender(&dst, scan)); err != nil {
		return nil, err
	}
	return dst, nil
}

// appender returns a function for each row (EachRow) that appends to *dst
// one value made by scan.
func appender[T any](dst *[]T, scan func(RowScanner) (T, error)) func(RowScanner) error {
	return func(sc RowScanner) error {
		v, err := scan(sc)
		if err != nil {
			return err
		}
		*dst = append(*dst, v)
		return nil
	}
}
