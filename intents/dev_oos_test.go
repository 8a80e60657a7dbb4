package intents

import (
	"context"
	"os"
	"slices"
	"testing"
)

func TestDevOOS(t *testing.T) {
	dir := os.Getenv("DEV_OOS")
	if dir == "" {
		t.Skip()
	}
	train, test := loadCSV(t, dir+"/train.csv"), loadCSV(t, dir+"/test_unseen.csv")
	m, err := Train(context.Background(), train, TrainOptions{MaxInScopeDrop: -1})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		prob, raw float64
		correct, oos bool
	}
	var rows []row
	sc := make([]float64, len(m.labels))
	pr := make([]float64, len(m.labels))
	for _, e := range test {
		v := m.vec.transform(e.Text, sparse{})
		m.lin.scores(v, sc)
		softmax(sc, m.temp, pr)
		best, conf := m.bestInScope(pr)
		raw := sc[best]
		if m.oos >= 0 {
			raw = sc[best] - max(sc[m.oos], -1)
		}
		isOOS := !slices.Contains(m.labels, e.Label) || e.Label == "oos"
		rows = append(rows, row{conf, raw, m.labels[best] == e.Label && !(m.oos >= 0 && pr[m.oos] > conf), isOOS})
	}
	for _, crit := range []string{"prob", "raw"} {
		for _, drop := range []float64{0.01, 0.02, 0.03, 0.05} {
			key := func(r row) float64 {
				if crit == "prob" {
					return r.prob
				}
				return r.raw
			}
			// oracle: threshold so that in-scope correct rejections = drop.
			var ins []float64
			nin := 0
			base := 0
			for _, r := range rows {
				if !r.oos {
					nin++
					if r.correct {
						base++
						ins = append(ins, key(r))
					}
				}
			}
			slices.Sort(ins)
			th := ins[int(drop*float64(nin))]
			rej, nO := 0, 0
			for _, r := range rows {
				if r.oos {
					nO++
					if key(r) < th {
						rej++
					}
				}
			}
			t.Logf("%s drop %.2f: base in-scope %.4f oos recall %.3f (th %.3f)", crit, drop, float64(base)/float64(nin), float64(rej)/float64(nO), th)
		}
	}
}
