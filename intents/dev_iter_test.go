package intents

import (
	"os"
	"testing"
	"time"
)

func TestDevIter(t *testing.T) {
	p := os.Getenv("DEV_TRAIN")
	if p == "" {
		t.Skip()
	}
	f, _ := os.Open(p)
	ex, _ := ReadCSV(f, p)
	v := newVectorizer(FeatureOptions{})
	texts := make([]string, len(ex))
	for i := range ex {
		texts[i] = ex[i].Text
	}
	v.fit(texts)
	vecs := make([]sparse, len(ex))
	for i := range ex {
		vecs[i] = v.transform(ex[i].Text, sparse{})
	}
	x := newCSR(vecs)
	t.Logf("nnz/row %.1f feats %d", float64(len(x.idx))/float64(x.rows()), v.nFeat)
	rows := make([]int, len(ex))
	y := make([]int8, len(ex))
	for i := range rows {
		rows[i] = i
		y[i] = -1
		if ex[i].Label == ex[0].Label {
			y[i] = 1
		}
	}
	for _, eps := range []float64{0.1, 0.5} {
		t0 := time.Now()
		trainBinary(x, rows, y, svmParams{C: 1, Eps: eps, MaxIter: 200, Bias: 1, Seed: 1, nFeature: v.nFeat})
		t.Logf("eps %v: %v", eps, time.Since(t0))
	}
}
