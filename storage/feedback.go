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
