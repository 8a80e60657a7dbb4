package bot

import "context"

// IntentOutOfScope is the intent label of a message that matches no known
// intent.
const IntentOutOfScope = "oos"

// Intents the Engine gives a meaning to. A company's intent file may define
// any others; those are answered from knowledge.
const (
	IntentGreeting      = "greeting"
	IntentGoodbye       = "goodbye"
	IntentThanks        = "thanks"
	IntentAboutBot      = "about_bot" // "who are you", "what can you do", "你是谁"
	IntentAskHuman      = "ask_human"
	IntentComplaint     = "complaint"
	IntentPurchase      = "purchase_intent"
	IntentOrderStatus   = "order_status"
	IntentRefundRequest = "refund_request"
)

// IsSmallTalk reports whether intent is one of the small-talk intents the
// Engine answers with a sentence of its own: a greeting, thanks, a goodbye,
// or a question about the bot itself.
func IsSmallTalk(intent string) bool {
	switch intent {
	case IntentGreeting, IntentThanks, IntentGoodbye, IntentAboutBot:
		return true
	}
	return false
}

// IntentScore is one candidate intent with its probability.
type IntentScore struct {
	Intent     string
	Confidence float64
}

// Classification is what a Classifier found in one message.
type Classification struct {
	// Intent is the most likely intent, or IntentOutOfScope when the
	// classifier's confidence is below its out-of-scope threshold.
	Intent string
	// Confidence is the calibrated probability of Intent (of the best in-scope
	// intent when Intent is IntentOutOfScope), in 0..1.
	Confidence float64
	// OutOfScope is true when the message matches no known intent.
	OutOfScope bool
	// Top holds the best candidates, most likely first (at most a few).
	Top []IntentScore
	// Complaint is how much the message reads as a complaint or negative
	// feedback, in 0..1.
	Complaint float64
	// Sentiment is in -1 (very negative) .. +1 (very positive).
	Sentiment float64
	// Language is "en", "zh" or "other".
	Language string
	// EscalationWords lists the always-escalate terms found (legal threats,
	// regulators, media, safety), normalised; empty when none.
	EscalationWords []string
	// Troubled is true when the message tells of a trouble in words of the
	// negative lexicon ("late", "broken", "还没到"), not only in the
	// complaint model's reading: a question the model reads as a mild
	// complaint ("best way to keep sourdough?") answered from a sure passage
	// gets no apology without it.
	Troubled bool
	// Danger is true when an escalation word tells of harm as it happens
	// (an injury, a fire, someone unwell or in danger) rather than a legal
	// threat: the reply then points at the emergency services first.
	Danger bool
	// AsksForPerson is true when the message names a person to talk to
	// ("a real person", "customer service", "转人工"). The Engine hands a
	// conversation to a human for the ask_human intent only with it, so
	// that "a teapot for one person" is not a request for a person.
	AsksForPerson bool
	// DemandsPerson is true when the message asks for a person in words
	// that can mean nothing else ("a real person", "人工客服", "转人工"); it
	// implies AsksForPerson. Only it hands an employee's message over:
	// staff write "someone" and "the manager" about their work.
	DemandsPerson bool
	// Asks is true when a message with escalation words asks something in
	// a clause of its own ("住院押金要交多少") without alarm ("what do I do
	// right now" tells an incident); a classifier may leave it
	// false for a message without them, the only ones the Engine reads it
	// for.
	Asks bool
}

// Classifier works out what a message is about. Implementations must be safe
// for concurrent use and must not panic on any valid UTF-8 input.
type Classifier interface {
	Classify(ctx context.Context, text string) (Classification, error)
}
