package alert

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// chatMarkup is the markup NewChatCard writes itself: bold labels, quote
// marks, list dashes and HTML character references.
var chatMarkup = regexp.MustCompile(`\*\*[A-Za-z ]+:?\*\*|&#\d+;|(?m)^> |(?m)^- `)

func TestNewChatCard(t *testing.T) {
	a := sampleAlert()
	c := NewChatCard(a)
	if c.Title != "Escalation: Complaint (high)" || c.EscalationID != 7 || c.Color != "red" || c.Link != a.ConsoleURL {
		t.Errorf("card %+v", c)
	}
	for _, want := range []string{"**Customer:** Ada Lovelace", "**Channel:** web", "**Escalation:** &#35;7",
		"> **customer:** Where is my parcel?", "Parcel late twice; wants a refund."} {
		if !strings.Contains(c.Markdown, want) {
			t.Errorf("markdown lacks %q:\n%s", want, c.Markdown)
		}
	}
	if rest := chatMarkup.ReplaceAllString(c.Markdown, ""); strings.ContainsAny(rest, "*_~`[]()<>#|\\&") {
		t.Errorf("customer text not inert on the card: %q", rest)
	}
	if !strings.Contains(html.UnescapeString(c.Markdown), strings.ReplaceAll(hostile, "\n", " ")) {
		t.Errorf("the customer's words are not all shown:\n%s", c.Markdown)
	}
	if strings.Contains(c.Markdown, a.ConsoleURL) {
		t.Error("the console link belongs on a button, not in the body")
	}

	lead := a
	lead.Kind, lead.Severity, lead.EscalationID = KindLead, "", 0
	if c := NewChatCard(lead); c.EscalationID != 0 || c.Color != "blue" || c.Title != "New sales lead" {
		t.Errorf("lead card %+v", c)
	}
	esc := a
	esc.Severity = SeverityNormal
	if c := NewChatCard(esc); c.Color != "orange" {
		t.Errorf("normal escalation colour %q", c.Color)
	}
	long := a
	long.Digest, long.Kind = &Digest{Title: "Weekly", Lines: []string{strings.Repeat("长", 300), "b\xff"}}, KindDigest
	for range 100 {
		long.Digest.Lines = append(long.Digest.Lines, strings.Repeat("*", 300))
	}
	c = NewChatCard(long)
	if !utf8.ValidString(c.Markdown) || len(c.Markdown) > dingtalkMaxBytes || c.EscalationID != 0 {
		t.Errorf("digest card: %d bytes, valid UTF-8 %v", len(c.Markdown), utf8.ValidString(c.Markdown))
	}
}
