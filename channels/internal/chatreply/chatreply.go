// Package chatreply holds what every chat adapter does alike with the
// Engine and its reply to a person: what it needs of the Engine (Handler);
// whether a reply posts anything at all (Silent); the "did you mean"
// choices it offers, remembered per person and place so that an answer of
// just a number picks one (Offers), and the titles those choices are shown
// with (Titles); the answer to a mention with no question (MentionHelp);
// and the Markdown of an agent's message to a customer (AgentMarkdown).
package chatreply

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
	"github.com/concierge-bot/concierge/markdown"
)

// Handler is what a chat adapter needs of the Engine: the reply to one
// message (bot.Engine satisfies it). Each adapter's Handler is this type.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
}

// Silent reports whether a reply posts nothing: a human has the
// conversation (the Engine relays), or there is no text.
func Silent(r bot.Reply) bool {
	return r.Action == bot.ActionRelay || strings.TrimSpace(r.Text) == ""
}

// Titles returns the titles the choices of a reply are shown with, at
// most bot.MaxChoices of them, in order: a choice's title, or its id when
// the title is blank.
func Titles(choices []bot.Source) []string {
	titles := make([]string, 0, min(len(choices), bot.MaxChoices))
	for _, c := range choices[:min(len(choices), bot.MaxChoices)] {
		titles = append(titles, title(c))
	}
	return titles
}

func title(c bot.Source) string {
	if t := strings.TrimSpace(c.Title); t != "" {
		return t
	}
	return c.ID
}

// offerTTL is how long the choices of a reply can be picked by number.
const offerTTL = 24 * time.Hour

// Offers remembers the choices the bot last offered under a key (a person
// in a place: "chat:user"), for a day, so that an answer of just a number
// picks one. It is safe for concurrent use.
type Offers struct {
	c      *ttlcache.Cache[[]bot.Source]
	number func(text string) (int, bool)
}

// NewOffers returns an empty Offers holding at most size keys; number
// reads an answer that is only a number (Number, WideNumber); now is the
// clock (time.Now when nil).
func NewOffers(size int, now func() time.Time, number func(text string) (int, bool)) *Offers {
	return &Offers{c: ttlcache.New[[]bot.Source](offerTTL, size, now), number: number}
}

// Pick makes m the pick of a choice when its text is the number (1..n) of
// one of the n choices last offered under key: m.Choice is the choice's id
// and m.Text its title (its id when the title is blank). Any other m is
// left as it is.
func (o *Offers) Pick(key string, m *bot.Message) {
	offered, ok := o.c.Get(key)
	if !ok {
		return
	}
	n, ok := o.number(m.Text)
	if !ok || n < 1 || n > len(offered) {
		return
	}
	c := offered[n-1]
	m.Choice, m.Text = c.ID, c.Title
	if strings.TrimSpace(m.Text) == "" {
		m.Text = c.ID
	}
}

// Remember records the choices r offers under key, or that it offers none.
func (o *Offers) Remember(key string, r bot.Reply) {
	if len(r.Choices) > 0 {
		o.c.Set(key, r.Choices)
	} else {
		o.c.Delete(key)
	}
}

// Number reads an answer that is only a number, in ASCII digits, perhaps
// followed by a full stop ("2", " 2. ").
func Number(text string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ".")))
	return n, err == nil
}

// WideNumber reads an answer that is only a number, in ASCII or
// full-width digits ("2", "２"), as Chinese input methods type them.
func WideNumber(text string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, text)))
	return n, err == nil
}

// MentionHelp answers a mention with no question, in English and Chinese
// (WeCom, whose people read Chinese first, has its own).
const MentionHelp = "Hi! Ask me a question after the mention, for example: “@Concierge how long does delivery take?”\n" +
	"您好！请在提及我之后输入您的问题，例如：“@Concierge 多久能送到？”"

// AgentMarkdown is the chat Markdown of a message an agent sends a customer
// (agent their name; "" for the system's, such as the rating question):
// text escaped, under the agent's name in bold when there is one, sep
// between the two ("\n\n" where one line break does not end a paragraph).
func AgentMarkdown(agent, text, sep string) string {
	body := markdown.EscapeChat(text)
	if agent != "" {
		body = "**" + markdown.EscapeChat(agent) + "**" + sep + body
	}
	return body
}
