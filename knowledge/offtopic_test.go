package knowledge

import (
	"context"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestOffTopicAbsent checks that a question about a subject the demo
// content never mentions (jobs, a franchise, calories) gets no answerable
// hit, in both languages, while its ordinary questions keep theirs.
func TestOffTopicAbsent(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, text := range []string{"are you hiring?", "可以加盟吗 想在成都开一家", "how many calories in a cup of oolong",
		"一杯奶茶多少卡路里", "whats the wifi password", "can I bring my dog into the shop", "可以带狗进店吗"} {
		hits, err := ix.Retrieve(ctx, bot.Query{Text: text, Audiences: bot.RoleCustomer.Audiences()})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) > 0 && hits[0].Confidence >= defaultMinAnswer {
			t.Errorf("%q: %s at %.2f, want nothing answerable", text, hits[0].ID, hits[0].Confidence)
		}
		// Even a passage the ranking is sure of is only offered.
		sure := ix.offTopicCap(ctx, text, []bot.Hit{{ID: "x", Confidence: 0.99}})
		if sure[0].Confidence >= defaultMinAnswer {
			t.Errorf("%q: a sure hit stays at %.2f", text, sure[0].Confidence)
		}
	}
	for _, text := range []string{"can I pay using alipay", "发货后多久能收到"} {
		if ix.offTopicAbsent(ctx, text) {
			t.Errorf("%q: read as an absent subject", text)
		}
		if h := ix.offTopicCap(ctx, text, []bot.Hit{{ID: "x", Confidence: 0.99}}); h[0].Confidence != 0.99 {
			t.Errorf("%q: confidence changed to %.2f", text, h[0].Confidence)
		}
	}
	// The demo mentions students (its student discount): the subject
	// stays open to the ranking.
	if ix.offTopicAbsent(ctx, "do you have a student discount") {
		t.Error("student discount: read as absent, but the demo mentions students")
	}
	if ix.offTopicAbsent(ctx, "any good hotpot near your shop") {
		t.Error("food nearby: read as absent, but the demo mentions restaurants")
	}
	var asked int
	for _, text := range []string{"any good hotpot near your shop", "附近有什么好吃的推荐", "do you have a student discount"} {
		for _, ot := range offTopics {
			if ot.asks.MatchString(text) {
				asked++
				break
			}
		}
	}
	if asked != 3 {
		t.Errorf("%d of 3 off-topic questions recognised", asked)
	}
	if ix.offTopicAbsent(ctx, "do you sell teapots") || !ix.mentionsAny(ctx, []string{"teapot"}) || ix.mentionsAny(ctx, []string{"franchise"}) {
		t.Error("mentionsAny does not tell the demo's words from others")
	}
}

// TestSoldAbsent checks that asking in so many words whether the shop
// sells or has something its content never mentions caps every hit below
// the answer threshold, in both languages, while what the demo sells, a
// typo of it, and questions that only look alike keep their confidence.
func TestSoldAbsent(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, text := range []string{"do you sell surfboards", "do you have umbrellas", "有没有冥想课 颂钵那种", "有滑雪板吗"} {
		if !ix.soldAbsent(ctx, text) {
			t.Errorf("%q: not read as asking for something the content never mentions", text)
		}
		if h := ix.offTopicCap(ctx, text, []bot.Hit{{ID: "x", Confidence: 0.99}}); h[0].Confidence >= defaultMinAnswer {
			t.Errorf("%q: a sure hit stays at %.2f", text, h[0].Confidence)
		}
	}
	for _, text := range []string{"do you sell teapots", "do you sell teapotts", "do you have oolong", "有没有龙井",
		"how many shops do you have in hangzhou", "is there parking", "any discounts this week"} {
		if ix.soldAbsent(ctx, text) {
			t.Errorf("%q: read as asking for something absent", text)
		}
	}
}

// TestBrandAbsent checks that "what brand" is an off-topic subject: asked
// in both languages, absent from the yoga studio's content, which names no
// brand, and present in the demo's (its 品牌故事), while look-alikes
// ("what makes", which courier) are not read as asking it.
func TestBrandAbsent(t *testing.T) {
	ctx := context.Background()
	yoga := companyIndex(t, "yoga")
	demo, _ := demoIndex(t)
	for _, text := range []string{"what brand are your reformers", "which brand of mat do you use", "你们用的什么牌子的垫子", "瑜伽砖是哪个品牌"} {
		if !yoga.offTopicAbsent(ctx, text) {
			t.Errorf("yoga: %q not read as asking about an absent subject", text)
		}
		if demo.offTopicAbsent(ctx, text) {
			t.Errorf("demo: %q read as absent, but the demo names its brand", text)
		}
	}
	for _, text := range []string{"what makes your classes different", "你们发哪家的快递", "how do i book a class"} {
		if yoga.offTopicAbsent(ctx, text) {
			t.Errorf("yoga: %q read as asking about an absent subject", text)
		}
	}
}
