package intents

import (
	"cmp"
	"slices"
	"time"
)

// EvalResult is the evaluation of a model on labelled test data. Fractions
// are in 0..1. Its JSON keys are the ones of `concierge intents eval --json`.
type EvalResult struct {
	Accuracy        float64 `json:"accuracy"`          // over all rows; an oos row is right when rejected
	AccuracyInScope float64 `json:"accuracy_in_scope"` // over in-scope rows; a rejected one is wrong
	// AccuracyTop1 is the in-scope accuracy of the best in-scope intent with
	// no out-of-scope rejection: the classifier's closed-set accuracy.
	// AccuracyTop1 - AccuracyInScope is what rejection costs in scope.
	AccuracyTop1 float64 `json:"accuracy_top1"`
	OOSRecall    float64 `json:"oos_recall"`    // oos rows rejected / oos rows (0 when none)
	OOSPrecision float64 `json:"oos_precision"` // oos rows rejected / rows rejected (0 when none)
	MacroF1      float64 `json:"macro_f1"`      // mean F1 over the labels of the test data, oos included
	NTrain       int     `json:"n_train"`
	NTest        int     `json:"n_test"`
	TrainSeconds float64 `json:"train_seconds"`
	P50Micros    float64 `json:"p50_us"` // median Predict latency
	P99Micros    float64 `json:"p99_us"`
	// Confused lists the most frequent wrong (true, predicted) pairs, worst
	// first; not part of the JSON contract.
	Confused []Confusion `json:"-"`
}

// Confusion is one (true label, predicted label) pair and how often it
// occurred.
type Confusion struct {
	Label     string `json:"label"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Evaluate predicts every test example with m, timing each prediction, and
// scores the results. An example whose label is not one of the model's
// in-scope labels counts as out of scope. NTrain and TrainSeconds are taken
// from the model.
func Evaluate(m *Model, test []Example) EvalResult {
	s := newScorer()
	s.evaluate(m, test, nil)
	r := s.result()
	r.NTrain, r.TrainSeconds = m.info.Examples, m.info.Duration.Seconds()
	return r
}

// scorer accumulates the predictions of one or more models on labelled rows
// (the folds of a cross-validation add to one scorer) and turns them into an
// EvalResult.
type scorer struct {
	per      map[string]*labelCounts
	confused map[[2]string]int // (truth, predicted) → rows, wrong ones only
	lat      []time.Duration
	n        int

	right, inScope, inRight, top1, oos, oosHit, rejected int
}

type labelCounts struct{ tp, fp, fn int }

func newScorer() *scorer {
	return &scorer{per: map[string]*labelCounts{}, confused: map[[2]string]int{}}
}

func (s *scorer) get(l string) *labelCounts {
	c := s.per[l]
	if c == nil {
		c = &labelCounts{}
		s.per[l] = c
	}
	return c
}

// evaluate predicts every row of test with m, timing each prediction, adds
// it to s and, when seen is not nil, calls it with the row's index, its true
// label (oos when m does not know it) and the prediction.
func (s *scorer) evaluate(m *Model, test []Example, seen func(i int, truth string, p Prediction)) {
	known := map[string]bool{}
	for _, l := range m.labels {
		if l != LabelOutOfScope {
			known[l] = true
		}
	}
	for i, e := range test {
		truth := e.Label
		if !known[truth] {
			truth = LabelOutOfScope
		}
		t0 := time.Now()
		p := m.Predict(e.Text)
		s.lat = append(s.lat, time.Since(t0))
		s.add(truth, p)
		if seen != nil {
			seen(i, truth, p)
		}
	}
}

// add counts one prediction p of a row whose true label is truth.
func (s *scorer) add(truth string, p Prediction) {
	s.n++
	pred := p.Intent
	s.get(truth) // labels of the test data count in the macro average
	if pred == truth {
		s.right++
		s.get(truth).tp++
	} else {
		s.get(truth).fn++
		s.get(pred).fp++
		s.confused[[2]string{truth, pred}]++
	}
	if pred == LabelOutOfScope {
		s.rejected++
	}
	if truth == LabelOutOfScope {
		s.oos++
		if pred == LabelOutOfScope {
			s.oosHit++
		}
	} else {
		s.inScope++
		if pred == truth {
			s.inRight++
		}
		if len(p.Top) > 0 && p.Top[0].Intent == truth {
			s.top1++
		}
	}
}

// result scores what was added. NTrain and TrainSeconds are left zero.
func (s *scorer) result() EvalResult {
	r := EvalResult{NTest: s.n}
	frac := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	r.Accuracy = frac(s.right, s.n)
	r.AccuracyInScope = frac(s.inRight, s.inScope)
	r.AccuracyTop1 = frac(s.top1, s.inScope)
	r.OOSRecall = frac(s.oosHit, s.oos)
	r.OOSPrecision = frac(s.oosHit, s.rejected)
	var f1sum float64
	var nLabels int
	for _, c := range s.per {
		if c.tp+c.fn == 0 {
			continue // predicted but not in the test data
		}
		nLabels++
		if c.tp > 0 {
			p, rc := frac(c.tp, c.tp+c.fp), frac(c.tp, c.tp+c.fn)
			f1sum += 2 * p * rc / (p + rc)
		}
	}
	if nLabels > 0 {
		r.MacroF1 = f1sum / float64(nLabels)
	}
	r.P50Micros, r.P99Micros = percentileMicros(s.lat, 0.50), percentileMicros(s.lat, 0.99)
	r.Confused = s.confusions()
	if len(r.Confused) > 10 {
		r.Confused = r.Confused[:10]
	}
	return r
}

// confusions returns every wrong (true, predicted) pair, worst first, ties
// in label order.
func (s *scorer) confusions() []Confusion {
	var out []Confusion
	for pair, n := range s.confused {
		out = append(out, Confusion{Label: pair[0], Predicted: pair[1], Count: n})
	}
	slices.SortFunc(out, func(a, b Confusion) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Predicted, b.Predicted))
	})
	return out
}

// percentileMicros returns the q-quantile of d in microseconds (nearest rank).
func percentileMicros(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(q*float64(len(s)) + 0.5)
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i].Nanoseconds()) / 1e3
}
