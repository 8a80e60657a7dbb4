package intents

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// memLabels is a LabelSource in memory.
type memLabels struct {
	mu     sync.Mutex
	labels []bot.ComplaintLabel
	err    error
}

func (m *memLabels) ComplaintLabels(_ context.Context, limit int) ([]bot.ComplaintLabel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	return append([]bot.ComplaintLabel(nil), m.labels...), nil
}

func (m *memLabels) add(l bot.ComplaintLabel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l.MessageID = int64(len(m.labels) + 1)
	m.labels = append(m.labels, l)
}

func complaintOf(t *testing.T, c *Classifier, text string) float64 {
	t.Helper()
	cls, err := c.Classify(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	return cls.Complaint
}

// The two messages the agents correct: an ordinary request the built-in
// detector reads as a complaint, and a complaint in a trade's own words it
// reads as ordinary. Each is checked against the built-in detector first,
// so the test fails if the seed changes under it.
const (
	falseAlarm  = "I changed my phone number and now I can't get the login code"
	missedAgain = "the poster prints came out much darker than the file i sent, the faces are almost black"
)

func TestLearnerLearnsAgentsVerdicts(t *testing.T) {
	ctx := context.Background()
	c, err := NewClassifier(ClassifierOptions{Model: mustShopModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	before := c.complaints.Load()
	fa, ma := complaintOf(t, c, falseAlarm), complaintOf(t, c, missedAgain)
	if fa < 0.6 || ma >= 0.6 {
		t.Fatalf("built-in detector: false alarm %.2f, missed complaint %.2f; the test needs ≥ 0.6 and < 0.6", fa, ma)
	}
	labels := &memLabels{}
	l, err := NewLearner(LearnerOptions{Classifier: c, Labels: labels, Every: -1})
	if err != nil {
		t.Fatal(err)
	}
	if did, err := l.Learn(ctx); did || err != nil || c.complaints.Load() != before {
		t.Fatalf("Learn without verdicts = %v, %v (detector replaced: %v); want nothing done", did, err, c.complaints.Load() != before)
	}

	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	labels.add(bot.ComplaintLabel{Text: falseAlarm, Complaint: false, Agent: "ana", Time: at})
	labels.add(bot.ComplaintLabel{Text: missedAgain, Complaint: true, Agent: "ana", Time: at})
	if did, err := l.Learn(ctx); !did || err != nil {
		t.Fatalf("Learn after two verdicts = %v, %v; want retrained", did, err)
	}
	if got := complaintOf(t, c, falseAlarm); got >= 0.6 {
		t.Errorf("after the agent's 'not a complaint' the message scores %.2f (was %.2f), want < 0.6", got, fa)
	}
	if got := complaintOf(t, c, missedAgain); got < 0.6 {
		t.Errorf("after the agent's 'complaint' the message scores %.2f (was %.2f), want ≥ 0.6", got, ma)
	}
	// What the agents did not touch still reads as before.
	if got := complaintOf(t, c, "This is the third time my order arrived broken, I want a refund now"); got < 0.6 {
		t.Errorf("an unrelated complaint scores %.2f after learning, want ≥ 0.6", got)
	}
	if got := complaintOf(t, c, "what time do you open on sunday"); got >= 0.6 {
		t.Errorf("an unrelated question scores %.2f after learning, want < 0.6", got)
	}
	if did, _ := l.Learn(ctx); did {
		t.Error("Learn with the same verdicts retrained")
	}

	// A store that cannot be read leaves the detector as it is.
	learnt := c.complaints.Load()
	labels.err = errors.New("database is locked")
	if did, err := l.Learn(ctx); did || err == nil || c.complaints.Load() != learnt {
		t.Errorf("Learn on a failing store = %v, %v; want an error and the detector kept", did, err)
	}
}

func TestLearnerRunNudge(t *testing.T) {
	c, err := NewClassifier(ClassifierOptions{Model: mustShopModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	labels := &memLabels{}
	l, err := NewLearner(LearnerOptions{Classifier: c, Labels: labels, Every: -1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = l.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	labels.add(bot.ComplaintLabel{Text: falseAlarm, Agent: "bo", Time: time.Now()})
	l.Nudge()
	l.Nudge() // never blocks
	deadline := time.Now().Add(10 * time.Second)
	for complaintOf(t, c, falseAlarm) >= 0.6 {
		if time.Now().After(deadline) {
			t.Fatal("the nudged learner did not learn the verdict within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewLearnerNeedsClassifierAndLabels(t *testing.T) {
	if _, err := NewLearner(LearnerOptions{Labels: &memLabels{}}); err == nil {
		t.Error("NewLearner without a Classifier succeeded")
	}
	c, err := NewClassifier(ClassifierOptions{Model: mustShopModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewLearner(LearnerOptions{Classifier: c}); err == nil {
		t.Error("NewLearner without Labels succeeded")
	}
}

func TestComplaintCorrectionsValidated(t *testing.T) {
	_, err := NewComplaintDetector(context.Background(), ComplaintOptions{Corrections: []Example{{Text: "x", Label: "angry"}}})
	if err == nil {
		t.Error("a correction labelled angry was accepted")
	}
}
