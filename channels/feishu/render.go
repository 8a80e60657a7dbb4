package feishu

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/channels/internal/sourcelink"
	"github.com/concierge-bot/concierge/markdown"
)

// Card limits kept well inside Feishu's (30 KB a card).
const (
	maxCardMarkdown = 20_000 // bytes of the answer's markdown
	maxButtonText   = 40     // characters of a button label
	maxSourceTitle  = 120
)

// Button kinds, the "k" of a button's value.
const (
	valueChoice = "choice"
	valueAlert  = "alert"
)

// buttonValue is the value of the adapter's card buttons; Feishu returns it
// in card.action.trigger callbacks.
type buttonValue struct {
	Kind string `json:"k"`
	// choice buttons
	Doc   string `json:"doc,omitempty"`
	Title string `json:"t,omitempty"`
	Asker string `json:"u,omitempty"` // open_id of the person who asked
	Role  string `json:"r,omitempty"` // "e" employee, "c" customer
	// alert buttons
	Action     string `json:"a,omitempty"` // ack, take, resolve
	Escalation int64  `json:"e,omitempty"`
}

type card struct {
	Config   map[string]any `json:"config"`
	Header   *cardHeader    `json:"header,omitempty"`
	Elements []any          `json:"elements"`
}

type cardHeader struct {
	Title    plainText `json:"title"`
	Template string    `json:"template,omitempty"`
}

type plainText struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

func newCard() card { return card{Config: map[string]any{"wide_screen_mode": true}} }

func mdElement(content string) map[string]any {
	return map[string]any{"tag": "markdown", "content": content}
}

func (c card) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// replyCard renders a reply: its Markdown, its sources as links, and its
// choices as buttons (each also numbered, so typing the number works).
func (a *Adapter) replyCard(r bot.Reply, asker bot.Message) string {
	c := newCard()
	md := ellipsis.Bytes(markdown.Chat(r.Text, markdown.ChatOptions{BaseURL: a.publicURL}), maxCardMarkdown)
	c.Elements = append(c.Elements, mdElement(md))
	if len(r.Choices) > 0 {
		role := "e"
		if asker.Role != bot.RoleEmployee {
			role = "c"
		}
		var lines []string
		var buttons []any
		for i, title := range chatreply.Titles(r.Choices) {
			ch := r.Choices[i]
			n := strconv.Itoa(i + 1)
			lines = append(lines, n+". "+markdown.EscapeChat(title))
			buttons = append(buttons, map[string]any{
				"tag":   "button",
				"text":  plainText{"plain_text", n + ". " + ellipsis.Runes(title, maxButtonText)},
				"type":  "default",
				"value": buttonValue{Kind: valueChoice, Doc: ch.ID, Title: ellipsis.Runes(title, 200), Asker: asker.ExternalUserID, Role: role},
			})
		}
		hint := "Reply with a number, or pick one:"
		if r.Language == "zh" {
			hint = "回复编号，或点击选择："
		}
		c.Elements = append(c.Elements, mdElement(hint+"\n"+strings.Join(lines, "\n")),
			map[string]any{"tag": "action", "actions": buttons})
	}
	if len(r.Sources) > 0 {
		shorten := func(title string) string { return ellipsis.Runes(title, maxSourceTitle) }
		c.Elements = append(c.Elements, map[string]any{"tag": "note", "elements": []any{
			plainText{"lark_md", sourcelink.Line(a.publicURL, r.Language, r.Sources, shorten)}}})
	}
	return c.String()
}

// textCard is a card with one short text of ours, shown as written.
func textCard(text string) string {
	c := newCard()
	c.Elements = []any{mdElement(markdown.EscapeChat(text))}
	return c.String()
}
