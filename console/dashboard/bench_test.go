package dashboard

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDashboard is the speed goal of issue 11: the dashboard page of the
// seeded 90-day demo renders in at most 300 ms of server time and weighs at
// most 200 KB (reported as bytes/page; the stylesheet is reported apart).
func BenchmarkDashboard(b *testing.B) {
	d := newDashboard(b, seeded(b, 90))
	for _, target := range []string{"/console/dashboard?days=90", "/console/dashboard?days=30", "/console/dashboard?days=7"} {
		b.Run(target[len(Path)+1:], func(b *testing.B) {
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, CSSPath, nil))
	b.Logf("stylesheet: %d bytes", rec.Body.Len())
}
