package intents

import (
	"math"
	"testing"
)

func TestEvaluate(t *testing.T) {
	m := mustShopModel(t)
	test := []Example{
		{"where is my parcel", "order_status"},
		{"我想退款", "refund_request"},
		{"are you open on saturday", "opening_hours"},
		{"😀😀😀", "oos"},                     // no features: always rejected
		{"", "weather_forecast"},           // unknown label counts as out of scope
		{"where is my parcel", "greeting"}, // wrong on purpose
	}
	r := Evaluate(m, test)
	if r.NTest != 6 || r.NTrain != len(mustShopFile(t).Examples()) {
		t.Errorf("NTest %d NTrain %d", r.NTest, r.NTrain)
	}
	approx := func(name string, got, want float64) {
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	approx("Accuracy", r.Accuracy, 5.0/6)
	approx("AccuracyInScope", r.AccuracyInScope, 3.0/4)
	approx("AccuracyTop1", r.AccuracyTop1, 3.0/4)
	approx("OOSRecall", r.OOSRecall, 1)
	approx("OOSPrecision", r.OOSPrecision, 1)
	if len(r.Confused) != 1 || r.Confused[0] != (Confusion{"greeting", "order_status", 1}) {
		t.Errorf("Confused = %+v", r.Confused)
	}
	if r.MacroF1 <= 0 || r.MacroF1 >= 1 {
		t.Errorf("MacroF1 = %v, want in (0,1)", r.MacroF1)
	}
	if r.P50Micros <= 0 || r.P99Micros < r.P50Micros {
		t.Errorf("latency p50 %v p99 %v", r.P50Micros, r.P99Micros)
	}
}
