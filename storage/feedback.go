package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// VoterKey returns the stored form of an answer voter's id: a hash, so the
// id itself is never kept. An empty id is EINVALID.
func VoterKey(voter string) (string, error) {
	voter = strings.TrimSpace(voter)
	if voter == "" {
		return "", bot.Errorf(bot.EINVALID, "A vote needs the voter's id.")
	}
	sum := sha256.Sum256([]byte(voter))
	return hex.EncodeToString(sum[:8]), nil
}

// VoteCounts returns what a vote adds to a conversation's helpful and not
// helpful counts: one to one of them for a first vote (changed false), and
// for a changed vote one moved from the other count.
func VoteCounts(helpful, changed bool) (dHelpful, dNotHelpful int) {
	vote := 0
	if helpful {
		vote = 1
	}
	if changed {
		return 2*vote - 1, 1 - 2*vote
	}
	return vote, 1 - vote
}

// CheckLabel validates an agent's verdict on a customer's message for
// LabelMessage: bot.LabelComplaint, bot.LabelNotComplaint or "" (withdrawn),
// given by a named agent. Errors are EINVALID.
func CheckLabel(label, agent string) error {
	switch label {
	case bot.LabelComplaint, bot.LabelNotComplaint, "":
	default:
		return bot.Errorf(bot.EINVALID, "A message's label is %q or %q, not %q.", bot.LabelComplaint, bot.LabelNotComplaint, label)
	}
	if strings.TrimSpace(agent) == "" {
		return bot.Errorf(bot.EINVALID, "A label needs the agent who gives it.")
	}
	return nil
}

// LabelMessage records an agent's verdict on a customer's message for an
// engine: exec runs a statement in one write transaction and returns the
// rows it changed, ph names its parameters, and at is the engine's form of
// the time of the verdict. No customer's message with the id is ENOTFOUND.
func LabelMessage(exec func(query string, args ...any) (int64, error), ph Placeholder, id int64, label, agent string, at any) error {
	if err := CheckLabel(label, agent); err != nil {
		return err
	}
	if label == "" {
		at = nil // withdrawn
	}
	n, err := exec(`UPDATE messages SET label = `+ph(1)+`, label_agent = `+ph(2)+`, label_time = `+ph(3)+`
		WHERE id = `+ph(4)+` AND author = 'customer'`, label, agent, at, id)
	switch {
	case err != nil:
		return fmt.Errorf("storage: label message %d: %w", id, err)
	case n == 0:
		return bot.Errorf(bot.ENOTFOUND, "There is no customer's message %d.", id)
	}
	return nil
}

// complaintLabelsQuery is ComplaintLabels's query in an engine's
// placeholders ($1: the limit): the labelled customers' messages whose text
// is kept, newest verdict first, read by ScanComplaintLabel.
func complaintLabelsQuery(ph Placeholder) string {
	return `SELECT id, label, text, label_agent, label_time FROM messages
		WHERE label <> '' AND NOT redacted AND text <> '' ORDER BY label_time DESC, id DESC LIMIT ` + ph(1)
}

// ScanComplaintLabel reads a row of complaintLabelsQuery.
func ScanComplaintLabel(sc RowScanner) (bot.ComplaintLabel, error) {
	var l bot.ComplaintLabel
	var label string
	err := sc.Scan(&l.MessageID, &label, &l.Text, &l.Agent, Time(&l.Time))
	l.Complaint = label == bot.LabelComplaint
	return l, err
}

// reviewQuery is ReviewMessages's query in an engine's placeholders ($1:
// since, $2: the least complaint score, $3: the limit): customers' (not
// employees') messages, not judged complaints, without a verdict,
// text kept, that read negative or score at least $2; the highest score
// first. Rows are read by ScanReview.
func reviewQuery(ph Placeholder) string {
	return `SELECT m.id, m.conversation_id, m.customer_id, v.channel, m.text, m.complaint, m.sentiment, m.time
		FROM messages m JOIN conversations v ON v.id = m.conversation_id
			JOIN customers c ON c.id = m.customer_id AND c.role = 'customer'
		WHERE m.author = 'customer' AND NOT m.is_complaint AND m.label = '' AND NOT m.redacted AND m.text <> ''
			AND m.time >= ` + ph(1) + ` AND (m.complaint >= ` + ph(2) + ` OR m.is_negative)
		ORDER BY m.complaint DESC, m.id DESC LIMIT ` + ph(3)
}

// ScanReview reads a row of reviewQuery.
func ScanReview(sc RowScanner) (bot.ReviewMessage, error) {
	var r bot.ReviewMessage
	err := sc.Scan(&r.ID, &r.ConversationID, &r.CustomerID, &r.Channel, &r.Text, &r.Complaint, &r.Sentiment, Time(&r.Time))
	return r, err
}
