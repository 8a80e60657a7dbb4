package bot

import "context"

// GenerateRequest asks a language model to compose a grounded answer.
type GenerateRequest struct {
	// Question is the customer's or employee's message.
	Question string
	// Language is the language to answer in: "en" or "zh".
	Language string
	// Role is who asks; Passages already respect its audience.
	Role Role
	// Passages are the retrieved hits the answer must be grounded in, best
	// first. The model cites them by their 1-based number in this list.
	Passages []Hit
	// History is the latest messages of the conversation, oldest first, for
	// context only; it is never a source.
	History []StoredMessage
}

// Generated is a model's grounded answer.
type Generated struct {
	Text string
	// Cited are the 0-based indexes into GenerateRequest.Passages that the
	// answer cites; the reply's sources are exactly these.
	Cited []int
	// Refused is true when the passages do not support an answer; Text then
	// says so and offers a human.
	Refused bool
}

// Generator composes grounded answers with a language model. It is optional:
// without one, the Engine answers with the best retrieved passage.
// Implementations must return within the context's deadline; on any error
// the Engine falls back to the retrieval answer.
type Generator interface {
	Generate(ctx context.Context, req GenerateRequest) (Generated, error)
}
