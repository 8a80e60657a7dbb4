package slack

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// silentHandler answers nothing (as when a human has the conversation), so
// the workers drain the queue without calling Slack.
type silentHandler struct{}

func (silentHandler) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{Action: bot.ActionRelay}, nil
}

// ackBench prepares b.N distinct signed DM events, as Slack sends them.
func ackBench(b *testing.B) (bodies [][]byte, sigs []string, ts string) {
	b.Helper()
	ts = strconv.FormatInt(testNow.Unix(), 10)
	bodies = make([][]byte, b.N)
	sigs = make([]string, b.N)
	for i := range b.N {
		id := strconv.Itoa(i)
		bodies[i] = eventBody("Ev"+id, dm("U1", "Where is my order #"+id+"? It was due yesterday.", "1700000000."+fmt.Sprintf("%06d", i%1000000)))
		sigs[i] = Sign(testSecret, ts, bodies[i])
	}
	return bodies, sigs, ts
}

// reportLatency reports the p50 and p99 of the per-request times.
func reportLatency(b *testing.B, lat []time.Duration, rejected int) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(rejected), "rejected")
}

// BenchmarkEventsAck measures the acknowledgement of POST /slack/events:
// body read, signature check, parse, dedup and hand-off to the workers,
// which run meanwhile. Goal: p99 ≤ 100 ms (Slack's deadline is 3 s).
func BenchmarkEventsAck(b *testing.B) {
	a := testAdapter(b, nil, silentHandler{}, func(o *Options) {
		o.QueueSize = 4096
		o.Workers = 2
		o.APIURL = "http://127.0.0.1:1/" // never called: silent replies post nothing
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	mux := http.NewServeMux()
	a.Register(mux)
	bodies, sigs, ts := ackBench(b)
	lat := make([]time.Duration, b.N)
	rejected := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(bodies[i]))
		r.Header.Set(headerTimestamp, ts)
		r.Header.Set(headerSignature, sigs[i])
		w := httptest.NewRecorder()
		start := time.Now()
		mux.ServeHTTP(w, r)
		lat[i] = time.Since(start)
		if w.Code != http.StatusOK {
			rejected++
		}
	}
	b.StopTimer()
	reportLatency(b, lat, rejected)
	cancel()
	<-done
}

// BenchmarkEventsAckLoopback is the same through a real HTTP server and
// client on loopback, as Slack's request would arrive.
func BenchmarkEventsAckLoopback(b *testing.B) {
	a := testAdapter(b, nil, silentHandler{}, func(o *Options) {
		o.QueueSize = 4096
		o.Workers = 2
		o.APIURL = "http://127.0.0.1:1/"
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := srv.Client()
	bodies, sigs, ts := ackBench(b)
	lat := make([]time.Duration, b.N)
	rejected := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(headerTimestamp, ts)
		req.Header.Set(headerSignature, sigs[i])
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		lat[i] = time.Since(start)
		if resp.StatusCode != http.StatusOK {
			rejected++
		}
	}
	b.StopTimer()
	reportLatency(b, lat, rejected)
	cancel()
	<-done
}
