package intents

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestCheckThresholdMeasurements measures where MinExamplesPerLanguage
// comes from: it trains on the first n examples of every intent (after a
// fixed shuffle) of each public dataset's training set and tests on its test
// set, logging the accuracy and the share of intents recognised less than
// half of the time. It trains 21 models, so it runs only when
// CONCIERGE_MEASURE is set:
//
//	CONCIERGE_MEASURE=1 go test ./intents -run TestCheckThresholdMeasurements -v
func TestCheckThresholdMeasurements(t *testing.T) {
	if os.Getenv("CONCIERGE_MEASURE") == "" {
		t.Skip("set CONCIERGE_MEASURE=1 to measure (trains 21 models)")
	}
	ds := datasetsDir(t)
	sets := []struct{ name, train, test string }{
		{"banking77", "banking77/train_full.csv", "banking77/test.csv"},
		{"hwu64", "hwu64/train_full.csv", "hwu64/test.csv"},
		{"smp2017", "smp2017/train.csv", "smp2017/test.csv"},
	}
	for _, set := range sets {
		train := loadCSV(t, filepath.Join(ds, set.train))
		test := loadCSV(t, filepath.Join(ds, set.test))
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		for _, n := range []int{3, 5, 7, 10, 15, 20, 30} {
			seen := map[string]int{}
			var sub []Example
			for _, e := range train {
				if seen[e.Label] < n {
					seen[e.Label]++
					sub = append(sub, e)
				}
			}
			m, err := Train(context.Background(), sub, TrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := newScorer()
			right, total := map[string]int{}, map[string]int{}
			s.evaluate(m, test, func(_ int, truth string, p Prediction) {
				total[truth]++
				if p.Intent == truth {
					right[truth]++
				}
			})
			r := s.result()
			below := 0
			for l, n := range total {
				if 2*right[l] < n {
					below++
				}
			}
			t.Logf("%-9s n=%2d  top-1 %.3f  in scope %.3f  intents below 50 %%: %2d of %d (%.0f %%)",
				set.name, n, r.AccuracyTop1, r.AccuracyInScope, below, len(total), 100*float64(below)/float64(len(total)))
		}
	}
}
