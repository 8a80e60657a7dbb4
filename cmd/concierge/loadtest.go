package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// loadtestQuestions are the messages the load test sends, in turn: typical
// customer questions to a shop, in English and Chinese.
var loadtestQuestions = []string{
	"How long does shipping take?",
	"What are your opening hours?",
	"Can I return tea that I have opened?",
	"Which payment methods do you accept?",
	"发货后多久能收到？",
	"可以开发票吗？",
	"Do you ship to Europe?",
	"How should I store green tea?",
	"Hello!",
	"Which tea would you recommend for a beginner?",
}

// loadtestResult is what `concierge loadtest --json` prints.
type loadtestResult struct {
	URL        string         `json:"url"`
	Rate       float64        `json:"rate"`
	DurationS  float64        `json:"duration_s"`
	Sent       int            `json:"sent"`
	OK         int            `json:"ok"`
	Failed     int            `json:"failed"`
	Errors     map[string]int `json:"errors"`
	Throughput float64        `json:"throughput"`
	P50ms      float64        `json:"p50_ms"`
	P90ms      float64        `json:"p90_ms"`
	P99ms      float64        `json:"p99_ms"`
	P999ms     float64        `json:"p999_ms"`
	MaxMs      float64        `json:"max_ms"`
}

// loadtestOptions are the settings of one load test.
type loadtestOptions struct {
	url      string
	key      string
	rate     float64
	duration time.Duration
	users    int
	workers  int
	channel  string
	timeout  time.Duration
}

func newLoadtestCmd(e *env) *cobra.Command {
	o := loadtestOptions{}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Drive a running server's REST API at a fixed rate and report throughput and latency",
		Long: `Send POST /api/v1/messages to a running Concierge server on this machine
(loopback only) at a fixed rate for a fixed time, and print the throughput and
the latency percentiles. The load is open-loop: requests are scheduled at the
rate whatever the answers, and latency is measured from when a request was
due, so a slow server cannot hide its queueing.

The API key comes from --key or, better (it stays out of the process list),
the CONCIERGE_API_KEY environment variable. Every request that fails is
counted by status; the command exits with status 1 if any failed.

  concierge serve --config my.yaml &
  CONCIERGE_API_KEY=... concierge loadtest --rate 1000 --duration 30s`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.key == "" {
				o.key = e.getenv("CONCIERGE_API_KEY")
			}
			if err := o.validate(); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "loadtest: %.0f messages/s for %s against %s\n", o.rate, o.duration, o.url)
			res, err := runLoadtest(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				if err := encodeJSON(e.stdout, res); err != nil {
					return err
				}
			} else {
				printLoadtest(e.stdout, res)
			}
			if res.Failed > 0 {
				return fmt.Errorf("%d of %d requests failed", res.Failed, res.Sent)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base `URL` of the running server (loopback only); several replicas: comma-separated, used in turn")
	f.StringVar(&o.key, "key", "", "API `KEY` (default: $CONCIERGE_API_KEY)")
	f.Float64Var(&o.rate, "rate", 1000, "messages per second")
	f.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send")
	f.IntVar(&o.users, "users", 1000, "number of distinct customers the messages come from")
	f.IntVar(&o.workers, "workers", 0, "most requests in flight at once (default: enough for 1 s of the rate, at least 64)")
	f.StringVar(&o.channel, "channel", "api", "channel name of the messages")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	f.BoolVar(&asJSON, "json", false, `print {"sent","ok","failed","errors","throughput","p50_ms","p90_ms","p99_ms","p999_ms","max_ms",...}`)
	return cmd
}

func (o *loadtestOptions) validate() error {
	switch {
	case o.key == "":
		return usagef("loadtest needs an API key: set CONCIERGE_API_KEY or pass --key")
	case o.rate <= 0 || o.rate > 100_000:
		return usagef("--rate must be between 1 and 100000 messages per second")
	case o.duration <= 0 || o.duration > 24*time.Hour:
		return usagef("--duration must be between 1ns and 24h")
	case o.users < 1:
		return usagef("--users must be at least 1")
	case o.timeout <= 0:
		return usagef("--timeout must be positive")
	}
	if o.workers <= 0 {
		o.workers = max(64, int(o.rate))
	}
	// Several servers (replicas), comma-separated, share the load in turn.
	var urls []string
	for _, raw := range strings.Split(o.url, ",") {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--url must be like http://127.0.0.1:8080, not %q", raw)
		}
		if !isLoopback(u.Hostname()) {
			return usagef("loadtest only drives a server on this machine: --url must name a loopback address such as 127.0.0.1, not %q", u.Hostname())
		}
		urls = append(urls, strings.TrimRight(strings.TrimSpace(raw), "/"))
	}
	o.url = strings.Join(urls, ",")
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// runLoadtest sends o.rate requests per second for o.duration and measures
// each one from the moment it was due.
func runLoadtest(ctx context.Context, o loadtestOptions) (loadtestResult, error) {
	client := &http.Client{
		Timeout: o.timeout,
		Transport: &http.Transport{
			MaxIdleConns: o.workers, MaxIdleConnsPerHost: o.workers, MaxConnsPerHost: o.workers,
			IdleConnTimeout: 30 * time.Second, DisableCompression: true,
		},
	}
	defer client.CloseIdleConnections()
	urls := strings.Split(o.url, ",")
	endpoint := urls[0] + "/api/v1/messages"

	// Probe once, so that a wrong key or a server that is down is one clear
	// error rather than thousands of failures.
	if status, msg := loadtestSend(ctx, client, endpoint, o, 0); status != http.StatusOK {
		if status == 0 {
			return loadtestResult{}, fmt.Errorf("cannot reach %s: %s", o.url, msg)
		}
		return loadtestResult{}, fmt.Errorf("the server answered the first request with %d: %s", status, msg)
	}

	total := int(math.Round(o.rate * o.duration.Seconds()))
	// Due times wait here for a free worker; a full queue only delays the
	// scheduler, and latency still counts from each request's due time.
	due := make(chan time.Time, min(total, 100_000))
	type sample struct {
		latency time.Duration
		status  int
	}
	samples := make([]sample, 0, min(total, 1_000_000))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var seq sync.Mutex
	next := 1
	for range o.workers {
		wg.Go(func() {
			for at := range due {
				seq.Lock()
				n := next
				next++
				seq.Unlock()
				status, _ := loadtestSend(ctx, client, urls[n%len(urls)]+"/api/v1/messages", o, n)
				lat := time.Since(at)
				mu.Lock()
				samples = append(samples, sample{lat, status})
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / o.rate)
	tick := time.NewTicker(time.Millisecond)
	sent := 0
schedule:
	for sent < total {
		select {
		case <-ctx.Done():
			break schedule
		case now := <-tick.C:
			for sent < total {
				at := start.Add(time.Duration(sent) * interval)
				if at.After(now) {
					break
				}
				due <- at
				sent++
			}
		}
	}
	tick.Stop()
	close(due)
	wg.Wait()
	elapsed := time.Since(start)

	res := loadtestResult{URL: o.url, Rate: o.rate, DurationS: round3(elapsed.Seconds()), Errors: map[string]int{}}
	lats := make([]time.Duration, 0, len(samples))
	for _, s := range samples {
		res.Sent++
		if s.status == http.StatusOK {
			res.OK++
			lats = append(lats, s.latency)
		} else {
			res.Failed++
			key := "network"
			if s.status > 0 {
				key = strconv.Itoa(s.status)
			}
			res.Errors[key]++
		}
	}
	res.Throughput = round3(float64(res.OK) / elapsed.Seconds())
	slices.Sort(lats)
	ms := func(q float64) float64 {
		if len(lats) == 0 {
			return 0
		}
		i := min(len(lats)-1, int(math.Ceil(q*float64(len(lats))))-1)
		return round3(float64(lats[max(i, 0)]) / float64(time.Millisecond))
	}
	res.P50ms, res.P90ms, res.P99ms, res.P999ms, res.MaxMs = ms(0.50), ms(0.90), ms(0.99), ms(0.999), ms(1)
	if ctx.Err() != nil {
		return res, fmt.Errorf("load test interrupted after %d requests", res.Sent)
	}
	return res, nil
}

// loadtestSend posts message number n and returns the status (0 when no
// answer came) and, on failure, the server's error message.
func loadtestSend(ctx context.Context, client *http.Client, endpoint string, o loadtestOptions, n int) (int, string) {
	body, _ := json.Marshal(map[string]string{
		"channel": o.channel,
		"user_id": fmt.Sprintf("loadtest-%d", n%o.users),
		"text":    loadtestQuestions[n%len(loadtestQuestions)],
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+o.key)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, ""
	}
	var e struct {
		Error struct{ Message string } `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
		return resp.StatusCode, e.Error.Message
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func printLoadtest(w io.Writer, r loadtestResult) {
	fmt.Fprintf(w, "sent %d messages in %.1fs: %d ok, %d failed", r.Sent, r.DurationS, r.OK, r.Failed)
	if len(r.Errors) > 0 {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s: %d", k, r.Errors[k]))
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "\nthroughput %.1f messages/s (asked for %.0f/s)\n", r.Throughput, r.Rate)
	fmt.Fprintf(w, "latency ms  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n", r.P50ms, r.P90ms, r.P99ms, r.P999ms, r.MaxMs)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
