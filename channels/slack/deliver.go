package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
)

// Customers looks up a customer record, for Deliver to find the customer's
// Slack identity; the store satisfies it.
type Customers = recipient.Customers

// ErrNoRecipient is returned by Deliver when the customer has no Slack
// identity, or no place to write to is known.
var ErrNoRecipient = errors.New("slack: the customer has no Slack identity")

// place is where a person last wrote to the bot: a channel (a Slack
// Connect channel, a DM) and the thread the bot answered in.
type place struct {
	Channel string
	Thread  string
}

// Deliver posts an agent's reply (or the system's rating question, agent
// "") to a customer who wrote to the bot on Slack: in the thread of the
// channel where they last wrote (a Slack Connect channel included), else
// in a direct message for a user of this workspace. It returns once Slack
// accepted the post. The text is escaped as Slack mrkdwn.
func (a *Adapter) Deliver(ctx context.Context, customerID, messageID int64, agent, text string) error {
	user, err := recipient.Find(ctx, a.opts.Customers, customerID, bot.ChannelSlack, ErrNoRecipient)
	if err != nil {
		return err
	}
	body := escapeMrkdwn(text)
	if agent != "" {
		body = "*" + escapeMrkdwn(agent) + "*\n" + body
	}
	blocks := []slackapi.Block{slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, ellipsis.Runes(body, maxSectionChars), false, false), nil, nil)}
	pl, ok := a.places.Get(user)
	if !ok {
		// No place seen since the start: a direct message, which Slack
		// opens for a member of this workspace (team:user → user).
		_, uid, found := strings.Cut(user, ":")
		if !found || uid == "" {
			return ErrNoRecipient
		}
		pl = place{Channel: uid}
	}
	if _, err := a.post(ctx, pl.Channel, pl.Thread, blocks, ellipsis.Runes(text, maxFallbackChars)); err != nil {
		return fmt.Errorf("slack: deliver message %d: %w", messageID, err)
	}
	return nil
}
