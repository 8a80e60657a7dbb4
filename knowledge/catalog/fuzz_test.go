package catalog

import (
	"context"
	"testing"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

var fuzzSeeds = []string{
	"How much is the Longjing?", "龙井多少钱", "Do you have 龙井 in stock?", "smoky tea as a gift under ¥200",
	"difference between metro 3 and metro 7", "400和800的前灯差在哪", "预算4000左右", "between 100 and 300 rmb",
	"两岁半的小孩 500以内", "1,599.00", "3,4", "¥", "under", "- - -", "x×x 1x2x3", "十万八千", "半", "'s's'",
	"e-bike/u-lock", "\xff\xfe", "最便宜的最贵的", "vs vs vs and and", "12.5.6kg", "10000000000000000000000 yuan",
}

// FuzzParse checks that Parse never panics and keeps its invariants on any
// input.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		q := Parse(text)
		if q.Lang != "en" && q.Lang != "zh" {
			t.Fatalf("Lang %q", q.Lang)
		}
		if q.split >= len(q.words) {
			t.Fatalf("split %d of %d words", q.split, len(q.words))
		}
		if len(q.qtyAt) != len(q.Quantities) {
			t.Fatalf("%d quantity positions for %d quantities", len(q.qtyAt), len(q.Quantities))
		}
		for _, at := range q.qtyAt {
			if at >= len(q.words) {
				t.Fatalf("quantity at %d of %d words", at, len(q.words))
			}
		}
		if s := q.Subject(); utf8.ValidString(text) && !utf8.ValidString(s) {
			t.Fatalf("subject %q is not valid UTF-8", s)
		}
	})
}

// FuzzAnswer checks that Answer never panics or fails, that an answer
// keeps the contract, and that a customer never sees the internal product.
func FuzzAnswer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "")
	}
	f.Add("how much is the staff demo chainsaw", "en")
	f.Add("修枝剪多少钱", "zh")
	f.Add("do you sell lawnmowers", "en")
	ix := newGarden(f)
	f.Fuzz(func(t *testing.T, text, lang string) {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK {
			return
		}
		if a.Confidence < MinConfidence || a.Confidence > 1 || a.Text == "" {
			t.Fatalf("OK answer with confidence %.3f and text %q", a.Confidence, a.Text)
		}
		if len(a.Choices) > bot.MaxChoices {
			t.Fatalf("%d choices", len(a.Choices))
		}
		for _, s := range append(a.Sources, a.Choices...) {
			if s.ID == "TL-99" {
				t.Fatalf("internal product shown to a customer: %q", text)
			}
		}
	})
}
