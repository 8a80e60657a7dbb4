package knowledge

import "github.com/concierge-bot/concierge/internal/texts"

// maxClauses caps the clauses of one message searched on their own, so
// that a long story costs at most this many searches more.
const maxClauses = 3

// clauses returns the clauses of a message worth searching on their own:
// its parts between punctuation (and, in a message with Chinese, spaces,
// which Chinese customers type for commas), each with three Chinese
// characters or two English words at least, the first maxClauses. A
// message of one clause has none.
func clauses(text string) []string {
	parts := texts.ClauseParts(text)
	if len(parts) < 2 {
		return nil
	}
	out := texts.Askable(parts, 3)
	return out[:min(len(out), maxClauses)]
}
