package sqlite

import (
	"context"
	"database/sql"
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
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Skip("only one migration")
	}
	ts := fmtTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, q := range []string{
		ms[0].sql,
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
