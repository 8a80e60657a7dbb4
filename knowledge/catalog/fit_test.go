package catalog

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fitConf = flag.String("fit", "", "comma-separated development companies to fit the confidence weights on (e.g. cycles,pets)")

// sample is one answered message with its features and whether the reply
// was right (an acceptable first source, or among the choices offered).
type sample struct {
	f     features
	right bool
}

// companySamples runs a company's messages through the catalogue and
// returns the answered ones.
func companySamples(t *testing.T, name string) []sample {
	dir := filepath.Join(*explainDir, name)
	ix, err := New(loadCSVProducts(t, filepath.Join(dir, "content")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "messages.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, r := range recs[1:] {
		text, lang := r[0], r[3]
		expected := map[string]bool{}
		for _, id := range strings.Split(r[2], ";") {
			expected[strings.TrimSpace(id)] = true
		}
		sh := ix.public
		q := Parse(text)
		p := sh.plan(context.Background(), &q, ix.opts)
		if p.kind == planNone || p.kind == planNegative {
			continue
		}
		a := sh.reply(&q, p, lang)
		right := len(a.Sources) > 0 && expected[a.Sources[0].ID]
		for _, c := range a.Choices {
			right = right || expected[c.ID]
		}
		out = append(out, sample{f: featuresOf(&q, p, sh), right: right})
	}
	return out
}

// fitLogistic fits logistic-regression weights by gradient descent with an
// L2 penalty (not on the bias).
func fitLogistic(ss []sample, l2 float64) features {
	var w features
	const steps, rate = 20000, 0.5
	for range steps {
		var g features
		for _, s := range ss {
			y := 0.0
			if s.right {
				y = 1
			}
			d := logistic(w, s.f) - y
			for i := range g {
				g[i] += d * s.f[i]
			}
		}
		for i := range w {
			g[i] /= float64(len(ss))
			if i != ftBias {
				g[i] += l2 * w[i]
			}
			w[i] -= rate * g[i]
		}
	}
	return w
}

// report scores weights on samples: log loss, and at the 0.5 threshold the
// right replies kept and the wrong ones let through.
func report(w features, ss []sample) string {
	loss := 0.0
	keptRight, keptWrong, right, wrong := 0, 0, 0, 0
	for _, s := range ss {
		p := math.Min(math.Max(logistic(w, s.f), 1e-9), 1-1e-9)
		if s.right {
			right++
			loss -= math.Log(p)
			if p >= 0.5 {
				keptRight++
			}
		} else {
			wrong++
			loss -= math.Log(1 - p)
			if p >= 0.5 {
				keptWrong++
			}
		}
	}
	edges := []float64{0, 0.5, 0.7, 0.85, 0.95, 1.01}
	var bins strings.Builder
	for b := 0; b+1 < len(edges); b++ {
		n, r := 0, 0
		for _, s := range ss {
			if p := logistic(w, s.f); p >= edges[b] && p < edges[b+1] {
				n++
				if s.right {
					r++
				}
			}
		}
		fmt.Fprintf(&bins, " [%.2f,%.2f): %d/%d", edges[b], math.Min(edges[b+1], 1), r, n)
	}
	return fmt.Sprintf("log loss %.3f; at 0.5: right kept %d of %d, wrong let through %d of %d; right/answered by confidence:%s",
		loss/float64(len(ss)), keptRight, right, keptWrong, wrong, bins.String())
}

// TestFitConfidence fits the confidence weights on the development
// companies: first without each one, scored on it (a held-out check of the
// features), then on all of them (the weights to ship).
// Run: go test ./knowledge/catalog -run FitConfidence -fit cycles,pets,optics,furniture,gadgets -v
func TestFitConfidence(t *testing.T) {
	if *fitConf == "" {
		t.Skip("no -fit")
	}
	names := strings.Split(*fitConf, ",")
	per := map[string][]sample{}
	var all []sample
	for _, n := range names {
		per[n] = companySamples(t, n)
		all = append(all, per[n]...)
	}
	const l2 = 0.001
	t.Logf("current weights on all: %s", report(confWeights, all))
	// Leave one company out: fit on the others, score on it, so that the
	// features are judged on a catalogue they were not fitted on.
	for _, test := range names {
		var train []sample
		for _, n := range names {
			if n != test {
				train = append(train, per[n]...)
			}
		}
		w := fitLogistic(train, l2)
		t.Logf("fit without %s, scored on %s: %s", test, test, report(w, per[test]))
		t.Logf("current weights on %s: %s", test, report(confWeights, per[test]))
	}
	w := fitLogistic(all, l2)
	t.Logf("fit on all, scored on all: %s", report(w, all))
	var b strings.Builder
	for i, v := range w {
		fmt.Fprintf(&b, "%s=%.2f ", featureNames[i], v)
	}
	t.Logf("weights: %s", b.String())
	t.Logf("as Go: features{%s}", strings.Trim(strings.ReplaceAll(fmt.Sprintf("%.2f", w[:]), " ", ", "), "[]"))
}
