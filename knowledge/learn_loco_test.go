package knowledge

import (
	"context"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var locoEval = flag.Bool("loco", false, "measure the ranking left one company out (see TestRankLeaveOneCompanyOut)")

// TestRankLeaveOneCompanyOut measures how the ranking carries to a company
// it was not fitted on: for each of the read companies, the ranking weights
// are fitted as TestLearnWeights fits them (the development halves of
// faq_dev and the tuning companies' questions, L2 0.001) but without that
// company, and its questions (answerable and employees', the ones the
// weights learn from) are ranked by them; the other six read companies
// (bakery, yoga, florist, laundry, school, wine), never fitted on, are
// ranked by the weights of all five. It logs, per language, how often the
// first candidate is right and how often a right one is in the first three.
// Use it for a change to the ranking's features or vocabulary before
// regenerating weights.go: the figure of weights fitted on the company
// itself says little. It runs only with -loco (a quarter of a minute):
//
//	go test ./knowledge -run 'TestRankLeaveOneCompanyOut$' -loco -v
func TestRankLeaveOneCompanyOut(t *testing.T) {
	if !*locoEval {
		t.Skip("runs with -loco")
	}
	const l2 = 0.001
	names := append(slices.Clone(tuningCompanies), "bakery", "yoga", "florist", "laundry", "school", "wine")
	cs := loadCompaniesNamed(t, names)
	for _, lang := range []string{"en", "zh"} {
		docs, qs := loadFAQDev(t, lang)
		ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb-"+lang), docs, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		dev, _ := Split(qs)
		pd := pools(t, ix, dev)
		ix.Close()
		per := map[string][]pooled{}
		for _, c := range cs {
			per[c.name], _ = companyPools(t, []company{c}, lang == "zh")
		}
		first, top3, n := 0, 0, 0
		for _, held := range names {
			train := slices.Clone(pd)
			for _, o := range tuningCompanies {
				if o != held {
					train = append(train, per[o]...)
				}
			}
			w := finish(fitRank(train, l2, learnEpochs))
			h, h3 := hitsAt1(per[held], w), hitsAt3(per[held], w)
			t.Logf("%s %s: first right %d, right in the first three %d, of %d", lang, held, h, h3, len(per[held]))
			first, top3, n = first+h, top3+h3, n+len(per[held])
		}
		t.Logf("%s, each company left out: first right %d, right in the first three %d, of %d", lang, first, top3, n)
	}
}

// hitsAt3 counts the queries with a right answer among the three best
// candidates under w (ties to the smaller document id, as top).
func hitsAt3(ps []pooled, w weights) int {
	n := 0
	for _, p := range ps {
		idx := make([]int, len(p.f))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			za, zb := w.dot(p.f[a]), w.dot(p.f[b])
			switch {
			case za > zb:
				return -1
			case za < zb:
				return 1
			}
			return strings.Compare(p.ids[a], p.ids[b])
		})
		for _, i := range idx[:min(3, len(idx))] {
			if p.good[i] {
				n++
				break
			}
		}
	}
	return n
}
