package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// TestMigrateFromVersion1 opens a file written by the first schema version
// and checks that the later migrations apply on top of its data.
func TestMigrateFromVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Skip("only one migration")
	}
	ts := fmtTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, q := range []string{
		ms[0].SQL,
		"PRAGMA user_version = 1",
		`INSERT INTO customers (id, created, updated) VALUES (1, '` + ts + `', '` + ts + `')`,
		`INSERT INTO channel_identities (customer_id, channel, external_id, created) VALUES (1, 'web', 'old', '` + ts + `')`,
		`INSERT INTO conversations (id, customer_id, channel, opened, message_count) VALUES (1, 1, 'web', '` + ts + `', 1)`,
		`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, time) VALUES (1, 1, 1, 'customer', 'from v1', '` + ts + `')`,
		`UPDATE customers SET inbound_count = 1`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	raw.Close()

	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.r.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(ms) {
		t.Fatalf("user_version = %d, %v; want %d", v, err, len(ms))
	}
	conv, _, err := db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "old", Text: "from v2"})
	if err != nil {
		t.Fatal(err)
	}
	if conv.ID != 1 {
		t.Errorf("message after upgrade opened conversation %d, want the open conversation 1", conv.ID)
	}
	c, err := db.Customer(context.Background(), 1)
	if err != nil || c.Inbound != 2 {
		t.Errorf("customer after upgrade: %+v, %v; want 2 messages counted", c, err)
	}
	msgs, _ := db.Messages(context.Background(), 1)
	if len(msgs) != 2 || msgs[0].Text != "from v1" {
		t.Errorf("messages after upgrade: %+v", msgs)
	}
}

// TestMigrateFlagsFromVersion3: version 4 stores whether a message is a
// complaint or negative. Messages annotated before it are judged with the
// thresholds of their time (0.6 and -0.4), so the rollups the version 3
// triggers kept agree with the flags, and later annotations keep them in
// step.
func TestMigrateFlagsFromVersion3(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := schema.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 4 {
		t.Fatal("no migration 4")
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ts := fmtTime(at)
	stmts := []string{ms[0].SQL, ms[1].SQL, ms[2].SQL, "PRAGMA user_version = 3",
		`INSERT INTO customers (id, created, updated) VALUES (1, '` + ts + `', '` + ts + `')`,
		`INSERT INTO conversations (id, customer_id, channel, opened, message_count) VALUES (1, 1, 'web', '` + ts + `', 5)`,
	}
	// id: intent, complaint score, sentiment → is_complaint, is_negative
	msgs := []struct {
		intent               string
		complaint, sentiment float64
		isComplaint, isNeg   bool
	}{
		{"complaint", 0.1, 0, true, false},
		{"order_status", 0.7, -0.5, true, true},
		{"order_status", 0.5, -0.3, false, false},
		{"shipping_info", 0.6, -0.4, true, true}, // the old thresholds are inclusive
		{"", 0.9, -0.9, false, false},            // never annotated: not judged
	}
	for i := range msgs {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO messages (id, conversation_id, customer_id, inbound, author, text, time)
			VALUES (%d, 1, 1, 1, 'customer', 'm', '%s')`, i+1, ts))
	}
	for i, m := range msgs { // annotated as version 3 did, so its trigger counts them
		stmts = append(stmts, fmt.Sprintf(`UPDATE messages SET intent = '%s', complaint = %v, sentiment = %v WHERE id = %d`,
			m.intent, m.complaint, m.sentiment, i+1))
	}
	for _, q := range stmts {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	raw.Close()

	db, err := Open(ctx, path, Options{MaintenanceInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	flagsAgree := func(when string) {
		t.Helper()
		var c, n, rc, rn int
		if err := db.r.QueryRow(`SELECT coalesce(sum(is_complaint), 0), coalesce(sum(is_negative), 0) FROM messages
			WHERE inbound = 1 AND intent <> ''`).Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		if err := db.r.QueryRow(`SELECT sum(complaints), sum(negative) FROM insight_days`).Scan(&rc, &rn); err != nil {
			t.Fatal(err)
		}
		if c != rc || n != rn {
			t.Errorf("%s: flags count %d complaints and %d negative, the daily rollup %d and %d", when, c, n, rc, rn)
		}
		if err := db.r.QueryRow(`SELECT sum(complaints), sum(negative) FROM insight_conversations`).Scan(&rc, &rn); err != nil {
			t.Fatal(err)
		}
		if c != rc || n != rn {
			t.Errorf("%s: flags count %d complaints and %d negative, the conversation rollup %d and %d", when, c, n, rc, rn)
		}
	}
	for i, m := range msgs {
		var c, n bool
		if err := db.r.QueryRow(`SELECT is_complaint, is_negative FROM messages WHERE id = ?`, i+1).Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		if c != m.isComplaint || n != m.isNeg {
			t.Errorf("message %d (%s, %v, %v): flags %v %v, want %v %v", i+1, m.intent, m.complaint, m.sentiment, c, n,
				m.isComplaint, m.isNeg)
		}
	}
	flagsAgree("after the upgrade")
	if n, err := db.CountComplaints(ctx, at.Add(-time.Minute), at.Add(time.Minute)); err != nil || n != 3 {
		t.Errorf("CountComplaints after the upgrade = %d, %v; want 3", n, err)
	}
	// A message annotated after the upgrade is counted by its flags, not
	// by its scores; re-annotating takes back what was counted.
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: 1, InboundID: 5, Action: bot.ActionRelay,
		Annotation: bot.Annotation{Intent: "order_status", Complaint: 0.9, Sentiment: -0.9}}); err != nil {
		t.Fatal(err)
	}
	flagsAgree("after a new annotation")
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: 1, InboundID: 3, Action: bot.ActionRelay,
		Annotation: bot.Annotation{Intent: "order_status", Complaint: 0.5, IsComplaint: true, IsNegative: true}}); err != nil {
		t.Fatal(err)
	}
	flagsAgree("after a re-annotation")
	if n, err := db.CountComplaints(ctx, at.Add(-time.Minute), at.Add(time.Minute)); err != nil || n != 4 {
		t.Errorf("CountComplaints at the end = %d, %v; want 4", n, err)
	}
}
