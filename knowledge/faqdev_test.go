package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// datasetDir returns the folder sub of ../shared/datasets (beside the
// module root). When it is absent the test skips with a message, except
// when the CI environment variable is set: there it fails, so that the
// accuracy guards can never silently vanish from CI.
func datasetDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "datasets", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("datasets not found at %s; CI is set, so the retrieval evaluations must run", dir)
		}
		t.Skipf("datasets not found at %s (skipped outside CI)", dir)
	}
	return dir
}

// loadFAQDev loads one faq_dev language set.
func loadFAQDev(t testing.TB, lang string) ([]Document, []EvalQuery) {
	t.Helper()
	dir := datasetDir(t, filepath.Join("faq_dev", lang))
	docs, probs, err := Load(os.DirFS(filepath.Join(dir, "content")))
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("faq_dev/%s content problems: %v", lang, probs)
	}
	f, err := os.Open(filepath.Join(dir, "queries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := LoadQueries(f)
	if err != nil {
		t.Fatal(err)
	}
	return docs, qs
}

// TestFAQDevTargets checks the full ranking against plain BM25 on the
// held-out half of each faq_dev set (the half the re-ranking weights were
// not fitted on), and logs each signal's effect on the development half.
func TestFAQDevTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("faq_dev evaluation skipped in -short mode")
	}
	ctx := context.Background()
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			docs, qs := loadFAQDev(t, lang)
			dir := t.TempDir()
			ix, err := Build(ctx, filepath.Join(dir, "kb"), docs, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			bl, err := BuildBaseline(ctx, filepath.Join(dir, "bl"), docs)
			if err != nil {
				t.Fatal(err)
			}
			defer bl.Close()
			dev, held := Split(qs)
			for _, part := range []struct {
				name string
				qs   []EvalQuery
			}{{"held-out", held}, {"dev", dev}, {"all", qs}} {
				base, err := Evaluate(ctx, bl, part.qs)
				if err != nil {
					t.Fatal(err)
				}
				own, err := Evaluate(ctx, ix, part.qs)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s %-8s n=%4d baseline P@1 %.3f MRR %.3f | ours P@1 %.3f MRR %.3f R@5 %.3f p99 %.0fus",
					lang, part.name, len(part.qs), base.PAt1, base.MRRAt10, own.PAt1, own.MRRAt10, own.RecallA5, own.P99us)
				if part.name != "held-out" {
					continue
				}
				// The target is 10 points over the baseline. This guard
				// fails on any change that loses more ground against plain BM25
				// than the committed weights have: on English they lead it; on
				// Chinese, fitted on the development half alone (weights.go),
				// they trail it by 1.4 points of P@1 and 0.3 of MRR on the
				// held-out half (README), and may not trail it further.
				slack := map[string]float64{"en": 0, "zh": 0.02}[lang]
				if own.PAt1 < base.PAt1-slack || own.MRRAt10 < base.MRRAt10-slack {
					t.Errorf("%s held-out: P@1 %.3f / MRR %.3f fall more than %.2f below plain BM25's %.3f / %.3f",
						lang, own.PAt1, own.MRRAt10, slack, base.PAt1, base.MRRAt10)
				}
				t.Logf("%s held-out: P@1 lead over plain BM25 %+.1f points (target +10)", lang, 100*(own.PAt1-base.PAt1))
			}
			if testing.Verbose() {
				for _, ab := range []struct {
					name string
					sig  Signals
				}{
					{"title only (BM25)", 0},
					{"-rerank", AllSignals &^ SignalRerank},
					{"-body", AllSignals &^ SignalBody},
					{"-fuzzy", AllSignals &^ SignalFuzzy},
					{"-unigrams", AllSignals &^ SignalUnigrams},
					{"-proximity", AllSignals &^ SignalProximity},
					{"-coverage", AllSignals &^ SignalCoverage},
				} {
					m, err := Evaluate(ctx, WithSignals{ix, ab.sig}, dev)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s dev %-18s P@1 %.3f MRR %.3f", lang, ab.name, m.PAt1, m.MRRAt10)
				}
			}
		})
	}
}

// TestRankingSameAcrossBuilds builds each faq_dev set twice, as two runs of
// `concierge knowledge eval` do, and requires the same ranking, with the
// same scores, for every query from both the index and the plain BM25
// baseline. bleve lays out and merges segments differently from build to
// build, which changes its order of tied hits and the last bits of scores.
func TestRankingSameAcrossBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("faq_dev evaluation skipped in -short mode")
	}
	ctx := context.Background()
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			docs, qs := loadFAQDev(t, lang)
			var runs [2][]string
			for k := range runs {
				dir := t.TempDir()
				ix, err := Build(ctx, filepath.Join(dir, "kb"), docs, BuildOptions{})
				if err != nil {
					t.Fatal(err)
				}
				bl, err := BuildBaseline(ctx, filepath.Join(dir, "bl"), docs)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range qs {
					var b strings.Builder
					for _, r := range []bot.Retriever{ix, bl} {
						hits, err := r.Retrieve(ctx, bot.Query{Text: q.Query, Limit: 10})
						if err != nil {
							t.Fatal(err)
						}
						for _, h := range hits {
							fmt.Fprintf(&b, "%s %v; ", h.ID, h.Score)
						}
						b.WriteString("| ")
					}
					runs[k] = append(runs[k], b.String())
				}
				ix.Close()
				bl.Close()
			}
			diff := 0
			for i := range qs {
				if runs[0][i] != runs[1][i] {
					if diff++; diff <= 3 {
						t.Errorf("%q ranks differently in two builds:\n%s\n%s", qs[i].Query, runs[0][i], runs[1][i])
					}
				}
			}
			if diff > 0 {
				t.Errorf("%d of %d queries rank differently in two builds of the same content", diff, len(qs))
			}
		})
	}
}
