package knowledge

import (
	"context"
	"os"
	"path/filepath"
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

// TestServiceAbsent checks that asking whether the company does something
// the content never names (an acronym, a Latin word, a Chinese object of
// which no character pair stands in the content) caps every hit under the
// answer threshold, while asking about what it does, or naming an absent
// word beside ones it holds, does not.
func TestServiceAbsent(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, text := range []string{"can you do an MRI", "能做CT吗", "do you install solar panels?", "能装太阳能板不",
		"can i get a tattoo at your shop"} {
		if !ix.serviceAbsent(ctx, text) {
			t.Errorf("%q: not read as asking for a service the content never mentions", text)
		}
		if h := ix.offTopicCap(ctx, text, []bot.Hit{{ID: "x", Confidence: 0.99}}); h[0].Confidence >= defaultMinAnswer {
			t.Errorf("%q: a sure hit stays at %.2f", text, h[0].Confidence)
		}
	}
	for _, text := range []string{"can you do gift wrapping", "do you offer tea tasting?", "can you deliver to hangzhou",
		"能做礼盒包装吗", "can you do it cheaper", "can you do a purple velvet teapot gift box for me",
		"can i get a refund at the store"} {
		if ix.serviceAbsent(ctx, text) {
			t.Errorf("%q: read as asking for a service the content never mentions", text)
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

// TestWorldAroundTheShop checks the off-topic subjects of the world
// around a shop (what parking or the journey costs, the weather forecast,
// who owns it): recognised in both languages, absent unless one document
// holds all of a mention's words ("parking fee" is not mentioned by a page
// naming Jiaozi Park beside another charging a delivery fee), and asked
// about a subject the content never mentions, answered by neither a
// passage nor the catalogue ("你们招花艺师吗" of a florist selling a
// florist course).
func TestWorldAroundTheShop(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "content")
	writeFiles(t, dir, map[string]string{
		"faq.csv": "id,question,answer\n" +
			"faq-shop,Where is your shop?,\"B1, Jiaozi Park Mall, next to the metro. Open 10:00-21:00.\"\n" +
			"faq-fee,How much is delivery?,The delivery fee is 20 yuan inside the ring road.\n" +
			"faq-shop-zh,你们店在哪,交子公园商场B1层，地铁站旁边。\n",
		"products.csv": "sku,name,category,price,currency,description,tags,lang\n" +
			"WS-PRO,花艺师职业课,课程,4800.00,CNY,五天的花艺师职业课。,花艺师,zh\n",
	})
	docs, probs, err := Load(os.DirFS(dir))
	if err != nil || len(probs) > 0 {
		t.Fatalf("Load: %v %v", err, probs)
	}
	ix, err := Build(ctx, filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !ix.mentionsAny(ctx, []string{"parking fee"}) || ix.mentionsInOne(ctx, []string{"parking fee"}) {
		t.Error("mentionsInOne does not ask for the words in one document")
	}
	for _, text := range []string{
		"how much is parking at the mall per hour", "商场停车一小时多少钱",
		"how much is a taxi from the east station to your shop", "坐地铁到你们店要多少钱",
		"will it rain tomorrow, i want to come by", "明天会不会下雨",
		"who owns the shop", "你们老板是谁",
		"你们招花艺师吗",
	} {
		if !ix.offTopicAbsent(ctx, text) {
			t.Errorf("%q: not read as asking about an absent subject", text)
		}
	}
	for _, text := range []string{"is there parking", "how much is delivery", "which metro station is near you", "你们店在哪",
		// A trade's own services and advice, not the world around it.
		"what if it rains on the day of the shoot", "天气热蛋糕能放多久", "how much is the bus tour to the old town",
		"how much does your garage charge for an oil change", "any tips for owners of senior dogs", "高铁票能帮忙订吗 多少钱"} {
		if ix.offTopicAbsent(ctx, text) {
			t.Errorf("%q: read as asking about an absent subject", text)
		}
	}
	if a, err := ix.Answer(ctx, bot.Query{Text: "你们招花艺师吗", Audiences: bot.RoleCustomer.Audiences()}); err != nil || a.OK {
		t.Errorf("the catalogue answered a question about jobs: %+v, %v", a, err)
	}
	if a, err := ix.Answer(ctx, bot.Query{Text: "花艺师职业课多少钱", Audiences: bot.RoleCustomer.Audiences()}); err != nil || !a.OK {
		t.Errorf("the catalogue did not answer the course's price: %+v, %v", a, err)
	}
}
