package catalog

import "math"

// features are the inputs of the confidence model. Each is a share or a
// flag, never a raw score, so that one threshold means the same on any
// company's catalogue.
type features [nFeatures]float64

// Feature indexes.
const (
	ftBias      = iota
	ftCoverage  // share of the message's content words the answer explains
	ftNameShare // share of the main product's name the message names
	ftMargin    // 1 − runner-up score / best score (1 for lists and comparisons)
	ftAsked     // a catalogue cue (price, stock, sell, an attribute, …) was found
	ftList      // a list, a comparison or a question back, not one product
	ftEvidence  // the main product's score in rare-word units, capped at 1
	nFeatures
)

// featureNames label the features in the fitting report.
var featureNames = [nFeatures]string{"bias", "coverage", "nameShare", "margin", "asked", "list", "evidence"}

// confWeights are the weights of the logistic confidence model, fitted on
// all the answered messages of the five tuning companies (TestFitConfidence
// -fit cycles,pets,optics,furniture,gadgets, which first fits without each
// one and scores on it). Bakery, yoga and the demo are only checked.
var confWeights = features{-7.00, 5.86, 2.54, 1.19, 1.69, -0.76, 1.50}

// MinConfidence is the least Confidence of an answer with OK true; below
// it the catalogue does not claim the question.
const MinConfidence = 0.5

// featuresOf computes the confidence features of a plan.
func featuresOf(q *Question, p plan, sh *shelf) features {
	var f features
	f[ftBias] = 1
	f[ftCoverage] = p.cov
	f[ftMargin] = p.margin
	if len(p.items) > 0 {
		f[ftNameShare] = p.items[0].share
	}
	if asked(q, p) {
		f[ftAsked] = 1
	}
	if p.kind != planOne {
		f[ftList] = 1
	}
	f[ftEvidence] = p.evidence
	return f
}

// asked reports whether the question asks something the catalogue holds
// (a cue such as a price, stock or "do you sell", or a column, or what
// kinds there are for an overview), not only names products in a
// sentence; a bare message that the products explain whole ("teapots",
// "green tea") asks for them, as a search box does.
func asked(q *Question, p plan) bool {
	return q.cues > 0 || len(q.Attrs) > 0 || len(p.cols) > 0 || p.kind == planOverview && q.whatKinds ||
		q.bare && p.cov == 1 && len(p.items) > 0 && named(p.items[0])
}

// named reports whether every word of the message that h matched is in
// its SKU, name, alias, tags or category, none only in its attributes or
// description: "teapots" names the teapots, "clean cuts" only describes
// the secateurs. A tag counts as naming ("tea storage" finds the caddy
// tagged storage).
func named(h *hit) bool {
	for i, b := range h.best {
		if b > 0 && h.field[i] > fCat {
			return false
		}
	}
	return true
}

// logistic returns the model's probability for features f.
func logistic(w, f features) float64 {
	z := 0.0
	for i := range w {
		z += w[i] * f[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// confidence returns how likely the reply answers the question, in 0..1.
// A "we don't sell X" reply has a fixed 0.5: it is right when X is not
// sold, which the catalogue cannot be sure of.
func confidence(q *Question, p plan, sh *shelf) float64 {
	if p.kind == planNegative {
		return 0.5
	}
	return math.Round(1e3*logistic(confWeights, featuresOf(q, p, sh))) / 1e3
}
