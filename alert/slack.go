package alert

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
)

// Action ids of the buttons on a Slack escalation alert. The value of each
// button is the escalation id in decimal. The Slack adapter handles the
// clicks.
const (
	ActionAcknowledge = "escalation_ack"
	ActionTakeOver    = "escalation_take"
	ActionResolve     = "escalation_resolve"
	// ActionOpen is the link button to the console; Slack reports its clicks
	// too, and they need no handling.
	ActionOpen = "escalation_open"
)

// SlackEventType is the event_type of the message metadata attached to every
// Slack alert; its payload holds "escalation_id", "conversation_id" and
// "idempotency_key", so the Slack adapter can map a thread reply to its
// conversation.
const SlackEventType = "concierge_alert"

// SlackOptions configures a Slack sink.
type SlackOptions struct {
	// Name identifies the sink; default "slack".
	Name string
	// Token is the bot token (xoxb-...) with chat:write. Required.
	Token string
	// Channel is the channel id or name the alerts are posted in. Required.
	Channel string
	// APIURL is the Slack Web API base, e.g. a slacktest server's; default
	// Slack's own.
	APIURL string
	// Timeout bounds one post. Default 10s.
	Timeout time.Duration
	// Client sends the requests; default a client with Timeout.
	Client *http.Client
	// OnPosted, when set, is called after an alert was posted with the
	// channel and timestamp of the message, so the caller can link the
	// thread to the conversation. It must not block for long.
	OnPosted func(ctx context.Context, a Alert, channel, ts string)
}

// Slack is a Sink that posts a Block Kit message to a Slack channel, with
// Acknowledge / Take over / Resolve buttons on escalations.
type Slack struct {
	name     string
	channel  string
	api      *slack.Client
	onPosted func(ctx context.Context, a Alert, channel, ts string)
}

var _ Sink = (*Slack)(nil)

// NewSlack checks opts and returns the sink.
func NewSlack(opts SlackOptions) (*Slack, error) {
	if opts.Name == "" {
		opts.Name = "slack"
	}
	if opts.Token == "" {
		return nil, fmt.Errorf("alert: slack %s: no bot token", opts.Name)
	}
	if opts.Channel == "" {
		return nil, fmt.Errorf("alert: slack %s: no channel", opts.Name)
	}
	bot.SetDefault(&opts.Timeout, 10*time.Second)
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: opts.Timeout}
	}
	sopts := []slack.Option{slack.OptionHTTPClient(client)}
	if opts.APIURL != "" {
		u := opts.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		sopts = append(sopts, slack.OptionAPIURL(u))
	}
	return &Slack{name: opts.Name, channel: opts.Channel, api: slack.New(opts.Token, sopts...), onPosted: opts.OnPosted}, nil
}

// Name implements Sink.
func (s *Slack) Name() string { return s.name }

// Send implements Sink: chat.postMessage with the blocks of SlackBlocks, a
// plain fallback text and metadata of type SlackEventType. A Slack error
// ("channel_not_found", "ratelimited") is an error; rate limits come back as
// *RetryAfterError.
func (s *Slack) Send(ctx context.Context, a Alert) error {
	v := render(a)
	meta := slack.SlackMetadata{EventType: SlackEventType, EventPayload: map[string]any{
		"idempotency_key": a.IdempotencyKey,
		"kind":            string(a.Kind),
		"level":           a.Level,
	}}
	if a.EscalationID > 0 {
		meta.EventPayload["escalation_id"] = a.EscalationID
	}
	if a.ConversationID > 0 {
		meta.EventPayload["conversation_id"] = a.ConversationID
	}
	channel, ts, err := s.api.PostMessageContext(ctx, s.channel,
		slack.MsgOptionText(escapeSlack(slackFallback(v)), false),
		slack.MsgOptionBlocks(SlackBlocks(a)...),
		slack.MsgOptionMetadata(meta),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	)
	if err != nil {
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			return &RetryAfterError{After: rl.RetryAfter, Err: fmt.Errorf("alert: slack %s: rate limited", s.name)}
		}
		return fmt.Errorf("alert: slack %s: post: %w", s.name, err)
	}
	if s.onPosted != nil {
		s.onPosted(ctx, a, channel, ts)
	}
	return nil
}

// slackFallback is the notification text: the title and the customer.
func slackFallback(v view) string {
	for _, f := range v.Fields {
		if f.Label == "Customer" {
			return v.Title + " — " + f.Value
		}
	}
	return v.Title
}

// Slack's size limits for blocks.
const (
	slackHeaderRunes  = 150
	slackSectionRunes = 3000
	slackFieldRunes   = 2000
	slackMaxFields    = 10
)

// SlackBlocks returns the Block Kit blocks of an alert: a header, the facts
// as fields, the summary, the last messages, the lines of a warning or
// digest, and, for an escalation, the action buttons. Customer text goes
// into plain_text objects, which Slack never formats; the only mrkdwn
// objects carry the escaped console link.
func SlackBlocks(a Alert) []slack.Block {
	v := render(a)
	plain := func(s string, n int) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, n), false, false)
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(v.Title, slackHeaderRunes))}
	var fields []*slack.TextBlockObject
	for _, f := range v.Fields {
		if len(fields) == slackMaxFields {
			break
		}
		fields = append(fields, plain(f.Label+": "+f.Value, slackFieldRunes))
	}
	if len(fields) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}
	if v.Summary != "" {
		blocks = append(blocks, slack.NewSectionBlock(plain(v.Summary, slackSectionRunes), nil, nil))
	}
	if len(v.Messages) > 0 {
		var b strings.Builder
		for _, m := range v.Messages {
			fmt.Fprintf(&b, "%s: %s\n", m.Author, m.Text)
		}
		blocks = append(blocks, slack.NewSectionBlock(plain(strings.TrimSuffix(b.String(), "\n"), slackSectionRunes), nil, nil))
	}
	if len(v.Lines) > 0 {
		var b strings.Builder
		if v.Heading != "" {
			b.WriteString(v.Heading + ":\n")
		}
		for _, l := range v.Lines {
			b.WriteString("• " + l + "\n")
		}
		blocks = append(blocks, slack.NewSectionBlock(plain(strings.TrimSuffix(b.String(), "\n"), slackSectionRunes), nil, nil))
	}
	var buttons []slack.BlockElement
	if v.Actions {
		id := strconv.FormatInt(int64(a.EscalationID), 10)
		buttons = append(buttons,
			slack.NewButtonBlockElement(ActionAcknowledge, id, plain("Acknowledge", 75)).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionTakeOver, id, plain("Take over", 75)),
			slack.NewButtonBlockElement(ActionResolve, id, plain("Resolve", 75)),
		)
	}
	if v.Link != "" {
		buttons = append(buttons, slack.NewButtonBlockElement(ActionOpen, strconv.FormatInt(int64(a.ConversationID), 10),
			plain("Open in console", 75)).WithURL(v.Link))
	}
	if len(buttons) > 0 {
		blockID := "alert"
		if a.EscalationID > 0 {
			blockID = "escalation:" + strconv.FormatInt(int64(a.EscalationID), 10)
		}
		blocks = append(blocks, slack.NewActionBlock(blockID, buttons...))
	}
	if v.Link != "" {
		link := slack.NewTextBlockObject(slack.MarkdownType, "<"+escapeSlack(v.Link)+"|Open the conversation>", false, false)
		blocks = append(blocks, slack.NewContextBlock("", link))
	}
	if v.Footer != "" {
		blocks = append(blocks, slack.NewContextBlock("", plain(v.Footer, slackFieldRunes)))
	}
	return blocks
}
