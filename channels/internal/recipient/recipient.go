// Package recipient finds whom an agent's reply (or the rating question)
// goes to when a chat adapter delivers it: the customer's identity on the
// adapter's channel, looked up in the customer records.
package recipient

import (
	"context"
	"fmt"

	"github.com/concierge-bot/concierge/bot"
)

// Customers looks up a customer record; the store satisfies it.
type Customers interface {
	Customer(ctx context.Context, id int64) (bot.Customer, error)
}

// Find returns the external id of customerID's first identity on channel.
// It returns none when the customer has no such identity, none wrapped
// when customers is nil (no records configured), and the lookup's error
// wrapped as "<channel>: customer <id>: …".
func Find(ctx context.Context, customers Customers, customerID int64, channel string, none error) (string, error) {
	if customers == nil {
		return "", fmt.Errorf("%w (no customer records configured)", none)
	}
	c, err := customers.Customer(ctx, customerID)
	if err != nil {
		return "", fmt.Errorf("%s: customer %d: %w", channel, customerID, err)
	}
	for _, id := range c.Identities {
		if id.Channel == channel && id.ExternalID != "" {
			return id.ExternalID, nil
		}
	}
	return "", none
}
