package catalog

import (
	"context"
	"fmt"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// synthetic returns a catalogue of n products, each in English and
// Chinese, with size, weight and stock columns.
func synthetic(n int) []Product {
	adj := []string{"Classic", "Compact", "Deluxe", "Travel", "Pro", "Mini", "Heavy-Duty", "Eco", "Smart", "Vintage"}
	noun := []string{"Lamp", "Kettle", "Backpack", "Blanket", "Speaker", "Mug", "Tripod", "Umbrella", "Notebook", "Cushion"}
	zhNoun := []string{"台灯", "水壶", "双肩包", "毛毯", "音箱", "马克杯", "三脚架", "雨伞", "笔记本", "靠垫"}
	var ps []Product
	for i := range n {
		sku := fmt.Sprintf("SKU-%03d", i)
		attrs := map[string]string{"size": fmt.Sprintf("%d x %d cm", 10+i, 20+i), "weight": fmt.Sprintf("%d g", 200+10*i), "stock": fmt.Sprint(i % 4)}
		ps = append(ps,
			Product{ID: sku, SKU: sku, Lang: "en", Name: fmt.Sprintf("%s %s %d", adj[i%10], noun[i/5%10], i), Category: noun[i/5%10] + "s",
				Price: fmt.Sprintf("%d.00", 20+7*i), Currency: "CNY", Description: "A well made " + noun[i/5%10] + " for home and travel.",
				Tags: []string{adj[i%10], noun[i/5%10]}, Attrs: attrs, Audience: bot.AudiencePublic, URL: "/kb/" + sku},
			Product{ID: sku + "-zh", SKU: sku, Lang: "zh", Name: fmt.Sprintf("%s%s %d", adj[i%10], zhNoun[i/5%10], i), Category: zhNoun[i/5%10],
				Price: fmt.Sprintf("%d.00", 20+7*i), Currency: "CNY", Description: "做工精良的" + zhNoun[i/5%10] + "，居家旅行都适用。",
				Tags: []string{zhNoun[i/5%10]}, Attrs: attrs, Audience: bot.AudiencePublic, URL: "/kb/" + sku + "-zh"})
	}
	return ps
}

func benchAnswer(b *testing.B, text string, wantOK bool) {
	ix, err := New(synthetic(50), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	q := bot.Query{Text: text}
	a, err := ix.Answer(ctx, q)
	if err != nil || a.OK != wantOK {
		b.Fatalf("Answer(%q) = OK %v, %v; want OK %v\n%s", text, a.OK, err, wantOK, a.Text)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ix.Answer(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// The speed goals: a recognised question well under 1 ms on a 50-product
// catalogue; a message that is not about the catalogue in microseconds.
func BenchmarkAnswerPrice(b *testing.B)   { benchAnswer(b, "how much is the deluxe kettle 12", true) }
func BenchmarkAnswerPriceZH(b *testing.B) { benchAnswer(b, "豪华水壶12多少钱", false) }
func BenchmarkAnswerList(b *testing.B)    { benchAnswer(b, "cheapest umbrella under 400 yuan", true) }
func BenchmarkAnswerCompare(b *testing.B) {
	benchAnswer(b, "difference between the pro lamp 4 and the mini lamp 0", true)
}
func BenchmarkAnswerShipping(b *testing.B) {
	benchAnswer(b, "how long does shipping to Berlin take?", false)
}
func BenchmarkAnswerSmallTalk(b *testing.B) {
	benchAnswer(b, "hello, are you a real person?", false)
}

func BenchmarkNew(b *testing.B) {
	ps := synthetic(50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(ps, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
