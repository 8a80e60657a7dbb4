package intents

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/concierge-bot/concierge/bot"
)

// ClassifierOptions configures a Classifier. Model is required.
type ClassifierOptions struct {
	// Model is the trained intent model.
	Model *Model
	// Complaints scores complaints, sentiment and escalation words; default:
	// the built-in detector (NewComplaintDetector with zero options).
	Complaints *ComplaintDetector
	// Logger receives debug records of each classification (with the
	// customer's text, at Debug level only); default: discard.
	Logger *slog.Logger
}

// Classifier implements bot.Classifier with a trained Model and a
// ComplaintDetector. It is safe for concurrent use.
type Classifier struct {
	model      *Model
	complaints *ComplaintDetector
	smallTalk  *smallTalk
	log        *slog.Logger
}

var _ bot.Classifier = (*Classifier)(nil)

// NewClassifier returns a Classifier, or an error when the Model is missing.
func NewClassifier(opts ClassifierOptions) (*Classifier, error) {
	if opts.Model == nil {
		return nil, errors.New("intents: NewClassifier: Model is required")
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Complaints == nil {
		d, err := NewComplaintDetector(context.Background(), ComplaintOptions{})
		if err != nil {
			return nil, fmt.Errorf("intents: NewClassifier: %w", err)
		}
		opts.Complaints = d
	}
	return &Classifier{model: opts.Model, complaints: opts.Complaints, smallTalk: newSmallTalk(), log: opts.Logger}, nil
}

// Classify reads one message: intent with calibrated confidence, the
// out-of-scope flag, complaint score (the complaint detector's: the intent
// model is trained on the company's intents and is not calibrated for
// complaints on wording it has not seen), sentiment, language and
// escalation words. It fails only when ctx is done.
func (c *Classifier) Classify(ctx context.Context, text string) (bot.Classification, error) {
	if err := ctx.Err(); err != nil {
		return bot.Classification{}, fmt.Errorf("intents: classify: %w", err)
	}
	p := c.model.Predict(text)
	s := c.complaints.Score(text)
	complaint := s.Complaint
	if len(s.EscalationWords) == 0 && !s.AsksForPerson && c.smallTalk.whole(text) {
		// Only a greeting, thanks or goodbye: nothing in it to complain
		// with, whatever the text model makes of its characters.
		complaint = min(complaint, 0.2)
		s.Sentiment = max(s.Sentiment, 0)
	}
	out := bot.Classification{
		Intent: p.Intent, Confidence: p.Confidence, OutOfScope: p.OutOfScope, Top: p.Top,
		Complaint: complaint, Sentiment: s.Sentiment, Language: DetectLanguage(text),
		EscalationWords: s.EscalationWords, AsksForPerson: s.AsksForPerson,
	}
	if l := c.smallTalk.label(text); l != "" && complaint < 0.5 {
		// A short greeting, thanks or goodbye is small talk whatever the
		// company's intents were trained on.
		out.Intent, out.Confidence, out.OutOfScope = l, max(out.Confidence, 0.9), false
	}
	if out.Intent == bot.IntentComplaint || complaint >= 0.6 {
		out.Sentiment = min(out.Sentiment, -complaint)
	}
	c.log.DebugContext(ctx, "classified", "text", text, "intent", out.Intent, "confidence", out.Confidence,
		"oos", out.OutOfScope, "complaint", out.Complaint, "sentiment", out.Sentiment, "language", out.Language)
	return out, nil
}
