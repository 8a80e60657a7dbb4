package knowledge

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestSoftCoverage pins what the word-vector features credit: a query word
// the title lacks, by how close the title's nearest word comes ("cost" and
// "price"), and a word neither title nor body holds, by the body's ("hours"
// and "minutes"); nothing for a word the title holds (the plain coverage
// counts it), nothing for words less alike than softMin ("hours" and
// "length"), and nothing at all for Chinese or with the signal off. What
// the features do to rankings is measured by the evaluations (README).
func TestSoftCoverage(t *testing.T) {
	faq := func(id, q, a, lang string) Document {
		return Document{ID: id, Title: q, Body: a, Question: q, Answer: a, Kind: bot.KindFAQ,
			Audience: bot.AudiencePublic, Lang: lang, URL: "/kb/" + id}
	}
	docs := []Document{
		faq("price", "Lesson prices", "A single lesson is 200 yuan.", "en"),
		faq("length", "Lesson length", "Each lesson lasts fifty minutes.", "en"),
		faq("zh", "课程价格", "单节课200元。", "zh"),
	}
	ctx := context.Background()
	ix, err := Build(ctx, filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	soft := func(text, id string, sig Signals) (title, body float64) {
		t.Helper()
		p := ix.prepare(ctx, bot.Query{Text: text}, sig)
		sd, err := ix.stored(id)
		if err != nil {
			t.Fatal(err)
		}
		sd.prepareViews(ctx, ix)
		return softCoverage(&p, sd.derived(p.zh))
	}
	if tp, _ := soft("lesson cost", "price", AllSignals); tp <= 0 {
		t.Errorf("\"cost\" earns no credit from the title \"Lesson prices\": %v", tp)
	}
	tp, _ := soft("lesson cost", "price", AllSignals)
	if tl, _ := soft("lesson cost", "length", AllSignals); tl >= tp {
		t.Errorf("\"lesson cost\": title credit %.3f for \"Lesson length\" ≥ %.3f for \"Lesson prices\"", tl, tp)
	}
	if tt, b := soft("lesson hours", "length", AllSignals); tt != 0 || b <= 0 {
		t.Errorf("\"hours\" against \"Lesson length\", \"Each lesson lasts fifty minutes\": title %v (want 0), body %v (want > 0)", tt, b)
	}
	if tt, b := soft("lesson", "price", AllSignals); tt != 0 || b != 0 {
		t.Errorf("a word the title holds earns soft credit: %v %v", tt, b)
	}
	if tt, b := soft("lesson cost", "price", AllSignals&^SignalVectors); tt != 0 || b != 0 {
		t.Errorf("credit with the signal off: %v %v", tt, b)
	}
	if tt, b := soft("课程多少钱", "zh", AllSignals); tt != 0 || b != 0 {
		t.Errorf("credit for a Chinese query: %v %v", tt, b)
	}
}
