package alert

import (
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// ChatCard is an alert laid out for a card that a chat platform's own app
// posts (the Feishu bot's and the DingTalk robot's alert cards, whose
// buttons come back to the app), rather than a robot webhook.
type ChatCard struct {
	// Title is plain text on one line, at most 150 characters.
	Title string
	// Markdown is the body in the chat-Markdown subset of package markdown
	// (markdown.Chat): the fields, the summary, the last messages and the
	// lines, every piece of text escaped with markdown.EscapeChat, so that
	// a customer's words can neither format, link nor mention anyone. It
	// holds no link: Link is for a button.
	Markdown string
	// Link is the console URL of the conversation; empty for none.
	Link string
	// EscalationID is set when the card should offer Acknowledge / Take
	// over / Resolve (escalations and their re-alerts); 0 otherwise.
	EscalationID bot.EscalationID
	// Color is the header colour: "red" for high severity and early
	// warnings, "orange" for other escalations, "blue" otherwise.
	Color string
}

// NewChatCard lays a out as a ChatCard. It never fails: a is rendered as
// every sink renders it (the same title, fields and bounds).
func NewChatCard(a Alert) ChatCard {
	v := render(a)
	c := ChatCard{Title: v.Title, Link: v.Link, Color: "blue"}
	switch {
	case a.Kind == KindEarlyWarning || a.Severity == SeverityHigh:
		c.Color = "red"
	case a.Kind == KindEscalation:
		c.Color = "orange"
	}
	if v.Actions {
		c.EscalationID = a.EscalationID
	}
	var b strings.Builder
	for _, f := range v.Fields {
		fmt.Fprintf(&b, "**%s:** %s\n", markdown.EscapeChat(f.Label), markdown.EscapeChat(f.Value))
	}
	if v.Summary != "" {
		fmt.Fprintf(&b, "\n%s\n", markdown.EscapeChat(oneLine(v.Summary, shownSummaryRune)))
	}
	if len(v.Messages) > 0 {
		b.WriteString("\n")
		for _, m := range v.Messages {
			fmt.Fprintf(&b, "> **%s:** %s\n", markdown.EscapeChat(m.Author), markdown.EscapeChat(m.Text))
		}
	}
	if len(v.Lines) > 0 {
		b.WriteString("\n")
		if v.Heading != "" {
			fmt.Fprintf(&b, "**%s**\n", markdown.EscapeChat(v.Heading))
		}
		for _, l := range v.Lines {
			fmt.Fprintf(&b, "- %s\n", markdown.EscapeChat(l))
		}
	}
	c.Markdown = truncateBytes(strings.TrimRight(b.String(), "\n"), dingtalkMaxBytes)
	return c
}
