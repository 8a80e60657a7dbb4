package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

func newMigrateCmd(e *env) *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "migrate [--from sqlite FILE]",
		Short: "Apply the schema to the configured database, or move a SQLite shop to PostgreSQL",
		Long: `Migrate brings the configured database's schema up to this version of
concierge: PostgreSQL (database: postgres://… in the config) or the SQLite
file in the data directory. It is idempotent, and safe to run from several
replicas at once. Run it before starting the replicas of a new version:
serve creates the schema in an empty PostgreSQL database by itself, but
refuses an older schema (and every command refuses a newer one).

With --from sqlite FILE it moves an existing SQLite shop (a concierge.db) to
the configured PostgreSQL database, which must be empty: every table is
copied in one transaction, ids and counters kept, and the rows of every
table are counted on both sides and printed. Stop the concierge that uses
FILE first.

  concierge migrate --config replicas.yaml
  concierge migrate --config replicas.yaml --from sqlite ./concierge-data/concierge.db`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case from == "" && len(args) > 0:
				return usagef("migrate takes no arguments without --from sqlite FILE")
			case from != "" && from != "sqlite":
				return usagef("--from must be sqlite, not %q", from)
			case from != "" && len(args) != 1:
				return usagef("--from sqlite needs the SQLite FILE to copy, like ./concierge-data/concierge.db")
			}
			return nil
		},
		RunE: e.withConfig(func(cmd *cobra.Command, args []string, cfg Config) error {
			log := e.logger(cfg, slog.LevelWarn)
			if from != "" {
				if !postgresURL(cfg.Database) {
					return usagef("--from sqlite copies into PostgreSQL: set database to a postgres:// URL in the config")
				}
				return migrateFromSQLite(cmd.Context(), cfg, log, args[0], e.stdout)
			}
			return migrateSchema(cmd.Context(), cfg, log, e.stdout)
		}),
	}
	cmd.Flags().StringVar(&from, "from", "", "copy from another engine: `sqlite` (with the FILE to copy)")
	return cmd
}

// migrateSchema applies the missing migrations of the configured database.
func migrateSchema(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	if !postgresURL(cfg.Database) {
		if err := ensureDataDir(cfg); err != nil {
			return err
		}
		db, err := openStore(ctx, cfg, log) // SQLite migrates on open
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "SQLite database %s: schema version %d.\n", db.(*sqlite.DB).Path(), sqlite.SchemaVersion())
		return db.Close()
	}
	before, err := postgres.DatabaseVersion(ctx, cfg.Database)
	if err != nil {
		return explain(err, "database: %s", strings.TrimSuffix(bot.ErrorMessage(err), "."))
	}
	db, err := openStoreForMigrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.Version(ctx)
	if err != nil {
		return err
	}
	if v == before {
		fmt.Fprintf(out, "PostgreSQL database %s: schema version %d, up to date.\n", safeURL(cfg.Database), v)
	} else {
		fmt.Fprintf(out, "PostgreSQL database %s: schema version %d (was %d).\n", safeURL(cfg.Database), v, before)
	}
	return nil
}

// openStoreForMigrate opens the PostgreSQL database applying every missing
// migration.
func openStoreForMigrate(ctx context.Context, cfg Config, log *slog.Logger) (*postgres.DB, error) {
	s, err := openStoreWith(ctx, cfg, log, storeOptions{migrate: true})
	if err != nil {
		return nil, err
	}
	return s.(*postgres.DB), nil
}

// safeURL is a database URL without its password, for messages.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(the configured database)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.Redacted()
}

// A column of the copy: its name and how a SQLite value becomes a
// PostgreSQL one.
type column struct {
	name string
	kind byte // i int, I nullable int, t text, T nullable text, f float, b bool (0/1), d time, D nullable time, x bytes
}

// copyTables are the tables of the store in an order that satisfies every
// foreign key (customers.merged_into is set after the copy), with their
// columns.
var copyTables = []struct {
	name string
	cols []column
}{
	{"customers", cols("id:i name:t email:t phone:t language:t role:t segment:t stage:t owner:t vip:b inbound_count:i outbound_count:i complaint_count:i at_risk_until:D last_seen:D created:d updated:d erased:D")},
	{"channel_identities", cols("id:i customer_id:i channel:t external_id:t created:d")},
	{"conversations", cols("id:i customer_id:i channel:t status:t assignee:t opened:d closed:D first_response:D last_message:D message_count:i csat:I")},
	{"messages", cols("id:i conversation_id:i customer_id:i inbound:b author:t author_name:t text:t intent:t confidence:f language:t sentiment:f complaint:f is_complaint:b is_negative:b action:t sources:T choices:T reply_to:I redacted:b time:d")},
	{"escalations", cols("id:i conversation_id:i customer_id:i message_id:I reason:t severity:t summary:t status:t assignee:t created:d acknowledged:D resolved:D")},
	{"outbox", cols("id:i kind:t customer_id:I payload:t idempotency_key:t attempts:i next_attempt:d last_error:t created:d delivered:D dead:b")},
	{"customer_events", cols("id:i customer_id:i conversation_id:I kind:t detail:t actor:t time:d")},
	{"knowledge_gaps", cols("id:i question:t language:t count:i first_seen:d last_seen:d")},
	{"knowledge_gap_messages", cols("gap_id:i message_id:i customer_id:i")},
	{"knowledge_gap_picks", cols("gap_id:i doc_id:t count:i last:d")},
	{"tags", cols("customer_id:i tag:t created:d")},
	{"notes", cols("id:i customer_id:i conversation_id:I author:t text:t created:d")},
	{"insight_conversations", cols("conversation_id:i annotated:i complaints:i negative:i purchase:i handoffs:i helpful:i not_helpful:i")},
	{"insight_days", cols("day:t channel:t intent:t messages:i complaints:i negative:i")},
	{"answer_feedback", cols("message_id:i voter:t conversation_id:i channel:t helpful:b time:d")},
	// Sign-outs, so a cookie signed out before the move stays signed out
	// when the console secret is the configured one.
	{"revoked_sessions", cols("id:x expires:d")},
}

func cols(spec string) []column {
	var out []column
	for _, f := range strings.Fields(spec) {
		name, kind, _ := strings.Cut(f, ":")
		out = append(out, column{name, kind[0]})
	}
	return out
}

// migrateFromSQLite copies the SQLite database at path into the configured,
// empty PostgreSQL database and checks that every table holds as many rows
// on both sides.
func migrateFromSQLite(ctx context.Context, cfg Config, log *slog.Logger, path string, out io.Writer) error {
	if _, err := os.Stat(path); err != nil {
		return explain(err, "--from sqlite %s: %s", path, reason(err))
	}
	// Bring the file to this version's schema first (as every command would).
	src, err := sqlite.Open(ctx, path, sqlite.Options{Logger: log, MaintenanceInterval: -1})
	if err != nil {
		return explain(err, "--from sqlite %s: %s", path, strings.TrimSuffix(bot.ErrorMessage(err), "."))
	}
	if err := src.Close(); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=1&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer raw.Close()
	rtx, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // one snapshot of the file
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer func() { _ = rtx.Rollback() }()

	db, err := openStoreForMigrate(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var existing int64
	if err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM messages)`).Scan(&existing); err != nil {
		return fmt.Errorf("check the target database: %w", err)
	}
	if existing > 0 {
		return fmt.Errorf("the PostgreSQL database %s already holds customers or messages: --from sqlite copies into an empty database only", safeURL(cfg.Database))
	}
	start := time.Now()
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// The triggers stand still: the counters and rollups are copied as they are.
	if _, err := tx.Exec(ctx, `SET LOCAL concierge.copying = 'on'`); err != nil {
		return err
	}
	counts := map[string]int64{}
	for _, t := range copyTables {
		n, err := copyTable(ctx, rtx, tx, t.name, t.cols)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		counts[t.name] = n
	}
	// Merged-away customers point at their survivor, which may come later.
	rows, err := rtx.QueryContext(ctx, `SELECT id, merged_into FROM customers WHERE merged_into IS NOT NULL`)
	if err != nil {
		return err
	}
	var merged [][2]int64
	for rows.Next() {
		var m [2]int64
		if err := rows.Scan(&m[0], &m[1]); err != nil {
			rows.Close()
			return err
		}
		merged = append(merged, m)
	}
	rows.Close()
	for _, m := range merged {
		if _, err := tx.Exec(ctx, `UPDATE customers SET merged_into = $2 WHERE id = $1`, m[0], m[1]); err != nil {
			return fmt.Errorf("copy customers: merged_into: %w", err)
		}
	}
	// The id sequences continue after the copied ids.
	for _, t := range []string{"customers", "channel_identities", "conversations", "messages", "escalations", "outbox",
		"customer_events", "knowledge_gaps", "notes"} {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce((SELECT max(id) FROM `+t+`), 0) + 1, false)`); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit the copy: %w", err)
	}
	// Count both sides again, from the committed data.
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "table\tsqlite\tpostgres\t\n")
	var bad []string
	for _, t := range copyTables {
		var a, b int64
		if err := rtx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&a); err != nil {
			return err
		}
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&b); err != nil {
			return err
		}
		mark := ""
		if a != b || a != counts[t.name] {
			mark = " ≠"
			bad = append(bad, t.name)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d%s\t\n", t.name, a, b, mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("the counts of %s differ after the copy: the PostgreSQL database is not a faithful copy; empty it and run again", strings.Join(bad, ", "))
	}
	fmt.Fprintf(out, "Copied %s into PostgreSQL %s in %s; every table holds the same number of rows.\n",
		path, safeURL(cfg.Database), time.Since(start).Round(time.Millisecond))
	return nil
}

// copyTable streams one table from SQLite into PostgreSQL with COPY.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, table string, cs []column) (int64, error) {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.name
	}
	sel := make([]string, len(cs))
	for i, c := range cs {
		sel[i] = c.name
		if table == "customers" && c.name == "merged_into" {
			sel[i] = "NULL"
		}
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	vals := make([]any, len(cs))
	ptrs := make([]any, len(cs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var convErr error
	source := pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(cs))
		for i, c := range cs {
			v, err := convert(vals[i], c.kind)
			if err != nil {
				convErr = fmt.Errorf("column %s: %w", c.name, err)
				return nil, convErr
			}
			row[i] = v
		}
		return row, nil
	})
	n, err := dst.CopyFrom(ctx, pgx.Identifier{table}, names, source)
	if convErr != nil {
		return n, convErr
	}
	return n, err
}

// convert turns a value read from SQLite into the PostgreSQL column's type.
func convert(v any, kind byte) (any, error) {
	if b, ok := v.([]byte); ok && kind == 'x' {
		return b, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		switch kind {
		case 'I', 'T', 'D':
			return nil, nil
		}
		return nil, errors.New("unexpected NULL")
	}
	switch kind {
	case 'i', 'I':
		switch n := v.(type) {
		case int64:
			return n, nil
		case float64:
			return int64(n), nil
		}
	case 't', 'T':
		if s, ok := v.(string); ok {
			return strings.ReplaceAll(s, "\x00", ""), nil
		}
		return fmt.Sprint(v), nil
	case 'f':
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		}
	case 'b':
		switch n := v.(type) {
		case int64:
			return n != 0, nil
		case bool:
			return n, nil
		}
	case 'd', 'D':
		switch t := v.(type) {
		case string:
			for _, layout := range []string{"2006-01-02T15:04:05.000000Z", time.RFC3339Nano} {
				if p, err := time.Parse(layout, t); err == nil {
					return p.UTC(), nil
				}
			}
			if t == "" && kind == 'D' {
				return nil, nil
			}
			return nil, fmt.Errorf("%q is not a time", t)
		case time.Time:
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("cannot convert %T", v)
}
