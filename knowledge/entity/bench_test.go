package entity

import (
	"testing"
	"unicode/utf8"
)

// Messages of 200 characters, as customers write them.
const (
	benchEN = "Hi there! I ordered a teapot last week and wanted to ask: can I pay with Apple Pay or PayPal if I live in Germany? Also do you ship to Hong Kong, and how long does it take to arrive? Thanks a lot!!"
	benchZH = "您好，我上周在你们店里买了一套茶具，想问一下如果寄到香港的话大概要多久能收到？另外能不能用花呗或者信用卡分期付款？我朋友在成都，也想买一些龙井和普洱送给家里人，寄到四川省成都市需要几天，运费怎么算？我们公司也想批量采购，可以对公转账并开专票吗？麻烦尽快回复一下，谢谢！祝生意兴隆，万事如意，期待你们的回复。请问门店营业时间是几点到几点呢"
)

func BenchmarkFind(b *testing.B) {
	g := New()
	for _, bm := range []struct{ name, text string }{{"en", benchEN}, {"zh", benchZH}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportMetric(float64(utf8.RuneCountInString(bm.text)), "chars")
			b.ReportAllocs()
			for b.Loop() {
				g.Find(bm.text)
			}
		})
		b.Run(bm.name+"/reused", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]Mention, 0, 16)
			for b.Loop() {
				buf = g.AppendFind(buf[:0], bm.text)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	g := New()
	b.ReportAllocs()
	for b.Loop() {
		g.Check("Can I pay with Apple Pay?", faqPayment01)
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New()
	}
}
