package storage

import (
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// Kinds of customer events that the store itself records, besides those of
// package bot.
const (
	EventRatingRequested = "rating_requested"   // the customer was asked to rate a resolved conversation
	EventRealerted       = "escalation_realert" // an unacknowledged escalation was re-sent to the next level
)

// Assignment gives a conversation to a human agent: a claim by the agent
// itself, or a reassignment on the say of a manager. Every engine decides
// it with these methods and runs its own statements.
type Assignment struct {
	Agent string // who gets the conversation
	By    string // the manager who reassigns it; "" for a claim
}

// NewClaim returns the claim of a conversation by agent, or an EINVALID
// *bot.Error when agent is not a name.
func NewClaim(agent string) (Assignment, error) {
	agent = strings.TrimSpace(agent)
	if agent == "" || !utf8.ValidString(agent) {
		return Assignment{}, bot.Errorf(bot.EINVALID, "Taking over a conversation needs the agent's name.")
	}
	return Assignment{Agent: agent}, nil
}

// NewReassignment returns the reassignment of a conversation to agent to by
// the manager by, or an EINVALID *bot.Error when either is not a name.
func NewReassignment(to, by string) (Assignment, error) {
	to, by = strings.TrimSpace(to), strings.TrimSpace(by)
	if to == "" || by == "" || !utf8.ValidString(to) || !utf8.ValidString(by) {
		return Assignment{}, bot.Errorf(bot.EINVALID, "Reassigning a conversation needs the new agent's and the manager's names.")
	}
	return Assignment{Agent: to, By: by}, nil
}

// Check decides the assignment of conversation id, which has status and
// assignee: a resolved conversation is ECONFLICT, and so, for a claim, is
// one another agent holds; one the agent already holds needs no change
// (false). Otherwise the engine makes the change: status human, the agent
// as assignee, the open escalations acknowledged by the agent, and the
// event Event describes.
func (a Assignment) Check(id bot.ConversationID, status bot.ConversationStatus, assignee string) (bool, error) {
	switch {
	case status == bot.StatusResolved:
		return false, bot.Errorf(bot.ECONFLICT, "Conversation %d is resolved.", id)
	case status == bot.StatusHuman && assignee == a.Agent:
		return false, nil
	case a.By == "" && status == bot.StatusHuman && assignee != "":
		return false, bot.Errorf(bot.ECONFLICT, "Conversation %d is already taken over by %s.", id, assignee)
	}
	return true, nil
}

// Event returns the customer event that records the assignment of a
// conversation that had status and assignee: a claim is taken_over by the
// agent, a reassignment is reassigned by the manager, naming who held it.
func (a Assignment) Event(status bot.ConversationStatus, assignee string) (kind string, detail map[string]string, actor string) {
	if a.By != "" {
		return bot.EventReassigned, map[string]string{"from": string(status), "from_agent": assignee, "to_agent": a.Agent}, a.By
	}
	return bot.EventTakenOver, map[string]string{"from": string(status)}, a.Agent
}

// handoffQueueQuery returns the query of the handoff queue, with
// parameters named by ph: the conversations with a human or waiting for
// one, the longest waiting first, each with its latest escalation (not a
// sales lead) and the highest severity and earliest time of its open ones.
// Its parameters are the lead reason (bot.ReasonLead) and the limit; its
// rows are read by ScanHandoff.
func handoffQueueQuery(ph Placeholder) string {
	return `SELECT v.id, v.customer_id, c.name, v.channel, v.status, v.assignee,
			coalesce(e.id, 0), coalesce(e.reason, ''), coalesce(s.severity, e.severity, ''), coalesce(e.summary, ''),
			coalesce(s.since, e.created, v.opened) AS since, e.acknowledged, v.last_message
		FROM conversations v JOIN customers c ON c.id = v.customer_id
		LEFT JOIN escalations e ON e.id = (SELECT max(id) FROM escalations WHERE conversation_id = v.id AND reason <> ` + ph(1) + `)
		LEFT JOIN (SELECT conversation_id, min(created) AS since,
				CASE max(CASE severity WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END)
					WHEN 3 THEN 'high' WHEN 2 THEN 'normal' ELSE 'low' END AS severity
			FROM escalations WHERE status <> 'resolved' AND reason <> ` + ph(1) + ` GROUP BY conversation_id) s
			ON s.conversation_id = v.id
		WHERE v.status IN ('waiting_human', 'human')
		ORDER BY since, v.id LIMIT ` + ph(2)
}

// ScanHandoff reads a row of handoffQueueQuery.
func ScanHandoff(sc RowScanner) (bot.HandoffEntry, error) {
	var h bot.HandoffEntry
	var status string
	err := sc.Scan(&h.ConversationID, &h.CustomerID, &h.CustomerName, &h.Channel, &status, &h.Assignee,
		&h.EscalationID, &h.Reason, &h.Severity, &h.Summary, Time(&h.Since), Time(&h.Acknowledged), Time(&h.LastMessage))
	h.Status = bot.ConversationStatus(status)
	return h, err
}
