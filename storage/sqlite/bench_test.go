package sqlite_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// latencies collects per-operation durations from parallel goroutines.
type latencies struct {
	mu   sync.Mutex
	d    []time.Duration
	cpu0 time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, start time.Time, messages int64) {
	slices.Sort(l.d)
	if len(l.d) == 0 {
		return
	}
	q := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(messages)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64((cpuTime()-l.cpu0).Microseconds())/float64(max(messages, 1)), "cpu-µs/msg")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAppendInbound measures durable message appends (WAL,
// synchronous=FULL) from many concurrent conversations, as a server sees
// them. Goal (issue 7): ≥ 5,000 messages/s on 2 cores, p99 ≤ 5 ms.
func BenchmarkAppendInbound(b *testing.B) {
	for _, par := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("goroutines=%d", par*runtime.GOMAXPROCS(0)), func(b *testing.B) {
			db := openAt(b, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{NoSync: os.Getenv("BENCH_NOSYNC") != ""})
			ctx := context.Background()
			lat := latencies{cpu0: cpuTime()}
			var next atomic.Int64
			var n atomic.Int64
			b.SetParallelism(par)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				user := fmt.Sprintf("user-%d", next.Add(1))
				local := make([]time.Duration, 0, 1024)
				for pb.Next() {
					t0 := time.Now()
					if _, _, err := db.AppendInbound(ctx, in("web", user, "Hello, where is my order #12345? It was due on Monday.", t0)); err != nil {
						b.Error(err)
						return
					}
					local = append(local, time.Since(t0))
					n.Add(1)
				}
				lat.add(local)
			})
			lat.report(b, start, n.Load())
			st := db.Stats()
			b.ReportMetric(float64(st.Writes)/float64(max(st.Commits, 1)), "writes/commit")
		})
	}
}

// BenchmarkMessagePair measures the Engine's write path per customer message:
// the inbound append, then the reply with its annotation, both durable.
func BenchmarkMessagePair(b *testing.B) {
	db := openAt(b, filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	ctx := context.Background()
	lat := latencies{cpu0: cpuTime()}
	var next, n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		user := fmt.Sprintf("user-%d", next.Add(1))
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			conv, id, err := db.AppendInbound(ctx, in("web", user, "Do you deliver on Sundays?", t0))
			if err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t0))
			t1 := time.Now()
			if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id,
				Text: "Yes, we deliver seven days a week.", Action: bot.ActionAnswer, Intent: "delivery", Confidence: 0.8,
				Sources:    []bot.Source{{ID: "faq-delivery", Title: "Delivery"}},
				Annotation: bot.Annotation{Intent: "delivery", Confidence: 0.8, Language: "en"}}); err != nil {
				b.Error(err)
				return
			}
			local = append(local, time.Since(t1))
			n.Add(2)
		}
		lat.add(local)
	})
	lat.report(b, start, n.Load())
}

// seed fills a new database with customers × perCustomer messages (half
// inbound, half replies) on two channels, interleaved across customers as
// live traffic is, so that one customer's messages are spread over the file.
// It writes directly in one transaction so that a million messages take
// seconds.
func seed(b *testing.B, customers, perCustomer int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "seed.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	_ = db.Close()
	r := raw(b, path)
	tx, err := r.Begin()
	if err != nil {
		b.Fatal(err)
	}
	const layout = "2006-01-02T15:04:05.000000Z"
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := t0.Format(layout)
	for c := 1; c <= customers; c++ {
		if _, err := tx.Exec(`INSERT INTO customers (id, name, email, segment, created, updated) VALUES (?, ?, ?, 'active', ?, ?)`,
			c, fmt.Sprintf("Customer %d", c), fmt.Sprintf("c%d@example.com", c), ts, ts); err != nil {
			b.Fatal(err)
		}
		for ch, channel := range []string{"web", "slack"} {
			if _, err := tx.Exec(`INSERT INTO channel_identities (customer_id, channel, external_id, created) VALUES (?, ?, ?, ?)`,
				c, channel, fmt.Sprintf("%s-%d", channel, c), ts); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO conversations (id, customer_id, channel, status, opened) VALUES (?, ?, ?, 'resolved', ?)`,
				c*2+ch, c, channel, ts); err != nil {
				b.Fatal(err)
			}
		}
	}
	insMsg, err := tx.Prepare(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, intent, confidence,
		language, sentiment, action, time) VALUES (?, ?, ?, ?, ?, 'order_status', 0.87, 'en', 0.1, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range perCustomer {
		for c := 1; c <= customers; c++ {
			at := t0.Add(time.Duration(i)*time.Minute + time.Duration(c)*time.Millisecond)
			inbound, author, action, text := 1, "customer", "", fmt.Sprintf("Where is my order #%d? It was due on Monday, %d.", i, c)
			if i%2 == 1 {
				inbound, author, action, text = 0, "bot", "answer", "Orders ship within two working days; you will get a tracking link by email."
			}
			if _, err := insMsg.Exec(c*2+(i/2)%2, c, inbound, author, text, action, at.Format(layout)); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	r.Close()
	return path
}

// BenchmarkTimeline reads the timeline of a customer with 10,000 messages on
// two channels, interleaved with the traffic of 30 other customers (so its
// messages are spread over the file): all of it, and the latest 200 entries
// (the console's page).
// Goal (issue 7): ≤ 20 ms. cpu-ms is the process CPU time per read, which
// stays meaningful when other processes compete for the cores.
func BenchmarkTimeline(b *testing.B) {
	path := seed(b, 31, 10000)
	db := openAt(b, path, sqlite.Options{})
	ctx := context.Background()
	for _, limit := range []int{0, 200} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				tl, err := db.Timeline(ctx, 2, bot.TimelineOptions{Limit: limit})
				if err != nil {
					b.Fatal(err)
				}
				if want := cmpOr(limit, 10000); len(tl) < want {
					b.Fatalf("timeline has %d entries, want ≥ %d", len(tl), want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/timeline")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N)/1000, "cpu-ms/timeline")
		})
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExport streams every message as CSV. Goal (issue 7): 1,000,000
// messages in ≤ 30 s with flat memory (≤ 100 MB RSS). STORAGE_EXPORT_MESSAGES
// changes the size (default 1,000,000).
func BenchmarkExport(b *testing.B) {
	total := 1_000_000
	if v := os.Getenv("STORAGE_EXPORT_MESSAGES"); v != "" {
		fmt.Sscan(v, &total)
	}
	const per = 100
	path := seed(b, total/per, per)
	db := openAt(b, path, sqlite.Options{})
	ctx := context.Background()
	for _, format := range []string{bot.ExportCSV, bot.ExportJSON} {
		b.Run(format, func(b *testing.B) {
			runtime.GC()
			debug.FreeOSMemory()
			stop := make(chan struct{})
			peak := make(chan int64)
			go func() { // sample the resident set while exporting
				var max int64
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					if rss := residentBytes(); rss > max {
						max = rss
					}
					select {
					case <-stop:
						peak <- max
						return
					case <-tick.C:
					}
				}
			}()
			var n int64
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				var err error
				if n, err = db.Export(ctx, io.Discard, bot.ExportOptions{Format: format}); err != nil {
					b.Fatal(err)
				}
			}
			close(stop)
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/export")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/export")
			b.ReportMetric(float64(<-peak)/1e6, "peak-rss-MB")
			if n != int64(total/per*per) {
				b.Fatalf("exported %d messages, want %d", n, total/per*per)
			}
		})
	}
}

// residentBytes reads the process's resident set size from /proc.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	fmt.Sscan(string(b), &size, &resident)
	return resident * int64(os.Getpagesize())
}
