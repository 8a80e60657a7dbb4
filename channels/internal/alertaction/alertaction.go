// Package alertaction holds the buttons of a manager alert that the chat
// adapters post (DingTalk, Feishu, Slack): Acknowledge, Take over and
// Resolve, what each one asks of the escalation service, and the verb of
// the status line it leaves on the alert. Each adapter keeps its own
// button ids and how it updates its alert.
package alertaction

import (
	"context"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// Escalations carries out the buttons; agent names the clicker
// ("dingtalk:<userId>", "feishu:<open_id>", "<team_id>:<user_id>").
// escalation.Service satisfies it.
type Escalations interface {
	Acknowledge(ctx context.Context, escalationID bot.EscalationID, agent string) error
	TakeOver(ctx context.Context, escalationID bot.EscalationID, agent string) error
	Resolve(ctx context.Context, escalationID bot.EscalationID, agent string) error
}

// Kind is one button of an alert.
type Kind int

// The buttons of an alert.
const (
	Acknowledge Kind = iota + 1
	TakeOver
	Resolve
)

// Verb begins the status line an action leaves on its alert, before the
// clicker: "👀 Acknowledged by".
func (k Kind) Verb() string {
	switch k {
	case Acknowledge:
		return "👀 Acknowledged by"
	case TakeOver:
		return "🙋 Taken over by"
	case Resolve:
		return "✅ Resolved by"
	}
	return ""
}

// Do carries out k on escalation id for agent. The escalation service's
// error is returned as it is, so that a *bot.Error can be shown to the
// clicker.
func Do(ctx context.Context, e Escalations, k Kind, id bot.EscalationID, agent string) error {
	switch k {
	case Acknowledge:
		return e.Acknowledge(ctx, id, agent)
	case TakeOver:
		return e.TakeOver(ctx, id, agent)
	case Resolve:
		return e.Resolve(ctx, id, agent)
	}
	return fmt.Errorf("alert action %d: no such button", int(k))
}
