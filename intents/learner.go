package intents

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// LabelSource is where agents' verdicts on customers' messages are kept
// (the store).
type LabelSource interface {
	// ComplaintLabels returns the verdicts whose message text is still
	// kept, newest first, at most limit.
	ComplaintLabels(ctx context.Context, limit int) ([]bot.ComplaintLabel, error)
}

// LearnerOptions configures a Learner. Classifier and Labels are required.
type LearnerOptions struct {
	// Classifier receives each newly trained complaint detector.
	Classifier *Classifier
	// Labels is read for the agents' verdicts.
	Labels LabelSource
	// Examples are the company's own labelled messages (complaint_examples),
	// learnt with the verdicts as ComplaintOptions.Extra.
	Examples []Example
	// Every is how often Run reads the verdicts again, to learn those that
	// other processes record (replicas sharing one database). Default one
	// minute; a negative value reads them only when nudged.
	Every time.Duration
	// Limit is the most verdicts learnt, the newest. Default 5000.
	Limit int
	// Logger receives a record of each retraining (counts only, never a
	// customer's text). Default: discard.
	Logger *slog.Logger
}

// Learner keeps a Classifier's complaint detector up to date with the
// agents' verdicts: when the set of verdicts changes it trains a detector on
// the built-in seed examples, the company's examples and the verdicts
// (ComplaintOptions.Corrections), and swaps it in. Training takes well under
// a second for thousands of verdicts and happens off the request path. It
// is safe for concurrent use.
type Learner struct {
	opts  LearnerOptions
	nudge chan struct{}

	mu   sync.Mutex // serialises Learn
	seen [sha256.Size]byte
}

// NewLearner returns a Learner whose first Learn trains only when verdicts
// exist: a Classifier built with the company's examples needs no retraining
// until an agent gives one.
func NewLearner(opts LearnerOptions) (*Learner, error) {
	if opts.Classifier == nil || opts.Labels == nil {
		return nil, errors.New("intents: NewLearner: Classifier and Labels are required")
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Every == 0 {
		opts.Every = time.Minute
	}
	if opts.Limit <= 0 {
		opts.Limit = 5000
	}
	return &Learner{opts: opts, nudge: make(chan struct{}, 1), seen: fingerprint(nil)}, nil
}

// Learn reads the verdicts and, when they differ from those learnt last,
// trains a detector and gives it to the Classifier. It reports whether it
// did. On an error the Classifier keeps its detector.
func (l *Learner) Learn(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	labels, err := l.opts.Labels.ComplaintLabels(ctx, l.opts.Limit)
	if err != nil {
		return false, fmt.Errorf("intents: read agents' verdicts: %w", err)
	}
	fp := fingerprint(labels)
	if fp == l.seen {
		return false, nil
	}
	corrections := make([]Example, 0, len(labels))
	complaints := 0
	for _, lb := range labels {
		label := LabelOther
		if lb.Complaint {
			label = LabelComplaint
			complaints++
		}
		corrections = append(corrections, Example{Text: lb.Text, Label: label})
	}
	start := time.Now()
	d, err := NewComplaintDetector(ctx, ComplaintOptions{Extra: l.opts.Examples, Corrections: corrections})
	if err != nil {
		return false, fmt.Errorf("intents: learn agents' verdicts: %w", err)
	}
	l.opts.Classifier.SetComplaints(d)
	l.seen = fp
	l.opts.Logger.Info("intents: complaint detector learnt the agents' verdicts",
		"verdicts", len(labels), "complaints", complaints, "took", time.Since(start).Round(time.Millisecond))
	return true, nil
}

// Nudge asks Run to learn now, for example right after an agent's verdict
// was recorded. It never blocks.
func (l *Learner) Nudge() {
	select {
	case l.nudge <- struct{}{}:
	default:
	}
}

// Run learns at once, then after every Nudge and every Every, until ctx is
// done; it returns ctx's error. Errors of learning are logged and tried
// again at the next turn.
func (l *Learner) Run(ctx context.Context) error {
	var tick <-chan time.Time
	if l.opts.Every > 0 {
		t := time.NewTicker(l.opts.Every)
		defer t.Stop()
		tick = t.C
	}
	for {
		if _, err := l.Learn(ctx); err != nil && ctx.Err() == nil {
			l.opts.Logger.Warn("intents: complaint detector not retrained", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		case <-l.nudge:
		}
	}
}

// fingerprint identifies a set of verdicts by message id, verdict and time,
// whatever their order.
func fingerprint(labels []bot.ComplaintLabel) [sha256.Size]byte {
	keys := make([][3]int64, 0, len(labels))
	for _, lb := range labels {
		v := int64(0)
		if lb.Complaint {
			v = 1
		}
		keys = append(keys, [3]int64{lb.MessageID, v, lb.Time.UnixNano()})
	}
	slices.SortFunc(keys, func(a, b [3]int64) int { return cmp.Compare(a[0], b[0]) })
	h := sha256.New()
	var b [24]byte
	for _, k := range keys {
		binary.LittleEndian.PutUint64(b[0:], uint64(k[0]))
		binary.LittleEndian.PutUint64(b[8:], uint64(k[1]))
		binary.LittleEndian.PutUint64(b[16:], uint64(k[2]))
		h.Write(b[:])
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}
