package sqlite

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// FuzzExportCSVRow writes export rows whose customer-supplied fields hold
// hostile text (quotes, newlines, formulas) and checks that the CSV parses
// back to exactly one row per message with the same text, and that no text
// cell starts with a character a spreadsheet would run as a formula.
func FuzzExportCSVRow(f *testing.F) {
	f.Add("=HYPERLINK(\"http://evil.example\",\"click\")", "@SUM(1+1)", "+1 555", "line\r\nbreak \"quoted\"")
	f.Add("-2+3", "\t=1", "＝1", "")
	f.Add("plain", "Ada", "a@b.c", "多谢")
	f.Fuzz(func(t *testing.T, text, name, email, intent string) {
		var buf bytes.Buffer
		w := newCSVRowWriter(&buf)
		rows := []bot.ExportRow{
			{MessageID: 1, Time: "2026-01-02T03:04:05Z", CustomerID: 7, CustomerName: name, CustomerEmail: email,
				CustomerPhone: text, Channel: "web", ConversationID: 3, Direction: "in", Author: "customer", Text: text,
				Intent: intent, Confidence: 0.5, Language: "en", Sentiment: -0.25},
			{MessageID: 2, Time: "2026-01-02T03:04:06Z", CustomerID: 7, Channel: "web", ConversationID: 3,
				Direction: "out", Author: "bot", Text: name + "\n" + text, Action: "answer"},
		}
		for i := range rows {
			if err := w.write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("export does not parse as CSV: %v", err)
		}
		if len(recs) != 3 {
			t.Fatalf("got %d records, want a header and 2 rows", len(recs))
		}
		textCols := []int{3, 4, 5, 6, 9, 10, 11, 13, 15}
		for i, rec := range recs[1:] {
			if len(rec) != len(exportHeader) {
				t.Fatalf("row %d has %d cells, want %d", i, len(rec), len(exportHeader))
			}
			for _, c := range textCols {
				if cell := rec[c]; cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Fatalf("row %d column %s starts a formula: %q", i, exportHeader[c], cell)
				}
			}
			want := strings.ReplaceAll(SafeCell(rows[i].Text), "\r\n", "\n")
			if rec[10] != want {
				t.Fatalf("row %d text = %q, want %q", i, rec[10], want)
			}
		}
	})
}
