package escalation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/concierge-bot/concierge/bot"
)

// ComplaintSource is what the early-warning detector reads; *storage.DB
// satisfies it.
type ComplaintSource interface {
	// CountComplaints and Complaints read the customers' inbound messages
	// of [from, to) that the Engine judged complaints, with the one
	// configured threshold.
	CountComplaints(ctx context.Context, from, to time.Time) (int, error)
	Complaints(ctx context.Context, from, to time.Time, limit int) ([]bot.ComplaintMessage, error)
}

// SpikeOptions configures the early-warning detector. Source and Alerts are
// required.
type SpikeOptions struct {
	Source ComplaintSource
	Alerts Alerts
	// Window is the period whose complaints are counted. Default 15 minutes.
	Window time.Duration
	// Baseline is the period before the window whose complaint rate is the
	// normal level. Default 7 days.
	Baseline time.Duration
	// Factor: a window with at least Factor times its baseline share of
	// complaints is a spike. Default 3.
	Factor float64
	// MinComplaints: a window with fewer complaints is never a spike.
	// Default 5.
	MinComplaints int
	// Cooldown is the quiet time after a warning: no second warning is sent
	// within it, however many complaints come. Default 1 hour.
	Cooldown time.Duration
	// Topics is the most topics (intents and keywords) a warning lists.
	// Default 5.
	Topics int
	// Since, when set, counts only complaints from it on: the synthetic
	// history of `concierge demo seed` is never a spike to warn about.
	Since  time.Time
	Logger *slog.Logger     // default: discard; customer text never logged
	Now    func() time.Time // default: time.Now
}

// Spikes watches the rate of complaints and sends one grouped early-warning
// alert when it spikes. It is safe for concurrent use.
type Spikes struct {
	opts SpikeOptions
	log  *slog.Logger

	mu   sync.Mutex
	last time.Time // when the last warning was sent by this process
}

// NewSpikes returns an early-warning detector, or an error naming the bad
// option.
func NewSpikes(opts SpikeOptions) (*Spikes, error) {
	switch {
	case opts.Source == nil:
		return nil, errors.New("escalation: NewSpikes: Source is required")
	case opts.Alerts == nil:
		return nil, errors.New("escalation: NewSpikes: Alerts is required")
	}
	bot.SetDefault(&opts.Window, 15*time.Minute)
	bot.SetDefault(&opts.Baseline, 7*24*time.Hour)
	if opts.Baseline < opts.Window {
		return nil, fmt.Errorf("escalation: NewSpikes: baseline %s is shorter than the window %s", opts.Baseline, opts.Window)
	}
	bot.SetDefault(&opts.Factor, 3)
	bot.SetDefault(&opts.MinComplaints, 5)
	bot.SetDefault(&opts.Cooldown, time.Hour)
	bot.SetDefault(&opts.Topics, 5)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Spikes{opts: opts, log: opts.Logger}, nil
}

// Check counts the complaints of the window ending now and compares them
// with the baseline. On a spike, outside the cool-down, it queues one early
// warning listing the common topics and returns it (nil when nothing was
// sent). The warning names its cool-down period, so two processes, or a
// restarted one, send at most one warning per period.
func (s *Spikes) Check(ctx context.Context) (*bot.Warning, error) {
	now := s.opts.Now()
	s.mu.Lock()
	cooling := !s.last.IsZero() && now.Sub(s.last) < s.opts.Cooldown
	s.mu.Unlock()
	if cooling {
		return nil, nil
	}
	from := now.Add(-s.opts.Window)
	if from.Before(s.opts.Since) {
		from = s.opts.Since
	}
	count, err := s.opts.Source.CountComplaints(ctx, from, now)
	if err != nil {
		return nil, fmt.Errorf("escalation: spikes: %w", err)
	}
	if count < s.opts.MinComplaints {
		return nil, nil
	}
	base, err := s.opts.Source.CountComplaints(ctx, from.Add(-s.opts.Baseline), from)
	if err != nil {
		return nil, fmt.Errorf("escalation: spikes: %w", err)
	}
	expected := float64(base) * float64(s.opts.Window) / float64(s.opts.Baseline)
	if float64(count) < s.opts.Factor*expected {
		return nil, nil
	}
	msgs, err := s.opts.Source.Complaints(ctx, from, now, 500)
	if err != nil {
		return nil, fmt.Errorf("escalation: spikes: %w", err)
	}
	topics, channels := Topics(msgs, s.opts.Topics)
	w := bot.Warning{Reason: bot.ReasonComplaint, Period: now.Truncate(s.opts.Cooldown), End: now,
		Window: s.opts.Window, Count: count, Baseline: expected, Topics: topics, Channels: channels,
		Summary: fmt.Sprintf("%d complaints in the last %s, %.1f× the usual %.1f.", count, s.opts.Window,
			float64(count)/max(expected, 0.1), expected)}
	if err := s.opts.Alerts.Warn(ctx, w); err != nil {
		return nil, fmt.Errorf("escalation: spikes: %w", err)
	}
	s.mu.Lock()
	s.last = now
	s.mu.Unlock()
	s.log.Warn("complaint spike: early warning sent", "count", count, "baseline", expected, "topics", len(topics))
	return &w, nil
}

// generic intents, and small talk (bot.IsSmallTalk), say nothing about
// what the complaints are about.
var genericIntents = map[string]bool{
	bot.IntentComplaint: true, bot.IntentOutOfScope: true, bot.IntentAskHuman: true, "": true,
}

// stopWords are common English words that make poor topics.
var stopWords = wordSet(`about above after again against all also and any are aren't because been before
		being below between both but can't cannot could couldn't did didn't does doesn't doing don't down during each
		even ever every few for from further get got had hadn't has hasn't have haven't having her here hers herself
		him himself his how i'm i've into isn't it's its itself just let's like made make more most much must mustn't
		myself never not now off once only other ought our ours ourselves out over own really same shan't she should
		shouldn't since some still such than that that's the their theirs them themselves then there there's these
		they they're this those through too under until very was wasn't we're were weren't what what's when where
		which while who whom why will with won't would wouldn't you you're your yours yourself yourselves yet one
		two three want wanted need please thanks thank order ordered orders received today yesterday week time
		again already said told asked even back
		我们 你们 我的 你的 一个 什么 怎么 为什么 这个 那个 没有 已经 还是 可以 不是 就是 这样 但是 因为 所以 自己
		现在 今天 昨天 一下 一直 还没 怎么 真的 非常 太差 你们的 问题 收到 东西 一次 时候`)

// wordSet returns the set of the space-separated words of s.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Topics names what a set of complaints is about: the most common specific
// intents, then the words (English, four letters or more, not stop words)
// and two-character Chinese terms found in at least two of the messages,
// most common first, at most n in all; and the channels they came from, most
// common first.
func Topics(msgs []bot.ComplaintMessage, n int) (topics, channels []string) {
	intentCount := map[string]int{}
	termCount := map[string]int{}
	chanCount := map[string]int{}
	for _, m := range msgs {
		chanCount[m.Channel]++
		if !genericIntents[m.Intent] && !bot.IsSmallTalk(m.Intent) {
			intentCount[m.Intent]++
		}
		for t := range terms(m.Text) {
			termCount[t]++
		}
	}
	topics = top(intentCount, 1, n)
	for _, t := range top(termCount, 2, n) {
		if len(topics) >= n {
			break
		}
		topics = append(topics, t)
	}
	return topics, top(chanCount, 1, 10)
}

// top returns the keys with a count of at least minCount, most common first
// (ties in key order), at most n.
func top(counts map[string]int, minCount, n int) []string {
	var keys []string
	for k, c := range counts {
		if c >= minCount && k != "" {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys[:min(len(keys), n)]
}

// terms returns the distinct topic terms of a text: lower-case English words
// of four letters or more that are not stop words, and Chinese character
// bigrams.
func terms(text string) map[string]bool {
	out := map[string]bool{}
	var word []rune
	var prevHan rune
	flush := func() {
		if len(word) >= 4 {
			if w := string(word); !stopWords[w] {
				out[w] = true
			}
		}
		word = word[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			if prevHan != 0 {
				if b := string([]rune{prevHan, r}); !stopWords[b] {
					out[b] = true
				}
			}
			prevHan = r
			continue
		case unicode.IsLetter(r) || r == '\'':
			word = append(word, unicode.ToLower(r))
		default:
			flush()
		}
		prevHan = 0
	}
	flush()
	return out
}
