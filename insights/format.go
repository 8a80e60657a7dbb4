package insights

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report as one JSON object followed by a newline.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("insights: write JSON: %w", err)
	}
	return nil
}

// csvHeader is the header of WriteCSV: one row per channel and one for all
// channels (channel "all"), with the figures of Figures.
var csvHeader = []string{"since", "until", "channel", "conversations", "customers", "new_customers", "returning_customers",
	"messages", "messages_per_conversation", "closed", "bot_resolved", "bot_resolution_rate", "escalated",
	"escalation_rate", "won", "conversion_rate", "purchase_conversations", "csat", "csat_n", "first_response_p50_ms",
	"first_response_p90_ms", "time_to_human_p50_s", "time_to_human_p90_s", "helpful", "not_helpful", "helpfulness",
	"inbound_messages", "out_of_scope", "out_of_scope_rate", "complaints"}

// WriteCSV writes the figures as CSV (RFC 4180): a header, then one row for
// all channels (channel "all") and one per channel; empty cells where
// there is no data. After a blank line follow the sections "intent,count",
// "question,count" (knowledge gaps) and "day,complaints". Every text cell is
// neutralised for spreadsheets (storage.SafeCell), so hostile customer text
// cannot run as a formula.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	since, until := r.Since.Format(time.DateOnly), r.Until.AddDate(0, 0, -1).Format(time.DateOnly)
	rows := [][]string{csvHeader, figuresRow(since, until, "all", r.Overall)}
	for _, f := range r.Channels {
		rows = append(rows, figuresRow(since, until, f.Channel, f))
	}
	rows = append(rows, nil, []string{"intent", "count"})
	for _, c := range r.Intents {
		rows = append(rows, []string{c.Intent, strconv.FormatInt(c.Count, 10)})
	}
	rows = append(rows, nil, []string{"question", "count"})
	for _, g := range r.Gaps {
		rows = append(rows, []string{g.Question, strconv.FormatInt(g.Count, 10)})
	}
	rows = append(rows, nil, []string{"day", "complaints"})
	for _, d := range r.ComplaintsByDay {
		rows = append(rows, []string{d.Day, strconv.FormatInt(d.Count, 10)})
	}
	for _, row := range rows {
		if row == nil { // a blank line between sections
			cw.Flush()
			if _, err := io.WriteString(w, "\n"); err != nil {
				return fmt.Errorf("insights: write CSV: %w", err)
			}
			continue
		}
		for i := range row {
			row[i] = safeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("insights: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("insights: write CSV: %w", err)
	}
	return nil
}

// safeCell neutralises a cell a spreadsheet would run as a formula: one
// starting with =, +, -, @, tab or carriage return gets a leading quote.
// Numbers (which may be negative) are left alone.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func figuresRow(since, until, channel string, f Figures) []string {
	return []string{since, until, channel, itoa(f.Conversations), itoa(f.Customers), itoa(f.NewCustomers),
		itoa(f.ReturningCustomers), itoa(f.Messages), ftoa(f.MessagesPerConversation), itoa(f.Closed),
		itoa(f.BotResolved), ftoa(f.BotResolutionRate), itoa(f.Escalated), ftoa(f.EscalationRate), itoa(f.Won),
		ftoa(f.ConversionRate), itoa(f.PurchaseConversations), ftoa(f.CSAT), itoa(f.CSATN), iptoa(f.FirstResponseP50Ms),
		iptoa(f.FirstResponseP90Ms), ftoa(f.TimeToHumanP50S), ftoa(f.TimeToHumanP90S), itoa(f.Helpful),
		itoa(f.NotHelpful), ftoa(f.Helpfulness), itoa(f.InboundMessages), itoa(f.OutOfScope), ftoa(f.OutOfScopeRate),
		itoa(f.Complaints)}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func iptoa(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

// Percent formats a rate as a percentage with one decimal, or "–" when
// there is no data.
func Percent(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// Number formats an average with two decimals, or "–".
func Number(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// Millis formats a duration in milliseconds for people ("850 ms", "2.4 s",
// "12 min"), or "–".
func Millis(v *int64) string {
	if v == nil {
		return "–"
	}
	return FormatDuration(time.Duration(*v) * time.Millisecond)
}

// Seconds formats a duration in seconds for people, or "–".
func Seconds(v *float64) string {
	if v == nil {
		return "–"
	}
	return FormatDuration(time.Duration(*v * float64(time.Second)))
}

// FormatDuration formats a duration for people, in the largest unit it
// reaches: "850 ms", "2.4 s", "12.0 min", "1.5 h".
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < time.Hour:
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) + " min"
	}
	return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " h"
}

// WriteTable writes the report as aligned text for a terminal.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	scope := "all channels"
	if r.Channel != "" {
		scope = "channel " + r.Channel
	}
	fmt.Fprintf(&b, "Report %s to %s (UTC days), %s\n\n", r.Since.Format(time.DateOnly),
		r.Until.AddDate(0, 0, -1).Format(time.DateOnly), scope)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CHANNEL\tCONVS\tCUSTOMERS\tNEW\tMSGS/CONV\tBOT RESOLVED\tESCALATED\tCONVERSION\tCSAT (N)\tFIRST REPLY p50\tTO HUMAN p50\tHELPFUL\tOUT OF SCOPE\tCOMPLAINTS\t")
	row := func(name string, f Figures) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s (%d)\t%s\t%s\t%s\t%s\t%d\t\n", name, f.Conversations, f.Customers,
			f.NewCustomers, Number(f.MessagesPerConversation), Percent(f.BotResolutionRate), Percent(f.EscalationRate),
			Percent(f.ConversionRate), Number(f.CSAT), f.CSATN, Millis(f.FirstResponseP50Ms), Seconds(f.TimeToHumanP50S),
			Percent(f.Helpfulness), Percent(f.OutOfScopeRate), f.Complaints)
	}
	for _, f := range r.Channels {
		row(f.Channel, f)
	}
	if r.Channel == "" {
		row("all", r.Overall)
	}
	tw.Flush()
	if len(r.EscalationReasons) > 0 {
		b.WriteString("\nEscalations by reason:")
		for _, c := range r.EscalationReasons {
			fmt.Fprintf(&b, " %s %d;", c.Reason, c.Count)
		}
		b.WriteString("\n")
	}
	if len(r.Intents) > 0 {
		b.WriteString("\nTop intents:")
		for i, c := range r.Intents {
			if i == 8 {
				break
			}
			fmt.Fprintf(&b, " %s %d;", c.Intent, c.Count)
		}
		b.WriteString("\n")
	}
	if len(r.Gaps) > 0 {
		b.WriteString("\nQuestions the bot could not answer (write content for these):\n")
		for _, g := range r.Gaps {
			fmt.Fprintf(&b, "  %4d  %s\n", g.Count, OneLine(g.Question))
		}
	}
	if r.Overall.Conversations == 0 {
		b.WriteString("\nNo conversations in this range.\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("insights: write table: %w", err)
	}
	return nil
}

// OneLine replaces control characters with spaces, so customer text (a
// knowledge gap's question) cannot move a terminal's cursor, fake lines, or
// break out of the one line it is shown on.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
