package chatreply

import (
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

func TestSilent(t *testing.T) {
	for _, tc := range []struct {
		r    bot.Reply
		want bool
	}{
		{bot.Reply{Text: "Delivery takes two days."}, false},
		{bot.Reply{Text: " \n "}, true},
		{bot.Reply{Text: "relayed", Action: bot.ActionRelay}, true},
	} {
		if got := Silent(tc.r); got != tc.want {
			t.Errorf("Silent(%+v) = %v, want %v", tc.r, got, tc.want)
		}
	}
}

func TestTitles(t *testing.T) {
	var cs []bot.Source
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		cs = append(cs, bot.Source{ID: id, Title: "Title " + id})
	}
	cs[1].Title = "  "
	got := Titles(cs)
	if len(got) != min(len(cs), bot.MaxChoices) || got[0] != "Title a" || got[1] != "b" {
		t.Fatalf("Titles = %q", got)
	}
	if got := Titles(nil); len(got) != 0 {
		t.Fatalf("Titles(nil) = %q", got)
	}
}

func TestOffersPick(t *testing.T) {
	o := NewOffers(10, nil, Number)
	o.Remember("chat:u", bot.Reply{Choices: []bot.Source{{ID: "ship", Title: "Shipping"}, {ID: "ret"}}})
	for _, tc := range []struct {
		key, text      string
		choice, result string
	}{
		{"chat:u", "1", "ship", "Shipping"},
		{"chat:u", " 2. ", "ret", "ret"},
		{"chat:u", "3", "", "3"},
		{"chat:u", "0", "", "0"},
		{"chat:u", "two", "", "two"},
		{"chat:other", "1", "", "1"},
	} {
		m := bot.Message{Text: tc.text}
		o.Pick(tc.key, &m)
		if m.Choice != tc.choice || m.Text != tc.result {
			t.Errorf("Pick(%q, %q) = %q %q, want %q %q", tc.key, tc.text, m.Choice, m.Text, tc.choice, tc.result)
		}
	}
	o.Remember("chat:u", bot.Reply{Text: "no choices"})
	m := bot.Message{Text: "1"}
	if o.Pick("chat:u", &m); m.Choice != "" {
		t.Fatalf("a reply without choices still let %q pick %q", "1", m.Choice)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		text          string
		number, wide  int
		numOK, wideOK bool
	}{
		{"2", 2, 2, true, true},
		{" 2. ", 2, 0, true, false},
		{"２", 0, 2, false, true},
		{"１２", 0, 12, false, true},
		{"x", 0, 0, false, false},
	} {
		if n, ok := Number(tc.text); ok != tc.numOK || (ok && n != tc.number) {
			t.Errorf("Number(%q) = %d %v", tc.text, n, ok)
		}
		if n, ok := WideNumber(tc.text); ok != tc.wideOK || (ok && n != tc.wide) {
			t.Errorf("WideNumber(%q) = %d %v", tc.text, n, ok)
		}
	}
}

func TestAgentMarkdown(t *testing.T) {
	if got, want := AgentMarkdown("Bob", "hi *there*", "\n"), "**Bob**\n"+markdown.EscapeChat("hi *there*"); got != want {
		t.Errorf("AgentMarkdown = %q, want %q", got, want)
	}
	if got, want := AgentMarkdown("", "How did we do?", "\n\n"), markdown.EscapeChat("How did we do?"); got != want {
		t.Errorf("AgentMarkdown of the system = %q, want %q", got, want)
	}
}
