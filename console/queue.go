package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

// maxQueue bounds the escalations read for one queue view.
const maxQueue = 500

// queueItem is one conversation handed to humans, as the queue shows it.
type queueItem struct {
	ConversationID int64
	CustomerID     int64
	Customer       string
	Channel        string
	Status         bot.ConversationStatus
	Assignee       string
	Mine           bool
	Since          time.Time // when the first unresolved escalation was opened
	SinceText      string
	Wait           string
	Reason         string // of the first unresolved escalation
	ReasonLabel    string
	Severity       string // the highest of the unresolved escalations
	SeverityLabel  string
	Summary        string // of the latest unresolved escalation
}

var severityRank = map[string]int{"low": 1, "normal": 2, "high": 3}

// queue returns the conversations waiting for a human and those an agent
// holds, oldest first, built from the unresolved escalations. Conversations
// the bot has again (returned or merged) or that are resolved are left out.
func (c *Console) queue(ctx context.Context, agent, lang string) ([]queueItem, error) {
	var escs []storage.EscalationInfo
	for _, st := range []string{storage.EscalationOpen, storage.EscalationAcknowledged} {
		e, err := c.opts.Handoff.Escalations(ctx, storage.EscalationFilter{Status: st, Limit: maxQueue})
		if err != nil {
			return nil, fmt.Errorf("console: queue: %w", err)
		}
		escs = append(escs, e...)
	}
	byConv := map[int64]*queueItem{}
	var order []int64
	for _, e := range escs {
		it, ok := byConv[e.ConversationID]
		if !ok {
			it = &queueItem{ConversationID: e.ConversationID, CustomerID: e.CustomerID}
			byConv[e.ConversationID] = it
			order = append(order, e.ConversationID)
		}
		if it.Since.IsZero() || e.Created.Before(it.Since) {
			it.Since, it.Reason = e.Created, e.Reason
		}
		if severityRank[e.Severity] > severityRank[it.Severity] {
			it.Severity = e.Severity
		}
		if it.Summary == "" && e.Summary != "" {
			it.Summary = e.Summary // escalations come newest first
		}
	}
	now := c.opts.Now()
	names := map[int64]string{}
	items := make([]queueItem, 0, len(order))
	for _, id := range order {
		it := byConv[id]
		conv, err := c.opts.Handoff.Conversation(ctx, id)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("console: queue: %w", err)
		}
		if !conv.Status.HandedOff() {
			continue
		}
		it.Channel, it.Status, it.Assignee, it.CustomerID = conv.Channel, conv.Status, conv.Assignee, conv.CustomerID
		it.Mine = it.Assignee != "" && strings.EqualFold(it.Assignee, agent)
		name, ok := names[it.CustomerID]
		if !ok {
			cust, err := c.opts.Records.Customer(ctx, it.CustomerID)
			if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
				return nil, fmt.Errorf("console: queue: %w", err)
			}
			cust.ID = it.CustomerID
			name = displayName(cust, lang)
			names[it.CustomerID] = name
		}
		it.Customer = name
		it.Wait = waitText(lang, now.Sub(it.Since))
		it.SinceText = fmtTime(it.Since)
		it.SeverityLabel = tr(lang, "sev_"+it.Severity)
		it.ReasonLabel = label(lang, "reason_", it.Reason)
		items = append(items, *it)
	}
	sortQueue(items)
	return items, nil
}
