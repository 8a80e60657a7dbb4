package slack

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
)

func TestSlashCommand(t *testing.T) {
	fs := newFakeSlack(t)
	fs.notInChan["CNOTIN"] = true
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, nil))

	t.Run("answered in a thread under the question", func(t *testing.T) {
		if got := send(t, srv, "/slack/commands", commandBody("CGEN", "U2", "how long is delivery?", fs.responseURL("c1"))); got != 200 {
			t.Fatalf("status %d", got)
		}
		fs.waitFor(t, "question and answer", func(f *fakeSlack) bool { return len(f.posts) >= 2 })
		p := fs.Posts()
		want := []post{
			{Channel: "CGEN", Text: "<@U2> asked: how long is delivery?"},
			{Channel: "CGEN", ThreadTS: p[0].TS, Text: "echo: how long is delivery?"},
		}
		got := []post{{Channel: p[0].Channel, ThreadTS: p[0].ThreadTS, Text: p[0].Text}, {Channel: p[1].Channel, ThreadTS: p[1].ThreadTS, Text: p[1].Text}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("posts (-want +got):\n%s", diff)
		}
		if m := h.Messages()[0]; m.ExternalUserID != "T1:U2" || m.Role != bot.RoleEmployee {
			t.Errorf("message %+v", m)
		}
	})
	t.Run("where the bot cannot post, answered privately", func(t *testing.T) {
		before := len(fs.Posts())
		send(t, srv, "/slack/commands", commandBody("CNOTIN", "U2", "opening hours?", fs.responseURL("c2")))
		fs.waitFor(t, "response", func(f *fakeSlack) bool { return len(f.responses) == 1 })
		r := fs.responses[0]
		if r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "echo: opening hours?") || r.Blocks == nil || len(r.Blocks.BlockSet) < 2 {
			t.Errorf("response %+v", r)
		}
		if len(fs.Posts()) != before {
			t.Errorf("posted in a channel the bot is not in")
		}
	})
	t.Run("customer channel", func(t *testing.T) {
		n := len(h.Messages())
		send(t, srv, "/slack/commands", commandBody("CCUST", "U3", "prices?", fs.responseURL("c3")))
		fs.waitFor(t, "answer", func(f *fakeSlack) bool { return len(h.Messages()) > n })
		if m := h.Messages()[n]; m.Role != bot.RoleCustomer {
			t.Errorf("role %s, want customer", m.Role)
		}
	})
}

func TestSlashCommandAck(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"   ", textUsage},
		{"where is my order", textOnIt},
		{strings.Repeat("a", bot.MaxMessageRunes+1), "The message is too long"},
	}
	for _, tt := range tests {
		a := testAdapter(t, nil, &fakeHandler{}, nil)
		ack, ok := a.acceptCommand(slackapi.SlashCommand{TeamID: "T1", UserID: "U1", ChannelID: "C1", Text: tt.text})
		if !ok || ack.ResponseType != "ephemeral" || !strings.Contains(ack.Text, tt.want) {
			t.Errorf("acceptCommand(%.20q) = %+v, %v; want ephemeral %q", tt.text, ack, ok, tt.want)
		}
	}
}

func TestFeedbackButtons(t *testing.T) {
	tests := []struct {
		name       string
		feedback   *fakeFeedback
		action     string
		value      string
		wantVotes  []vote
		wantAnswer string
	}{
		{"helpful", &fakeFeedback{}, ActionFeedbackHelpful, "42", []vote{{42, true, "T1:U2"}}, textThanksFeedback},
		{"not helpful", &fakeFeedback{}, ActionFeedbackNotHelpful, "42", []vote{{42, false, "T1:U2"}}, textThanksFeedback},
		{"bad value", &fakeFeedback{}, ActionFeedbackHelpful, "x", nil, textStaleButton},
		{"unknown message", &fakeFeedback{err: bot.Errorf(bot.ENOTFOUND, "That message no longer exists.")}, ActionFeedbackHelpful, "9", nil, "That message no longer exists."},
		{"no recorder", nil, ActionFeedbackHelpful, "42", nil, textNotAvailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			srv := start(t, testAdapter(t, fs, &fakeHandler{}, func(o *Options) {
				if tt.feedback != nil {
					o.Feedback = tt.feedback
				}
			}))
			if got := send(t, srv, "/slack/interactive", interactionBody(t, "CGEN", "U2", tt.action, tt.value, fs.responseURL("f"), nil)); got != 200 {
				t.Fatalf("status %d", got)
			}
			fs.waitFor(t, "answer", func(f *fakeSlack) bool { return len(f.responses) == 1 })
			if r := fs.responses[0]; r.ResponseType != "ephemeral" || r.Text != escapeMrkdwn(tt.wantAnswer) || r.ReplaceOriginal {
				t.Errorf("answer %+v, want ephemeral %q", r, tt.wantAnswer)
			}
			if tt.feedback != nil {
				if diff := cmp.Diff(tt.wantVotes, tt.feedback.Votes()); diff != "" {
					t.Errorf("votes (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// alertMessage is an alert as the alert sink posts it: a summary and the
// three escalation buttons carrying the escalation id.
func alertMessage(id string) map[string]any {
	button := func(action, label string) map[string]any {
		return map[string]any{"type": "button", "action_id": action, "value": id, "text": map[string]any{"type": "plain_text", "text": label}}
	}
	return map[string]any{
		"type": "message", "ts": "500.000100", "bot_id": "BALERT", "text": "Complaint from a customer",
		"bot_profile": map[string]any{"id": "BALERT", "app_id": testApp},
		"blocks": []any{
			map[string]any{"type": "section", "block_id": "s", "text": map[string]any{"type": "mrkdwn", "text": "*Complaint* on web"}},
			map[string]any{"type": "actions", "block_id": "esc", "elements": []any{
				button(ActionEscalationAck, "Acknowledge"), button(ActionEscalationTake, "Take over"), button(ActionEscalationResolve, "Resolve")}},
		},
	}
}

func TestEscalationButtons(t *testing.T) {
	tests := []struct {
		name        string
		esc         *fakeEscalations
		channel     string
		action      string
		wantCalls   []string
		wantButtons []string // buttons left on the alert; nil with wantAnswer
		wantStatus  string
		wantAnswer  string // ephemeral answer instead of an update
	}{
		{"acknowledge", &fakeEscalations{}, "CALERT", ActionEscalationAck, []string{"ack 7 T1:U9"},
			[]string{ActionEscalationTake, ActionEscalationResolve}, "👀 Acknowledged by <@U9>", ""},
		{"take over", &fakeEscalations{}, "CALERT", ActionEscalationTake, []string{"take 7 T1:U9"},
			[]string{ActionEscalationResolve}, "🙋 Taken over by <@U9>", ""},
		{"resolve", &fakeEscalations{}, "CALERT", ActionEscalationResolve, []string{"resolve 7 T1:U9"},
			nil, "✅ Resolved by <@U9>", ""},
		{"conflict is shown to the agent", &fakeEscalations{err: bot.Errorf(bot.ECONFLICT, "Already resolved by someone else.")},
			"CALERT", ActionEscalationTake, nil, nil, "", "Already resolved by someone else."},
		{"not wired", nil, "CALERT", ActionEscalationAck, nil, nil, "", textNotAvailable},
		{"refused in a customer channel", &fakeEscalations{}, "CCUST", ActionEscalationAck, nil, nil, "", textAgentsOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			srv := start(t, testAdapter(t, fs, &fakeHandler{}, func(o *Options) {
				if tt.esc != nil {
					o.Escalations = tt.esc
				}
			}))
			body := interactionBody(t, tt.channel, "U9", tt.action, "7", fs.responseURL("a"), alertMessage("7"))
			if got := send(t, srv, "/slack/interactive", body); got != 200 {
				t.Fatalf("status %d", got)
			}
			fs.waitFor(t, "answer", func(f *fakeSlack) bool { return len(f.responses) == 1 })
			r := fs.responses[0]
			if tt.esc != nil {
				if diff := cmp.Diff(tt.wantCalls, tt.esc.Calls()); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
			}
			if tt.wantAnswer != "" {
				if r.ResponseType != "ephemeral" || r.Text != escapeMrkdwn(tt.wantAnswer) {
					t.Errorf("answer %+v, want %q", r, tt.wantAnswer)
				}
				return
			}
			if !r.ReplaceOriginal || r.Blocks == nil {
				t.Fatalf("want the alert replaced, got %+v", r)
			}
			var buttons []string
			status := ""
			for _, b := range r.Blocks.BlockSet {
				switch b := b.(type) {
				case *slackapi.ActionBlock:
					for _, e := range b.Elements.ElementSet {
						buttons = append(buttons, e.(*slackapi.ButtonBlockElement).ActionID)
					}
				case *slackapi.ContextBlock:
					status = b.ContextElements.Elements[0].(*slackapi.TextBlockObject).Text
				}
			}
			if diff := cmp.Diff(tt.wantButtons, buttons); diff != "" {
				t.Errorf("buttons left (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(status, tt.wantStatus) {
				t.Errorf("status %q, want prefix %q", status, tt.wantStatus)
			}
			if _, ok := r.Blocks.BlockSet[0].(*slackapi.SectionBlock); !ok {
				t.Errorf("the alert summary was lost: %#v", r.Blocks.BlockSet[0])
			}
		})
	}
}

func TestAgentReplyInAlertThread(t *testing.T) {
	alert, err := jsonMarshal(alertMessage("7"))
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := jsonMarshal(map[string]any{"type": "message", "ts": "600.000100", "bot_id": "BOTHER", "text": "x",
		"bot_profile": map[string]any{"id": "BOTHER", "app_id": "AOTHER"}, "blocks": alertMessage("8")["blocks"]})
	fs := newFakeSlack(t)
	fs.parents["CALERT:500.000100"] = alert
	fs.parents["CALERT:600.000100"] = foreign
	esc := &fakeEscalations{}
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, func(o *Options) { o.Escalations = esc }))

	send(t, srv, "/slack/events", eventBody("Ev1", channelMsg("CALERT", "U9", "Sorry about that &amp; we'll refund you", "501.000100", "500.000100")))
	send(t, srv, "/slack/events", eventBody("Ev2", channelMsg("CALERT", "U9", "second reply", "502.000100", "500.000100")))
	// A question to the bot inside the alert thread is answered, not relayed.
	send(t, srv, "/slack/events", eventBody("Ev3", mention("CALERT", "U9", "<@UBOT> refund policy?", "503.000100", "500.000100")))
	// A thread under another app's message with the same buttons is not an alert of ours.
	send(t, srv, "/slack/events", eventBody("Ev4", channelMsg("CALERT", "U9", "not relayed", "601.000100", "600.000100")))
	sentinel(t, srv, fs, "3")

	want := []string{"reply 7 T1:U9 Sorry about that & we'll refund you", "reply 7 T1:U9 second reply"}
	if diff := cmp.Diff(want, esc.Calls()); diff != "" {
		t.Errorf("relayed (-want +got):\n%s", diff)
	}
	fs.waitFor(t, "reactions", func(f *fakeSlack) bool { return len(f.reactions) == 2 })
	if r := fs.reactions[0]; r.Get("name") != "white_check_mark" || r.Get("timestamp") != "501.000100" {
		t.Errorf("reaction %v", r)
	}
	var asked []string
	for _, m := range h.Messages() {
		asked = append(asked, m.Text)
	}
	if diff := cmp.Diff([]string{"refund policy?", "sentinel 3"}, asked); diff != "" {
		t.Errorf("engine got (-want +got):\n%s", diff)
	}
}

func TestAgentReplyFailureToldPrivately(t *testing.T) {
	alert, _ := jsonMarshal(alertMessage("7"))
	fs := newFakeSlack(t)
	fs.parents["CALERT:500.000100"] = alert
	esc := &fakeEscalations{err: bot.Errorf(bot.ECONFLICT, "The conversation is resolved.")}
	srv := start(t, testAdapter(t, fs, &fakeHandler{}, func(o *Options) { o.Escalations = esc }))
	send(t, srv, "/slack/events", eventBody("Ev1", channelMsg("CALERT", "U9", "hello?", "501.000100", "500.000100")))
	fs.waitFor(t, "ephemeral", func(f *fakeSlack) bool { return len(f.ephemeral) == 1 })
	e := fs.ephemeral[0]
	if e.Get("user") != "U9" || e.Get("thread_ts") != "500.000100" || !strings.Contains(e.Get("text"), "The conversation is resolved.") {
		t.Errorf("ephemeral %v", e)
	}
}

func TestResponseURLMustBeSlack(t *testing.T) {
	a := testAdapter(t, nil, &fakeHandler{}, nil)
	for _, u := range []string{"http://hooks.slack.com/x", "https://evil.example/x", "https://hooks.slack.com.evil.example/x", "file:///etc/passwd", ""} {
		if err := a.respond(t.Context(), u, &slackapi.WebhookMessage{Text: "x"}); err == nil {
			t.Errorf("respond(%q) accepted", u)
		}
	}
}
