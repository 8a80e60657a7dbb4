package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// BenchmarkDemoReply measures one customer message on the demo company
// without a language model, the whole way the server answers it:
// classifier, catalogue, knowledge index on disk, coverage check, lead and
// escalation checks, and both messages stored durably in SQLite. Each
// message is from a new customer, cycling through the demo regression
// questions (products, payments, places, typos, small talk, complaints) so
// that every decision path is in the mix. It reports the p50 and p99 of
// one reply next to ns/op; goal: p99 ≤ 20 ms.
func BenchmarkDemoReply(b *testing.B) {
	cfg := DefaultConfig()
	cfg.DataDir = b.TempDir()
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler), appOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	var texts []string
	for _, q := range demoQuestions {
		if q.kind != "" {
			texts = append(texts, q.text)
		}
	}
	ctx := context.Background()
	// One pass first, so that what is built on first use (homophones,
	// spelling vocabulary, document views) is not in the figures.
	for i, t := range texts {
		if _, err := a.engine.Handle(ctx, bot.Message{Channel: bot.ChannelTerminal, ExternalUserID: fmt.Sprintf("warm-%d", i), Text: t}); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := a.engine.Handle(ctx, bot.Message{Channel: bot.ChannelTerminal,
			ExternalUserID: fmt.Sprintf("bench-%d", i), Text: texts[i%len(texts)]}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/1e6, "p99-ms")
}
