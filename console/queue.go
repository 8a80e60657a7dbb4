package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// queueItem is one conversation handed to humans, as the queue shows it.
type queueItem struct {
	ConversationID bot.ConversationID
	CustomerID     int64
	Customer       string
	Channel        string
	Status         bot.ConversationStatus
	Assignee       string
	Mine           bool
	Overdue        bool
	Since          time.Time // when the earliest unresolved escalation was opened
	SinceText      string
	Wait           string
	Reason         string
	ReasonLabel    string
	Severity       string // the highest of the unresolved escalations
	SeverityLabel  string
	Summary        string // of the latest escalation
}

// queue returns the handoff authority's queue as the console shows it:
// conversations waiting for a human and those an agent holds, oldest first.
func (c *Console) queue(ctx context.Context, agent, lang string) ([]queueItem, error) {
	entries, err := c.opts.Handoff.Queue(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: queue: %w", err)
	}
	items := make([]queueItem, 0, len(entries))
	for _, e := range entries {
		name := e.CustomerName
		if name == "" {
			name = displayName(bot.Customer{ID: e.CustomerID}, lang)
		}
		items = append(items, queueItem{ConversationID: e.ConversationID, CustomerID: e.CustomerID, Customer: name,
			Channel: e.Channel, Status: e.Status, Assignee: e.Assignee, Overdue: e.Overdue,
			Mine:  e.Assignee != "" && strings.EqualFold(e.Assignee, agent),
			Since: e.Since, SinceText: fmtTime(e.Since), Wait: waitText(lang, e.Wait),
			Reason: e.Reason, ReasonLabel: label(lang, "reason_", e.Reason),
			Severity: e.Severity, SeverityLabel: tr(lang, "sev_"+e.Severity), Summary: e.Summary})
	}
	return items, nil
}
