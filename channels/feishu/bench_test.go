package feishu_test

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
	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

type quickHandler struct{}

func (quickHandler) Handle(context.Context, bot.Message) (bot.Reply, error) {
	return bot.Reply{Action: bot.ActionRelay}, nil // nothing to post: measures intake alone
}

// BenchmarkAck measures the acknowledgement of one event callback:
// signature check, decryption, token check, de-duplication claim and
// queueing (answering is asynchronous). It reports p99 in ns.
func BenchmarkAck(b *testing.B) {
	fake := feishutest.New(b)
	a, err := feishu.New(feishu.Options{AppID: feishutest.AppID, AppSecret: feishutest.AppSecret,
		VerificationToken: feishutest.VerificationToken, EncryptKey: feishutest.EncryptKey, APIURL: fake.URL,
		Handler: quickHandler{}, QueueSize: 1 << 16, Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Run(ctx) }()
	defer func() { cancel(); <-done }()
	reqs := make([]feishutest.Request, b.N)
	now := time.Now()
	for i := range reqs {
		id := strconv.Itoa(i)
		reqs[i] = feishutest.Seal(feishutest.MessageEvent("ev-"+id, "om-"+id, "oc_dm", "p2p", "ou_b", feishutest.TenantKey,
			"how long does delivery take?", false, ""), feishutest.EncryptKey, now)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := httptest.NewRequest(http.MethodPost, "/feishu/events", bytes.NewReader(reqs[i].Body))
		r.Header = reqs[i].Header
		w := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(w, r)
		lat = append(lat, time.Since(start))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
}
