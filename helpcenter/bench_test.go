package helpcenter_test

import (
	"net/http/httptest"
	"sort"
	"testing"
	"time"
)

// BenchmarkPages serves help-center pages of a 10,000-document knowledge
// base (search through the real knowledge index) and reports the server
// time per page (ns/op), its p99 and the page weight:
//
//	go test ./helpcenter -run '^$' -bench Pages -benchtime 2000x
func BenchmarkPages(b *testing.B) {
	pub, _, _ := newShop(b, bigShop(10_000))
	_, _ = get(b, pub, "/kb") // build the site once, as the first request after a content change does
	for _, c := range []struct{ name, target string }{
		{"home", "/kb"},
		{"home-zh", "/kb?lang=zh"},
		{"topic", "/kb?topic=topic-3"},
		{"articles", "/kb?list=articles&page=2"},
		{"article", "/kb/pages/a7"},
		{"faq", "/kb/faq-12"},
		{"product", "/kb/P-5"},
		{"search", "/kb?q=how+does+service+12+work"},
		{"search-zh", "/kb?q=%E7%AC%AC12%E9%A1%B9%E6%9C%8D%E5%8A%A1%E6%80%8E%E4%B9%88%E5%8A%9E%E7%90%86"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.target, nil)
			durs := make([]time.Duration, 0, b.N)
			size := 0
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				rec := httptest.NewRecorder()
				start := time.Now()
				pub.ServeHTTP(rec, req)
				durs = append(durs, time.Since(start))
				size = rec.Body.Len()
			}
			b.StopTimer()
			sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
			b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}
