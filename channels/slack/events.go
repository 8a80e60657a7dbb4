package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
)

// inbound is a person's message from an app_mention or message event,
// reduced to what the adapter needs.
type inbound struct {
	teamID      string // workspace the event was delivered for
	appID       string // this app's id (api_app_id)
	userTeam    string // the sender's own workspace, when Slack says
	user        string
	channel     string
	channelType string // "im", "channel", "group", "mpim"; empty for app_mention
	text        string
	ts          string
	threadTS    string
	mention     bool // an app_mention event
	extShared   bool // the channel is shared with another organisation
}

// externalUser is the sender's id for the Engine: "<team_id>:<user_id>".
func (in inbound) externalUser() string {
	team := in.userTeam
	if team == "" {
		team = in.teamID
	}
	return team + ":" + in.user
}

// external reports whether the sender is outside the workspace.
func (in inbound) external() bool {
	return in.extShared || (in.userTeam != "" && in.teamID != "" && in.userTeam != in.teamID)
}

func (in inbound) isThreadReply() bool { return in.threadTS != "" && in.threadTS != in.ts }

// orderKey is what the adapter's work is ordered by: a person's direct
// messages one after another, and a channel thread's messages one after
// another whoever writes them, so that a reply in a thread is routed after
// the mention that made the bot follow it, however soon it comes.
func (in inbound) orderKey() string {
	if in.channelType == slackevents.ChannelTypeIM {
		return in.externalUser()
	}
	return "thread:" + threadKey(in.channel, in.thread())
}

// thread is the thread the bot answers in: the message's thread, or a new
// one under the message.
func (in inbound) thread() string {
	if in.threadTS != "" {
		return in.threadTS
	}
	return in.ts
}

// Message subtypes that are people writing; any other subtype (edits,
// deletions, joins, bot messages…) is ignored.
var personSubtypes = map[string]bool{"": true, "file_share": true, "thread_broadcast": true}

// acceptEventBody takes an Events API payload (an HTTP body or a Socket
// Mode envelope's payload) whose origin is already authenticated. It
// returns the status to answer with (200, or 503 when the queue is full so
// that Slack retries) and, for URL verification, the challenge to echo.
// Events that are not a person's message, and events already seen, are
// acknowledged and dropped.
func (a *Adapter) acceptEventBody(body []byte, retry string) (status int, challenge string) {
	var cb slackevents.EventsAPICallbackEvent
	if err := json.Unmarshal(body, &cb); err != nil {
		a.log.Warn("slack: malformed event payload", "err", err)
		return http.StatusOK, "" // a retry would be just as malformed
	}
	switch cb.Type {
	case slackevents.URLVerification:
		var v slackevents.EventsAPIURLVerificationEvent
		if err := json.Unmarshal(body, &v); err != nil || v.Challenge == "" {
			return http.StatusBadRequest, ""
		}
		return http.StatusOK, v.Challenge
	case slackevents.AppRateLimited:
		a.log.Warn("slack: Slack is rate-limiting this app's events", "team", cb.TeamID)
		return http.StatusOK, ""
	case slackevents.CallbackEvent:
	default:
		return http.StatusOK, ""
	}
	in, ok := a.parseInner(&cb)
	if !ok {
		return http.StatusOK, ""
	}
	key := "event:" + cb.EventID
	if cb.EventID != "" && !a.events.Add(key, struct{}{}) {
		a.log.Debug("slack: duplicate event dropped", "event_id", cb.EventID, "retry", retry)
		return http.StatusOK, ""
	}
	if !a.jobs.EnqueueFor("event", in.orderKey(), func(ctx context.Context) { a.route(ctx, in) }) {
		a.events.Delete(key)
		a.log.Warn("slack: queue full; asking Slack to retry", "event_id", cb.EventID, "queue", a.opts.QueueSize)
		return http.StatusServiceUnavailable, ""
	}
	a.log.Debug("slack: event accepted", "event_id", cb.EventID, "retry", retry)
	return http.StatusOK, ""
}

// parseInner extracts a person's message from an event callback; ok is
// false for anything else (other event types, bots, edits, the bot itself).
func (a *Adapter) parseInner(cb *slackevents.EventsAPICallbackEvent) (inbound, bool) {
	if cb.InnerEvent == nil {
		return inbound{}, false
	}
	raw := []byte(*cb.InnerEvent)
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return inbound{}, false
	}
	in := inbound{teamID: cb.TeamID, appID: cb.APIAppID, extShared: cb.IsExtSharedChannel}
	switch head.Type {
	case string(slackevents.AppMention):
		var ev slackevents.AppMentionEvent
		if err := json.Unmarshal(raw, &ev); err != nil || ev.BotID != "" {
			return inbound{}, false
		}
		in.user, in.userTeam, in.channel, in.text = ev.User, ev.UserTeam, ev.Channel, ev.Text
		in.ts, in.threadTS, in.mention = ev.TimeStamp, ev.ThreadTimeStamp, true
	case string(slackevents.Message):
		var ev slackevents.MessageEvent
		if err := json.Unmarshal(raw, &ev); err != nil || ev.BotID != "" || !personSubtypes[ev.SubType] {
			return inbound{}, false
		}
		in.user, in.userTeam, in.channel, in.text = ev.User, ev.UserTeam, ev.Channel, ev.Text
		in.ts, in.threadTS, in.channelType = ev.TimeStamp, ev.ThreadTimeStamp, ev.ChannelType
	default:
		return inbound{}, false
	}
	if in.user == "" || in.channel == "" || in.ts == "" {
		return inbound{}, false
	}
	if self, _ := a.identity(); self != "" && in.user == self {
		return inbound{}, false
	}
	return in, true
}

// route decides what a person's message calls for and does it, in a
// worker:
//
//  1. a direct message: answer;
//  2. a reply in a thread the bot answers in: answer;
//  3. a reply in a manager alert's thread: relay it to the customer
//     (EscalationActions.AgentReply), or answer the agent if they mention
//     the bot;
//  4. a mention: answer in a thread, and follow that thread from now on;
//  5. anything else (channel chatter): ignore.
//
// An app_mention and the message event of the same message both arrive;
// whichever acts first claims the message, so it is answered once.
func (a *Adapter) route(ctx context.Context, in inbound) {
	if self, _ := a.identity(); self != "" && in.user == self {
		return // accepted before auth.test told us who we are
	}
	switch {
	case in.channelType == slackevents.ChannelTypeIM:
		a.answer(ctx, in, false)
		return
	case in.isThreadReply() && a.following(in.channel, in.threadTS):
		a.answer(ctx, in, false)
		return
	case in.isThreadReply() && a.opts.Escalations != nil && !a.customer[in.channel] && !in.external():
		if id := a.alertEscalation(ctx, in); id > 0 {
			if in.mention {
				a.answer(ctx, in, false)
			} else {
				a.agentReply(ctx, in, id)
			}
			return
		}
	}
	if in.mention {
		a.answer(ctx, in, true)
	}
}

func threadKey(channel, ts string) string { return channel + ":" + ts }

func (a *Adapter) following(channel, threadTS string) bool {
	_, ok := a.threads.Get(threadKey(channel, threadTS))
	return ok
}

// claim marks a message as acted on; false means it already was.
func (a *Adapter) claim(in inbound) bool {
	return a.messages.Add(threadKey(in.channel, in.ts), struct{}{})
}

// role is the audience of a sender: customer in customer channels, in
// channels shared with another organisation and for people of another
// workspace; employee otherwise.
func (a *Adapter) role(channel string, external bool) bot.Role {
	if external || a.customer[channel] {
		return bot.RoleCustomer
	}
	return bot.RoleEmployee
}

// answer asks the Engine and posts its reply in the message's thread. With
// follow, later replies in that thread are answered without a mention.
func (a *Adapter) answer(ctx context.Context, in inbound, follow bool) {
	if !a.claim(in) {
		return
	}
	thread := in.thread()
	if follow {
		a.threads.Set(threadKey(in.channel, thread), struct{}{})
	}
	self, _ := a.identity()
	text := plainText(in.text, self, in.mention)
	if text == "" {
		if in.mention {
			a.postText(ctx, in.channel, thread, chatreply.MentionHelp)
		}
		return
	}
	msg := bot.Message{
		Channel: bot.ChannelSlack, ExternalUserID: in.externalUser(), Text: text,
		Time: slackTime(in.ts, a.opts.Now), Role: a.role(in.channel, in.external()),
	}
	a.places.Set(msg.ExternalUserID, place{Channel: in.channel, Thread: thread})
	a.log.Debug("slack: message", "channel", in.channel, "ts", in.ts, "role", string(msg.Role), "text", text)
	reply, err := a.opts.Handler.Handle(ctx, msg)
	a.postReply(ctx, in.channel, thread, msg, reply, err)
}

// postReply posts the Engine's reply to msg (or its error, in
// customer-safe words) in a thread. A silent reply (the conversation is with
// a human) posts nothing.
func (a *Adapter) postReply(ctx context.Context, channel, thread string, msg bot.Message, reply bot.Reply, err error) {
	if err != nil {
		a.log.Warn("slack: engine failed", "channel", channel, "code", bot.ErrorCode(err), "err", err)
		a.postText(ctx, channel, thread, bot.ErrorMessage(err))
		return
	}
	if chatreply.Silent(reply) {
		a.log.Info("slack: no answer posted", "channel", channel, "conversation", reply.ConversationID, "action", string(reply.Action))
		return
	}
	blocks, fallback := a.replyBlocks(reply, msg)
	if _, err := a.post(ctx, channel, thread, blocks, fallback); err != nil {
		a.log.Error("slack: posting answer", "channel", channel, "conversation", reply.ConversationID, "err", err)
		return
	}
	a.log.Info("slack: answered", "channel", channel, "conversation", reply.ConversationID,
		"action", string(reply.Action), "intent", reply.Intent, "sources", len(reply.Sources))
}

// post sends a message (in a thread when thread is set) and returns its ts.
func (a *Adapter) post(ctx context.Context, channel, thread string, blocks []slackapi.Block, fallback string) (string, error) {
	opts := []slackapi.MsgOption{
		slackapi.MsgOptionText(fallback, false),
		slackapi.MsgOptionBlocks(blocks...),
		slackapi.MsgOptionDisableLinkUnfurl(),
	}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	_, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	return ts, err
}

// postText posts a short text of ours in a thread, logging failure.
func (a *Adapter) postText(ctx context.Context, channel, thread, text string) {
	if _, err := a.post(ctx, channel, thread, textBlocks(text), escapeMrkdwn(text)); err != nil {
		a.log.Error("slack: posting message", "channel", channel, "err", err)
	}
}

// slackTime parses a Slack ts ("1700000000.000100") into a time, or returns
// now.
func slackTime(ts string, now func() time.Time) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return now()
	}
	var us int64
	if len(frac) == 6 {
		us, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(s, us*1000)
}
