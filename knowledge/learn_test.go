package knowledge

import (
	"context"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

var learn = flag.Bool("learn", false, "learn the re-ranking weights on the faq_dev development halves and print them")

// pooled is one query's candidates and the position of the right one (-1
// when it is not among them).
type pooled struct {
	f   []features
	pos int
}

// pools runs queries and keeps their candidate features.
func pools(t *testing.T, ix *Index, qs []EvalQuery) []pooled {
	t.Helper()
	out := make([]pooled, 0, len(qs))
	for _, q := range qs {
		_, cands, err := ix.pool(context.Background(), bot.Query{Text: q.Query}, AllSignals, poolSize)
		if err != nil {
			t.Fatal(err)
		}
		pl := pooled{pos: -1}
		for i, c := range cands {
			pl.f = append(pl.f, c.f)
			if c.doc.ID == q.ExpectedID {
				pl.pos = i
			}
		}
		out = append(out, pl)
	}
	return out
}

// fitRank learns ranking weights by minimising the listwise softmax loss
// (the right candidate against the others of its query) with L2, by Adam.
func fitRank(ps []pooled, l2 float64, epochs int) weights {
	var w, m, v weights
	const lr, b1, b2 = 0.05, 0.9, 0.999
	for ep := 1; ep <= epochs; ep++ {
		var g weights
		n := 0
		for _, p := range ps {
			if p.pos < 0 || len(p.f) < 2 {
				continue
			}
			n++
			zs := make([]float64, len(p.f))
			mx := math.Inf(-1)
			for i, f := range p.f {
				zs[i] = w.dot(f)
				mx = max(mx, zs[i])
			}
			var sum float64
			for i := range zs {
				zs[i] = math.Exp(zs[i] - mx)
				sum += zs[i]
			}
			for i, f := range p.f {
				coef := zs[i] / sum
				if i == p.pos {
					coef--
				}
				for k := range f {
					g[k] += coef * f[k]
				}
			}
		}
		for k := range g {
			g[k] = g[k]/float64(n) + l2*w[k]
			m[k] = b1*m[k] + (1-b1)*g[k]
			v[k] = b2*v[k] + (1-b2)*g[k]*g[k]
			mh := m[k] / (1 - math.Pow(b1, float64(ep)))
			vh := v[k] / (1 - math.Pow(b2, float64(ep)))
			w[k] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	w[ftBias] = 0 // has no effect on the order
	return w
}

// topOf returns the best score and whether the best is right.
func topOf(p pooled, w weights) (z float64, right bool) {
	best, bi := math.Inf(-1), -1
	for i, f := range p.f {
		if s := w.dot(f); s > best {
			best, bi = s, i
		}
	}
	return best, bi >= 0 && bi == p.pos
}

func precisionAt1(ps []pooled, w weights) float64 {
	hit := 0
	for _, p := range ps {
		if _, right := topOf(p, w); right {
			hit++
		}
	}
	return float64(hit) / float64(len(ps))
}

// TestLearnWeights learns the re-ranking model on the development half of
// each faq_dev set and prints it as Go for weights.go. It reports P@1 on the
// held-out half, which plays no part in the fit. Run:
//
//	go test ./knowledge -run TestLearnWeights -learn -v
func TestLearnWeights(t *testing.T) {
	if !*learn {
		t.Skip("run with -learn to learn the re-ranking weights")
	}
	var src strings.Builder
	for _, lang := range []string{"en", "zh"} {
		docs, qs := loadFAQDev(t, lang)
		ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dev, held := Split(qs)
		pd, ph := pools(t, ix, dev), pools(t, ix, held)
		inPool := 0
		for _, p := range pd {
			if p.pos >= 0 {
				inPool++
			}
		}
		cur := modelFor(lang == "zh").rank
		t.Logf("%s: right answer in the pool for %d of %d dev queries; current weights P@1 dev %.3f held-out %.3f",
			lang, inPool, len(pd), precisionAt1(pd, cur), precisionAt1(ph, cur))
		var best weights
		bestP := -1.0
		for _, l2 := range []float64{0.0001, 0.001, 0.01} {
			w := fitRank(pd, l2, 400)
			// Choose L2 on the development half only.
			if p := precisionAt1(pd, w); p > bestP {
				best, bestP = w, p
			}
			t.Logf("%s l2=%g: P@1 dev %.3f held-out %.3f", lang, l2, precisionAt1(pd, w), precisionAt1(ph, w))
		}
		// faq_dev has no intents, product codes or languages to learn from:
		// these weights are set by hand, as priors.
		best[ftIntent], best[ftCode], best[ftLang] = priorIntent, priorCode, priorLang
		t.Logf("%s chosen: P@1 dev %.3f held-out %.3f", lang, precisionAt1(pd, best), precisionAt1(ph, best))
		fmt.Fprintf(&src, "// %s\nmodel{\n\trank: weights{", lang)
		for i, x := range best {
			if i > 0 {
				src.WriteString(", ")
			}
			fmt.Fprintf(&src, "%.3f", x)
		}
		fmt.Fprintf(&src, "},\n}\n")
		for i, x := range best {
			t.Logf("%s %-10s %+.3f", lang, featureNames[i], x)
		}
		ix.Close()
	}
	t.Logf("learned models:\n%s", src.String())
}
