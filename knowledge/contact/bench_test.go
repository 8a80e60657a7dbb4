package contact

import "testing"

// BenchmarkAsked measures the check every customer message pays.
func BenchmarkAsked(b *testing.B) {
	texts := []string{"how long does shipping to Germany take and can I pay with PayPal", "what's your phone number",
		"龙井多少钱 有没有现货", "我的订单什么时候发货", "do you have a small teapot for one person?"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Asked(texts[i%len(texts)])
	}
}
