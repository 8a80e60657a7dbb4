package web

import (
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Limits are the server's rate limits: token buckets that refill at Rate
// tokens per second up to Burst. A negative Rate disables that limit; zero
// fields take the defaults given.
type Limits struct {
	// IPRate and IPBurst limit widget API requests per client IP (IPv6 per
	// /64). Default 10/s, burst 60: generous for an office behind one NAT.
	IPRate  float64
	IPBurst int
	// VisitorRate and VisitorBurst limit messages posted per widget visitor.
	// Default 1/s, burst 10.
	VisitorRate  float64
	VisitorBurst int
	// APIKeyRate and APIKeyBurst limit REST API requests per API key.
	// Default 5000/s, burst 5000: well above the 1,000 messages/s one server
	// sustains, so only a runaway client is throttled.
	APIKeyRate  float64
	APIKeyBurst int
	// MaxTracked bounds the IPs and visitors tracked by each limiter; when
	// full, idle entries are dropped first. Default 100,000 (a few MB).
	MaxTracked int
	// MaxWaiters bounds the widget long-polls waiting at once; more answer
	// 503. Default 10,000.
	MaxWaiters int
	// MaxInFlight bounds the messages being handled at once (REST and
	// widget together). A message that finds no free slot within QueueWait
	// is refused with 503 and Retry-After before anything is stored, so an
	// overloaded server answers quickly instead of timing out half-way.
	// Default 256; a negative value means no bound.
	MaxInFlight int
	// QueueWait is how long a message waits for a free slot. Default 2s.
	QueueWait time.Duration

	// MaxExports bounds the customer exports streaming at once, in all;
	// MaxExportsPerActor bounds them per API key and per console agent.
	// An export beyond either is refused with 429 and Retry-After. Default
	// 4 and 2; a negative value means no bound.
	MaxExports         int
	MaxExportsPerActor int
	// ExportRate and ExportBurst limit how many exports each API key and
	// each console agent starts (whole or one customer's). Default one per
	// 30 s, burst 10.
	ExportRate  float64
	ExportBurst int
	// ExportStall is how long an export waits for its client to accept
	// the next chunk (64 KiB at most) before the download is cut, so that
	// a client that stops reading frees its slot and the database snapshot
	// it holds. Default 30s.
	ExportStall time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(rate *float64, burst *int, r float64, b int) {
		if *rate == 0 {
			*rate = r
		}
		if *burst <= 0 {
			*burst = b
		}
	}
	def(&l.IPRate, &l.IPBurst, 10, 60)
	def(&l.VisitorRate, &l.VisitorBurst, 1, 10)
	def(&l.APIKeyRate, &l.APIKeyBurst, 5000, 5000)
	bot.SetDefault(&l.MaxTracked, 100_000)
	bot.SetDefault(&l.MaxWaiters, 10_000)
	if l.MaxInFlight == 0 {
		l.MaxInFlight = 256
	}
	bot.SetDefault(&l.QueueWait, 2*time.Second)
	if l.MaxExports == 0 {
		l.MaxExports = 4
	}
	if l.MaxExportsPerActor == 0 {
		l.MaxExportsPerActor = 2
	}
	def(&l.ExportRate, &l.ExportBurst, 1.0/30, 10)
	bot.SetDefault(&l.ExportStall, 30*time.Second)
	return l
}
