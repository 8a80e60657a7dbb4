package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

func TestPrintReply(t *testing.T) {
	tests := []struct {
		name string
		r    bot.Reply
		want string
	}{
		{"a table aligned for CJK, a list, links",
			bot.Reply{Text: "**Hours**\n\n| 日期 | Hours |\n|---|--:|\n| 周一至周五 | 9-18 |\n| Sat | 10-16 |\n\n- [Map](/kb/map)\n- call us",
				Sources: []bot.Source{{ID: "page-hours", Title: "Opening hours"}}},
			"Hours\n\n" +
				"日期       | Hours\n" +
				"-----------+------\n" +
				"周一至周五 |  9-18\n" +
				"Sat        | 10-16\n\n" +
				"- Map (https://help.example/kb/map)\n" +
				"- call us\n" +
				"  source: Opening hours (page-hours)\n"},
		{"numbered choices, at most three",
			bot.Reply{Text: "Did you mean one of these?", Language: "en", Choices: []bot.Source{
				{ID: "a", Title: "Returns"}, {ID: "b", Title: ""}, {ID: "", Title: "no id"}, {ID: "c", Title: "Refunds\x1b[2J"}, {ID: "d", Title: "Four"}}},
			"Did you mean one of these?\n1. Returns\n2. b\n3. Refunds [2J\n(type 1–3 to choose)\n"},
		{"Chinese hint",
			bot.Reply{Text: "您是想问：", Language: "zh", Choices: []bot.Source{{ID: "a", Title: "退货"}}},
			"您是想问：\n1. 退货\n（输入 1 选择）\n"},
		{"an answer with an alternative: the choice below its text, the source last",
			bot.Reply{Text: "Refunds take 5 days.\n\nIf you meant something else, one of these may be it:", Language: "en",
				Sources: []bot.Source{{ID: "faq-refund", Title: "Refunds"}}, Choices: []bot.Source{{ID: "faq-exchange", Title: "Exchanges"}}},
			"Refunds take 5 days.\n\nIf you meant something else, one of these may be it:\n1. Exchanges\n(type 1 to choose)\n" +
				"  source: Refunds (faq-refund)\n"},
		{"no terminal escapes from content", bot.Reply{Text: "red\x1b[31m \x1b]0;title\x07done"}, "red[31m ]0;titledone\n"},
		{"relay", bot.Reply{Action: bot.ActionRelay}, "(your message was passed to the team member handling this conversation)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printReply(&b, tt.r, markdown.TextOptions{BaseURL: "https://help.example"})
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// choosyHandler offers two choices for any text and answers a pick.
type choosyHandler struct{ got []bot.Message }

func (h *choosyHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	h.got = append(h.got, m)
	if m.Choice != "" {
		return bot.Reply{Text: "Answer for " + m.Choice, Language: "en", Sources: []bot.Source{{ID: m.Choice, Title: m.Text}}}, nil
	}
	return bot.Reply{Text: "Did you mean?", Language: "en", Choices: []bot.Source{
		{ID: "faq-returns", Title: "Returns"}, {ID: "faq-refunds", Title: "Refunds"}}}, nil
}

func TestChatPicksChoicesByNumber(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		h := &choosyHandler{}
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader("send it back\n2\n3\n1\n"), stdout: &out, stderr: &errOut}
		cmd := &cobra.Command{}
		cmd.SetContext(context.Background())
		if err := chatLoop(cmd, e, h, chatOptions{role: bot.RoleCustomer, userID: "u1", asJSON: asJSON}); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range h.got {
			got = append(got, m.Text+"|"+m.Choice)
		}
		// "2" picks Refunds; "3" after an answer with no choices is text;
		// the reply to "3" offers choices again, so "1" picks Returns.
		want := []string{"send it back|", "Refunds|faq-refunds", "3|", "Returns|faq-returns"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("json %v: messages (-want +got):\n%s", asJSON, diff)
		}
		if asJSON {
			if !strings.Contains(out.String(), `"choices":[{"id":"faq-returns","title":"Returns"},{"id":"faq-refunds","title":"Refunds"}]`) ||
				!strings.Contains(out.String(), `"choices":[]`) {
				t.Errorf("JSON output:\n%s", out.String())
			}
		} else if !strings.Contains(out.String(), "Did you mean?\n1. Returns\n2. Refunds\n") {
			t.Errorf("output:\n%s", out.String())
		}
	}
}

// TestChatExplainsHandoffOnce: after a handoff the terminal says once what
// it means and how to go on (--user), in the customer's language.
func TestChatExplainsHandoffOnce(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCLI(t, "I want to talk to a person\nhello?\nanyone there?\n", "chat", "--data", data, "--user", "waiting")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "--user"); n != 1 {
		t.Errorf("the handoff explanation with --user appears %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "/console") || !strings.Contains(out, "(you are waiting)") {
		t.Errorf("the explanation lacks the console or the user:\n%s", out)
	}
	code, out, _ = runCLI(t, "我要转人工\n", "chat", "--data", data, "--user", "waiting-zh")
	if code != 0 || !strings.Contains(out, "已转人工") {
		t.Errorf("Chinese handoff not explained in Chinese (exit %d):\n%s", code, out)
	}
	if u := defaultChatUser("customer"); strings.HasPrefix(u, "root") {
		t.Errorf("default user %q", u)
	}
}
