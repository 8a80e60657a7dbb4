package storage_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

func TestNormalizeContact(t *testing.T) {
	emails := []struct{ in, want string }{
		{" Ada@Example.COM ", "ada@example.com"},
		{"a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk"},
		{"not-an-email", ""},
		{"a@b", ""},
		{"Ada <ada@example.com>", ""},
		{"a@b.c\n", "a@b.c"},
	}
	for _, tt := range emails {
		got, err := storage.NormalizeEmail(tt.in)
		if tt.want == "" && bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want EINVALID", tt.in, got, err)
		} else if tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	phones := []struct{ in, want string }{
		{"+44 (20) 7946-0958", "+442079460958"},
		{"138.0013.8000", "13800138000"},
		{"12345", ""},
		{"1+2345678", ""},
		{"+1 555 CALL NOW", ""},
	}
	for _, tt := range phones {
		got, err := storage.NormalizePhone(tt.in)
		if tt.want == "" && bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("NormalizePhone(%q) = %q, %v; want EINVALID", tt.in, got, err)
		} else if tt.want != "" && (err != nil || got != tt.want) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzNormalize feeds the normalisers of customer-supplied text (questions,
// emails, phones, tags) arbitrary input: they never panic, their output is
// valid UTF-8, and normalising twice changes nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Do you ship to Mars?", "  运费多少？ ", "ada@example.com", "+44 20 7946 0958",
		"VIP", "\xff\xfe", "a\u00a0b", strings.Repeat("x", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := storage.NormalizeQuestion(s)
		if utf8.ValidString(s) && !utf8.ValidString(q) {
			t.Fatalf("NormalizeQuestion(%q) = %q is not valid UTF-8", s, q)
		}
		if q2 := storage.NormalizeQuestion(q); q2 != q {
			t.Fatalf("NormalizeQuestion is not idempotent: %q → %q → %q", s, q, q2)
		}
		if utf8.RuneCountInString(q) > 300 {
			t.Fatalf("NormalizeQuestion(%q) is %d characters long", s, utf8.RuneCountInString(q))
		}
		for _, norm := range []func(string) (string, error){storage.NormalizeEmail, storage.NormalizePhone, storage.NormalizeTag} {
			out, err := norm(s)
			if err != nil {
				if bot.ErrorCode(err) != bot.EINVALID {
					t.Fatalf("error for %q is not EINVALID: %v", s, err)
				}
				continue
			}
			if again, err := norm(out); err != nil || again != out {
				t.Fatalf("normalising %q twice: %q then %q, %v", s, out, again, err)
			}
		}
	})
}

func TestNormalizeQuestion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Hello,   World?! ", "hello, world"},
		{"运费多少？", "运费多少"},
		{"\t\n", ""},
		{"A\u00a0B", "a b"},
	}
	for _, tt := range tests {
		if got := storage.NormalizeQuestion(tt.in); got != tt.want {
			t.Errorf("NormalizeQuestion(%q) = %q, want %q", tt.in, got, tt.want)
		}
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
		cell := storage.SafeCell(s)
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
		w, err := storage.NewExportWriter(&buf, bot.ExportCSV)
		if err != nil {
			t.Fatal(err)
		}
		rows := []bot.ExportRow{
			{MessageID: 1, Time: "2026-01-02T03:04:05Z", CustomerID: 7, CustomerName: name, CustomerEmail: email,
				CustomerPhone: text, Channel: "web", ConversationID: 3, Direction: "in", Author: "customer", Text: text,
				Intent: intent, Confidence: 0.5, Language: "en", Sentiment: -0.25},
			{MessageID: 2, Time: "2026-01-02T03:04:06Z", CustomerID: 7, Channel: "web", ConversationID: 3,
				Direction: "out", Author: "bot", Text: name + "\n" + text, Action: "answer"},
		}
		for i := range rows {
			if err := w.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
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
			if len(rec) != len(storage.ExportHeader) {
				t.Fatalf("row %d has %d cells, want %d", i, len(rec), len(storage.ExportHeader))
			}
			for _, c := range textCols {
				if cell := rec[c]; cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Fatalf("row %d column %s starts a formula: %q", i, storage.ExportHeader[c], cell)
				}
			}
			want := strings.ReplaceAll(storage.SafeCell(rows[i].Text), "\r\n", "\n")
			if rec[10] != want {
				t.Fatalf("row %d text = %q, want %q", i, rec[10], want)
			}
		}
	})
}

func TestRecordChecks(t *testing.T) {
	for _, score := range []int{0, 6, -1} {
		if err := storage.CheckCSAT(score); bot.ErrorCode(err) != bot.EINVALID {
			t.Errorf("CheckCSAT(%d) = %v, want EINVALID", score, err)
		}
	}
	if err := storage.CheckCSAT(5); err != nil {
		t.Errorf("CheckCSAT(5) = %v", err)
	}
	if err := storage.CheckStage("nonsense"); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("CheckStage(nonsense) = %v, want EINVALID", err)
	}
	if err := storage.CheckStage(bot.StageNone); err != nil {
		t.Errorf("CheckStage(none) = %v", err)
	}
	if a, err := storage.NormalizeNote("  Bo ", "hello"); a != "Bo" || err != nil {
		t.Errorf("NormalizeNote = %q, %v; want Bo", a, err)
	}
	if _, err := storage.NormalizeAgentMessage(" ", "hello"); bot.ErrorMessage(err) != "An agent message needs the agent's name." {
		t.Errorf("NormalizeAgentMessage without agent = %v", err)
	}
	if _, err := storage.NormalizeNote("Bo", ""); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("NormalizeNote of empty text = %v, want EINVALID", err)
	}
}
