package intents

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// TrainOptions are the hyper-parameters of Train. The zero value gives good
// defaults for intent sets from a few dozen to tens of thousands of examples.
type TrainOptions struct {
	// Features selects the n-gram features.
	Features FeatureOptions
	// C is the SVM regularisation constant: larger fits the training data
	// more closely. Default 1.
	C float64
	// ClassWeight scales the positive class's C in each one-vs-rest problem
	// (1 = none). Default 1.
	ClassWeight float64
	// Balanced further scales each class's C by n/(k*n_c), so that rare
	// intents weigh as much as frequent ones.
	Balanced bool
	// Folds is the number of cross-validation folds used to calibrate the
	// probabilities and choose the out-of-scope threshold. Default 3, or 2
	// above 5,000 examples (to keep training within seconds); a label with
	// fewer examples lowers it (never below 2).
	Folds int
	// MaxIter bounds the solver's passes over the data. Default 200.
	MaxIter int
	// Tolerance is the solver's stopping tolerance on the projected
	// gradient; smaller is more exact and slower. Default 0.1.
	Tolerance float64
	// Seed makes training reproducible. Default 1.
	Seed uint64
	// Threshold, when > 0, is the out-of-scope threshold to use instead of
	// one chosen from data.
	Threshold float64
	// MaxInScopeDrop is how much in-scope accuracy (a fraction) the chosen
	// out-of-scope threshold may cost on held-out data; the highest
	// threshold within it is chosen. Default 0.015. Negative disables the
	// threshold (only an explicit oos class rejects).
	MaxInScopeDrop float64
	// Validation, when set, is held-out labelled data on which the
	// out-of-scope threshold is chosen instead of by cross-validation on the
	// training data. Rows labelled "oos", or with a label the training data
	// does not have, are out of scope.
	Validation []Example
}

func (o TrainOptions) withDefaults() TrainOptions {
	o.Features = o.Features.withDefaults()
	bot.SetDefault(&o.C, 1)
	bot.SetDefault(&o.ClassWeight, 1)
	bot.SetDefault(&o.Folds, 3) // Train lowers it to 2 for large data
	bot.SetDefault(&o.MaxIter, 200)
	bot.SetDefault(&o.Tolerance, 0.1)
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MaxInScopeDrop == 0 {
		o.MaxInScopeDrop = 0.015
	}
	return o
}

// Model is a trained intent classifier. It is immutable and safe for
// concurrent use.
type Model struct {
	labels    []string // sorted; index = class
	oos       int      // class of "oos", or -1
	vec       *vectorizer
	lin       *linear
	temp      float64 // softmax temperature of the calibrated probabilities
	threshold float64 // best in-scope probability below which a message is oos
	info      TrainInfo
	bufs      sync.Pool // *predictBuf
}

// TrainInfo describes how a Model was trained.
type TrainInfo struct {
	Examples    int           // training examples
	Labels      int           // distinct labels, oos included
	Features    int           // vocabulary size
	Temperature float64       // calibration temperature
	Threshold   float64       // out-of-scope threshold
	Duration    time.Duration // wall time of Train
}

// Info returns how the model was trained.
func (m *Model) Info() TrainInfo { return m.info }

// Threshold returns the out-of-scope threshold: a message whose best in-scope
// intent has a lower probability is out of scope.
func (m *Model) Threshold() float64 { return m.threshold }

type predictBuf struct {
	vec    sparse
	scores []float64
}

// Train fits a model to examples. Every label needs at least 2 examples; the
// label "oos" marks out-of-scope examples and is learnt like any other class
// but never predicted as an intent. It honours ctx between solver runs.
func Train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, error) {
	m, _, err := train(ctx, examples, opts)
	return m, err
}

// train is Train that also returns the out-of-fold class scores of the
// examples (nil with a single label), by example then class; softmax at the
// model's temperature turns them into probabilities.
func train(ctx context.Context, examples []Example, opts TrainOptions) (*Model, [][]float64, error) {
	start := time.Now()
	autoFolds := opts.Folds <= 0
	opts = opts.withDefaults()
	if len(examples) == 0 {
		return nil, nil, errors.New("intents: train: no examples")
	}
	labels := labelsOf(examples)
	counts := map[string]int{}
	for _, e := range examples {
		counts[e.Label]++
	}
	var few []string
	for _, l := range labels {
		if counts[l] < 2 {
			few = append(few, fmt.Sprintf("%q", l))
		}
	}
	if len(few) > 0 {
		return nil, nil, fmt.Errorf("intents: train: every label needs at least 2 examples; %s %s only 1",
			strings.Join(few, ", "), map[bool]string{true: "has", false: "have"}[len(few) == 1])
	}
	inScope := 0
	for _, l := range labels {
		if l != LabelOutOfScope {
			inScope++
		}
	}
	if inScope < 1 {
		return nil, nil, errors.New("intents: train: no in-scope label (every example is oos)")
	}
	m := &Model{labels: labels, oos: slices.Index(labels, LabelOutOfScope), temp: 1}
	m.vec = newVectorizer(opts.Features)
	texts := make([]string, len(examples))
	for i, e := range examples {
		texts[i] = e.Text
	}
	m.vec.fit(texts)
	classOf := make(map[string]int, len(labels))
	for i, l := range labels {
		classOf[l] = i
	}
	y := make([]int, len(examples))
	vecs := make([]sparse, len(examples))
	for i, e := range examples {
		y[i] = classOf[e.Label]
		vecs[i] = m.vec.transform(e.Text, sparse{})
	}
	x := newCSR(vecs)
	p := svmParams{C: opts.C, Eps: opts.Tolerance, MaxIter: opts.MaxIter, Bias: 1, Seed: opts.Seed, nFeature: m.vec.nFeat}
	var cw []float64
	if opts.ClassWeight != 1 || opts.Balanced {
		cw = make([]float64, len(labels))
		for i, l := range labels {
			cw[i] = opts.ClassWeight
			if opts.Balanced {
				cw[i] *= float64(len(examples)) / float64(len(labels)*counts[l])
			}
		}
	}
	k := len(labels)
	all := make([]int, len(examples))
	for i := range all {
		all[i] = i
	}

	// Held-out scores for calibration and the threshold.
	folds := opts.Folds
	if autoFolds && len(examples) > 5000 {
		folds = 2
	}
	for _, c := range counts {
		folds = min(folds, c)
	}
	folds = max(folds, 2)
	var oofScores [][]float64
	var warm [][]float64 // dual variables from the folds: the final solver's warm start
	if len(labels) >= 2 {
		var oof [][]float64
		var err error
		oof, warm, err = crossScores(ctx, x, y, k, folds, p, cw, opts.Seed)
		if err != nil {
			return nil, nil, fmt.Errorf("intents: train: %w", err)
		}
		m.temp = fitTemperature(oof, y)
		oofScores = oof
		if opts.Validation == nil {
			m.threshold = m.chooseThreshold(oof, y, opts)
		}
	}
	lin, err := trainOVR(ctx, x, all, y, k, p, cw, warm)
	if err != nil {
		return nil, nil, fmt.Errorf("intents: train: %w", err)
	}
	lin.quantize()
	m.lin = lin
	if opts.Validation != nil {
		vy := make([]int, len(opts.Validation))
		vs := make([][]float64, len(opts.Validation))
		for i, e := range opts.Validation {
			c, ok := classOf[e.Label]
			if !ok {
				c = -1 // out of scope, and the model has no oos class
			}
			vy[i] = c
			vs[i] = make([]float64, k)
			m.lin.scores(m.vec.transform(e.Text, sparse{}), vs[i])
		}
		m.threshold = m.chooseThreshold(vs, vy, opts)
	}
	if opts.Threshold > 0 {
		m.threshold = opts.Threshold
	}
	m.bufs.New = func() any { return &predictBuf{scores: make([]float64, k)} }
	m.info = TrainInfo{Examples: len(examples), Labels: k, Features: m.vec.nFeat,
		Temperature: m.temp, Threshold: m.threshold, Duration: time.Since(start)}
	return m, oofScores, nil
}

// crossScores returns out-of-fold class scores for every row, from a
// stratified split into folds, and a warm start for training on all rows:
// each row's dual variables averaged over the folds that trained on it,
// scaled for the larger problem.
func crossScores(ctx context.Context, x *csr, y []int, k, folds int, p svmParams, cw []float64, seed uint64) ([][]float64, [][]float64, error) {
	n := len(y)
	fold := make([]int, n)
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	byClass := make([][]int, k)
	for i, c := range y {
		byClass[c] = append(byClass[c], i)
	}
	offset := 0
	for _, rows := range byClass {
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for j, r := range rows {
			fold[r] = (j + offset) % folds
		}
		offset += len(rows)
	}
	out := make([][]float64, n)
	warm := make([][]float64, k)
	sum := make([][]float64, k)
	for c := range k {
		warm[c] = make([]float64, n)
		sum[c] = make([]float64, n)
	}
	for f := range folds {
		var train, test []int
		for i := range n {
			if fold[i] == f {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		for c := range k {
			clear(warm[c])
		}
		lin, err := trainOVR(ctx, x, train, y, k, p, cw, warm)
		if err != nil {
			return nil, nil, err
		}
		for c := range k {
			for _, r := range train {
				sum[c][r] += warm[c][r]
			}
		}
		for _, r := range test {
			out[r] = make([]float64, k)
			lin.scores(sparse{idx: x.idx[x.ptr[r]:x.ptr[r+1]], val: x.val[x.ptr[r]:x.ptr[r+1]]}, out[r])
		}
	}
	// Average over the folds-1 folds that trained on each row, then shrink by
	// the share of the data those folds had, (folds-1)/folds: with more data
	// each example carries less of the solution.
	scale := 1 / float64(folds)
	for c := range k {
		for r := range sum[c] {
			sum[c][r] *= scale
		}
	}
	return out, sum, nil
}

// softmax writes the probabilities of scores at temperature t into out.
func softmax(scores []float64, t float64, out []float64) {
	mx := math.Inf(-1)
	for _, s := range scores {
		mx = max(mx, s)
	}
	var sum float64
	for i, s := range scores {
		out[i] = math.Exp((s - mx) / t)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
}

// fitTemperature returns the softmax temperature that minimises the negative
// log-likelihood of the true classes y under scores (golden-section search
// over log t), on at most maxCalibrationRows rows taken at an even stride.
func fitTemperature(scores [][]float64, y []int) float64 {
	stride := max(1, (len(scores)+maxCalibrationRows-1)/maxCalibrationRows)
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var sum float64
		for i := 0; i < len(scores); i += stride {
			s := scores[i]
			mx := math.Inf(-1)
			for _, v := range s {
				mx = max(mx, v)
			}
			var z float64
			for _, v := range s {
				z += math.Exp((v - mx) / t)
			}
			sum += math.Log(z) - (s[y[i]]-mx)/t
		}
		return sum
	}
	a, b := math.Log(0.005), math.Log(5)
	const tol = 0.01 // of log t: 1 % of the temperature
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := nll(c), nll(d)
	for b-a > tol {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = nll(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = nll(d)
		}
	}
	return math.Exp((a + b) / 2)
}

// maxCalibrationRows bounds the rows the temperature is fitted on; more
// change it by little and cost time.
const maxCalibrationRows = 4000

// chooseThreshold picks the out-of-scope threshold from held-out scores and
// their true classes (-1: out of scope with no oos class): the highest
// threshold whose in-scope accuracy is within opts.MaxInScopeDrop of the
// accuracy with no threshold.
func (m *Model) chooseThreshold(scores [][]float64, y []int, opts TrainOptions) float64 {
	if opts.MaxInScopeDrop < 0 {
		return 0
	}
	type row struct {
		conf    float64
		correct bool // in-scope row whose best class is right and not rejected by the oos class
	}
	var rows []row
	prob := make([]float64, m.numClasses())
	inScope := 0
	for i, s := range scores {
		if y[i] < 0 || y[i] == m.oos {
			continue
		}
		inScope++
		softmax(s, m.temp, prob)
		best, conf := m.bestInScope(prob)
		correct := best == y[i] && !(m.oos >= 0 && prob[m.oos] > conf)
		rows = append(rows, row{conf, correct})
	}
	if inScope == 0 {
		return 0
	}
	// Sorting by confidence, rejecting the lowest costs the correct ones
	// among them; allow at most drop*inScope correct rejections.
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.conf, b.conf) })
	budget := int(opts.MaxInScopeDrop * float64(inScope))
	lost := 0
	for i, r := range rows {
		if r.correct {
			if lost == budget {
				if i == 0 {
					return r.conf // rejects only rows below the first correct one
				}
				return (rows[i-1].conf + r.conf) / 2
			}
			lost++
		}
	}
	return rows[len(rows)-1].conf
}

func (m *Model) numClasses() int { return len(m.labels) }

// bestInScope returns the most probable class other than oos and its
// probability.
func (m *Model) bestInScope(prob []float64) (int, float64) {
	best, conf := -1, -1.0
	for c, p := range prob {
		if c != m.oos && p > conf {
			best, conf = c, p
		}
	}
	return best, conf
}

// Prediction is the model's reading of one text.
type Prediction struct {
	// Intent is the most probable in-scope intent, or "oos" when the text is
	// out of scope.
	Intent string
	// Confidence is the calibrated probability of the best in-scope intent.
	Confidence float64
	// OutOfScope is true when the oos class wins or Confidence is below the
	// model's threshold, or the text has no known feature at all.
	OutOfScope bool
	// Top holds up to three in-scope intents, most probable first.
	Top []bot.IntentScore
}

// topN is the number of candidates in Prediction.Top.
const topN = 3

// Predict classifies text. It is safe for concurrent use and never panics,
// whatever the string (empty, invalid UTF-8, very long).
func (m *Model) Predict(text string) Prediction {
	b := m.bufs.Get().(*predictBuf)
	defer m.bufs.Put(b)
	b.vec = m.vec.transform(text, b.vec)
	m.lin.scores(b.vec, b.scores)
	softmax(b.scores, m.temp, b.scores)
	return m.predictionFrom(b.scores, len(b.vec.idx) == 0)
}

// predictionFrom builds a Prediction from class probabilities.
func (m *Model) predictionFrom(prob []float64, empty bool) Prediction {
	var top [topN]bot.IntentScore
	n := 0
	for c, p := range prob {
		if c == m.oos {
			continue
		}
		if n < topN {
			n++
		} else if p <= top[n-1].Confidence {
			continue
		}
		i := n - 1
		for i > 0 && top[i-1].Confidence < p {
			top[i] = top[i-1]
			i--
		}
		top[i] = bot.IntentScore{Intent: m.labels[c], Confidence: p}
	}
	pr := Prediction{Top: slices.Clone(top[:n])}
	if n > 0 {
		pr.Intent, pr.Confidence = top[0].Intent, top[0].Confidence
	}
	oosWins := m.oos >= 0 && prob[m.oos] > pr.Confidence
	if empty || oosWins || pr.Confidence < m.threshold || n == 0 {
		pr.Intent, pr.OutOfScope = LabelOutOfScope, true
	}
	return pr
}

// Labels returns the labels the model was trained on, sorted, "oos"
// included when the training data had it.
func (m *Model) Labels() []string { return slices.Clone(m.labels) }
