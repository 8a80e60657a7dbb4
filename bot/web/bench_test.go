package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/web"
	"github.com/concierge-bot/concierge/storage"
)

// BenchmarkPostMessage measures POST /api/v1/messages end to end on
// loopback HTTP: API key check, rate limit, JSON, a real Engine (fake
// classifier and retriever) and every message stored durably in SQLite
// (synchronous=FULL, group commit), 64 clients at once.
//
// Goal: ≥ 1,000 messages/s on 2 cores (reported as msgs/s), so that the
// HTTP layer is never what limits `concierge loadtest`.
func BenchmarkPostMessage(b *testing.B) {
	for _, durable := range []bool{true, false} {
		name := "durable"
		if !durable {
			name = "nosync"
		}
		b.Run(name, func(b *testing.B) {
			db, err := storage.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), storage.Options{NoSync: !durable})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			eng := benchEngine(b, db)
			srv, err := web.New(web.Options{Engine: eng, APIKeys: []string{testKey}})
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var n atomic.Int64
			b.SetParallelism(32) // 64 clients on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					body := fmt.Sprintf(`{"channel":"api","user_id":"bench-%d","text":"How long does shipping take?"}`, i%500)
					req, _ := http.NewRequest("POST", ts.URL+"/api/v1/messages", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+testKey)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func benchEngine(b *testing.B, db *storage.DB) *bot.Engine {
	b.Helper()
	eng, err := bot.NewEngine(bot.EngineOptions{
		Classifier: demoClassifier(), Retriever: demoRetriever(), Store: db,
	})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}
