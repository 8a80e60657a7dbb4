// Package insights tells a manager which channels and answers work: the
// metrics of insights/METRICS.md per channel and overall over a range of UTC
// days (Reporter), their output as a table, JSON and CSV, the weekly digest
// (BuildDigest, Scheduler) and Prometheus counters with bounded labels
// (Metrics). The synthetic demo traffic lives in the sub-package traffic.
//
// Figures come from SQL over indexed columns and rollups the store keeps
// (storage.DB.InsightData), so a report over a million messages reads no
// message rows.
package insights

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Source is what a Reporter reads; *storage.DB satisfies it.
type Source interface {
	InsightData(ctx context.Context, q bot.InsightQuery) (bot.InsightData, error)
}

// Well-known channels are always listed in a report, with zeros when they
// had no traffic, so a manager sees a channel that is not working.
var wellKnownChannels = []string{bot.ChannelWeb, bot.ChannelAPI, bot.ChannelSlack, bot.ChannelTerminal}

// IdleAfter is how long a conversation still with the bot must be quiet to
// count as closed.
const IdleAfter = 24 * time.Hour

// MaxDays is the longest range a report covers.
const MaxDays = 3660

// Options configures a Reporter.
type Options struct {
	// Source is the database. Required.
	Source Source
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives timings at Debug level. Default: discard.
	Logger *slog.Logger
}

// Reporter computes reports. It is safe for concurrent use.
type Reporter struct {
	src Source
	now func() time.Time
	log *slog.Logger
}

// New returns a Reporter, or an error when Source is missing.
func New(opts Options) (*Reporter, error) {
	if opts.Source == nil {
		return nil, fmt.Errorf("insights: New: Source is required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Reporter{src: opts.Source, now: opts.Now, log: opts.Logger}, nil
}

// Query selects what a report covers: the whole UTC days from the day of
// Since through the day of Until.
type Query struct {
	// Since is in the first day covered. Zero means 29 days before Until
	// (30 days in all).
	Since time.Time
	// Until is in the last day covered. Zero, or a time after now, means now.
	Until time.Time
	// Channel, when set, restricts the report to one channel.
	Channel string
	// Gaps is how many knowledge gaps to list; ≤ 0 means 10.
	Gaps int
}

// LastDays returns the Query of the n whole UTC days ending with today
// (n < 1 counts as 1), e.g. LastDays(now, 7, "") is this week so far and the
// six days before.
func LastDays(now time.Time, n int, channel string) Query {
	n = max(n, 1)
	return Query{Since: now.AddDate(0, 0, -(n - 1)), Until: now, Channel: channel}
}

// ParseSince reads a --since value: a Go duration ("36h") or a whole number
// of days ("30d") or weeks ("2w"). It returns the number of whole UTC days
// the range covers, today included (at least 1), or an error for a value
// that is not positive or not understood.
func ParseSince(s string) (int, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if n, unit, ok := cutUnit(s); ok {
		switch unit {
		case 'd':
			d = time.Duration(n) * 24 * time.Hour
		case 'w':
			d = time.Duration(n) * 7 * 24 * time.Hour
		}
		if n > MaxDays {
			return 0, fmt.Errorf("--since %q is longer than %d days", s, MaxDays)
		}
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("--since %q is not a duration such as 30d, 2w or 36h", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("--since %q must be a positive duration", s)
	}
	days := int((d + 24*time.Hour - 1) / (24 * time.Hour))
	if days > MaxDays {
		return 0, fmt.Errorf("--since %q is longer than %d days", s, MaxDays)
	}
	return days, nil
}

// cutUnit parses "<digits>d" or "<digits>w".
func cutUnit(s string) (int, byte, bool) {
	if len(s) < 2 {
		return 0, 0, false
	}
	unit := s[len(s)-1]
	if unit != 'd' && unit != 'w' {
		return 0, 0, false
	}
	n := 0
	for _, c := range s[:len(s)-1] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		n = n*10 + int(c-'0')
		if n > 1e6 {
			return n, unit, true
		}
	}
	return n, unit, true
}

// Figures are the metrics of one channel, or of all channels together
// (Channel empty). Rates are fractions in 0..1; a rate, average or
// percentile is nil when there is nothing to compute it from. Definitions
// are in METRICS.md.
type Figures struct {
	Channel string `json:"channel,omitempty"`

	Conversations           int64    `json:"conversations"`
	Customers               int64    `json:"customers"`
	NewCustomers            int64    `json:"new_customers"`
	ReturningCustomers      int64    `json:"returning_customers"`
	Messages                int64    `json:"messages"`
	MessagesPerConversation *float64 `json:"messages_per_conversation"`

	Closed            int64    `json:"closed"`
	BotResolved       int64    `json:"bot_resolved"`
	BotResolutionRate *float64 `json:"bot_resolution_rate"`
	Escalated         int64    `json:"escalated"`
	EscalationRate    *float64 `json:"escalation_rate"`

	Won                   int64    `json:"won"`
	ConversionRate        *float64 `json:"conversion_rate"`
	PurchaseConversations int64    `json:"purchase_conversations"`

	CSAT  *float64 `json:"csat"`
	CSATN int64    `json:"csat_n"`

	FirstResponseP50Ms *int64   `json:"first_response_p50_ms"`
	FirstResponseP90Ms *int64   `json:"first_response_p90_ms"`
	TimeToHumanP50S    *float64 `json:"time_to_human_p50_s"`
	TimeToHumanP90S    *float64 `json:"time_to_human_p90_s"`

	Helpful     int64    `json:"helpful"`
	NotHelpful  int64    `json:"not_helpful"`
	Helpfulness *float64 `json:"helpfulness"`

	InboundMessages int64    `json:"inbound_messages"`
	OutOfScope      int64    `json:"out_of_scope"`
	OutOfScopeRate  *float64 `json:"out_of_scope_rate"`
	Complaints      int64    `json:"complaints"`
}

// IntentCount is how many annotated customer messages had an intent.
type IntentCount struct {
	Intent string `json:"intent"`
	Count  int64  `json:"count"`
}

// GapCount is a question the bot could not answer and how often it was
// asked in the range.
type GapCount struct {
	Question string `json:"question"`
	Count    int64  `json:"count"`
}

// DayCount is a count on one UTC day (YYYY-MM-DD).
type DayCount struct {
	Day   string `json:"day"`
	Count int64  `json:"count"`
}

// ReasonCount is how many escalations had a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// DayFigures are the figures of one UTC day on one channel (Channel empty
// for all channels), for trend charts.
type DayFigures struct {
	Day               string   `json:"day"`
	Channel           string   `json:"channel,omitempty"`
	Conversations     int64    `json:"conversations"`
	Complaints        int64    `json:"complaints"`
	Closed            int64    `json:"closed"`
	BotResolved       int64    `json:"bot_resolved"`
	BotResolutionRate *float64 `json:"bot_resolution_rate"`
	CSAT              *float64 `json:"csat"`
	CSATN             int64    `json:"csat_n"`
}

// Report is the answer to a Query. Its JSON form is the output of
// `concierge report --json`.
type Report struct {
	Since time.Time `json:"since"` // start of the first day covered (UTC midnight)
	Until time.Time `json:"until"` // end of the last day covered (the next UTC midnight), exclusive
	// Channel is the channel the report is restricted to, empty for all.
	Channel  string    `json:"channel,omitempty"`
	Overall  Figures   `json:"overall"`
	Channels []Figures `json:"channels"`
	// Intents are the most frequent intents of customer messages, most
	// frequent first.
	Intents []IntentCount `json:"intents"`
	// Gaps are the most asked questions the bot could not answer.
	Gaps []GapCount `json:"gaps"`
	// ComplaintsByDay has one entry per day of the range.
	ComplaintsByDay []DayCount `json:"complaints_by_day"`
	// EscalationReasons counts escalations to a human by reason, most
	// frequent first (sales leads are not escalations to a human).
	EscalationReasons []ReasonCount `json:"escalation_reasons"`
	// UnacknowledgedEscalations is how many escalations of the range no
	// person has acknowledged or taken over yet.
	UnacknowledgedEscalations int64 `json:"unacknowledged_escalations"`
	// Days has, for every day of the range, one entry for all channels
	// (Channel empty) followed by one per listed channel.
	Days []DayFigures `json:"days"`
	// Generated is when the report was computed.
	Generated time.Time `json:"generated"`
}

// dayStart returns the UTC midnight starting t's UTC day.
func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Resolve turns q into the [from, to) range of whole UTC days it covers,
// checking it: a reversed range, one that starts after today or one longer
// than MaxDays is an EINVALID *bot.Error.
func (q Query) Resolve(now time.Time) (from, to time.Time, err error) {
	until := q.Until
	if until.IsZero() || until.After(now) {
		until = now
	}
	since := q.Since
	if since.IsZero() {
		since = until.AddDate(0, 0, -29)
	}
	if since.After(now) {
		return from, to, bot.Errorf(bot.EINVALID, "The report range starts in the future (%s); there is nothing to count yet.",
			dayStart(since).Format(time.DateOnly))
	}
	from, to = dayStart(since), dayStart(until).AddDate(0, 0, 1)
	if !to.After(from) {
		return from, to, bot.Errorf(bot.EINVALID, "The report range is reversed: it starts on %s but ends on %s.",
			from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if days := int(to.Sub(from) / (24 * time.Hour)); days > MaxDays {
		return from, to, bot.Errorf(bot.EINVALID, "The report range is %d days long; the most is %d.", days, MaxDays)
	}
	return from, to, nil
}

// Report computes the report of q. A bad range or an unknown channel is an
// EINVALID *bot.Error with a message for the user; an empty database gives a
// report of zeros and nulls.
func (r *Reporter) Report(ctx context.Context, q Query) (*Report, error) {
	now := r.now()
	from, to, err := q.Resolve(now)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	data, err := r.src.InsightData(ctx, bot.InsightQuery{
		From: from, To: to, Channel: q.Channel, IdleBefore: now.Add(-IdleAfter), Gaps: q.Gaps,
	})
	if err != nil {
		return nil, fmt.Errorf("insights: report: %w", err)
	}
	channels := slices.Clone(wellKnownChannels)
	for _, ch := range data.Channels {
		if !slices.Contains(channels, ch) {
			channels = append(channels, ch)
		}
	}
	if q.Channel != "" {
		if !slices.Contains(channels, q.Channel) {
			known := slices.Clone(channels)
			sort.Strings(known)
			return nil, bot.Errorf(bot.EINVALID, "Unknown channel %q; the channels are %s.", q.Channel, strings.Join(known, ", "))
		}
		channels = []string{q.Channel}
	}
	rep := build(data, from, to, channels, q.Channel)
	rep.Generated = now.UTC()
	r.log.Debug("insights report", "from", from, "to", to, "channel", q.Channel, "took", time.Since(start))
	return rep, nil
}

// build computes a Report from the raw figures.
func build(d bot.InsightData, from, to time.Time, channels []string, only string) *Report {
	rep := &Report{Since: from, Until: to, Channel: only, Intents: []IntentCount{}, Gaps: []GapCount{},
		ComplaintsByDay: []DayCount{}, EscalationReasons: []ReasonCount{}, Days: []DayFigures{}}
	per := map[string]*Figures{}
	for _, ch := range channels {
		per[ch] = &Figures{Channel: ch}
	}
	all := &Figures{}
	each := func(ch string, fn func(f *Figures)) {
		fn(all)
		if f := per[ch]; f != nil {
			fn(f)
		}
	}
	type dayKey struct{ day, ch string }
	byDay := map[dayKey]*bot.InsightDay{}
	for i := range d.Days {
		x := &d.Days[i]
		byDay[dayKey{x.Day, x.Channel}] = x
		each(x.Channel, func(f *Figures) {
			f.Conversations += x.Conversations
			f.Messages += x.Messages
			f.Closed += x.Closed
			f.BotResolved += x.BotResolved
			f.Escalated += x.Escalated
			f.PurchaseConversations += x.Purchase
			f.CSATN += x.CSATCount
			f.Helpful += x.Helpful
			f.NotHelpful += x.NotHelpful
			f.InboundMessages += x.Inbound
			f.OutOfScope += x.OutOfScope
			f.Complaints += x.Complaints
		})
	}
	csatSum := map[string]int64{}
	for _, x := range d.Days {
		csatSum[x.Channel] += x.CSATSum
		csatSum[""] += x.CSATSum
	}
	for _, c := range d.Customers {
		f := all
		if c.Channel != "" {
			if f = per[c.Channel]; f == nil {
				continue
			}
		}
		f.Customers, f.NewCustomers, f.ReturningCustomers, f.Won = c.Customers, c.New, c.Returning, c.Won
	}
	fr, tth := map[string][]bot.InsightDuration{}, map[string][]bot.InsightDuration{}
	for _, h := range d.FirstResponse {
		fr[h.Channel] = append(fr[h.Channel], h)
		fr[""] = append(fr[""], h)
	}
	for _, h := range d.TimeToHuman {
		tth[h.Channel] = append(tth[h.Channel], h)
		tth[""] = append(tth[""], h)
	}
	finish := func(f *Figures) {
		f.MessagesPerConversation = ratio(f.Messages, f.Conversations)
		f.BotResolutionRate = ratio(f.BotResolved, f.Closed)
		f.EscalationRate = ratio(f.Escalated, f.Conversations)
		f.ConversionRate = ratio(f.Won, f.Customers)
		f.CSAT = ratio(csatSum[f.Channel], f.CSATN)
		f.Helpfulness = ratio(f.Helpful, f.Helpful+f.NotHelpful)
		f.OutOfScopeRate = ratio(f.OutOfScope, f.InboundMessages)
		f.FirstResponseP50Ms = percentile(fr[f.Channel], 50)
		f.FirstResponseP90Ms = percentile(fr[f.Channel], 90)
		f.TimeToHumanP50S = seconds(percentile(tth[f.Channel], 50))
		f.TimeToHumanP90S = seconds(percentile(tth[f.Channel], 90))
	}
	finish(all)
	rep.Overall = *all
	for _, ch := range channels {
		finish(per[ch])
		rep.Channels = append(rep.Channels, *per[ch])
	}

	for _, c := range byCount(d.Intents) {
		rep.Intents = append(rep.Intents, IntentCount{Intent: c.Key, Count: c.Count})
	}
	for _, g := range d.Gaps {
		rep.Gaps = append(rep.Gaps, GapCount{Question: g.Key, Count: g.Count})
	}
	for _, c := range byCount(d.Reasons, bot.ReasonLead) {
		rep.EscalationReasons = append(rep.EscalationReasons, ReasonCount{Reason: c.Key, Count: c.Count})
	}
	rep.UnacknowledgedEscalations = d.Unacknowledged

	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		ds := day.Format(time.DateOnly)
		total := DayFigures{Day: ds}
		var totalCSAT int64
		var rows []DayFigures
		for _, ch := range channels {
			row := DayFigures{Day: ds, Channel: ch}
			if x := byDay[dayKey{ds, ch}]; x != nil {
				row.Conversations, row.Complaints, row.Closed, row.BotResolved, row.CSATN =
					x.Conversations, x.Complaints, x.Closed, x.BotResolved, x.CSATCount
				row.BotResolutionRate = ratio(x.BotResolved, x.Closed)
				row.CSAT = ratio(x.CSATSum, x.CSATCount)
			}
			rows = append(rows, row)
		}
		for _, x := range d.Days { // every channel, listed or not, counts in the total
			if x.Day != ds {
				continue
			}
			total.Conversations += x.Conversations
			total.Complaints += x.Complaints
			total.Closed += x.Closed
			total.BotResolved += x.BotResolved
			total.CSATN += x.CSATCount
			totalCSAT += x.CSATSum
		}
		total.BotResolutionRate = ratio(total.BotResolved, total.Closed)
		total.CSAT = ratio(totalCSAT, total.CSATN)
		rep.Days = append(rep.Days, total)
		rep.Days = append(rep.Days, rows...)
		rep.ComplaintsByDay = append(rep.ComplaintsByDay, DayCount{Day: ds, Count: total.Complaints})
	}
	return rep
}

// byCount sums the counts of cs by key over every channel, leaving out the
// keys except, and returns the sums (Channel empty) most frequent first,
// ties in key order.
func byCount(cs []bot.InsightCount, except ...string) []bot.InsightCount {
	sums := map[string]int64{}
	for _, c := range cs {
		if !slices.Contains(except, c.Key) {
			sums[c.Key] += c.Count
		}
	}
	out := make([]bot.InsightCount, 0, len(sums))
	for k, n := range sums {
		out = append(out, bot.InsightCount{Key: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Count > b.Count || a.Count == b.Count && a.Key < b.Key
	})
	return out
}

// ratio returns n/d, or nil when d is zero.
func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// percentile returns the nearest-rank p-th percentile of a histogram: the
// smallest value v such that at least p% of the values are ≤ v; nil for an
// empty histogram.
func percentile(h []bot.InsightDuration, p int) *int64 {
	var n int64
	for _, b := range h {
		n += b.Count
	}
	if n == 0 {
		return nil
	}
	h = slices.Clone(h)
	sort.Slice(h, func(i, j int) bool { return h[i].Millis < h[j].Millis })
	rank := (int64(p)*n + 99) / 100 // ceil(p/100 · n), at least 1
	rank = max(rank, 1)
	var seen int64
	for _, b := range h {
		seen += b.Count
		if seen >= rank {
			v := b.Millis
			return &v
		}
	}
	v := h[len(h)-1].Millis
	return &v
}

// seconds converts milliseconds to seconds.
func seconds(ms *int64) *float64 {
	if ms == nil {
		return nil
	}
	v := float64(*ms) / 1000
	return &v
}
