package intents

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDevExp: quick accuracy of the final model only (no CV), for experiments.
func TestDevExp(t *testing.T) {
	sets := os.Getenv("DEV_SETS") // "train:test;train:test"
	if sets == "" {
		t.Skip()
	}
	var opts TrainOptions
	if j := os.Getenv("DEV_OPTS"); j != "" {
		if err := json.Unmarshal([]byte(j), &opts); err != nil {
			t.Fatal(err)
		}
	}
	opts = opts.withDefaults()
	for _, pair := range strings.Split(sets, ";") {
		a, b, _ := strings.Cut(pair, ":")
		train, test := loadCSV(t, a), loadCSV(t, b)
		t0 := time.Now()
		c0 := cpuTime()
		labels := labelsOf(train)
		v := newVectorizer(opts.Features)
		texts := make([]string, len(train))
		for i := range train {
			texts[i] = train[i].Text
		}
		v.fit(texts)
		y := make([]int, len(train))
		vecs := make([]sparse, len(train))
		for i, e := range train {
			y[i] = slices.Index(labels, e.Label)
			vecs[i] = v.transform(e.Text, sparse{})
		}
		x := newCSR(vecs)
		rows := make([]int, len(train))
		for i := range rows {
			rows[i] = i
		}
		var cw []float64
		if opts.ClassWeight != 1 || opts.Balanced {
			counts := map[string]int{}
			for _, e := range train {
				counts[e.Label]++
			}
			cw = make([]float64, len(labels))
			for i, l := range labels {
				cw[i] = opts.ClassWeight
				if opts.Balanced {
					cw[i] *= float64(len(train)) / float64(len(labels)*counts[l])
				}
			}
		}
		lin, _ := trainOVR(context.Background(), x, rows, y, len(labels), svmParams{C: opts.C, Eps: opts.Tolerance, MaxIter: opts.MaxIter, Bias: 1, Seed: 1, nFeature: v.nFeat}, cw)
		dur := time.Since(t0)
		cpu := cpuTime() - c0
		right := 0
		sc := make([]float64, len(labels))
		for _, e := range test {
			lin.scores(v.transform(e.Text, sparse{}), sc)
			best := 0
			for c := range sc {
				if sc[c] > sc[best] {
					best = c
				}
			}
			if labels[best] == e.Label {
				right++
			}
		}
		t.Logf("%-40s acc %.4f feats %d nnz/row %.0f train %v cpu %v", a[strings.LastIndex(a, "/datasets/")+10:], float64(right)/float64(len(test)), v.nFeat, float64(len(x.idx))/float64(x.rows()), dur.Round(time.Millisecond), cpu.Round(time.Millisecond))
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
