package slack

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/alertaction"
	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
)

// Texts shown to the person who clicked, in both languages the bot speaks.
const (
	textThanksFeedback = "Thanks for your feedback! 感谢您的反馈！"
	textNotAvailable   = "This action is not available here. 此操作在此不可用。"
	textStaleButton    = "This button is no longer valid. 此按钮已失效。"
	textAgentsOnly     = "Alert actions are for the support team only. 仅限支持团队操作。"
	textNotYourChoice  = "Only the person who asked can pick one of these; ask me your own question. 只有提问的人可以选择；请直接向我提问。"
	textChoiceMade     = "A choice was already made here. 已经选择过了。"
)

// acceptInteraction takes a click whose origin is already authenticated and
// queues what it calls for. It returns false only when the queue is full.
// Clicks on buttons that are not ours are acknowledged and ignored.
func (a *Adapter) acceptInteraction(cb slackapi.InteractionCallback) bool {
	if cb.Type != slackapi.InteractionTypeBlockActions {
		return true
	}
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil {
			continue
		}
		var run func(ctx context.Context)
		switch act.ActionID {
		case ActionFeedbackHelpful, ActionFeedbackNotHelpful:
			act := *act
			run = func(ctx context.Context) { a.feedback(ctx, cb, act) }
		case ActionEscalationAck, ActionEscalationTake, ActionEscalationResolve:
			act := *act
			run = func(ctx context.Context) { a.escalationAction(ctx, cb, act) }
		default:
			if !strings.HasPrefix(act.ActionID, ActionChoicePrefix) {
				continue
			}
			act := *act
			run = func(ctx context.Context) { a.choice(ctx, cb, act) }
		}
		return a.jobs.Enqueue("interaction", run) // one action per click
	}
	return true
}

// clicker is "<team_id>:<user_id>" of the person who clicked.
func clicker(cb slackapi.InteractionCallback) string {
	team := cb.User.TeamID
	if team == "" {
		team = cb.Team.ID
	}
	return team + ":" + cb.User.ID
}

// buttonID reads the id (a positive number) that an action button carries.
// When the action is not available here (its service is not configured) or
// the button is stale, it tells the clicker so and returns ok false.
func (a *Adapter) buttonID(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction, available bool) (id int64, ok bool) {
	if !available {
		a.tellClicker(ctx, cb, textNotAvailable)
		return 0, false
	}
	id, err := strconv.ParseInt(act.Value, 10, 64)
	if err != nil || id <= 0 {
		a.tellClicker(ctx, cb, textStaleButton)
		return 0, false
	}
	return id, true
}

// feedback records a helpful / not helpful vote and thanks the voter.
func (a *Adapter) feedback(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	id, ok := a.buttonID(ctx, cb, act, a.opts.Feedback != nil)
	if !ok {
		return
	}
	helpful := act.ActionID == ActionFeedbackHelpful
	if err := a.opts.Feedback.RecordFeedback(ctx, id, helpful, clicker(cb)); err != nil {
		a.log.Warn("slack: recording feedback", "message", id, "code", bot.ErrorCode(err), "err", err)
		a.tellClicker(ctx, cb, bot.ErrorMessage(err))
		return
	}
	a.log.Info("slack: feedback recorded", "message", id, "helpful", helpful)
	a.tellClicker(ctx, cb, textThanksFeedback)
}

// choice answers a click on a "did you mean" button: the Engine gets the
// asker's message with Choice set (the button's title as its text), and
// its answer is posted in the thread. Only the person who asked may pick
// (the buttons' block id names them), once per message; the audience is
// the one the asker had, or customer if the channel or the clicker's
// workspace now makes them one, as for any message. The buttons are then
// replaced by a line naming the pick.
func (a *Adapter) choice(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	role, asker, ok := parseChoicesBlock(act.BlockID)
	if !ok || act.Value == "" || len(act.Value) > maxButtonValue {
		a.tellClicker(ctx, cb, textStaleButton)
		return
	}
	if clicker(cb) != asker {
		a.log.Info("slack: choice refused: not the asker", "channel", cb.Channel.ID)
		a.tellClicker(ctx, cb, textNotYourChoice)
		return
	}
	external := cb.Channel.IsExtShared || (cb.User.TeamID != "" && cb.Team.ID != "" && cb.User.TeamID != cb.Team.ID)
	if a.role(cb.Channel.ID, external) == bot.RoleCustomer {
		role = bot.RoleCustomer
	}
	msgTS := cb.Container.MessageTs
	if msgTS == "" {
		msgTS = cb.Message.Timestamp
	}
	if !a.messages.Add("choice:"+threadKey(cb.Channel.ID, msgTS), struct{}{}) {
		a.tellClicker(ctx, cb, textChoiceMade)
		return
	}
	title := act.Value
	if strings.TrimSpace(act.Text.Text) != "" {
		title = strings.TrimSpace(act.Text.Text)
	}
	if blocks := cb.Message.Blocks.BlockSet; len(blocks) > 0 {
		msg := &slackapi.WebhookMessage{ReplaceOriginal: true, Text: cb.Message.Text,
			Blocks: &slackapi.Blocks{BlockSet: chosenBlocks(blocks, title)}}
		if err := a.respond(ctx, cb.ResponseURL, msg); err != nil {
			a.log.Warn("slack: updating choices", "err", err)
		}
	}
	m := bot.Message{Channel: bot.ChannelSlack, ExternalUserID: asker, Text: title, Choice: act.Value,
		Time: a.opts.Now(), Role: role}
	a.log.Debug("slack: choice", "channel", cb.Channel.ID, "choice", act.Value)
	reply, err := a.opts.Handler.Handle(ctx, m)
	if cb.Container.IsEphemeral {
		// Only the asker sees the message with the buttons: answer them alone.
		var blocks []slackapi.Block
		fallback := ""
		switch {
		case err != nil:
			blocks, fallback = textBlocks(bot.ErrorMessage(err)), escapeMrkdwn(bot.ErrorMessage(err))
		case chatreply.Silent(reply):
			return
		default:
			blocks, fallback = a.replyBlocks(reply, m)
		}
		out := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: fallback, Blocks: &slackapi.Blocks{BlockSet: blocks}}
		if err := a.respond(ctx, cb.ResponseURL, out); err != nil {
			a.log.Error("slack: answering a choice", "channel", cb.Channel.ID, "err", err)
		}
		return
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	if thread == "" {
		thread = msgTS
	}
	a.postReply(ctx, cb.Channel.ID, thread, m, reply, err)
}

// chosenBlocks returns a reply's blocks after a choice: the choice buttons
// give way to a line naming the pick.
func chosenBlocks(blocks []slackapi.Block, title string) []slackapi.Block {
	out := make([]slackapi.Block, 0, len(blocks))
	for _, b := range blocks {
		if ab, ok := b.(*slackapi.ActionBlock); ok && strings.HasPrefix(ab.BlockID, choicesBlockPrefix) {
			out = append(out, slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType,
				"✅ "+escapeMrkdwn(ellipsis.Runes(title, maxButtonText)), false, false)))
			continue
		}
		out = append(out, b)
	}
	return out
}

// alertTransitions lists, for each alert action, the alert buttons that stay
// on the message after it.
var alertTransitions = map[string][]string{
	ActionEscalationAck:     {ActionEscalationTake, ActionEscalationResolve},
	ActionEscalationTake:    {ActionEscalationResolve},
	ActionEscalationResolve: nil,
}

// alertKinds are the buttons the alert actions stand for.
var alertKinds = map[string]alertaction.Kind{
	ActionEscalationAck:     alertaction.Acknowledge,
	ActionEscalationTake:    alertaction.TakeOver,
	ActionEscalationResolve: alertaction.Resolve,
}

// escalationAction carries out Acknowledge / Take over / Resolve on an alert
// and updates the alert message: a status line, and only the buttons that
// still make sense.
func (a *Adapter) escalationAction(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	if a.customer[cb.Channel.ID] || (cb.User.TeamID != "" && cb.Team.ID != "" && cb.User.TeamID != cb.Team.ID) {
		a.log.Warn("slack: alert action refused outside the team", "channel", cb.Channel.ID)
		a.tellClicker(ctx, cb, textAgentsOnly)
		return
	}
	n, ok := a.buttonID(ctx, cb, act, a.opts.Escalations != nil)
	if !ok {
		return
	}
	id := bot.EscalationID(n)
	agent := clicker(cb)
	if err := alertaction.Do(ctx, a.opts.Escalations, alertKinds[act.ActionID], id, agent); err != nil {
		a.log.Warn("slack: alert action failed", "action", act.ActionID, "escalation", id, "code", bot.ErrorCode(err), "err", err)
		a.tellClicker(ctx, cb, bot.ErrorMessage(err))
		return
	}
	a.log.Info("slack: alert action", "action", act.ActionID, "escalation", id)
	blocks := updatedAlertBlocks(cb.Message.Blocks.BlockSet, act.ActionID, cb.User.ID, a.opts.Now().Unix())
	msg := &slackapi.WebhookMessage{ReplaceOriginal: true, Text: cb.Message.Text, Blocks: &slackapi.Blocks{BlockSet: blocks}}
	if err := a.respond(ctx, cb.ResponseURL, msg); err != nil {
		a.log.Warn("slack: updating alert message", "escalation", id, "err", err)
	}
}

// updatedAlertBlocks returns the alert's blocks after action by user: the
// escalation buttons that no longer apply are removed (an actions block
// left empty is dropped) and a status line is added where they were.
func updatedAlertBlocks(blocks []slackapi.Block, action, user string, unix int64) []slackapi.Block {
	status := fmt.Sprintf("%s %s · <!date^%d^{date_short_pretty} {time}|%s>", alertKinds[action].Verb(), mentionUser(user),
		unix, strconv.FormatInt(unix, 10))
	line := slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, status, false, false))
	keep := alertTransitions[action]
	out := make([]slackapi.Block, 0, len(blocks)+1)
	placed := false
	for _, b := range blocks {
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok || ab.Elements == nil || !hasAlertButton(ab) {
			out = append(out, b)
			continue
		}
		var els []slackapi.BlockElement
		for _, e := range ab.Elements.ElementSet {
			if btn, ok := e.(*slackapi.ButtonBlockElement); ok && isAlertAction(btn.ActionID) && !slices.Contains(keep, btn.ActionID) {
				continue
			}
			els = append(els, e)
		}
		if !placed {
			out = append(out, line)
			placed = true
		}
		if len(els) > 0 {
			out = append(out, slackapi.NewActionBlock(ab.BlockID, els...))
		}
	}
	if !placed {
		out = append(out, line)
	}
	return out
}

func isAlertAction(id string) bool { _, ok := alertTransitions[id]; return ok }

func hasAlertButton(ab *slackapi.ActionBlock) bool {
	for _, e := range ab.Elements.ElementSet {
		if btn, ok := e.(*slackapi.ButtonBlockElement); ok && isAlertAction(btn.ActionID) {
			return true
		}
	}
	return false
}

// alertEscalationID returns the escalation id an alert message's buttons
// carry, or 0 when the blocks are not an alert's.
func alertEscalationID(blocks []slackapi.Block) bot.EscalationID {
	for _, b := range blocks {
		ab, ok := b.(*slackapi.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, e := range ab.Elements.ElementSet {
			if btn, ok := e.(*slackapi.ButtonBlockElement); ok && isAlertAction(btn.ActionID) {
				if id, err := strconv.ParseInt(btn.Value, 10, 64); err == nil && id > 0 {
					return bot.EscalationID(id)
				}
			}
		}
	}
	return 0
}

// mentionUser renders a user id as a mention, or escaped text when it is not
// a well-formed Slack id.
func mentionUser(id string) string {
	if isSlackID(id) {
		return "<@" + id + ">"
	}
	return escapeMrkdwn(id)
}

// isSlackID reports whether s looks like a Slack object id (U…, W…, C…):
// upper-case letters and digits only.
func isSlackID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// tellClicker answers the person who clicked, visible to them only.
func (a *Adapter) tellClicker(ctx context.Context, cb slackapi.InteractionCallback, text string) {
	msg := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: escapeMrkdwn(text)}
	if err := a.respond(ctx, cb.ResponseURL, msg); err != nil {
		a.log.Warn("slack: answering click", "err", err)
	}
}

// respond posts to a response_url. Only Slack's hooks host (or, for tests,
// the host of Options.APIURL) is accepted, so a payload can never make the
// adapter call an arbitrary address.
func (a *Adapter) respond(ctx context.Context, responseURL string, msg *slackapi.WebhookMessage) error {
	u, err := url.Parse(responseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("no usable response_url")
	}
	switch {
	case u.Scheme == "https" && (u.Host == "hooks.slack.com" || u.Host == "hooks.slack-gov.com"):
	case a.hooksHost != "" && u.Host == a.hooksHost && (u.Scheme == "http" || u.Scheme == "https"):
	default:
		return fmt.Errorf("response_url host %q is not Slack's", u.Host)
	}
	if err := slackapi.PostWebhookCustomHTTPContext(ctx, u.String(), a.opts.HTTPClient, msg); err != nil {
		return fmt.Errorf("post to response_url: %w", err)
	}
	return nil
}
