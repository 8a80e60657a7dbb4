package sqlite_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestOneCustomerAcrossChannels is the agent's view of issue 7: a person
// writes on the web, then on Slack, then gives the same email on both; the
// records become one and its timeline shows every channel's messages in
// order.
func TestOneCustomerAcrossChannels(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	t0 := clk.Now()
	web, _ := appendIn(t, db, "web", "cookie-1", "Hi, do you sell oak tables?", t0)
	slack, _ := appendIn(t, db, "slack", "U42", "Following up on the oak table", t0.Add(time.Hour))
	appendIn(t, db, "web", "cookie-1", "Any news?", t0.Add(2*time.Hour))

	if _, err := db.UpdateContact(ctx, web.CustomerID, bot.ContactUpdate{Name: "Ada", Email: " Ada@Example.COM "}, "widget"); err != nil {
		t.Fatal(err)
	}
	survivor, err := db.UpdateContact(ctx, slack.CustomerID, bot.ContactUpdate{Email: "ada@example.com", Phone: "+44 (20) 7946-0958"}, "slack")
	if err != nil {
		t.Fatal(err)
	}
	if survivor != web.CustomerID {
		t.Fatalf("UpdateContact returned %d, want the older record %d", survivor, web.CustomerID)
	}
	c, err := db.Customer(ctx, survivor)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Identity{{Channel: "slack", ExternalID: "U42"}, {Channel: "web", ExternalID: "cookie-1"}}
	if diff := cmp.Diff(want, c.Identities); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
	if c.Name != "Ada" || c.Email != "ada@example.com" || c.Phone != "+442079460958" || c.Inbound != 3 {
		t.Errorf("merged customer = %+v", c)
	}
	gone, err := db.Customer(ctx, slack.CustomerID)
	if err != nil || gone.MergedInto != survivor || gone.Email != "" {
		t.Errorf("merged-away record = %+v, %v; want an empty record pointing at %d", gone, err, survivor)
	}
	list, _ := db.Customers(ctx, bot.CustomerFilter{})
	if len(list) != 1 || list[0].ID != survivor {
		t.Errorf("Customers lists %d records, want only the survivor", len(list))
	}
	for q, want := range map[string]int{"ADA@": 1, "7946": 1, "ad": 1, "bob": 0, "%": 0, "_": 0} {
		if got, err := db.Customers(ctx, bot.CustomerFilter{Query: q}); err != nil || len(got) != want {
			t.Errorf("Customers(Query %q) found %d, %v; want %d", q, len(got), err, want)
		}
	}

	tl, err := db.Timeline(ctx, survivor, bot.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tl {
		if e.Message != nil {
			got = append(got, e.Channel+": "+e.Message.Text)
		}
	}
	wantMsgs := []string{"web: Hi, do you sell oak tables?", "slack: Following up on the oak table", "web: Any news?"}
	if diff := cmp.Diff(wantMsgs, got); diff != "" {
		t.Errorf("timeline messages (-want +got):\n%s", diff)
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].Time.Before(tl[i-1].Time) {
			t.Errorf("timeline out of order at %d: %v before %v", i, tl[i-1].Time, tl[i].Time)
		}
	}
	if kinds := eventKinds(t, db, survivor); !contains(kinds, bot.EventMerged) {
		t.Errorf("survivor events %v lack %q", kinds, bot.EventMerged)
	}
	if kinds := eventKinds(t, db, slack.CustomerID); !contains(kinds, bot.EventMergedInto) {
		t.Errorf("merged-away events %v lack %q", kinds, bot.EventMergedInto)
	}
	// A new message on Slack lands with the survivor.
	conv, _ := appendIn(t, db, "slack", "U42", "Hello again", t0.Add(3*time.Hour))
	if conv.CustomerID != survivor {
		t.Errorf("Slack message after merge went to customer %d, want %d", conv.CustomerID, survivor)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestMergeErrors(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	a, _ := appendIn(t, db, "web", "a", "hi", clk.Now())
	b, _ := appendIn(t, db, "web", "b", "hi", clk.Now())
	c, _ := appendIn(t, db, "web", "c", "hi", clk.Now())
	tests := []struct {
		name     string
		from, to int64
		code     string
	}{
		{"itself", a.CustomerID, a.CustomerID, bot.EINVALID},
		{"unknown from", 999, a.CustomerID, bot.ENOTFOUND},
		{"unknown into", a.CustomerID, 999, bot.ENOTFOUND},
	}
	for _, tt := range tests {
		if err := db.Merge(ctx, tt.from, tt.to, "agent"); bot.ErrorCode(err) != tt.code {
			t.Errorf("%s: Merge(%d, %d) = %v, want code %q", tt.name, tt.from, tt.to, err, tt.code)
		}
	}
	if err := db.Merge(ctx, b.CustomerID, a.CustomerID, "agent"); err != nil {
		t.Fatal(err)
	}
	if err := db.Merge(ctx, b.CustomerID, c.CustomerID, "agent"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("merging an already merged customer: %v, want ECONFLICT", err)
	}
	// Both had an open web conversation: the survivor keeps one open and the
	// other is resolved, with every message kept.
	convs, err := db.Conversations(ctx, a.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	open, msgs := 0, 0
	for _, cv := range convs {
		if cv.Status != bot.StatusResolved {
			open++
		}
		msgs += cv.Messages
	}
	if len(convs) != 2 || open != 1 || msgs != 2 {
		t.Errorf("after merge: %d conversations, %d open, %d messages; want 2, 1, 2", len(convs), open, msgs)
	}
}

// TestConcurrentMerges merges two customers into each other at the same
// time: exactly one merge wins and the records stay consistent.
func TestConcurrentMerges(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	for round := range 10 {
		a, _ := appendIn(t, db, "web", fmt.Sprintf("a%d", round), "hi", clk.Now())
		b, _ := appendIn(t, db, "api", fmt.Sprintf("b%d", round), "hi", clk.Now())
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = db.Merge(ctx, a.CustomerID, b.CustomerID, "x") })
		wg.Go(func() { errs[1] = db.Merge(ctx, b.CustomerID, a.CustomerID, "y") })
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: merge results %v and %v; want exactly one success", round, errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
				t.Errorf("losing merge: %v, want ECONFLICT", err)
			}
		}
	}
	list, _ := db.Customers(ctx, bot.CustomerFilter{})
	if len(list) != 10 {
		t.Errorf("%d customers after 10 merges of pairs, want 10", len(list))
	}
	for _, c := range list {
		if len(c.Identities) != 2 || c.Inbound != 2 {
			t.Errorf("customer %d: %d identities, %d messages; want 2 and 2", c.ID, len(c.Identities), c.Inbound)
		}
	}
}

func TestUpdateContactValidation(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	a, _ := appendIn(t, db, "web", "a", "hi", clk.Now())
	for _, u := range []bot.ContactUpdate{
		{Email: "not an email"}, {Email: "a@b"}, {Phone: "12"}, {Phone: "call me maybe"},
		{Name: strings.Repeat("x", 201)}, {Name: "bad\x00name"}, {Language: "en; DROP TABLE"},
	} {
		if _, err := db.UpdateContact(ctx, a.CustomerID, u, "x"); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("UpdateContact(%+v) = %v, want EINVALID", u, err)
		}
	}
	if _, err := db.UpdateContact(ctx, 999, bot.ContactUpdate{Name: "x"}, "x"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("UpdateContact(unknown) = %v, want ENOTFOUND", err)
	}
}

func TestPipelineAndSegments(t *testing.T) {
	clk := newClock()
	db := openAt(t, filepath.Join(t.TempDir(), "p.db"), sqlite.Options{Now: clk.Now,
		Segments: sqlite.SegmentRules{VIPWon: true}})
	ctx := context.Background()
	conv, _ := appendIn(t, db, "web", "u", "hi", clk.Now())
	id := conv.CustomerID
	seg := func() string {
		t.Helper()
		c, err := db.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.Segment
	}
	if s := seg(); s != bot.SegmentNew {
		t.Errorf("first contact segment = %q, want new", s)
	}
	clk.Add(10 * 24 * time.Hour)
	if n, err := db.RecomputeSegments(ctx); err != nil || n != 1 {
		t.Errorf("RecomputeSegments = %d, %v; want 1 change", n, err)
	}
	if s := seg(); s != bot.SegmentActive {
		t.Errorf("after 10 days segment = %q, want active", s)
	}
	clk.Add(30 * 24 * time.Hour)
	if _, err := db.RecomputeSegments(ctx); err != nil {
		t.Fatal(err)
	}
	if s := seg(); s != bot.SegmentInactive {
		t.Errorf("after 40 days segment = %q, want inactive", s)
	}
	if err := db.SetStage(ctx, id, "bogus", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("SetStage(bogus) = %v, want EINVALID", err)
	}
	for _, st := range []string{bot.StageNew, bot.StageContacted, bot.StageQualified, bot.StageWon} {
		if err := db.SetStage(ctx, id, st, "sam"); err != nil {
			t.Fatal(err)
		}
	}
	if s := seg(); s != bot.SegmentVIP {
		t.Errorf("won customer with VIPWon: segment %q, want vip", s)
	}
	if err := db.SetOwner(ctx, id, "sam", "boss"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTag(ctx, id, " Wholesale ", "sam"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddTag(ctx, id, "wholesale", "sam"); err != nil {
		t.Fatal(err)
	}
	c, _ := db.Customer(ctx, id)
	if c.Stage != bot.StageWon || c.Owner != "sam" || !cmp.Equal(c.Tags, []string{"wholesale"}) {
		t.Errorf("customer = stage %q owner %q tags %v", c.Stage, c.Owner, c.Tags)
	}
	if got, _ := db.Customers(ctx, bot.CustomerFilter{Stage: bot.StageWon, Tag: "wholesale"}); len(got) != 1 {
		t.Errorf("filter by stage and tag found %d customers, want 1", len(got))
	}
	wantKinds := []string{bot.EventCreated, bot.EventSegmentChanged, bot.EventSegmentChanged,
		bot.EventNewLead, bot.EventStageChanged, bot.EventStageChanged, bot.EventStageChanged,
		bot.EventSegmentChanged, bot.EventOwnerChanged, bot.EventTagged}
	if diff := cmp.Diff(wantKinds, eventKinds(t, db, id)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// A complaint makes the customer at risk, ahead of VIP.
	conv, inID := appendIn(t, db, "web", "u", "this is terrible", clk.Now())
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Action: bot.ActionRelay,
		Annotation: bot.Annotation{Complaint: 0.8, Sentiment: -0.7, IsComplaint: true, IsNegative: true}}); err != nil {
		t.Fatal(err)
	}
	if s := seg(); s != bot.SegmentAtRisk {
		t.Errorf("after a complaint segment = %q, want at_risk", s)
	}
	if err := db.AddTag(ctx, id, "VIP", "sam"); err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * 24 * time.Hour)
	_, _ = db.RecomputeSegments(ctx)
	if s := seg(); s != bot.SegmentVIP {
		t.Errorf("a month after the complaint segment = %q, want vip", s)
	}
}

func TestNotesAndTimelineLimit(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	conv, _ := appendIn(t, db, "web", "u", "one", clk.Now())
	clk.Add(time.Minute)
	if _, err := db.AddNote(ctx, conv.CustomerID, conv.ID, "alice", "Prefers email."); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(ctx, conv.CustomerID, 0, "", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("note without author: %v, want EINVALID", err)
	}
	other, _ := appendIn(t, db, "web", "v", "other", clk.Now())
	if _, err := db.AddNote(ctx, conv.CustomerID, other.ID, "alice", "x"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("note on another customer's conversation: %v, want EINVALID", err)
	}
	appendIn(t, db, "web", "u", "two", clk.Now().Add(time.Minute))
	notes, err := db.Notes(ctx, conv.CustomerID)
	if err != nil || len(notes) != 1 || notes[0].Text != "Prefers email." || notes[0].ConversationID != conv.ID {
		t.Errorf("Notes = %+v, %v", notes, err)
	}
	tl, err := db.Timeline(ctx, conv.CustomerID, bot.TimelineOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 2 || tl[0].Note == nil || tl[1].Message == nil || tl[1].Message.Text != "two" {
		t.Errorf("latest 2 timeline entries = %+v", tl)
	}
	if _, err := db.Timeline(ctx, 999, bot.TimelineOptions{}); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Timeline(unknown) = %v, want ENOTFOUND", err)
	}
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

func TestExportFormats(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	hostile := "=HYPERLINK(\"http://evil.example\",\"click\")\n\"quoted\", comma"
	conv, _ := appendIn(t, db, "web", "u", hostile, clk.Now())
	if _, err := db.UpdateContact(ctx, conv.CustomerID, bot.ContactUpdate{Name: "@SUM(1+1)", Phone: "+1 555 123 4567"}, "x"); err != nil {
		t.Fatal(err)
	}
	appendIn(t, db, "slack", "U1", "plain", clk.Now().Add(time.Second))

	var buf bytes.Buffer
	n, err := db.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportCSV})
	if err != nil || n != 2 {
		t.Fatalf("Export csv = %d, %v; want 2 rows", n, err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("export is not valid CSV: %v", err)
	}
	if len(recs) != 3 || recs[0][0] != "message_id" {
		t.Fatalf("CSV has %d records, want a header and 2 rows", len(recs))
	}
	row := recs[1]
	if row[10] != "'"+hostile || row[3] != "'@SUM(1+1)" || row[5] != "'+15551234567" || row[6] != "web" || row[8] != "in" {
		t.Errorf("CSV row = %q", row)
	}

	buf.Reset()
	if _, err := db.Export(ctx, &buf, bot.ExportOptions{Format: bot.ExportJSON, CustomerID: conv.CustomerID}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("JSON export of one customer has %d lines, want 1", len(lines))
	}
	var r bot.ExportRow
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Text != hostile || r.CustomerName != "@SUM(1+1)" || r.Channel != "web" {
		t.Errorf("JSON row = %+v; JSON keeps text as it is", r)
	}
	if _, err := db.Export(ctx, &buf, bot.ExportOptions{Format: "xml"}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("Export(xml) = %v, want EINVALID", err)
	}
}

// FuzzSafeCSV checks that any text survives a CSV round trip as one cell and
// never starts a cell with a character that spreadsheets run as a formula.
func FuzzSafeCSV(f *testing.F) {
	for _, s := range []string{"=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
		"a\"b", "line\nbreak", "＝1+1", "", "plain", "\"=cmd|' /C calc'!A0\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		cell := sqlite.SafeCell(s)
		if err := w.Write([]string{"1", cell, "x"}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("CSV of %q does not parse: %v", s, err)
		}
		if len(recs) != 1 || len(recs[0]) != 3 || recs[0][2] != "x" {
			t.Fatalf("CSV of %q: records %q, want one row of 3 cells", s, recs)
		}
		got := recs[0][1]
		// encoding/csv reads \r\n inside quotes as \n.
		want := strings.ReplaceAll(cell, "\r\n", "\n")
		if got != want {
			t.Fatalf("cell %q came back as %q", want, got)
		}
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Fatalf("cell %q starts with a formula character", got)
		}
		if cell != s && cell != "'"+s {
			t.Fatalf("SafeCell(%q) = %q changed more than a leading apostrophe", s, cell)
		}
	})
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

func TestPurgeTextBefore(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	old := clk.Now().Add(-100 * 24 * time.Hour)
	conv, oldID := appendIn(t, db, "web", "u", "old question", old)
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: oldID, Text: "not sure",
		Action: bot.ActionClarify, Time: old}); err != nil {
		t.Fatal(err)
	}
	_, newID := appendIn(t, db, "web", "u", "new question", clk.Now())
	n, err := db.PurgeTextBefore(ctx, clk.Now().Add(-90*24*time.Hour))
	if err != nil || n != 2 {
		t.Errorf("PurgeTextBefore = %d, %v; want 2 messages", n, err)
	}
	msgs, _ := db.Messages(ctx, conv.ID)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	if diff := cmp.Diff([]string{"", "", "new question"}, texts); diff != "" || msgs[2].ID != newID {
		t.Errorf("texts after retention (-want +got):\n%s", diff)
	}
	if gaps, _ := db.KnowledgeGaps(ctx, 10); len(gaps) != 0 {
		t.Errorf("old knowledge gaps kept: %+v", gaps)
	}
	c, _ := db.Customer(ctx, conv.CustomerID)
	if c.Inbound != 2 {
		t.Errorf("inbound count after retention = %d, want 2 (counts are kept)", c.Inbound)
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
