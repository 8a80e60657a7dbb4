package insights_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

func TestBadRanges(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "empty.db"))
	r := reporter(t, db, demoEnd)
	tests := []struct {
		name  string
		query insights.Query
		want  string // part of the message
	}{
		{"future", insights.Query{Since: demoEnd.AddDate(0, 0, 3)}, "future"},
		{"reversed", insights.Query{Since: demoEnd.AddDate(0, 0, -3), Until: demoEnd.AddDate(0, 0, -10)}, "reversed"},
		{"too long", insights.Query{Since: demoEnd.AddDate(-20, 0, 0)}, "days long"},
		{"unknown channel", insights.Query{Channel: "fax"}, "Unknown channel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Report(context.Background(), tc.query)
			if bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), tc.want) {
				t.Fatalf("err = %v, want EINVALID mentioning %q", err, tc.want)
			}
		})
	}
}

func TestEmptyDatabase(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "empty.db"))
	rep, err := reporter(t, db, demoEnd).Report(context.Background(), insights.Query{Until: demoEnd.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.ComplaintsByDay) != 30 || len(rep.Channels) != 4 {
		t.Fatalf("got %d days and %d channels, want 30 and 4", len(rep.ComplaintsByDay), len(rep.Channels))
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	overall := m["overall"].(map[string]any)
	for _, k := range []string{"bot_resolution_rate", "escalation_rate", "conversion_rate", "csat", "first_response_p50_ms", "time_to_human_p50_s"} {
		if v, ok := overall[k]; !ok || v != nil {
			t.Errorf("overall.%s = %v, want null", k, v)
		}
	}
	if strings.Contains(buf.String(), "NaN") {
		t.Error("JSON has NaN")
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "No conversations") {
		t.Errorf("table does not say the range is empty:\n%s", table.String())
	}
	if err := rep.WriteCSV(&bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}

// TestCSVNeutralisesHostileText stores knowledge gaps whose text is a
// spreadsheet formula and checks the CSV cannot run it.
func TestCSVNeutralisesHostileText(t *testing.T) {
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"), sqlite.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hostile := []string{`=HYPERLINK("http://evil.example","click")`, "+1+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "\t=1+1"}
	for i, text := range hostile {
		conv, in, err := db.AppendInbound(context.Background(), bot.Inbound{Channel: "web", ExternalUserID: "v" + string(rune('a'+i)), Text: text, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AppendOutbound(context.Background(), bot.Outbound{ConversationID: conv.ID, InboundID: in,
			Annotation: bot.Annotation{Intent: "oos", Language: "en"}, Text: "Sorry?", Action: bot.ActionClarify, Time: now}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := reporter(t, db, now).Report(context.Background(), insights.LastDays(now, 1, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Gaps) == 0 {
		t.Fatal("no knowledge gaps recorded")
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(&buf)
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, rec := range recs {
		for _, cell := range rec {
			if cell == "" {
				continue
			}
			switch cell[0] {
			case '=', '+', '@', '\t', '\r':
				t.Errorf("cell %q would run as a formula", cell)
			case '-':
				if strings.ContainsAny(cell, "+=") {
					t.Errorf("cell %q would run as a formula", cell)
				}
			case '\'':
				found++
			}
		}
	}
	// The store trims leading punctuation (@, -) from questions; the other
	// three keep their formula start and must come out quoted.
	if found < 3 {
		t.Errorf("only %d neutralised cells, want at least 3:\n%s", found, buf.String())
	}
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want int
		bad  bool
	}{
		{"30d", 30, false}, {"2w", 14, false}, {"36h", 2, false}, {"1h", 1, false}, {"24h", 1, false},
		{"0d", 0, true}, {"-5d", 0, true}, {"-3h", 0, true}, {"soon", 0, true}, {"", 0, true}, {"99999d", 0, true},
	}
	for _, tc := range tests {
		got, err := insights.ParseSince(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseSince(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"30d", "2w", "36h", "-1d", "1e9d", "9223372036854775807d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := insights.ParseSince(s)
		if err == nil && (n < 1 || n > insights.MaxDays) {
			t.Fatalf("ParseSince(%q) = %d without error", s, n)
		}
	})
}
