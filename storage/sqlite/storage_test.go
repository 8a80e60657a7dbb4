package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/sqlite"
	"github.com/concierge-bot/concierge/storage/storetest"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openAt(t testing.TB, path string, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func openTest(t testing.TB) (*sqlite.DB, *clock) {
	t.Helper()
	clk := newClock()
	return openAt(t, filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{Now: clk.Now}), clk
}

// raw opens a second, plain connection to the database file, for checks
// behind the API's back.
func raw(t testing.TB, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func count(t testing.TB, r *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// testAlerts is a storage.AlertEncoder for the store's own tests (the real
// one, alert.Protocol, lives in a package storage must not import): its
// payloads are the store's facts in JSON, so a test can check what the
// store handed over.
type testAlerts struct{ fail bool }

const (
	kindTestEscalation = "test_escalation"
	kindTestLead       = "test_lead"
)

type testEscalationPayload struct {
	Escalation bot.EscalationInfo
	Channel    string
}

func (a testAlerts) EscalationAlert(e bot.EscalationInfo, channel string) (bot.OutboxMessage, error) {
	if a.fail {
		return bot.OutboxMessage{}, errors.New("encoder failed")
	}
	b, err := json.Marshal(testEscalationPayload{e, channel})
	return bot.OutboxMessage{Kind: kindTestEscalation, Key: fmt.Sprintf("esc:%d", e.ID), CustomerID: e.CustomerID,
		Payload: b}, err
}

func (a testAlerts) LeadAlert(l bot.LeadInfo) (bot.OutboxMessage, error) {
	if a.fail {
		return bot.OutboxMessage{}, errors.New("encoder failed")
	}
	b, err := json.Marshal(l)
	return bot.OutboxMessage{Kind: kindTestLead, Key: fmt.Sprintf("lead:%d:%d", l.CustomerID, l.Time.UnixNano()),
		CustomerID: l.CustomerID, Payload: b}, err
}

var _ storage.AlertEncoder = testAlerts{}

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Hooks{
		New: func(t *testing.T, o storetest.Options) storage.Store {
			return openAt(t, filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{Now: o.Now, Alerts: o.Alerts,
				LeadOwner: o.LeadOwner, Segments: sqlite.SegmentRules{VIPWon: o.VIPWon}, MaintenanceInterval: -1})
		},
		Dump: func(t *testing.T, s storage.Store) string { return dump(t, s.(*sqlite.DB).Path()) },
	})
}

// dump returns every row of every table of the database file as text.
func dump(t *testing.T, path string) string {
	t.Helper()
	r := raw(t, path)
	rows, err := r.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := r.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

func in(channel, user, text string, at time.Time) bot.Inbound {
	return bot.Inbound{Channel: channel, ExternalUserID: user, Role: bot.RoleCustomer, Text: text, Time: at}
}

func appendIn(t testing.TB, db *sqlite.DB, channel, user, text string, at time.Time) (bot.Conversation, int64) {
	t.Helper()
	conv, id, err := db.AppendInbound(context.Background(), in(channel, user, text, at))
	if err != nil {
		t.Fatalf("AppendInbound: %v", err)
	}
	return conv, id
}

func TestOpenPragmasAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conv, id := appendIn(t, db, "web", "u1", "hello", time.Now())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AppendInbound(context.Background(), in("web", "u1", "late", time.Now())); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("AppendInbound after Close: %v, want ErrClosed", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	r := raw(t, path)
	var mode string
	if err := r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if v := count(t, r, "PRAGMA user_version"); v != sqlite.SchemaVersion() || v < 1 {
		t.Errorf("user_version = %d, want %d", v, sqlite.SchemaVersion())
	}

	db2 := openAt(t, path, sqlite.Options{})
	msgs, err := db2.Messages(context.Background(), conv.ID)
	if err != nil || len(msgs) != 1 || msgs[0].ID != id || msgs[0].Text != "hello" {
		t.Errorf("after reopen: %+v, %v; want the stored message", msgs, err)
	}
	// Foreign keys are enforced on the store's own connections.
	if _, err := db2.Enqueue(context.Background(), bot.OutboxMessage{Kind: "test", Key: "k1", CustomerID: 424242,
		Payload: json.RawMessage(`{"x":1}`)}); err == nil {
		t.Errorf("Enqueue naming a missing customer succeeded; foreign keys are off")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db := openAt(t, path, sqlite.Options{})
	_ = db.Close()
	r := raw(t, path)
	if _, err := r.Exec(fmt.Sprintf("PRAGMA user_version = %d", sqlite.SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if !errors.Is(err, sqlite.ErrNewerSchema) {
		t.Fatalf("Open of a newer file: %v, want ErrNewerSchema", err)
	}
}

func TestOpenRefusesNonDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("this is not a database, just some text that is long enough to have a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("Open of a text file: %v, want a clear EUNAVAILABLE error", err)
	}
}

func TestEscalationAndOutboxAtomic(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "concierge.db"), sqlite.Options{Now: newClock().Now, Alerts: testAlerts{}})
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	conv, inID := appendIn(t, db, "web", "u1", "your product broke my kitchen", at)
	out := bot.Outbound{ConversationID: conv.ID, InboundID: inID, Text: "A colleague will contact you.",
		Action: bot.ActionEscalate, Annotation: bot.Annotation{Intent: "complaint", Confidence: 0.9, Complaint: 0.92, Sentiment: -0.7,
			IsComplaint: true, IsNegative: true},
		Escalation: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint on web"},
		Time:       at.Add(time.Second)}

	// A failure inside the transaction (here: the outbox refuses rows)
	// leaves nothing behind: no reply, no escalation, no status change.
	r := raw(t, db.Path())
	if _, err := r.Exec(`CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendOutbound(ctx, out); err == nil {
		t.Fatal("AppendOutbound succeeded although the outbox insert fails")
	}
	if n := count(t, r, `SELECT count(*) FROM messages`); n != 1 {
		t.Errorf("after failed escalation: %d messages, want 1", n)
	}
	if n := count(t, r, `SELECT count(*) FROM escalations`); n != 0 {
		t.Errorf("after failed escalation: %d escalations, want 0", n)
	}
	if n := count(t, r, `SELECT count(*) FROM messages WHERE intent <> ''`); n != 0 {
		t.Errorf("after failed escalation: the inbound message was annotated")
	}
	if n := count(t, r, `SELECT count(*) FROM conversations WHERE status = 'bot'`); n != 1 {
		t.Errorf("after failed escalation: conversation status changed")
	}
	if _, err := r.Exec(`DROP TRIGGER refuse_outbox`); err != nil {
		t.Fatal(err)
	}

	st, err := db.AppendOutbound(ctx, out)
	if err != nil {
		t.Fatalf("AppendOutbound: %v", err)
	}
	esc, err := db.Escalation(ctx, st.EscalationID)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.EscalationInfo{ID: st.EscalationID, ConversationID: conv.ID, CustomerID: conv.CustomerID, MessageID: inID,
		Reason: bot.ReasonComplaint, Severity: "high", Summary: "complaint on web", Status: bot.EscalationOpen,
		Created: at.Add(time.Second)}
	if diff := cmp.Diff(want, esc); diff != "" {
		t.Errorf("escalation (-want +got):\n%s", diff)
	}
	items, err := db.DueOutbox(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != kindTestEscalation || items[0].CustomerID != conv.CustomerID ||
		items[0].Key != fmt.Sprintf("esc:%d", st.EscalationID) {
		t.Fatalf("due outbox = %+v, want the encoder's one escalation item", items)
	}
	var alert testEscalationPayload
	if err := json.Unmarshal(items[0].Payload, &alert); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testEscalationPayload{want, "web"}, alert); diff != "" {
		t.Errorf("what the store gave the encoder (-want +got):\n%s", diff)
	}
	info, err := db.Conversation(ctx, conv.ID)
	if err != nil || info.Status != bot.StatusWaitingHuman {
		t.Errorf("conversation after escalation: %+v, %v; want waiting_human", info, err)
	}
	c, err := db.Customer(ctx, conv.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Segment != bot.SegmentAtRisk || c.Complaints != 1 {
		t.Errorf("customer after complaint: segment %q, complaints %d; want at_risk, 1", c.Segment, c.Complaints)
	}
}

// TestBatchIsolation checks that, within one group commit, a write that fails
// does not undo or block the writes batched with it.
func TestBatchIsolation(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	conv, id := appendIn(t, db, "web", "held", "help", time.Now())
	if err := db.Claim(ctx, conv.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for i := range 64 {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "bot talks over", Action: bot.ActionAnswer})
			} else {
				_, _, err = db.AppendInbound(ctx, in("web", fmt.Sprintf("u%d", i), "hello", time.Now()))
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case bot.ErrorCode(err) == bot.ECONFLICT:
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 32 || conflicts != 32 {
		t.Errorf("ok %d, conflicts %d; want 32 and 32", ok, conflicts)
	}
	// Failed writes are not counted: 2 setup writes and the 32 that succeeded.
	if st := db.Stats(); st.Writes != 34 || st.Commits < 1 || st.Commits > st.Writes {
		t.Errorf("Stats = %+v, want 34 writes in 1..34 commits", st)
	}
	r := raw(t, db.Path())
	if n := count(t, r, `SELECT count(*) FROM messages`); n != 33 {
		t.Errorf("%d messages stored, want 33", n)
	}
}

func TestDiskFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "small.db")
	db := openAt(t, path, sqlite.Options{MaxBytes: 256 << 10})
	ctx := context.Background()
	big := string(make([]byte, 3000))
	acked := 0
	var err error
	for i := range 1000 {
		_, _, err = db.AppendInbound(ctx, in("web", fmt.Sprintf("u%d", i%7), fmt.Sprintf("%d %x", i, big), time.Now()))
		if err != nil {
			break
		}
		acked++
	}
	if err == nil {
		t.Fatal("1000 messages of 6 KB fit in 256 KB")
	}
	if bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("disk full error = %v, want an EUNAVAILABLE *bot.Error", err)
	}
	t.Logf("disk full after %d messages: %v", acked, err)
	// The database stays consistent and every acknowledged message is there.
	_ = db.Close()
	r := raw(t, path)
	var check string
	if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	if n := count(t, r, `SELECT count(*) FROM messages`); n != acked {
		t.Errorf("%d messages stored, %d acknowledged", n, acked)
	}
}

func TestOpenReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which ignores file permissions")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ro.db")
	db := openAt(t, path, sqlite.Options{})
	_ = db.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("Open of a read-only database: %v, want a clear EUNAVAILABLE error", err)
	}
}
