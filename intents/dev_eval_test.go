package intents

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

func TestDevEval(t *testing.T) {
	tr, te := os.Getenv("DEV_TRAIN"), os.Getenv("DEV_TEST")
	if tr == "" {
		t.Skip()
	}
	load := func(p string) []Example {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ex, err := ReadCSV(f, p)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	opts := TrainOptions{}
	if j := os.Getenv("DEV_OPTS"); j != "" {
		if err := json.Unmarshal([]byte(j), &opts); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Train(context.Background(), load(tr), opts)
	if err != nil {
		t.Fatal(err)
	}
	test := load(te)
	r := Evaluate(m, test)
	m.threshold = 0
	r0 := Evaluate(m, test)
	t.Logf("no threshold: acc %.4f f1 %.4f", r0.Accuracy, r0.MacroF1)
	t.Logf("info %+v", m.Info())
	t.Logf("acc %.4f inscope %.4f oosR %.3f oosP %.3f f1 %.4f p50 %.1f p99 %.1f train %.2fs", r.Accuracy, r.AccuracyInScope, r.OOSRecall, r.OOSPrecision, r.MacroF1, r.P50Micros, r.P99Micros, r.TrainSeconds)
}
