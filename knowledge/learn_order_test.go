package knowledge

import (
	"flag"
	"slices"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

var orderEval = flag.Bool("order", false, "measure, leaving one company out, what byConfidence changes (see TestConfidenceOrder)")

// orderQuery is one labelled message's best candidates, ranked by the
// learned weights: what byConfidence needs of them, and the truth.
type orderQuery struct {
	kind     string
	co       string
	entities bool
	cands    []candidate // doc ids only
	g        [][nConf]float64
	good     []bool
}

// TestConfidenceOrder measures the confidence order (byConfidence) the way
// its claim is made: for each tuning company, the confidence model is
// fitted without it (fitConf, the shipped model's shape and seeds) and the
// company is answered at the Engine's default threshold, once from the
// ranking's first candidate and once in byConfidence's order; bakery and
// yoga, which no model is fitted on, are answered by the model fitted on
// all five. It runs only with -order (minutes of fitting):
//
//	go test ./knowledge -run 'TestConfidenceOrder$' -order -v
func TestConfidenceOrder(t *testing.T) {
	if !*orderEval {
		t.Skip("runs with -order")
	}
	const threshold = bot.DefaultMinAnswerConfidence
	names := append(slices.Clone(tuningCompanies), "bakery", "yoga")
	cs := loadCompaniesNamed(t, names)
	for _, zh := range []bool{false, true} {
		lang := map[bool]string{false: "en", true: "zh"}[zh]
		m := modelFor(zh)
		var qs []orderQuery
		for _, c := range cs {
			for _, q := range c.queries {
				if !q.confident() || zhQuery(q.text) != zh {
					continue
				}
				p, cands, rs := rankedPool(t, c, q, zh, m.rank)
				if len(cands) == 0 {
					continue
				}
				oq := orderQuery{kind: q.kind, co: c.name, entities: p.entities}
				for i := 0; i < len(cands) && i < confTop; i++ {
					oq.cands = append(oq.cands, candidate{doc: &storedDoc{ID: cands[i].doc.ID}})
					oq.g = append(oq.g, confFeatures(&p, cands, i, rs[i]))
					oq.good = append(oq.good, q.confGood(cands[i].doc))
				}
				qs = append(qs, oq)
			}
		}
		type tally struct{ right, wrong, unanswered, answerable, unanswerable int }
		var first, ordered tally
		fitted := map[string]*confModel{}
		for _, held := range names {
			if !slices.Contains(tuningCompanies, held) {
				held = "" // fitted on all five
			}
			if fitted[held] != nil {
				continue
			}
			var xs []confExample
			for _, q := range qs {
				if q.co == held || !slices.Contains(tuningCompanies, q.co) {
					continue
				}
				for i := range q.cands {
					xs = append(xs, confExample{g: q.g[i], good: q.good[i]})
				}
			}
			fitted[held] = fitConf(xs)
		}
		for _, q := range qs {
			model := fitted[""]
			if slices.Contains(tuningCompanies, q.co) {
				model = fitted[q.co]
			}
			conf := make([]float64, len(q.cands))
			for i := range q.cands {
				conf[i] = model.prob(&q.g[i])
			}
			cands := slices.Clone(q.cands)
			good := map[string]bool{}
			for i, c := range cands {
				good[c.doc.ID] = q.good[i]
			}
			score := func(tl *tally, id string, p float64) {
				switch {
				case q.kind == "unanswerable":
					tl.unanswerable++
					if p >= threshold {
						tl.unanswered++
					}
				case p < threshold:
					tl.answerable++
				case good[id]:
					tl.answerable++
					tl.right++
				default:
					tl.answerable++
					tl.wrong++
				}
			}
			score(&first, cands[0].doc.ID, conf[0])
			byConfidence(&prepared{entities: q.entities}, cands, conf)
			score(&ordered, cands[0].doc.ID, conf[0])
		}
		for _, r := range []struct {
			label string
			tl    tally
		}{{"ranking's first", first}, {"byConfidence", ordered}} {
			t.Logf("%s, %s, each tuning company left out, bakery and yoga unseen, at %.2f: answerable, product and employees answered right %d, wrong %d, of %d; unanswerable answered %d of %d",
				lang, r.label, threshold, r.tl.right, r.tl.wrong, r.tl.answerable, r.tl.unanswered, r.tl.unanswerable)
		}
	}
}
