package feishu

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/concierge-bot/concierge/channels/internal/chatreply"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/channels/internal/recipient"
)

// ErrNoRecipient is returned by Deliver when the customer has no Feishu
// identity to write to.
var ErrNoRecipient = errors.New("feishu: the customer has no Feishu identity")

// Deliver sends a stored message of an agent (agent is their name) or of
// the system (agent empty: the rating question) to a customer who wrote on
// Feishu: as a reply to their last message in the chat they wrote from (in
// its thread in groups), or, when that is not known (the adapter
// restarted), as a direct message to them. messageID (the stored message's
// id) makes a retried delivery idempotent on Feishu's side. It returns
// once Feishu accepted the message.
func (a *Adapter) Deliver(ctx context.Context, customerID, messageID int64, agent, text string) error {
	openID, err := recipient.Find(ctx, a.opts.Customers, customerID, Channel, ErrNoRecipient)
	if err != nil {
		return err
	}
	body := chatreply.AgentMarkdown(agent, text, "\n")
	c := newCard()
	c.Elements = []any{mdElement(ellipsis.Bytes(body, maxCardMarkdown))}
	uuid := "d-" + strconv.FormatInt(messageID, 10)
	if pl, ok := a.places.Get(openID); ok {
		if _, err := a.api.reply(ctx, pl.MessageID, "interactive", c.String(), pl.Group, uuid); err == nil {
			return nil
		} else if !pl.Group {
			return fmt.Errorf("feishu: deliver message %d: %w", messageID, err)
		}
		a.log.Warn("feishu: replying in the customer's chat failed; writing to them directly", "err", err)
	}
	if _, err := a.api.send(ctx, "open_id", openID, "interactive", c.String(), uuid+"-dm"); err != nil {
		return fmt.Errorf("feishu: deliver message %d: %w", messageID, err)
	}
	return nil
}
