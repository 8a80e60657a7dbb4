package insights

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Digest is the text of a periodic summary for managers, ready for an
// alert.Digest (Title, Lines); Key identifies the period so that sending the
// same digest twice delivers it once.
type Digest struct {
	Key   string
	Title string
	Lines []string
	Until time.Time // end of the period covered
}

// BuildDigest summarises cur against prev (the period before): the main
// figures with their change, the biggest changes per channel, and the top
// knowledge gaps. Lines are plain text.
func BuildDigest(cur, prev *Report) Digest {
	last := cur.Until.AddDate(0, 0, -1)
	d := Digest{
		Key:   "digest:" + cur.Since.Format(time.DateOnly) + ":" + last.Format(time.DateOnly),
		Title: fmt.Sprintf("Concierge digest %s – %s / 周报", cur.Since.Format(time.DateOnly), last.Format(time.DateOnly)),
		Until: cur.Until,
	}
	o, p := cur.Overall, prev.Overall
	d.Lines = append(d.Lines,
		fmt.Sprintf("Conversations 对话: %d (%s)", o.Conversations, countChange(o.Conversations, p.Conversations)),
		fmt.Sprintf("Customers 客户: %d, new 新客户: %d", o.Customers, o.NewCustomers),
		fmt.Sprintf("Bot resolution 机器人解决率: %s (%s)", Percent(o.BotResolutionRate), rateChange(o.BotResolutionRate, p.BotResolutionRate)),
		fmt.Sprintf("Escalation rate 转人工率: %s (%s)", Percent(o.EscalationRate), rateChange(o.EscalationRate, p.EscalationRate)),
		fmt.Sprintf("CSAT 满意度: %s from %d ratings (before: %s)", Number(o.CSAT), o.CSATN, Number(p.CSAT)),
		fmt.Sprintf("Time to a human p50 转人工用时: %s (before: %s)", Seconds(o.TimeToHumanP50S), Seconds(p.TimeToHumanP50S)),
		fmt.Sprintf("Complaints 投诉: %d (%s)", o.Complaints, countChange(o.Complaints, p.Complaints)),
		fmt.Sprintf("Won customers 成交客户: %d", o.Won),
	)
	type change struct {
		text string
		size float64
	}
	var changes []change
	prevBy := map[string]Figures{}
	for _, f := range prev.Channels {
		prevBy[f.Channel] = f
	}
	for _, f := range cur.Channels {
		pf := prevBy[f.Channel]
		if f.Conversations+pf.Conversations == 0 {
			continue
		}
		delta := float64(f.Conversations - pf.Conversations)
		changes = append(changes, change{fmt.Sprintf("%s: conversations %d → %d", f.Channel, pf.Conversations, f.Conversations),
			math.Abs(delta) / math.Max(float64(pf.Conversations), 1)})
		if f.BotResolutionRate != nil && pf.BotResolutionRate != nil {
			diff := *f.BotResolutionRate - *pf.BotResolutionRate
			changes = append(changes, change{fmt.Sprintf("%s: bot resolution %s → %s", f.Channel,
				Percent(pf.BotResolutionRate), Percent(f.BotResolutionRate)), math.Abs(diff) * 2})
		}
		if f.Complaints != pf.Complaints {
			changes = append(changes, change{fmt.Sprintf("%s: complaints %d → %d", f.Channel, pf.Complaints, f.Complaints),
				math.Abs(float64(f.Complaints-pf.Complaints)) / math.Max(float64(pf.Complaints), 1)})
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].size > changes[j].size })
	if len(changes) > 0 {
		d.Lines = append(d.Lines, "Biggest changes 最大变化:")
		for i, c := range changes {
			if i == 3 {
				break
			}
			d.Lines = append(d.Lines, "  "+c.text)
		}
	}
	if len(cur.Gaps) > 0 {
		d.Lines = append(d.Lines, "Top questions without an answer 未能回答的问题:")
		for i, g := range cur.Gaps {
			if i == 5 {
				break
			}
			d.Lines = append(d.Lines, fmt.Sprintf("  %d× %s", g.Count, OneLine(truncateRunes(g.Question, 200))))
		}
	}
	return d
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func countChange(cur, prev int64) string {
	if prev == 0 {
		return "no data before"
	}
	return fmt.Sprintf("%+.0f%% vs before", (float64(cur)-float64(prev))/float64(prev)*100)
}

func rateChange(cur, prev *float64) string {
	if cur == nil || prev == nil {
		return "no comparison"
	}
	return fmt.Sprintf("%+.1f points vs before", (*cur-*prev)*100)
}

// DigestSender delivers a digest; cmd wires it to alert.Enqueue with an
// alert of kind digest.
type DigestSender interface {
	SendDigest(ctx context.Context, d Digest) error
}

// SchedulerOptions configures a Scheduler.
type SchedulerOptions struct {
	Reporter *Reporter    // required
	Sender   DigestSender // required
	// Every is the period of the digest and the range it covers in whole
	// days. Default 7 days (weekly).
	Every time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives failures. Default: discard.
	Logger *slog.Logger
}

// Scheduler sends the digest every period. Run it in one goroutine.
type Scheduler struct {
	opts SchedulerOptions
}

// NewScheduler checks opts and returns a Scheduler.
func NewScheduler(opts SchedulerOptions) (*Scheduler, error) {
	if opts.Reporter == nil || opts.Sender == nil {
		return nil, errors.New("insights: NewScheduler: Reporter and Sender are required")
	}
	bot.SetDefault(&opts.Every, 7*24*time.Hour)
	if opts.Every < 24*time.Hour {
		return nil, errors.New("insights: NewScheduler: Every must be at least one day")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	return &Scheduler{opts: opts}, nil
}

// SendNow builds the digest of the period ending yesterday (whole UTC days)
// against the period before it, and sends it.
func (s *Scheduler) SendNow(ctx context.Context) (Digest, error) {
	days := int(s.opts.Every / (24 * time.Hour))
	end := dayStart(s.opts.Now()).AddDate(0, 0, -1) // yesterday, the last complete day
	cur, err := s.opts.Reporter.Report(ctx, Query{Since: end.AddDate(0, 0, -(days - 1)), Until: end})
	if err != nil {
		return Digest{}, fmt.Errorf("insights: digest: %w", err)
	}
	prevEnd := end.AddDate(0, 0, -days)
	prev, err := s.opts.Reporter.Report(ctx, Query{Since: prevEnd.AddDate(0, 0, -(days - 1)), Until: prevEnd})
	if err != nil {
		return Digest{}, fmt.Errorf("insights: digest: %w", err)
	}
	d := BuildDigest(cur, prev)
	if err := s.opts.Sender.SendDigest(ctx, d); err != nil {
		return d, fmt.Errorf("insights: send digest: %w", err)
	}
	return d, nil
}

// Run sends a digest at each period boundary (UTC midnight after a whole
// period) until ctx ends. A failed send is logged and retried at the next
// boundary; the digest key makes a repeat harmless.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		now := s.opts.Now()
		next := dayStart(now).AddDate(0, 0, 1).Add(time.Minute) // just after midnight
		days := int(s.opts.Every / (24 * time.Hour))
		for int(next.Sub(time.Unix(0, 0).UTC())/(24*time.Hour))%days != 0 {
			next = next.AddDate(0, 0, 1)
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if _, err := s.SendNow(ctx); err != nil {
			s.opts.Logger.Warn("insights digest failed", "err", err)
		}
	}
}
