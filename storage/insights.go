package storage

import (
	"sort"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// CheckInsightQuery returns q with its defaults set (10 knowledge gaps), or
// an EINVALID *bot.Error when its range is empty or reversed.
func CheckInsightQuery(q bot.InsightQuery) (bot.InsightQuery, error) {
	if !q.To.After(q.From) {
		return q, bot.Errorf(bot.EINVALID, "The report range is empty or reversed.")
	}
	bot.SetDefault(&q.Gaps, 10)
	return q, nil
}

// InsightRows assembles the bot.InsightData of a report from the rows of an
// engine's insight queries, the same for every engine: each Scan method
// reads one row of the shape it documents and Data returns the whole. Use
// NewInsightRows; an InsightRows is not safe for concurrent use.
type InsightRows struct {
	d    bot.InsightData
	days map[[2]string]*bot.InsightDay
	seen map[string]bool
	all  *bot.InsightCustomers
}

// NewInsightRows returns an empty InsightRows.
func NewInsightRows() *InsightRows {
	return &InsightRows{days: map[[2]string]*bot.InsightDay{}, seen: map[string]bool{}}
}

// day returns the figures of a day and channel, adding them when new.
func (r *InsightRows) day(day, channel string) *bot.InsightDay {
	k := [2]string{day, channel}
	if p := r.days[k]; p != nil {
		return p
	}
	p := &bot.InsightDay{Day: day, Channel: channel}
	r.days[k] = p
	return p
}

// ScanConversations reads a row of the conversations query: a kind, a day,
// a channel and nine integers. Kind "day" is a day and channel's
// conversations, messages, closed, bot-resolved, escalated, purchase and
// returning conversations, CSAT sum and count; "customers" is a channel's
// customers, new, returning and won ones; "all" is the same over every
// channel; "fr" is a first-response time in milliseconds and how many
// conversations took it. Other kinds are ignored.
func (r *InsightRows) ScanConversations(sc RowScanner) error {
	var kind, dd, ch string
	var v [9]int64
	if err := sc.Scan(&kind, &dd, &ch, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]); err != nil {
		return err
	}
	switch kind {
	case "day":
		p := r.day(dd, ch)
		p.Conversations, p.Messages, p.Closed, p.BotResolved, p.Escalated, p.Purchase, p.Returning, p.CSATSum,
			p.CSATCount = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
	case "customers":
		r.d.Customers = append(r.d.Customers, bot.InsightCustomers{Channel: ch, Customers: v[0], New: v[1], Returning: v[2], Won: v[3]})
	case "all":
		r.all = &bot.InsightCustomers{Customers: v[0], New: v[1], Returning: v[2], Won: v[3]}
	case "fr":
		r.d.FirstResponse = append(r.d.FirstResponse, bot.InsightDuration{Channel: ch, Millis: v[0], Count: v[1]})
	}
	return nil
}

// ScanMessages reads a row of a day and channel's annotated inbound
// messages: day, channel, messages, out-of-scope ones (NULL for none),
// complaints, negative ones.
func (r *InsightRows) ScanMessages(sc RowScanner) error {
	var dd, ch string
	var oos *int64
	var n, c, neg int64
	if err := sc.Scan(&dd, &ch, &n, &oos, &c, &neg); err != nil {
		return err
	}
	p := r.day(dd, ch)
	p.Inbound, p.Complaints, p.Negative = n, c, neg
	if oos != nil {
		p.OutOfScope = *oos
	}
	return nil
}

// ScanIntent reads a row of inbound messages by intent: channel, intent,
// count.
func (r *InsightRows) ScanIntent(sc RowScanner) error {
	return appendRow(sc, &r.d.Intents, func(c *bot.InsightCount) []any { return []any{&c.Channel, &c.Key, &c.Count} })
}

// ScanVotes reads a row of a day and channel's answer votes: day, channel,
// helpful, not helpful.
func (r *InsightRows) ScanVotes(sc RowScanner) error {
	var dd, ch string
	var h, nh int64
	if err := sc.Scan(&dd, &ch, &h, &nh); err != nil {
		return err
	}
	p := r.day(dd, ch)
	p.Helpful, p.NotHelpful = h, nh
	return nil
}

// ScanReason reads a row of escalations by reason: channel, reason, count,
// how many of them (leads aside) no one acknowledged.
func (r *InsightRows) ScanReason(sc RowScanner) error {
	var c bot.InsightCount
	var unack int64
	if err := sc.Scan(&c.Channel, &c.Key, &c.Count, &unack); err != nil {
		return err
	}
	r.d.Reasons = append(r.d.Reasons, c)
	r.d.Unacknowledged += unack
	return nil
}

// ScanTimeToHuman reads a row of the time people took to acknowledge
// escalations: channel, milliseconds, count.
func (r *InsightRows) ScanTimeToHuman(sc RowScanner) error {
	return appendRow(sc, &r.d.TimeToHuman, func(h *bot.InsightDuration) []any { return []any{&h.Channel, &h.Millis, &h.Count} })
}

// ScanGap reads a row of knowledge gaps asked in the range: question, count.
func (r *InsightRows) ScanGap(sc RowScanner) error {
	return appendRow(sc, &r.d.Gaps, func(c *bot.InsightCount) []any { return []any{&c.Key, &c.Count} })
}

// appendRow reads a row into a new T, through the pointers to its fields
// that fields returns, and appends it to list.
func appendRow[T any](sc RowScanner, list *[]T, fields func(*T) []any) error {
	var v T
	if err := sc.Scan(fields(&v)...); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

// ScanChannel reads a row naming a channel ever seen.
func (r *InsightRows) ScanChannel(sc RowScanner) error {
	var ch string
	if err := sc.Scan(&ch); err != nil {
		return err
	}
	r.seen[ch] = true
	return nil
}

// Data returns what the rows read add up to, with the time of the earliest
// message stored (zero when there is none): channels sorted, days in order
// of day then channel, the customers over every channel last.
func (r *InsightRows) Data(earliest time.Time) bot.InsightData {
	d := r.d
	if r.all != nil {
		d.Customers = append(d.Customers, *r.all)
	}
	for _, p := range r.days {
		r.seen[p.Channel] = true
	}
	for ch := range r.seen {
		d.Channels = append(d.Channels, ch)
	}
	sort.Strings(d.Channels)
	d.EarliestMessage = earliest
	d.Days = make([]bot.InsightDay, 0, len(r.days))
	for _, p := range r.days {
		d.Days = append(d.Days, *p)
	}
	sort.Slice(d.Days, func(i, j int) bool {
		if d.Days[i].Day != d.Days[j].Day {
			return d.Days[i].Day < d.Days[j].Day
		}
		return d.Days[i].Channel < d.Days[j].Channel
	})
	return d
}
