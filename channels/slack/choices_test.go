package slack

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
)

var testChoices = []bot.Source{
	{ID: "faq-returns", Title: "How do I return an item?", URL: "/kb/faq-returns"},
	{ID: "", Title: "no id: left out"},
	{ID: "faq-exchange", Title: strings.Repeat("Exchange <a> & b ", 10)},
	{ID: "faq-refund", Title: "退款多久到账？"},
	{ID: "faq-fourth", Title: "One too many"},
}

func TestReplyBlocksMarkdownAndChoices(t *testing.T) {
	a := testAdapter(t, nil, &fakeHandler{}, nil)
	tests := []struct {
		name   string
		r      bot.Reply
		asker  bot.Message
		want   []string
		wantID string // block id of the choices, "" when none
	}{
		{"a table as an aligned monospace block, a list, a link",
			bot.Reply{Text: "**Hours**\n\n| Days | Hours |\n|---|--:|\n| 周一 | 9-5 |\n\n- [Map](/kb/map)\n- <b>x</b>"},
			bot.Message{ExternalUserID: "T1:U2"},
			[]string{"section: *Hours*\n\n```\nDays | Hours\n-----+------\n周一 |   9-5\n```\n\n• <https://help.example.com/kb/map|Map>\n• &lt;b&gt;x&lt;/b&gt;"}, ""},
		{"choices for a customer: at most three, with ids, titles cut to fit",
			bot.Reply{Text: "Did you mean?", Choices: testChoices},
			bot.Message{ExternalUserID: "T1:U2", Role: bot.RoleCustomer},
			[]string{"section: Did you mean?",
				"button choice_1=faq-returns: How do I return an item?",
				"button choice_2=faq-exchange: " + ellipsis.Runes(testChoices[2].Title, maxButtonText),
				"button choice_3=faq-refund: 退款多久到账？"},
			"choices:c:T1:U2"},
		{"choices for an employee",
			bot.Reply{Text: "Which one?", Choices: testChoices[:1]},
			bot.Message{ExternalUserID: "T1:U9", Role: bot.RoleEmployee},
			[]string{"section: Which one?", "button choice_1=faq-returns: How do I return an item?"},
			"choices:e:T1:U9"},
		{"no asker, no choices",
			bot.Reply{Text: "Which one?", Choices: testChoices},
			bot.Message{},
			[]string{"section: Which one?"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, _ := a.replyBlocks(tt.r, tt.asker)
			maps := toMaps(t, blocks)
			if diff := cmp.Diff(tt.want, blockSummary(maps)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			id := ""
			for _, b := range maps {
				if b["type"] == "actions" {
					id, _ = b["block_id"].(string)
				}
			}
			if id != tt.wantID {
				t.Errorf("choices block id %q, want %q", id, tt.wantID)
			}
		})
	}
}

// choiceClickBody is the form body of a click on a choice button of the
// bot's reply (ts 900.000100) in the thread 800.000100.
func choiceClickBody(t *testing.T, channel, user, userTeam, blockID, value, title, responseURL string, ephemeral bool, trigger string) []byte {
	t.Helper()
	btn := map[string]any{"type": "button", "action_id": ActionChoicePrefix + "1", "value": value,
		"text": map[string]any{"type": "plain_text", "text": title}}
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": testTeam}, "api_app_id": testApp, "trigger_id": trigger,
		"user":         map[string]any{"id": user, "team_id": userTeam},
		"channel":      map[string]any{"id": channel},
		"response_url": responseURL,
		"container": map[string]any{"type": "message", "message_ts": "900.000100", "thread_ts": "800.000100",
			"channel_id": channel, "is_ephemeral": ephemeral},
		"message": map[string]any{"type": "message", "ts": "900.000100", "thread_ts": "800.000100", "text": "Did you mean?",
			"blocks": []any{
				map[string]any{"type": "section", "block_id": "s", "text": map[string]any{"type": "mrkdwn", "text": "Did you mean?"}},
				map[string]any{"type": "actions", "block_id": blockID, "elements": []any{btn}},
				map[string]any{"type": "actions", "block_id": "feedback", "elements": []any{map[string]any{"type": "button",
					"action_id": ActionFeedbackHelpful, "value": "7", "text": map[string]any{"type": "plain_text", "text": "Helpful"}}}},
			}},
		"actions": []map[string]any{{"type": "button", "action_id": ActionChoicePrefix + "1", "block_id": blockID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": title}}},
	}
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(url.Values{"payload": {string(b)}}.Encode())
}

func TestChoiceClick(t *testing.T) {
	const title = "How do I return an item?"
	tests := []struct {
		name                 string
		channel, user, uteam string
		blockID              string
		ephemeral            bool
		wantMsg              *bot.Message // what the Engine gets; nil: nothing
		wantTell             string       // the ephemeral answer to the clicker, if any
	}{
		{"the asker picks: answered in the thread", "CGEN", "U2", testTeam, "choices:e:T1:U2", false,
			&bot.Message{Channel: bot.ChannelSlack, ExternalUserID: "T1:U2", Text: title, Choice: "faq-returns", Role: bot.RoleEmployee}, ""},
		{"a customer channel makes the pick a customer's", "CCUST", "U2", testTeam, "choices:e:T1:U2", false,
			&bot.Message{Channel: bot.ChannelSlack, ExternalUserID: "T1:U2", Text: title, Choice: "faq-returns", Role: bot.RoleCustomer}, ""},
		{"someone else may not pick", "CGEN", "U3", testTeam, "choices:e:T1:U2", false, nil, textNotYourChoice},
		{"the same user id of another workspace may not pick", "CGEN", "U2", "T9", "choices:c:T1:U2", false, nil, textNotYourChoice},
		{"a forged or old block id is refused", "CGEN", "U2", testTeam, "b", false, nil, textStaleButton},
		{"an ephemeral reply is answered privately", "CNOTIN", "U2", testTeam, "choices:c:T1:U2", true,
			&bot.Message{Channel: bot.ChannelSlack, ExternalUserID: "T1:U2", Text: title, Choice: "faq-returns", Role: bot.RoleCustomer}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			h := &fakeHandler{}
			srv := start(t, testAdapter(t, fs, h, nil))
			click := func(trigger string) []byte {
				return choiceClickBody(t, tt.channel, tt.user, tt.uteam, tt.blockID, "faq-returns", title, fs.responseURL("r"), tt.ephemeral, trigger)
			}
			if got := send(t, srv, "/slack/interactive", click("t1")); got != 200 {
				t.Fatalf("status %d", got)
			}
			if tt.wantMsg == nil {
				fs.waitFor(t, "the answer to the clicker", func(f *fakeSlack) bool { return len(f.responses) == 1 })
				if r := fs.responses[0]; r.ResponseType != "ephemeral" || r.Text != escapeMrkdwn(tt.wantTell) {
					t.Errorf("answer %+v, want %q", r, tt.wantTell)
				}
				if n := len(h.Messages()); n != 0 {
					t.Errorf("the Engine got %d messages", n)
				}
				return
			}
			if tt.ephemeral {
				fs.waitFor(t, "the private answer", func(f *fakeSlack) bool { return len(f.responses) == 2 })
				if r := fs.responses[1]; r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "echo: "+title) {
					t.Errorf("private answer %+v", r)
				}
			} else {
				fs.waitFor(t, "the answer", func(f *fakeSlack) bool { return len(f.posts) == 1 && len(f.responses) == 1 })
				if p := fs.Posts()[0]; p.Channel != tt.channel || p.ThreadTS != "800.000100" || p.Text != "echo: "+title {
					t.Errorf("answer posted as %+v", p)
				}
			}
			m := h.Messages()[0]
			m.Time = bot.Message{}.Time
			if diff := cmp.Diff(*tt.wantMsg, m); diff != "" {
				t.Errorf("message to the Engine (-want +got):\n%s", diff)
			}
			// The buttons gave way to the pick; the feedback buttons stay.
			upd := fs.responses[0]
			if !upd.ReplaceOriginal || upd.Blocks == nil {
				t.Fatalf("the reply was not updated: %+v", upd)
			}
			if got := blockSummary(toMaps(t, upd.Blocks.BlockSet)); !cmp.Equal(got, []string{"section: Did you mean?",
				"context: ✅ " + title, "button feedback_helpful=7: Helpful"}) {
				t.Errorf("updated reply: %q", got)
			}

			// A second click (a double click, or after the update raced)
			// picks nothing more.
			send(t, srv, "/slack/interactive", click("t2"))
			fs.waitFor(t, "the second answer", func(f *fakeSlack) bool { return len(f.responses) >= 2+btoi(tt.ephemeral) })
			if r := fs.responses[len(fs.responses)-1]; r.Text != escapeMrkdwn(textChoiceMade) {
				t.Errorf("second click answered %+v", r)
			}
			if n := len(h.Messages()); n != 1 {
				t.Errorf("the Engine got %d messages", n)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestParseChoicesBlock(t *testing.T) {
	tests := []struct {
		id    string
		role  bot.Role
		asker string
		ok    bool
	}{
		{"choices:c:T1:U2", bot.RoleCustomer, "T1:U2", true},
		{"choices:e:T1:U2", bot.RoleEmployee, "T1:U2", true},
		{"choices:x:T1:U2", "", "", false},
		{"choices:c:", "", "", false},
		{"choices:c", "", "", false},
		{"feedback", "", "", false},
	}
	for _, tt := range tests {
		role, asker, ok := parseChoicesBlock(tt.id)
		if role != tt.role || asker != tt.asker || ok != tt.ok {
			t.Errorf("parseChoicesBlock(%q) = %q %q %v", tt.id, role, asker, ok)
		}
	}
	// What choiceButtons writes, parseChoicesBlock reads.
	b := choiceButtons(testChoices, bot.Message{ExternalUserID: "T7:U7", Role: bot.RoleEmployee})
	if role, asker, ok := parseChoicesBlock(b.BlockID); !ok || role != bot.RoleEmployee || asker != "T7:U7" {
		t.Errorf("round trip: %q → %q %q %v", b.BlockID, role, asker, ok)
	}
}
