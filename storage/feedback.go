package storage

import (
	"crypto/sha256"
	"encoding/hex"
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

// ComplaintLabelCols are the columns of a labelled message that
// ScanComplaintLabel reads.
const ComplaintLabelCols = `id, label, text, label_agent, label_time`

// ScanComplaintLabel reads a row of ComplaintLabelCols.
func ScanComplaintLabel(sc RowScanner) (bot.ComplaintLabel, error) {
	var l bot.ComplaintLabel
	var label string
	err := sc.Scan(&l.MessageID, &label, &l.Text, &l.Agent, Time(&l.Time))
	l.Complaint = label == bot.LabelComplaint
	return l, err
}
