// Package sqlite keeps Concierge's customer records in SQLite: customers and
// their channel identities, conversations, messages, escalations, the outbox
// of alerts, customer events, knowledge gaps, tags and notes.
//
// A DB implements storage.Store, the contract that storage/storetest checks.
// All writes go through one writer goroutine that
// commits queued writes together (group commit), so every call is durable
// (WAL, synchronous=FULL) before it returns while throughput stays high.
// Reads use a separate pool of read-only connections and never wait for the
// writer.
//
// Beyond the contract it offers SQLite's own maintenance: Backup (the online
// backup API), Checkpoint and Stats. Errors a user can act on are *bot.Error
// values (ENOTFOUND, EINVALID, ECONFLICT, EUNAVAILABLE).
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// Options configures a DB. The zero value is usable: every field has a
// default.
type Options struct {
	// Logger receives operational logs; customer text is logged only at
	// Debug level. Default: discard.
	Logger *slog.Logger
	// Now is the clock used for record times. Default: time.Now.
	Now func() time.Time
	// BusyTimeout is how long a statement waits for a lock held by another
	// process before failing. Default: 5s.
	BusyTimeout time.Duration
	// ReadConns is the number of read connections. Default: 4.
	ReadConns int
	// ExportConns is the number of connections kept apart for Export, so
	// that long exports (and the slow clients they stream to) never take
	// the read connections that messages, lists and health checks use.
	// More exports at once than this wait for one to finish. Default: 4.
	ExportConns int
	// MaxBatch is the most writes committed in one transaction by the group
	// commit. Default: 512.
	MaxBatch int
	// NoSync relaxes durability to synchronous=NORMAL: commits survive a
	// process crash but not a power loss. Default false (synchronous=FULL).
	NoSync bool
	// RetainText, when positive, is how long message text is kept: the
	// maintenance goroutine removes the text of older messages (keeping
	// their counts and annotations) with PurgeTextBefore. Zero keeps text
	// forever.
	RetainText time.Duration
	// MaintenanceInterval is how often the maintenance goroutine applies
	// RetainText and recomputes time-based segments (RecomputeSegments).
	// Default: 1h; negative turns maintenance off.
	MaintenanceInterval time.Duration
	// MaxBytes caps the size of the database file; writes that would grow it
	// past the cap fail with a disk-full error. Zero means no cap.
	MaxBytes int64
	// Segments are the rules that put customers in segments. Zero fields take
	// their defaults (see SegmentRules).
	Segments SegmentRules
	// LeadOwner is the owner given to a customer who becomes a sales lead
	// and has no owner yet. Empty leaves the owner unset.
	LeadOwner string
	// Alerts writes the outbox messages of the escalations and leads the
	// store records, in the same transaction. Nil means none are written.
	Alerts storage.AlertEncoder
}

// DB is a Concierge database. It is safe for concurrent use by multiple
// goroutines; it must be closed with Close.
type DB struct {
	path  string
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	rules SegmentRules
	writePaths
	conversationEdits
	reads
	// holder names this opening of the file in the keyed-request ledger.
	holder string

	probeMu sync.Mutex // guards probe
	probe   *probe     // the empty write of Check under way, if any

	w     *sql.DB   // the single writer connection's pool (one connection)
	wconn *sql.Conn // pinned writer connection, used only by the writer goroutine
	r     *sql.DB   // read-only connections
	x     *sql.DB   // read-only connections for Export alone

	mu         sync.RWMutex // guards closed and sends on jobs
	closed     bool
	jobs       chan *job
	writerDone chan struct{}

	commits atomic.Int64 // transactions committed by the writer
	writes  atomic.Int64 // writes (jobs) in those transactions

	stopMaint chan struct{} // closed by Close: stops the maintenance goroutine
	maintDone chan struct{}
}

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("storage: database is closed")

// ErrNewerSchema is wrapped by Open's error when the database file was written
// by a newer version of Concierge than this one.
var ErrNewerSchema = errors.New("database schema is newer than this version of concierge supports")

// Open opens the database file at path, creating it and its directory's file
// if needed, in WAL mode with foreign keys on and a busy timeout, and applies
// the embedded migrations the file lacks. It refuses a file whose schema
// version is newer than this binary's with an error wrapping ErrNewerSchema.
// The caller must Close the DB.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("storage: open: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	bot.SetDefault(&opts.BusyTimeout, 5*time.Second)
	bot.SetDefault(&opts.ReadConns, 4)
	bot.SetDefault(&opts.ExportConns, 4)
	bot.SetDefault(&opts.MaxBatch, 512)
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = time.Hour
	}
	if err := makePrivate(abs); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, describe(err))
	}
	db := &DB{
		path: abs, opts: opts, log: opts.Logger, now: opts.Now, rules: opts.Segments.WithDefaults(), holder: newHolder(),
		jobs: make(chan *job, opts.MaxBatch), writerDone: make(chan struct{}),
		stopMaint: make(chan struct{}), maintDone: make(chan struct{}),
	}
	db.writePaths = newWritePaths(db)
	db.conversationEdits = newConversationEdits(db)
	db.reads = newReads(db)
	if err := db.openWriter(ctx); err != nil {
		return nil, err
	}
	// Readers map the file into memory (up to mmapBytes): a timeline or an
	// export touches pages all over the file, and a mapped page is a memory
	// access instead of a read system call.
	db.r = sql.OpenDB(connector{dsn: db.dsn(false), driver: &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA mmap_size = "+strconv.FormatInt(mmapBytes, 10), nil)
			return err
		},
	}})
	db.r.SetMaxOpenConns(opts.ReadConns)
	db.r.SetMaxIdleConns(opts.ReadConns)
	// Exports read from a pool of their own, without mapping the file: an
	// export touches every page once, and mapped pages would count in the
	// process's resident memory. No connection is kept idle: exports are
	// rare, and each holds a page cache.
	db.x = sql.OpenDB(connector{dsn: db.dsn(false), driver: &sqlite3.SQLiteDriver{}})
	db.x.SetMaxOpenConns(opts.ExportConns)
	db.x.SetMaxIdleConns(0)
	go db.writer()
	go db.maintainer()
	return db, nil
}

// maintainer applies the retention rule, recomputes segments and forgets
// expired sign-outs every MaintenanceInterval, until Close.
func (db *DB) maintainer() {
	defer close(db.maintDone)
	storage.Every(db.opts.MaintenanceInterval, db.stopMaint, db.maintain)
}

// maintain runs one round of maintenance, logging rather than failing.
func (db *DB) maintain(ctx context.Context) {
	storage.Maintain(ctx, db, db.log, db.opts.RetainText, db.now())
	if _, err := db.PurgeRequestsBefore(ctx, db.now().Add(-requestTTL)); err != nil && ctx.Err() == nil {
		db.log.Warn("purge keyed requests failed", "err", err)
	}
	if _, err := db.pruneSessions(ctx); err != nil && ctx.Err() == nil {
		db.log.Warn("maintenance: forgetting expired sign-outs failed", "err", err)
	}
}

// mmapBytes is how much of the database file each reader maps.
const mmapBytes = 1 << 30

// connector opens connections of one DSN with a configured driver, without
// registering a driver globally.
type connector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
}

// Connect implements driver.Connector.
func (c connector) Connect(context.Context) (driver.Conn, error) { return c.driver.Open(c.dsn) }

// Driver implements driver.Connector.
func (c connector) Driver() driver.Driver { return c.driver }

// dsn returns the connection string for a writer or reader connection.
func (db *DB) dsn(writer bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(db.opts.BusyTimeout.Milliseconds(), 10))
	q.Set("_stmt_cache_size", "64")
	q.Set("_cache_size", "-8000") // 8 MB of page cache per connection
	if writer {
		q.Set("_txlock", "immediate")
		q.Set("_secure_delete", "on") // erased data is overwritten, not just unlinked
		if db.opts.NoSync {
			q.Set("_synchronous", "NORMAL")
		} else {
			q.Set("_synchronous", "FULL")
		}
	} else {
		q.Set("_query_only", "1")
	}
	return "file:" + (&url.URL{Path: db.path}).EscapedPath() + "?" + q.Encode()
}

func (db *DB) openWriter(ctx context.Context) error {
	w, err := sql.Open("sqlite3", db.dsn(true))
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", db.path, err)
	}
	w.SetMaxOpenConns(1)
	conn, err := w.Conn(ctx)
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("storage: open %s: %w", db.path, describe(err))
	}
	db.w, db.wconn = w, conn
	fail := func(err error) error {
		_ = conn.Close()
		_ = w.Close()
		return err
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", db.path, describe(err)))
	}
	if mode != "wal" {
		return fail(fmt.Errorf("storage: open %s: cannot enable WAL mode (journal mode is %q)", db.path, mode))
	}
	if db.opts.MaxBytes > 0 {
		var pageSize int64
		if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
			return fail(fmt.Errorf("storage: open %s: %w", db.path, describe(err)))
		}
		pages := max(db.opts.MaxBytes/pageSize, 1)
		if _, err := conn.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(pages, 10)); err != nil {
			return fail(fmt.Errorf("storage: open %s: %w", db.path, describe(err)))
		}
	}
	// The writer checkpoints every 1000 pages (SQLite's default; measured
	// faster than a background checkpointer, whose fsyncs compete with the
	// commits'); the WAL file is cut back to 64 MB after each checkpoint.
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_size_limit = 67108864"); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", db.path, describe(err)))
	}
	if err := migrate(ctx, conn); err != nil {
		return fail(fmt.Errorf("storage: open %s: %w", db.path, err))
	}
	return nil
}

// Close waits for queued writes to commit, then closes the database. Calls
// made after Close fail with ErrClosed. Close is safe to call more than once.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	close(db.stopMaint) // stop maintenance first
	db.mu.Unlock()
	<-db.maintDone
	db.mu.Lock()
	close(db.jobs)
	db.mu.Unlock()
	<-db.writerDone
	errX := db.x.Close()
	errR := db.r.Close()
	errC := db.wconn.Close()
	errW := db.w.Close()
	if err := errors.Join(errX, errR, errC, errW); err != nil {
		return fmt.Errorf("storage: close %s: %w", db.path, err)
	}
	return nil
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// job is one write waiting for the writer goroutine: fn runs in a batch
// transaction; raw, when set instead, runs alone on the writer connection
// outside any transaction (checkpoints, VACUUM).
type job struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	raw  func(conn *sql.Conn) error
	done chan error
}

// write runs fn in a write transaction on the writer goroutine, together with
// other queued writes, and returns once the transaction is durable. fn's
// changes are discarded if it returns an error; other writes of the same
// batch are not affected. fn must not keep tx.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.submit(ctx, &job{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// writeCount runs one statement in a write transaction (see write) and
// returns how many rows it changed.
func (db *DB) writeCount(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return describe(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// writeRaw runs fn alone on the writer connection, outside a transaction,
// between two batches.
func (db *DB) writeRaw(ctx context.Context, fn func(conn *sql.Conn) error) error {
	return db.submit(ctx, &job{ctx: ctx, raw: fn, done: make(chan error, 1)})
}

func (db *DB) submit(ctx context.Context, j *job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return ErrClosed
	}
	select {
	case db.jobs <- j:
	case <-ctx.Done():
		db.mu.RUnlock()
		return ctx.Err()
	}
	db.mu.RUnlock()
	// Wait for the outcome even if ctx ends: the writer skips jobs whose
	// context ended before they started, and a started job finishes within a
	// batch, so an error return always means nothing was stored.
	return <-j.done
}

// writer is the single writer goroutine: it takes every write queued at the
// moment and commits them in one transaction.
func (db *DB) writer() {
	defer close(db.writerDone)
	batch := make([]*job, 0, db.opts.MaxBatch)
	for j := range db.jobs {
		batch = append(batch[:0], j)
	fill:
		for len(batch) < cap(batch) && batch[len(batch)-1].raw == nil {
			select {
			case j, ok := <-db.jobs:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			default:
				break fill
			}
		}
		if last := batch[len(batch)-1]; last.raw != nil {
			db.commit(batch[:len(batch)-1])
			if err := last.ctx.Err(); err != nil {
				last.done <- err
			} else {
				last.done <- last.raw(db.wconn)
			}
		} else {
			db.commit(batch)
		}
		clear(batch)
	}
}

// commit runs a batch of jobs in one transaction and reports each job's
// outcome. Jobs run without savepoints (they cost two statements a job); when
// a job fails, the transaction is rolled back, the jobs before it are
// committed on their own and the jobs after it form a new batch, so each job
// runs at most twice and a failed job leaves no trace.
func (db *DB) commit(batch []*job) {
	run := make([]*job, 0, len(batch))
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			continue
		}
		run = append(run, j)
	}
	db.runJobs(run)
}

func (db *DB) runJobs(run []*job) {
	for len(run) > 0 {
		failed, err := db.attempt(run)
		if failed < 0 { // the outcome of the whole batch
			for _, j := range run {
				j.done <- err
			}
			return
		}
		run[failed].done <- err
		if failed > 0 {
			db.runJobs(run[:failed]) // they succeeded before: normally one commit
		}
		run = run[failed+1:]
	}
}

// attempt runs jobs in one transaction. It returns the index of the first job
// that failed and its error (the transaction is rolled back), or -1 and the
// outcome of the commit.
func (db *DB) attempt(run []*job) (int, error) {
	ctx := context.Background()
	tx, err := db.wconn.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("storage: begin: %w", describe(err))
	}
	for i, j := range run {
		if err := j.fn(tx); err != nil {
			_ = tx.Rollback()
			return i, err
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("storage: commit: %w", describe(err))
		db.log.Error("commit failed", "writes", len(run), "err", err)
		_ = tx.Rollback()
		return -1, err
	}
	db.commits.Add(1)
	db.writes.Add(int64(len(run)))
	return -1, nil
}

// Stats are counters of the writer since Open, for metrics.
type Stats struct {
	Commits int64 // durable transactions (each one fsync of the WAL)
	Writes  int64 // writes committed in them; Writes/Commits is the group-commit batch size
}

// Stats returns the writer's counters.
func (db *DB) Stats() Stats {
	return Stats{Commits: db.commits.Load(), Writes: db.writes.Load()}
}

// describe turns SQLite errors a user can act on into *bot.Error values with
// a clear message, keeping the original error in the text.
func describe(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database is full: free disk space or raise its size limit."), err)
	case sqlite3.ErrReadonly:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database is read-only: check the permissions of the data directory."), err)
	case sqlite3.ErrCantOpen:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database file cannot be opened: check that the data directory exists and is writable."), err)
	case sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database file is not a Concierge database or is damaged."), err)
	case sqlite3.ErrIoErr:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database could not be written (I/O error)."), err)
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return fmt.Errorf("%w (%v)", bot.Errorf(bot.EUNAVAILABLE, "The database is busy: another process holds it."), err)
	}
	return err
}

// fmtTime writes a time as the database stores it (storage.TimeLayout).
func fmtTime(t time.Time) string { return storage.FormatTime(t) }

// parseTime reads a time the database stored (storage.ParseTime).
func parseTime(s string) time.Time { return storage.ParseTime(s) }

func notFound(format string, args ...any) error {
	return bot.Errorf(bot.ENOTFOUND, format, args...)
}

var _ storage.Store = (*DB)(nil)
