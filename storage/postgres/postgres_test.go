package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/postgres/pgtest"
	"github.com/concierge-bot/concierge/storage/storetest"
)

// open opens a store in a fresh schema of the test server.
func open(t testing.TB, o postgres.Options) *postgres.DB {
	t.Helper()
	if o.URL == "" {
		o.URL = pgtest.Schema(t)
	}
	if o.MaintenanceInterval == 0 {
		o.MaintenanceInterval = -1
	}
	db, err := postgres.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	// Every subtest gets an empty store: the first of a subtest in one
	// shared schema, emptied (migrating a schema per store is slow), any
	// other in a fresh schema of its own.
	shared := pgtest.Schema(t)
	open(t, postgres.Options{URL: shared}).Close()
	used := map[*testing.T]bool{}
	storetest.Run(t, storetest.Hooks{
		New: func(t *testing.T, o storetest.Options) storage.Store {
			po := postgres.Options{Now: o.Now, Alerts: o.Alerts, LeadOwner: o.LeadOwner,
				Segments: storage.SegmentRules{VIPWon: o.VIPWon}}
			if !used[t] {
				used[t] = true
				po.URL = shared
				db := open(t, po)
				truncate(t, db)
				return db
			}
			return open(t, po)
		},
		Dump: func(t *testing.T, s storage.Store) string { return dump(t, s.(*postgres.DB)) },
	})
}

// truncate empties every table of the store's schema but the migrations'.
func truncate(t *testing.T, db *postgres.DB) {
	t.Helper()
	// DELETE, not TRUNCATE: on a busy machine emptying small tables is much
	// faster than replacing their files.
	var sql strings.Builder
	for _, table := range []string{"answer_feedback", "knowledge_gap_picks", "knowledge_gap_messages", "knowledge_gaps",
		"requests", "notes", "tags", "customer_events", "outbox", "escalations", "insight_conversations", "insight_days",
		"messages", "conversations", "channel_identities", "customers", "leases", "secrets", "rate_buckets",
		"revoked_sessions"} {
		fmt.Fprintf(&sql, "DELETE FROM %s;\n", table)
	}
	for _, table := range []string{"customers", "channel_identities", "conversations", "messages", "escalations", "outbox",
		"customer_events", "knowledge_gaps", "notes"} {
		fmt.Fprintf(&sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'), 1, false);\n", table)
	}
	if _, err := db.Pool().Exec(context.Background(), sql.String(), pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
}

// dump returns every row of every table of the store's schema as text.
func dump(t *testing.T, db *postgres.DB) string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 10 {
		t.Fatalf("tables %v, %v", tables, err)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Pool().Query(ctx, `SELECT t::text FROM `+pgx.Identifier{table}.Sanitize()+` t`)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\n%s\n", table, strings.Join(lines, "\n"))
	}
	return b.String()
}
