package intents

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

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
	complaints atomic.Pointer[ComplaintDetector] // replaced by SetComplaints
	smallTalk  *smallTalk
	log        *slog.Logger
}

var _ bot.Classifier = (*Classifier)(nil)

// Intents returns the names of the intents the classifier's model knows,
// in the model's order.
func (c *Classifier) Intents() []string { return c.model.Labels() }

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
	c := &Classifier{model: opts.Model, smallTalk: newSmallTalk(), log: opts.Logger}
	c.complaints.Store(opts.Complaints)
	return c, nil
}

// SetComplaints replaces the complaint detector, for example by one that has
// learnt agents' corrections; messages classified after it returns are
// scored by d. A nil d is ignored.
func (c *Classifier) SetComplaints(d *ComplaintDetector) {
	if d != nil {
		c.complaints.Store(d)
	}
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
	s := c.complaints.Load().Score(text)
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
		EscalationWords: s.EscalationWords, Troubled: s.Troubled, Danger: s.Danger, AsksForPerson: s.AsksForPerson, DemandsPerson: s.DemandsPerson,
		Asks: s.Asks,
	}
	if s.DemandsPerson || s.NamesPersonTwice {
		// "人工客服在吗", "real person please", "有没有人工啊 真人": whatever
		// else the words look like to the intent model, the sender asks
		// for a person.
		out.Intent, out.Confidence, out.OutOfScope = bot.IntentAskHuman, max(out.Confidence, 0.9), false
	} else if l, talks, asks := c.smallTalk.label(text); l != "" && complaint < 0.5 &&
		(l != bot.IntentAboutBot || c.smallTalk.whole(text)) {
		// A short greeting, thanks or goodbye is small talk whatever the
		// company's intents were trained on. A question about the bot
		// must be all the message says: "你能做什么包装" asks about
		// wrapping.
		out.Intent, out.Confidence, out.OutOfScope = l, max(out.Confidence, 0.9), false
	} else if bot.IsSmallTalk(out.Intent) && (asks || !talks && asksSomething(text)) {
		// The intent model reads a greeting, thanks or goodbye into a
		// question or a message with figures and no such phrase in it
		// ("1.74的镜片有现货吗" read as goodbye), or into a question
		// wrapped in one ("你好，发货后多久能收到？谢谢"): that is a question
		// it has not learnt, so its best other intent stands, or none.
		out.Intent, out.Confidence, out.OutOfScope = bot.IntentOutOfScope, 0, true
		for _, t := range p.Top {
			if !bot.IsSmallTalk(t.Intent) && t.Confidence >= c.model.Threshold() {
				out.Intent, out.Confidence, out.OutOfScope = t.Intent, t.Confidence, false
				break
			}
		}
	}
	if out.Intent == bot.IntentComplaint || complaint >= 0.6 {
		out.Sentiment = min(out.Sentiment, -complaint)
	}
	c.log.DebugContext(ctx, "classified", "text", text, "intent", out.Intent, "confidence", out.Confidence,
		"oos", out.OutOfScope, "complaint", out.Complaint, "sentiment", out.Sentiment, "language", out.Language)
	return out, nil
}

// asksSomething reports whether text is phrased as a question, holds a
// figure, or is a Chinese sentence longer than any greeting: no greeting,
// thanks or goodbye does without its phrases.
func asksSomething(text string) bool {
	if isQuestion(text, newLexText(text)) || strings.ContainsAny(text, "0123456789") {
		return true
	}
	for _, w := range chineseQuestionWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	han := 0
	for _, r := range text {
		if isCJK(r) {
			han++
		}
	}
	return han > maxSmallTalkHan
}

// chineseQuestionWords ask something wherever they stand in a sentence.
var chineseQuestionWords = []string{"啥", "什么", "多久", "几", "咋", "怎", "哪", "谁", "吗", "么", "呢", "多少", "可以", "能不能", "行不行"}

// maxSmallTalkHan is the most Chinese characters a greeting, thanks or
// goodbye the small-talk phrases do not know is read as having
// ("早上好呀亲", "辛苦啦谢谢").
const maxSmallTalkHan = 8
