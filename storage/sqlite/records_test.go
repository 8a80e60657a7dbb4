package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

func eventKinds(t *testing.T, db *sqlite.DB, id int64) []string {
	t.Helper()
	evs, err := db.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

// TestEraseLeavesNoTrace erases a customer and then reads the raw database
// file and its WAL for any of its text or contact data.
func TestEraseLeavesNoTrace(t *testing.T) {
	clk := newClock()
	// With an alert encoder, so the escalation's alert (its summary names
	// the order code) is in the outbox too.
	db := openAt(t, filepath.Join(t.TempDir(), "e.db"), sqlite.Options{Now: clk.Now, Alerts: testAlerts{}})
	ctx := context.Background()
	secret := []string{"Zanzibar-Quokka-7731", "quokka.owner@example.org", "+4915550123456", "Quentin Quokka",
		"cookie-quokka-991", strings.Repeat("long secret paragraph about the quokka order ", 200)}
	conv, inID := appendIn(t, db, "web", secret[4], "My order code is "+secret[0], clk.Now())
	st, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Text: "Not sure about " + secret[0],
		Action: bot.ActionClarify, Annotation: bot.Annotation{Intent: "order_status", Complaint: 0.9, IsComplaint: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint: " + secret[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFeedback(ctx, st.MessageID, false, secret[4]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAgentMessage(ctx, conv.ID, "alice", "About "+secret[0]); err != nil {
		t.Fatal(err)
	}
	// A long message spills into overflow pages.
	appendIn(t, db, "web", secret[4], secret[5], clk.Now())
	if _, err := db.UpdateContact(ctx, conv.CustomerID, bot.ContactUpdate{Name: secret[3], Email: secret[1], Phone: secret[2]}, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(ctx, conv.CustomerID, 0, "alice", "Call "+secret[3]); err != nil {
		t.Fatal(err)
	}
	if items, _ := db.Outbox(ctx, kindTestEscalation, 10); len(items) != 1 || !strings.Contains(string(items[0].Payload), secret[0]) {
		t.Fatalf("before erase: escalation alerts %+v, want one naming the order code", items)
	}
	// Someone else's data must survive.
	keep, _ := appendIn(t, db, "web", "other", "Keep-This-Text-4242", clk.Now())

	if err := db.Erase(ctx, conv.CustomerID, "dpo"); err != nil {
		t.Fatal(err)
	}
	if err := db.Erase(ctx, conv.CustomerID, "dpo"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("second Erase = %v, want ECONFLICT", err)
	}
	c, err := db.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Erased.IsZero() || c.Name != "" || len(c.Identities) != 0 || c.Inbound != 2 || c.Outbound != 2 {
		t.Errorf("erased customer = %+v; want no personal data, counts kept", c)
	}
	if kinds := eventKinds(t, db, c.ID); kinds[len(kinds)-1] != bot.EventErased {
		t.Errorf("last event = %v, want erased", kinds)
	}
	if gaps, _ := db.KnowledgeGaps(ctx, 10); len(gaps) != 0 {
		t.Errorf("knowledge gaps after erase: %+v", gaps)
	}
	if n := count(t, raw(t, db.Path()), `SELECT count(*) FROM answer_feedback`); n != 0 {
		t.Errorf("%d votes (with the voter's hashed id) kept after erase", n)
	}
	// Close so that nothing is cached, then read every byte on disk.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var disk []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(db.Path() + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		disk = append(disk, b...)
	}
	for _, s := range append(secret, "Zanzibar", "quokka") {
		if i := bytes.Index(bytes.ToLower(disk), bytes.ToLower([]byte(s[:min(len(s), 40)]))); i >= 0 {
			t.Errorf("database file still holds %q at byte %d", s[:min(len(s), 40)], i)
		}
	}
	if !bytes.Contains(disk, []byte("Keep-This-Text-4242")) {
		t.Errorf("another customer's message %d was lost", keep.ID)
	}
}

func TestBackup(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	appendIn(t, db, "web", "u", "before backup", clk.Now())
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Backup over an existing file = %v, want ECONFLICT", err)
	}
	appendIn(t, db, "web", "u", "after backup", clk.Now())
	if _, err := os.Stat(dest + "-wal"); err == nil {
		t.Errorf("backup left a WAL file: it should be one self-contained file")
	}
	copyDB := openAt(t, dest, sqlite.Options{})
	var buf bytes.Buffer
	n, err := copyDB.Export(ctx, &buf, bot.ExportOptions{})
	if err != nil || n != 1 || !strings.Contains(buf.String(), "before backup") {
		t.Errorf("backup holds %d messages (%v): %s", n, err, buf.String())
	}
}

func TestMaintenanceAppliesRetention(t *testing.T) {
	clk := newClock()
	db := openAt(t, filepath.Join(t.TempDir(), "m.db"), sqlite.Options{Now: clk.Now,
		RetainText: 24 * time.Hour, MaintenanceInterval: 10 * time.Millisecond})
	ctx := context.Background()
	conv, _ := appendIn(t, db, "web", "u", "short-lived text", clk.Now())
	clk.Add(10 * 24 * time.Hour) // past RetainText, and no longer a new customer
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := db.Messages(ctx, conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.Customer(ctx, conv.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if msgs[0].Text == "" && c.Segment == bot.SegmentActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("maintenance did not run: text %q, segment %q; want text removed and segment active", msgs[0].Text, c.Segment)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
