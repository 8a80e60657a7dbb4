package wecom_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/wecom"
	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// BenchmarkCallbackAck measures what WeCom waits for: a text message's
// callback read, its signature and timestamp checked, decrypted, parsed,
// its MsgId claimed and the message queued, answered 200. Answering runs
// in the workers afterwards (here an Engine that stays silent, so nothing
// is sent). It reports the mean (ns/op) and the 50th and 99th percentile
// of the acknowledgement's latency (p50-ns, p99-ns).
func BenchmarkCallbackAck(b *testing.B) {
	fake, err := wecomtest.New(wecomtest.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, AgentID: agentID, Secret: "s"})
	if err != nil {
		b.Fatal(err)
	}
	defer fake.Close()
	silent := &fakeEngine{reply: func(bot.Message) (bot.Reply, error) { return bot.Reply{Action: bot.ActionRelay}, nil }}
	a, err := wecom.New(wecom.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, AgentID: agentID, Secret: "s",
		APIURL: fake.URL, Handler: silent, QueueSize: 1 << 16, DedupSize: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	cbs := make([]wecomtest.Callback, b.N)
	for i := range cbs {
		cbs[i] = fake.Seal("/wecom/callback", fake.AppText(wecomtest.AppMessage{From: "zhangsan",
			Content: "How long does delivery to Shanghai take?", MsgID: strconv.Itoa(9000000 + i)}))
	}
	lat := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cb := cbs[i]
		req := httptest.NewRequest(http.MethodPost, cb.Path+"?"+cb.Query.Encode(), bytes.NewReader(cb.Body))
		rec := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(rec, req)
		lat[i] = time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("callback %d answered %d", i, rec.Code)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Nanoseconds()), "p99-ns")
}
