package alert

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// view is the format-neutral content of an alert: every sink renders the same
// title, fields, summary, quotes and lines, each escaped for its target. All
// strings of a view are plain text.
type view struct {
	Title    string
	Fields   []field
	Summary  string
	Messages []quote
	Heading  string   // heading of Lines, may be empty
	Lines    []string // topics of an early warning, lines of a digest
	Link     string   // console link, may be empty
	Footer   string   // who sent it, for whom; may be empty
	Actions  bool     // offer Acknowledge / Take over / Resolve
}

type field struct{ Label, Value string }

type quote struct{ Author, Text string }

// Bounds applied when rendering, so that every target's size limit holds.
const (
	shownMessages    = 5   // latest messages quoted
	shownQuoteRunes  = 300 // runes of one quoted message
	shownSummaryRune = 600 // runes of the summary
	shownLineRunes   = 300 // runes of one line
	shownLines       = 40  // lines of a digest
)

var reasonLabels = map[string]string{
	"complaint":        "Complaint",
	"requested_human":  "Customer asked for a person",
	"escalation_words": "Escalation words (legal, regulator, media, safety)",
	"repeated_failure": "The bot failed to answer twice",
	"negative_trend":   "Negative sentiment twice in a row",
	"lead":             "Purchase intent",
	"vip":              "VIP customer with a negative signal",
}

// ReasonLabel returns a human description of an escalation reason, or the
// reason itself when it is not one the Engine records.
func ReasonLabel(reason string) string {
	if l, ok := reasonLabels[reason]; ok {
		return l
	}
	return reason
}

// render builds the view of a.
func render(a Alert) view {
	var v view
	prefix := ""
	if a.Level > 0 {
		prefix = "Re-alert " + strconv.Itoa(a.Level) + ": "
	}
	switch a.Kind {
	case KindEscalation:
		sev := a.Severity
		if sev == "" {
			sev = SeverityNormal
		}
		v.Title = prefix + "Escalation: " + ReasonLabel(a.Reason) + " (" + sev + ")"
		v.Actions = a.EscalationID > 0
	case KindLead:
		v.Title = prefix + "New sales lead"
	case KindEarlyWarning:
		v.Title = prefix + "Early warning: complaints are spiking"
		if a.Warning != nil && a.Warning.Origin != "" {
			v.Title = prefix + "Early warning: many escalations from one source"
		}
	case KindDigest:
		v.Title = "Digest"
		if a.Digest != nil && strings.TrimSpace(a.Digest.Title) != "" {
			v.Title = a.Digest.Title
		}
	default:
		v.Title = prefix + "Alert"
	}
	if c := oneLine(a.Company, 100); c != "" {
		v.Title = c + " · " + v.Title
		v.Footer = "Sent by Concierge for " + c
	}
	v.Title = oneLine(v.Title, 150)

	add := func(label, value string) {
		if value = oneLine(value, 200); value != "" {
			v.Fields = append(v.Fields, field{label, value})
		}
	}
	add("Customer", a.Customer.Label())
	add("Channel", a.Channel)
	if a.Kind != KindEscalation {
		add("Reason", ReasonLabel(a.Reason))
	}
	add("Severity", a.Severity)
	if a.EscalationID > 0 {
		add("Escalation", "#"+strconv.FormatInt(int64(a.EscalationID), 10))
	}
	if a.Level > 0 {
		add("Level", strconv.Itoa(a.Level))
	}
	add("For", a.Notify)
	add("Owner", a.Owner)
	if w := a.Warning; w != nil && w.Origin != "" {
		add("From", w.Origin)
		add("Escalations", fmt.Sprintf("%d in %s", w.Count, w.Window))
	} else if w != nil {
		add("Complaints", fmt.Sprintf("%d in %s (baseline %.1f)", w.Count, w.Window, w.Baseline))
		add("Channels", strings.Join(w.Channels, ", "))
		v.Heading = "Common topics"
		for _, t := range w.Topics {
			if t = oneLine(t, shownLineRunes); t != "" {
				v.Lines = append(v.Lines, t)
			}
		}
	}
	if d := a.Digest; d != nil {
		for i, l := range d.Lines {
			if i == shownLines {
				v.Lines = append(v.Lines, fmt.Sprintf("(%d more lines)", len(d.Lines)-shownLines))
				break
			}
			v.Lines = append(v.Lines, oneLine(l, shownLineRunes))
		}
	}
	v.Summary = truncate(strings.TrimSpace(stripControl(a.Summary, true)), shownSummaryRune)
	msgs := a.Messages
	if len(msgs) > shownMessages {
		msgs = msgs[len(msgs)-shownMessages:]
	}
	for _, m := range msgs {
		author := m.Author
		if author == "" {
			author = "customer"
		}
		v.Messages = append(v.Messages, quote{Author: oneLine(author, 20), Text: oneLine(m.Text, shownQuoteRunes)})
	}
	v.Link = a.ConsoleURL
	return v
}

// plainText renders v as plain text, for email and logs of the test servers.
func (v view) plainText() string {
	var b strings.Builder
	b.WriteString(v.Title)
	b.WriteString("\n\n")
	for _, f := range v.Fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if v.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", v.Summary)
	}
	if len(v.Messages) > 0 {
		b.WriteString("\nLast messages:\n")
		for _, m := range v.Messages {
			fmt.Fprintf(&b, "> %s: %s\n", m.Author, m.Text)
		}
	}
	if len(v.Lines) > 0 {
		b.WriteString("\n")
		if v.Heading != "" {
			b.WriteString(v.Heading + ":\n")
		}
		for _, l := range v.Lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	if v.Link != "" {
		fmt.Fprintf(&b, "\nOpen the conversation: %s\n", v.Link)
	}
	if v.Footer != "" {
		fmt.Fprintf(&b, "\n-- \n%s\n", v.Footer)
	}
	return b.String()
}

// markdown renders v in the markdown subset that WeCom, DingTalk and Feishu
// robots share, with every piece of text escaped by escapeMarkdown.
func (v view) markdown(withTitle bool) string {
	var b strings.Builder
	if withTitle {
		b.WriteString("### " + escapeMarkdown(v.Title) + "\n")
	}
	for _, f := range v.Fields {
		fmt.Fprintf(&b, "**%s:** %s\n", escapeMarkdown(f.Label), escapeMarkdown(f.Value))
	}
	if v.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", escapeMarkdown(oneLine(v.Summary, shownSummaryRune)))
	}
	if len(v.Messages) > 0 {
		b.WriteString("\n")
		for _, m := range v.Messages {
			fmt.Fprintf(&b, "> **%s:** %s\n", escapeMarkdown(m.Author), escapeMarkdown(m.Text))
		}
	}
	if len(v.Lines) > 0 {
		b.WriteString("\n")
		if v.Heading != "" {
			fmt.Fprintf(&b, "**%s**\n", escapeMarkdown(v.Heading))
		}
		for _, l := range v.Lines {
			fmt.Fprintf(&b, "- %s\n", escapeMarkdown(l))
		}
	}
	if v.Link != "" {
		fmt.Fprintf(&b, "\n[Open the conversation](%s)\n", escapeURL(v.Link))
	}
	if v.Footer != "" {
		fmt.Fprintf(&b, "\n%s\n", escapeMarkdown(v.Footer))
	}
	return b.String()
}

// escapeMarkdown makes s literal in robot markdown: the markup characters are
// backslash-escaped and the HTML-ish characters (robots render <font>, <at>)
// become entities, so customer text can neither format nor mention anyone.
// s must already be one line.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '[', ']', '|', '#':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeURL makes a URL safe inside a markdown link target.
func escapeURL(u string) string {
	r := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "", "\r", "")
	return r.Replace(u)
}

// escapeSlack escapes the three characters Slack's mrkdwn treats as control
// characters, so text cannot mention (<!channel>) or link.
func escapeSlack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// oneLine returns s without control characters, with every run of white
// space (line breaks included) turned into one space, trimmed and cut to n
// runes.
func oneLine(s string, n int) string {
	return truncate(strings.Join(strings.Fields(stripControl(s, false)), " "), n)
}

// stripControl drops control and format characters from s; line breaks
// become spaces unless keepNewlines, in which case they become "\n".
func stripControl(s string, keepNewlines bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			if keepNewlines && r != '\r' {
				b.WriteByte('\n')
			} else if !keepNewlines {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != 0x200D: // keep ZWJ for emoji
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncate cuts s to at most n runes, ending with "…" when it cut.
func truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

// truncateBytes cuts s to at most n bytes on a rune boundary, ending with "…"
// when it cut.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}
