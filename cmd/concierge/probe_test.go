package main

import (
	"context"
	"strings"
	"testing"
)

// TestHandoffProbe runs the hand-off probe (testdata/probe: complaints,
// safety incidents and requests for a person in fifteen trades none of the
// companies is in, beside ordinary questions that share their words; written
// blind, then used to tune the complaint detector's grievance, service
// request and person rules) against the demo content, the way `concierge
// answers eval --messages` does, and guards the figures reached. It is a
// tuning set: the held-out figures are the companies' (README).
//
//	go run ./cmd/concierge answers eval configs/demo --messages testdata/probe/handoff_en.csv
func TestHandoffProbe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo index")
	}
	// Figures when the rules landed (handed off / service kept, of 130
	// each): en 124 / 121, zh 124 / 126. The floors leave room for two
	// messages each way.
	floors := map[string][2]int{"en": {122, 118}, "zh": {122, 124}}
	for lang, floor := range floors {
		checkProbe(t, "handoff_"+lang+".csv", floor)
	}
}

// checkProbe runs the probe file name of testdata/probe against the demo
// content and fails when fewer than floor[0] of its complaints, safety
// incidents and requests for a person are handed off, or fewer than
// floor[1] of its ordinary questions are kept.
func checkProbe(t *testing.T, name string, floor [2]int) {
	t.Helper()
	msgs, err := readLabelled("../../testdata/probe/"+name, true)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: func(string) string { return "" }}
	r, _, err := runAnswersEval(context.Background(), e, answersEvalOptions{Content: "../../configs/demo/content", Messages: msgs})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: handed off %s, service kept %s", name, r.HandOff, r.Service)
	if r.HandOff.Right < floor[0] || r.Service.Right < floor[1] {
		t.Errorf("%s: handed off %s (floor %d), service questions kept %s (floor %d)",
			name, r.HandOff, floor[0], r.Service, floor[1])
	}
}

// TestFreshTradesProbes runs the fresh probes (testdata/probe/
// fresh_trades.csv, fresh_trades2.csv and fresh_trades3_{en,zh}.csv: first
// messages to twenty-eight trades no company here has, written blind)
// against the demo content and guards
// the figures reached, so that a change to the complaint trigger cannot
// quietly lose what it does. Only the failures of their even-numbered
// lines had been read until stop 52 (README, stops 46, 47, 51 and 52;
// fresh_trades3_zh's requests for a person were read whole, and its
// missed complaints, odd lines too, were listed in stop 52); stop 62 read
// every missed complaint of all four, so they are tuning sets now.
//
//	go run ./cmd/concierge answers eval configs/demo --messages testdata/probe/fresh_trades2.csv
func TestFreshTradesProbes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo index")
	}
	// Figures at stop 47's end (complaints, safety and person handed off /
	// ordinary questions kept): fresh_trades 68/72 and 73/80,
	// fresh_trades2 90/112 and 188/208; at stop 52's end fresh_trades 68/72
	// and 73/80, fresh_trades2 90/112 and 190/208, fresh_trades3_en 122/136
	// and 89/96, fresh_trades3_zh 108/136 and 92/96; at stop 62's end
	// fresh_trades 71/72 and 76/80, fresh_trades2 98/112 and 194/208,
	// fresh_trades3_en 124/136 and 90/96, fresh_trades3_zh 122/136 and
	// 92/96. The floors leave room for two messages each way.
	floors := map[string][2]int{"fresh_trades": {69, 74}, "fresh_trades2": {96, 192},
		"fresh_trades3_en": {122, 88}, "fresh_trades3_zh": {120, 90}}
	for name, floor := range floors {
		checkProbe(t, name+".csv", floor)
	}
}
