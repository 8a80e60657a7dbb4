package llm_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/llm"
	"github.com/concierge-bot/concierge/llm/llmtest"
)

const fallbackTimeout = 200 * time.Millisecond

func shippingRetriever() (*bottest.Retriever, bot.Hit) {
	h := publicHits("en")[0]
	return &bottest.Retriever{Docs: []bottest.Doc{{Hit: h, Keywords: []string{"shipping"}}}}, h
}

// fallbackScenarios are the ways a provider fails; each returns a client.
func fallbackScenarios(t testing.TB) map[string]*llm.Client {
	t.Helper()
	mk := func(o llmtest.Options, opts llm.Options) *llm.Client {
		srv := llmtest.NewServer(o)
		t.Cleanup(srv.Close)
		opts.BaseURL, opts.Model, opts.Backoff = srv.BaseURL(), "fake-chat", 20*time.Millisecond
		c, err := llm.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	down := llmtest.NewServer(llmtest.Options{})
	downURL := down.BaseURL()
	down.Close()
	downClient, err := llm.New(llm.Options{BaseURL: downURL, Model: "fake-chat", Backoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	reply := func(r llmtest.Reply) llmtest.Options {
		return llmtest.Options{Chat: func(llmtest.ChatRequest) llmtest.Reply { return r }}
	}
	return map[string]*llm.Client{
		"down (connection refused)": downClient,
		"slower than the timeout":   mk(reply(llmtest.Reply{Text: "Late [1].", Delay: 5 * time.Second}), llm.Options{}),
		"503 on every attempt":      mk(reply(llmtest.Reply{Status: 503}), llm.Options{}),
		"stream never closes":       mk(reply(llmtest.Reply{Text: "Orders ship [1]", Hang: true}), llm.Options{Stream: true}),
		"html instead of json":      mk(reply(llmtest.Reply{Body: "<html>login</html>"}), llm.Options{}),
	}
}

// TestTargetFallback: while the provider is down or slower than the
// timeout, every reply is the retrieval answer. The added latency against
// an Engine without a model is logged, not asserted (wall-clock times are
// for benchmarks); the target is p99 <= timeout + 50ms.
func TestTargetFallback(t *testing.T) {
	if testing.Short() {
		t.Skip("measures fallback latency against timeouts (about 3 s); the full suite runs it")
	}
	ctx := context.Background()
	retr, hit := shippingRetriever()
	const n = 20
	baseEngine := newEngine(t, nil, retr, "en", fallbackTimeout)
	var base []time.Duration
	for i := range n {
		start := time.Now()
		if _, err := baseEngine.Handle(ctx, bot.Message{Channel: bot.ChannelWeb, ExternalUserID: fmt.Sprint(i), Text: "How long does shipping take?"}); err != nil {
			t.Fatal(err)
		}
		base = append(base, time.Since(start))
	}
	for name, c := range fallbackScenarios(t) {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, c, retr, "en", fallbackTimeout)
			answered := 0
			var added []time.Duration
			for i := range n {
				start := time.Now()
				r, err := e.Handle(ctx, bot.Message{Channel: bot.ChannelWeb, ExternalUserID: fmt.Sprint(i), Text: "How long does shipping take?"})
				if err != nil {
					t.Fatal(err)
				}
				added = append(added, time.Since(start)-base[i])
				if r.Text == hit.Answer && len(r.Sources) == 1 && r.Sources[0].ID == hit.ID {
					answered++
				}
			}
			if answered != n {
				t.Errorf("%d of %d replies answered from retrieval, want all", answered, n)
			}
			slices.Sort(added)
			t.Logf("%s: %d/%d answered from retrieval; added latency p50 %v, p99 %v (target <= %v)", name,
				answered, n, added[n/2].Round(time.Millisecond), added[n*99/100].Round(time.Millisecond), fallbackTimeout+50*time.Millisecond)
		})
	}
}

// BenchmarkFallbackAddedLatency measures what a failing provider adds to a
// reply. Goal: p99 added latency <= GenerateTimeout + 50ms (here 250ms); a
// provider that is down adds only the failed connection attempts, and with
// the circuit open nothing at all.
func BenchmarkFallbackAddedLatency(b *testing.B) {
	ctx := context.Background()
	retr, _ := shippingRetriever()
	for name, c := range fallbackScenarios(b) {
		b.Run(name, func(b *testing.B) {
			e := newEngine(b, c, retr, "en", fallbackTimeout)
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := e.Handle(ctx, bot.Message{Channel: bot.ChannelWeb, ExternalUserID: fmt.Sprint(i), Text: "How long does shipping take?"}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
