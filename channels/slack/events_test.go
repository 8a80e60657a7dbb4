package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

// sentinel sends a DM and waits for its answer; with one worker, every
// event sent before it has been handled by then.
func sentinel(t *testing.T, srv *httptestServer, fs *fakeSlack, id string) {
	t.Helper()
	if got := send(t, srv, "/slack/events", eventBody("EvSentinel"+id, dm("U1", "sentinel "+id, "9"+id+".000001"))); got != 200 {
		t.Fatalf("sentinel: status %d", got)
	}
	fs.waitFor(t, "sentinel answer", func(f *fakeSlack) bool {
		for _, p := range f.posts {
			if strings.Contains(p.Text, "sentinel "+id) {
				return true
			}
		}
		return false
	})
}

func TestEventsAreAnsweredInThreads(t *testing.T) {
	type event struct {
		body   []byte
		header []string
	}
	tests := []struct {
		name      string
		events    []event
		wantMsgs  []bot.Message // what the Engine gets (Time ignored)
		wantPosts []post        // Channel, ThreadTS, Text
	}{
		{
			name:      "direct message",
			events:    []event{{body: eventBody("Ev1", dm("U1", "where is my order?", "1700000001.000100"))}},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U1", Text: "where is my order?", Role: bot.RoleEmployee}},
			wantPosts: []post{{Channel: "DUSER", ThreadTS: "1700000001.000100", Text: "echo: where is my order?"}},
		},
		{
			name:      "mention in a channel, mention removed and markup unescaped",
			events:    []event{{body: eventBody("Ev1", mention("CGEN", "U2", "<@UBOT> is 5 &lt; 6 &amp; <#C9|sales> ok?", "1700000002.000100", ""))}},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U2", Text: "is 5 < 6 & #sales ok?", Role: bot.RoleEmployee}},
			wantPosts: []post{{Channel: "CGEN", ThreadTS: "1700000002.000100", Text: "echo: is 5 &lt; 6 &amp; #sales ok?"}},
		},
		{
			name:      "mention in a customer channel gets the customer audience",
			events:    []event{{body: eventBody("Ev1", mention("CCUST", "U3", "<@UBOT> prices?", "1700000003.000100", ""))}},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U3", Text: "prices?", Role: bot.RoleCustomer}},
			wantPosts: []post{{Channel: "CCUST", ThreadTS: "1700000003.000100", Text: "echo: prices?"}},
		},
		{
			name: "mention in an externally shared channel gets the customer audience",
			events: []event{{body: eventBody("Ev1", mention("CSHARED", "U4", "<@UBOT> prices?", "1700000004.000100", ""),
				"is_ext_shared_channel", true)}},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U4", Text: "prices?", Role: bot.RoleCustomer}},
			wantPosts: []post{{Channel: "CSHARED", ThreadTS: "1700000004.000100", Text: "echo: prices?"}},
		},
		{
			name: "a user of another workspace is a customer, identified in their team",
			events: []event{{body: eventBody("Ev1", map[string]any{"type": "app_mention", "channel": "CGEN", "user": "U5",
				"user_team": "T2", "text": "<@UBOT> hi", "ts": "1700000005.000100"})}},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T2:U5", Text: "hi", Role: bot.RoleCustomer}},
			wantPosts: []post{{Channel: "CGEN", ThreadTS: "1700000005.000100", Text: "echo: hi"}},
		},
		{
			name: "mention inside a thread answers in that thread, then follows it",
			events: []event{
				{body: eventBody("Ev1", mention("CGEN", "U2", "<@UBOT> first", "1700000007.000100", "1700000006.000100"))},
				{body: eventBody("Ev2", channelMsg("CGEN", "U6", "second, no mention", "1700000008.000100", "1700000006.000100"))},
			},
			wantMsgs: []bot.Message{
				{Channel: "slack", ExternalUserID: "T1:U2", Text: "first", Role: bot.RoleEmployee},
				{Channel: "slack", ExternalUserID: "T1:U6", Text: "second, no mention", Role: bot.RoleEmployee},
			},
			wantPosts: []post{
				{Channel: "CGEN", ThreadTS: "1700000006.000100", Text: "echo: first"},
				{Channel: "CGEN", ThreadTS: "1700000006.000100", Text: "echo: second, no mention"},
			},
		},
		{
			name: "app_mention and message event of one message: answered once",
			events: []event{
				{body: eventBody("Ev1", channelMsg("CGEN", "U2", "<@UBOT> once", "1700000009.000100", ""))},
				{body: eventBody("Ev2", mention("CGEN", "U2", "<@UBOT> once", "1700000009.000100", ""))},
				{body: eventBody("Ev3", channelMsg("CGEN", "U2", "<@UBOT> once", "1700000009.000100", ""))},
			},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U2", Text: "once", Role: bot.RoleEmployee}},
			wantPosts: []post{{Channel: "CGEN", ThreadTS: "1700000009.000100", Text: "echo: once"}},
		},
		{
			name: "Slack retries of one event: answered once",
			events: []event{
				{body: eventBody("EvR", dm("U1", "retry me", "1700000010.000100"))},
				{body: eventBody("EvR", dm("U1", "retry me", "1700000010.000100")), header: []string{headerRetryNum, "1", "X-Slack-Retry-Reason", "http_timeout"}},
				{body: eventBody("EvR", dm("U1", "retry me", "1700000010.000100")), header: []string{headerRetryNum, "2", "X-Slack-Retry-Reason", "http_timeout"}},
			},
			wantMsgs:  []bot.Message{{Channel: "slack", ExternalUserID: "T1:U1", Text: "retry me", Role: bot.RoleEmployee}},
			wantPosts: []post{{Channel: "DUSER", ThreadTS: "1700000010.000100", Text: "echo: retry me"}},
		},
		{
			name: "bots, edits, the bot itself, other events and channel chatter are ignored",
			events: []event{
				{body: eventBody("Ev1", map[string]any{"type": "message", "channel": "DUSER", "channel_type": "im", "bot_id": "BOTHER", "text": "beep", "ts": "1.1"})},
				{body: eventBody("Ev2", map[string]any{"type": "message", "subtype": "bot_message", "channel": "DUSER", "channel_type": "im", "text": "beep", "ts": "1.2"})},
				{body: eventBody("Ev3", map[string]any{"type": "message", "subtype": "message_changed", "channel": "DUSER", "channel_type": "im",
					"message": map[string]any{"type": "message", "user": "U1", "text": "edited", "ts": "1.3"}, "ts": "1.4"})},
				{body: eventBody("Ev4", map[string]any{"type": "message", "subtype": "message_deleted", "channel": "DUSER", "channel_type": "im", "ts": "1.5"})},
				{body: eventBody("Ev5", dm("UBOT", "my own answer", "1.6"))},
				{body: eventBody("Ev6", map[string]any{"type": "app_mention", "channel": "CGEN", "bot_id": "BOTHER", "user": "U7", "text": "<@UBOT> hi", "ts": "1.7"})},
				{body: eventBody("Ev7", channelMsg("CGEN", "U2", "just chatting", "1.8", ""))},
				{body: eventBody("Ev8", channelMsg("CGEN", "U2", "reply in a thread we do not follow", "1.9", "1.0"))},
				{body: eventBody("Ev9", map[string]any{"type": "reaction_added", "user": "U2", "reaction": "+1"})},
				{body: eventBody("Ev10", map[string]any{"type": "message", "channel": "DUSER", "channel_type": "im", "text": "no user", "ts": "1.10"})},
				{body: []byte(`{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}`)},
				{body: []byte(`{"type":"event_callback","team_id":"T1","event_id":"EvNull","event":null}`)},
				{body: []byte(`not json`)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			h := &fakeHandler{}
			a := testAdapter(t, fs, h, nil)
			srv := start(t, a)
			for i, e := range tt.events {
				if got := send(t, srv, "/slack/events", e.body, e.header...); got != http.StatusOK {
					t.Fatalf("event %d: status %d, want 200", i, got)
				}
			}
			sentinel(t, srv, fs, "1")
			var gotMsgs []bot.Message
			for _, m := range h.Messages() {
				if !strings.HasPrefix(m.Text, "sentinel") {
					m.Time = time.Time{}
					gotMsgs = append(gotMsgs, m)
				}
			}
			if diff := cmp.Diff(tt.wantMsgs, gotMsgs); diff != "" {
				t.Errorf("messages to the engine (-want +got):\n%s", diff)
			}
			var gotPosts []post
			for _, p := range fs.Posts() {
				if !strings.Contains(p.Text, "sentinel") {
					gotPosts = append(gotPosts, post{Channel: p.Channel, ThreadTS: p.ThreadTS, Text: p.Text})
				}
			}
			if diff := cmp.Diff(tt.wantPosts, gotPosts); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageTimeFromSlackTS(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, nil))
	send(t, srv, "/slack/events", eventBody("Ev1", dm("U1", "when", "1700000001.250000")))
	fs.waitFor(t, "answer", func(f *fakeSlack) bool { return len(f.posts) == 1 })
	if got, want := h.Messages()[0].Time, time.Unix(1700000001, 250000000); !got.Equal(want) {
		t.Fatalf("time %v, want %v", got, want)
	}
}

func TestAnswerRendering(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, func(o *Options) { o.Feedback = &fakeFeedback{} }))
	send(t, srv, "/slack/events", eventBody("Ev1", dm("U1", "returns?", "1.000001")))
	fs.waitFor(t, "answer", func(f *fakeSlack) bool { return len(f.posts) == 1 })
	got := blockSummary(fs.Posts()[0].Blocks)
	want := []string{
		"section: echo: returns?",
		"context: *Sources:*",
		"context: <https://help.example.com/kb/returns|Returns &amp; refunds>",
		"button feedback_helpful=101: 👍 Helpful",
		"button feedback_not_helpful=101: 👎 Not helpful",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
}

// blockSummary lists the texts of posted blocks, one line per text or
// button, for comparison.
func blockSummary(blocks []map[string]any) []string {
	var out []string
	text := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			s, _ := m["text"].(string)
			return s
		}
		return ""
	}
	for _, b := range blocks {
		switch b["type"] {
		case "section":
			out = append(out, "section: "+text(b["text"]))
		case "context":
			for _, e := range b["elements"].([]any) {
				out = append(out, "context: "+text(e))
			}
		case "actions":
			for _, e := range b["elements"].([]any) {
				m := e.(map[string]any)
				out = append(out, fmt.Sprintf("button %v=%v: %s", m["action_id"], m["value"], text(m["text"])))
			}
		default:
			out = append(out, fmt.Sprint(b["type"]))
		}
	}
	return out
}

func TestEngineOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		reply    bot.Reply
		err      error
		text     string
		wantPost string // "" means nothing is posted
	}{
		{"silent relay while a human has the conversation", bot.Reply{Action: bot.ActionRelay, Handoff: true}, nil, "hello?", ""},
		{"escalation text is posted", bot.Reply{Action: bot.ActionEscalate, Text: "A person will reply.", Handoff: true}, nil, "I want a human", "A person will reply."},
		{"user error is shown as is", bot.Reply{}, bot.Errorf(bot.ETOOLARGE, "The message is too long."), "long", "The message is too long."},
		{"internal error is shown as a generic sentence", bot.Reply{}, errors.New("database is locked: /var/secret.db"), "x", bot.ErrorMessage(errors.New("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeSlack(t)
			h := &fakeHandler{reply: func(m bot.Message) (bot.Reply, error) {
				if strings.HasPrefix(m.Text, "sentinel") {
					return bot.Reply{Text: m.Text, Action: bot.ActionAnswer}, nil
				}
				return tt.reply, tt.err
			}}
			srv := start(t, testAdapter(t, fs, h, nil))
			send(t, srv, "/slack/events", eventBody("Ev1", dm("U1", tt.text, "1.000001")))
			sentinel(t, srv, fs, "2")
			var got []string
			for _, p := range fs.Posts() {
				if p.ThreadTS == "1.000001" {
					got = append(got, p.Text)
				}
			}
			var want []string
			if tt.wantPost != "" {
				want = []string{escapeMrkdwn(tt.wantPost)}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBareMentionGetsHelp(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, nil))
	send(t, srv, "/slack/events", eventBody("Ev1", mention("CGEN", "U2", "<@UBOT>   ", "1.000001", "")))
	fs.waitFor(t, "help", func(f *fakeSlack) bool { return len(f.posts) == 1 })
	if p := fs.Posts()[0]; p.ThreadTS != "1.000001" || !strings.Contains(p.Text, "Ask me a question") {
		t.Fatalf("got %+v", p)
	}
	if n := len(h.Messages()); n != 0 {
		t.Fatalf("engine called %d times for an empty mention", n)
	}
}

// TestCustomerTextOnlyAtDebug runs a conversation with Info logging and
// checks that neither the question nor the answer reaches the log.
func TestCustomerTextOnlyAtDebug(t *testing.T) {
	var logs logBuffer
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	srv := start(t, testAdapter(t, fs, h, func(o *Options) { o.Logger = newLogger(&logs, slog.LevelInfo) }))
	send(t, srv, "/slack/events", eventBody("Ev1", dm("U1", "my card number is 4111-SECRET", "1.000001")))
	send(t, srv, "/slack/events", eventBody("Ev2", dm("U1", "again 4111-SECRET", "1.000002")))
	fs.waitFor(t, "answers", func(f *fakeSlack) bool { return len(f.posts) == 2 })
	if strings.Contains(logs.String(), "4111-SECRET") {
		t.Fatalf("customer text logged above Debug:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "slack: answered") {
		t.Fatalf("expected Info logs of the answers, got:\n%s", logs.String())
	}
}

// TestEndToEndAudiences drives a real bot.Engine: an employee's question
// is answered from the internal wiki, the same question in a customer
// channel only from public content.
func TestEndToEndAudiences(t *testing.T) {
	fs := newFakeSlack(t)
	engine := newTestEngine(t)
	srv := start(t, testAdapter(t, fs, engine, nil))
	send(t, srv, "/slack/events", eventBody("Ev1", mention("CGEN", "U2", "<@UBOT> what is the discount policy?", "1.000001", "")))
	send(t, srv, "/slack/events", eventBody("Ev2", mention("CCUST", "U3", "<@UBOT> what is the discount policy?", "1.000002", "")))
	fs.waitFor(t, "two answers", func(f *fakeSlack) bool { return len(f.posts) == 2 })
	byThread := map[string]string{}
	for _, p := range fs.Posts() {
		byThread[p.ThreadTS] = strings.Join(blockSummary(p.Blocks), "\n")
	}
	if s := byThread["1.000001"]; !strings.Contains(s, "Staff discount is 30%") || !strings.Contains(s, "/kb/staff-discount") {
		t.Errorf("employee answer lacks the internal page:\n%s", s)
	}
	if s := byThread["1.000002"]; strings.Contains(s, "Staff discount") || !strings.Contains(s, "Public discounts") {
		t.Errorf("customer answer must use public content only:\n%s", s)
	}
}

// httptestServer is an alias to keep helper signatures short.
type httptestServer = httptestServerT

// TestOrderKey checks what the adapter's work is ordered by: a mention and
// the replies in the thread it starts share one key whoever writes them, so
// a reply is routed after the mention made the bot follow the thread; a
// person's direct messages share theirs.
func TestOrderKey(t *testing.T) {
	mentionTop := inbound{teamID: "T1", user: "U2", channel: "CGEN", ts: "1.1", mention: true}
	reply := inbound{teamID: "T1", user: "U6", channel: "CGEN", channelType: "channel", ts: "1.2", threadTS: "1.1"}
	mentionIn := inbound{teamID: "T1", user: "U2", channel: "CGEN", ts: "1.4", threadTS: "1.3", mention: true}
	replyIn := inbound{teamID: "T1", user: "U7", channel: "CGEN", channelType: "channel", ts: "1.5", threadTS: "1.3"}
	other := inbound{teamID: "T1", user: "U6", channel: "CGEN", channelType: "channel", ts: "1.6"}
	dm1 := inbound{teamID: "T1", user: "U1", channel: "DUSER", channelType: "im", ts: "2.1"}
	dm2 := inbound{teamID: "T1", user: "U1", channel: "DUSER", channelType: "im", ts: "2.2"}
	if mentionTop.orderKey() != reply.orderKey() || mentionIn.orderKey() != replyIn.orderKey() {
		t.Errorf("a mention and a reply in its thread: %q / %q and %q / %q, want one key each", mentionTop.orderKey(),
			reply.orderKey(), mentionIn.orderKey(), replyIn.orderKey())
	}
	if other.orderKey() == reply.orderKey() {
		t.Errorf("a message outside the thread shares its key %q", other.orderKey())
	}
	if dm1.orderKey() != dm2.orderKey() || dm1.orderKey() != "T1:U1" {
		t.Errorf("direct messages: %q and %q, want the person's key T1:U1", dm1.orderKey(), dm2.orderKey())
	}
}
