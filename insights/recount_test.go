package insights_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "github.com/mattn/go-sqlite3"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/insights/traffic"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// demoEnd is the fixed "now" of the seeded test databases.
var demoEnd = time.Date(2025, 6, 30, 15, 30, 0, 0, time.UTC)

var (
	seedOnce sync.Once
	seedPath string
	seedErr  error
	seedDir  string
)

// seeded returns the path of a database with 21 days of demo traffic, built
// once per test binary.
func seeded(t *testing.T) string {
	t.Helper()
	seedOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			seedErr = err
			return
		}
		seedDir = dir
		seedPath = filepath.Join(dir, "concierge.db")
		_, seedErr = traffic.Seed(context.Background(), seedPath, traffic.Options{Days: 21, End: demoEnd, PerDay: 30, Seed: 7})
	})
	if seedErr != nil {
		t.Fatalf("seed: %v", seedErr)
	}
	return seedPath
}

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: func() time.Time { return demoEnd }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func reporter(t *testing.T, db *sqlite.DB, now time.Time) *insights.Reporter {
	t.Helper()
	r, err := insights.New(insights.Options{Source: db, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// raw holds the rows a recount reads, straight from the tables.
type raw struct {
	convs     []rawConv
	byID      map[int64]*rawConv
	created   map[int64]time.Time // customer → first contact
	inbound   []rawMsg            // annotated inbound messages
	won       []rawEvent
	takenOver map[int64]bool
	escs      []rawEsc
	votes     []rawVote
	gapMsgs   []rawGap
}

type rawConv struct {
	id, customer                   int64
	channel, status                string
	opened, closed, first, last    time.Time
	hasClosed, hasFirst, hasLast   bool
	messages                       int64
	csat                           int64
	hasCSAT                        bool
	complaints, negative, purchase int
	notHelpful                     int
	escalatedByRow                 bool
	earlierOpened, later           []time.Time // opening times of the customer's other conversations, by id
}

type rawMsg struct {
	conv                    int64
	intent                  string
	isComplaint, isNegative bool // the Engine's judgement, stored with the message
	time                    time.Time
}

type rawEvent struct {
	customer int64
	time     time.Time
}

type rawEsc struct {
	conv         int64
	reason       string
	created, ack time.Time
	acknowledged bool
}

type rawVote struct {
	conv    int64
	channel string
	helpful bool
	time    time.Time
}

type rawGap struct {
	question string
	time     time.Time
	conv     int64
}

func ts(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02T15:04:05.000000Z", s)
	if err != nil {
		t.Fatalf("parse time %q: %v", s, err)
	}
	return v
}

// readRaw reads the tables with plain SQL, without the rollups.
func readRaw(t *testing.T, path string) *raw {
	t.Helper()
	sdb, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	q := func(query string, fn func(rows *sql.Rows) error) {
		rows, err := sdb.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	r := &raw{byID: map[int64]*rawConv{}, created: map[int64]time.Time{}, takenOver: map[int64]bool{}}
	q(`SELECT id, customer_id, channel, status, opened, closed, first_response, last_message, message_count, csat FROM conversations`,
		func(rows *sql.Rows) error {
			var c rawConv
			var opened string
			var closed, first, last sql.NullString
			var csat sql.NullInt64
			if err := rows.Scan(&c.id, &c.customer, &c.channel, &c.status, &opened, &closed, &first, &last, &c.messages, &csat); err != nil {
				return err
			}
			c.opened = ts(t, opened)
			if c.hasClosed = closed.Valid; c.hasClosed {
				c.closed = ts(t, closed.String)
			}
			if c.hasFirst = first.Valid; c.hasFirst {
				c.first = ts(t, first.String)
			}
			if c.hasLast = last.Valid; c.hasLast {
				c.last = ts(t, last.String)
			}
			c.csat, c.hasCSAT = csat.Int64, csat.Valid
			r.convs = append(r.convs, c)
			return nil
		})
	for i := range r.convs {
		r.byID[r.convs[i].id] = &r.convs[i]
	}
	q(`SELECT id, created FROM customers`, func(rows *sql.Rows) error {
		var id int64
		var c string
		if err := rows.Scan(&id, &c); err != nil {
			return err
		}
		r.created[id] = ts(t, c)
		return nil
	})
	q(`SELECT conversation_id, intent, is_complaint, is_negative, time FROM messages WHERE inbound = 1 AND intent <> ''`,
		func(rows *sql.Rows) error {
			var m rawMsg
			var tm string
			if err := rows.Scan(&m.conv, &m.intent, &m.isComplaint, &m.isNegative, &tm); err != nil {
				return err
			}
			m.time = ts(t, tm)
			r.inbound = append(r.inbound, m)
			return nil
		})
	q(`SELECT customer_id, coalesce(conversation_id, 0), kind, detail, time FROM customer_events`, func(rows *sql.Rows) error {
		var cust, conv int64
		var kind, detail, tm string
		if err := rows.Scan(&cust, &conv, &kind, &detail, &tm); err != nil {
			return err
		}
		if kind == bot.EventTakenOver {
			r.takenOver[conv] = true
		}
		if kind == bot.EventStageChanged || kind == bot.EventNewLead {
			var d struct{ To string }
			if err := json.Unmarshal([]byte(detail), &d); err != nil {
				return err
			}
			if d.To == bot.StageWon {
				r.won = append(r.won, rawEvent{customer: cust, time: ts(t, tm)})
			}
		}
		return nil
	})
	q(`SELECT conversation_id, reason, created, acknowledged FROM escalations`, func(rows *sql.Rows) error {
		var e rawEsc
		var created string
		var ack sql.NullString
		if err := rows.Scan(&e.conv, &e.reason, &created, &ack); err != nil {
			return err
		}
		e.created = ts(t, created)
		if e.acknowledged = ack.Valid; ack.Valid {
			e.ack = ts(t, ack.String)
		}
		r.escs = append(r.escs, e)
		return nil
	})
	q(`SELECT f.conversation_id, v.channel, f.helpful, f.time FROM answer_feedback f JOIN conversations v ON v.id = f.conversation_id`,
		func(rows *sql.Rows) error {
			var v rawVote
			var tm string
			if err := rows.Scan(&v.conv, &v.channel, &v.helpful, &tm); err != nil {
				return err
			}
			v.time = ts(t, tm)
			r.votes = append(r.votes, v)
			return nil
		})
	q(`SELECT g.question, m.time, m.conversation_id FROM knowledge_gap_messages k JOIN knowledge_gaps g ON g.id = k.gap_id
		JOIN messages m ON m.id = k.message_id`, func(rows *sql.Rows) error {
		var g rawGap
		var tm string
		if err := rows.Scan(&g.question, &tm, &g.conv); err != nil {
			return err
		}
		g.time = ts(t, tm)
		r.gapMsgs = append(r.gapMsgs, g)
		return nil
	})
	// Per conversation signals, previous and next conversation of the customer.
	for _, m := range r.inbound {
		c := r.byID[m.conv]
		if m.isComplaint {
			c.complaints++
		}
		if m.isNegative {
			c.negative++
		}
		if m.intent == "purchase_intent" {
			c.purchase++
		}
	}
	for _, v := range r.votes {
		if !v.helpful {
			r.byID[v.conv].notHelpful++
		}
	}
	for _, e := range r.escs {
		if e.reason != "lead" {
			r.byID[e.conv].escalatedByRow = true
		}
	}
	byCust := map[int64][]*rawConv{}
	for i := range r.convs {
		c := &r.convs[i]
		byCust[c.customer] = append(byCust[c.customer], c)
	}
	for _, cs := range byCust {
		for _, c := range cs {
			c.later = nil
			for _, o := range cs {
				if o.id < c.id {
					c.earlierOpened = append(c.earlierOpened, o.opened)
				} else if o.id > c.id {
					c.later = append(c.later, o.opened)
				}
			}
		}
	}
	return r
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// nearestRank is the textbook nearest-rank percentile of a list.
func nearestRank(vals []int64, p int) *int64 {
	if len(vals) == 0 {
		return nil
	}
	s := append([]int64(nil), vals...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(math.Ceil(float64(p)/100*float64(len(s)))) - 1
	v := s[max(idx, 0)]
	return &v
}

func secs(v *int64) *float64 {
	if v == nil {
		return nil
	}
	f := float64(*v) / 1000
	return &f
}

// recount computes the figures of one channel ("" for all) over [from, to)
// straight from the raw rows.
func recount(r *raw, from, to, now time.Time, channel string) insights.Figures {
	f := insights.Figures{Channel: channel}
	match := func(ch string) bool { return channel == "" || ch == channel }
	customers, news, returning, wonSet := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, e := range r.won {
		if in(e.time, from, to) {
			wonSet[e.customer] = true
		}
	}
	var csatSum int64
	var fr, tth []int64
	for i := range r.convs {
		c := &r.convs[i]
		if !in(c.opened, from, to) || !match(c.channel) {
			continue
		}
		f.Conversations++
		f.Messages += c.messages
		customers[c.customer] = true
		if in(r.created[c.customer], from, to) {
			news[c.customer] = true
		}
		for _, o := range c.earlierOpened {
			if !o.Before(c.opened.AddDate(0, 0, -30)) {
				returning[c.customer] = true
			}
		}
		last := c.opened
		if c.hasLast {
			last = c.last
		}
		closed := c.status == "resolved" || c.status == "bot" && !last.After(now.Add(-24*time.Hour))
		escalated := c.escalatedByRow || r.takenOver[c.id]
		negative := c.complaints > 0 || c.negative > 0 || c.notHelpful > 0 || c.hasCSAT && c.csat <= 2
		ended := last
		if c.hasClosed {
			ended = c.closed
		}
		repeated := false
		for _, o := range c.later {
			if !o.After(ended.AddDate(0, 0, 1)) {
				repeated = true
			}
		}
		if closed {
			f.Closed++
			if !escalated && !negative && !repeated {
				f.BotResolved++
			}
		}
		if escalated {
			f.Escalated++
		}
		if c.purchase > 0 {
			f.PurchaseConversations++
		}
		if c.hasCSAT {
			f.CSATN++
			csatSum += c.csat
		}
		if c.hasFirst {
			fr = append(fr, max(c.first.UnixMilli()-c.opened.UnixMilli(), 0))
		}
	}
	f.Customers, f.NewCustomers, f.ReturningCustomers = int64(len(customers)), int64(len(news)), int64(len(returning))
	for id := range customers {
		if wonSet[id] {
			f.Won++
		}
	}
	for _, e := range r.escs {
		c := r.byID[e.conv]
		if in(e.created, from, to) && match(c.channel) && e.reason != "lead" && e.acknowledged {
			tth = append(tth, max(e.ack.UnixMilli()-e.created.UnixMilli(), 0))
		}
	}
	for _, v := range r.votes {
		if in(v.time, from, to) && match(v.channel) {
			if v.helpful {
				f.Helpful++
			} else {
				f.NotHelpful++
			}
		}
	}
	for _, m := range r.inbound {
		if !in(m.time, from, to) || !match(r.byID[m.conv].channel) {
			continue
		}
		f.InboundMessages++
		if m.intent == "oos" {
			f.OutOfScope++
		}
		if m.isComplaint {
			f.Complaints++
		}
	}
	f.MessagesPerConversation = ratio(f.Messages, f.Conversations)
	f.BotResolutionRate = ratio(f.BotResolved, f.Closed)
	f.EscalationRate = ratio(f.Escalated, f.Conversations)
	f.ConversionRate = ratio(f.Won, f.Customers)
	f.CSAT = ratio(csatSum, f.CSATN)
	f.Helpfulness = ratio(f.Helpful, f.Helpful+f.NotHelpful)
	f.OutOfScopeRate = ratio(f.OutOfScope, f.InboundMessages)
	f.FirstResponseP50Ms, f.FirstResponseP90Ms = nearestRank(fr, 50), nearestRank(fr, 90)
	f.TimeToHumanP50S, f.TimeToHumanP90S = secs(nearestRank(tth, 50)), secs(nearestRank(tth, 90))
	return f
}

// recountLists recounts the intents, gaps, complaints by day and reasons.
func recountLists(r *raw, from, to time.Time, channel string, gaps int) ([]insights.IntentCount, []insights.GapCount,
	[]insights.DayCount, []insights.ReasonCount) {
	match := func(ch string) bool { return channel == "" || ch == channel }
	intents := map[string]int64{}
	days := map[string]int64{}
	for _, m := range r.inbound {
		if !in(m.time, from, to) || !match(r.byID[m.conv].channel) {
			continue
		}
		intents[m.intent]++
		if m.isComplaint {
			days[m.time.Format(time.DateOnly)]++
		}
	}
	var ic []insights.IntentCount
	for k, n := range intents {
		ic = append(ic, insights.IntentCount{Intent: k, Count: n})
	}
	sort.Slice(ic, func(i, j int) bool {
		return ic[i].Count > ic[j].Count || ic[i].Count == ic[j].Count && ic[i].Intent < ic[j].Intent
	})
	type g struct {
		n    int64
		last time.Time
	}
	gm := map[string]*g{}
	for _, x := range r.gapMsgs {
		if !in(x.time, from, to) || !match(r.byID[x.conv].channel) {
			continue
		}
		e := gm[x.question]
		if e == nil {
			e = &g{}
			gm[x.question] = e
		}
		e.n++
		if x.time.After(e.last) {
			e.last = x.time
		}
	}
	var qs []string
	for q := range gm {
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool {
		a, b := gm[qs[i]], gm[qs[j]]
		if a.n != b.n {
			return a.n > b.n
		}
		if !a.last.Equal(b.last) {
			return a.last.After(b.last)
		}
		return qs[i] < qs[j]
	})
	gc := []insights.GapCount{}
	for i, q := range qs {
		if i == gaps {
			break
		}
		gc = append(gc, insights.GapCount{Question: q, Count: gm[q].n})
	}
	var dc []insights.DayCount
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		dc = append(dc, insights.DayCount{Day: d.Format(time.DateOnly), Count: days[d.Format(time.DateOnly)]})
	}
	reasons := map[string]int64{}
	for _, e := range r.escs {
		if in(e.created, from, to) && match(r.byID[e.conv].channel) && e.reason != "lead" {
			reasons[e.reason]++
		}
	}
	rc := []insights.ReasonCount{}
	for k, n := range reasons {
		rc = append(rc, insights.ReasonCount{Reason: k, Count: n})
	}
	sort.Slice(rc, func(i, j int) bool {
		return rc[i].Count > rc[j].Count || rc[i].Count == rc[j].Count && rc[i].Reason < rc[j].Reason
	})
	if ic == nil {
		ic = []insights.IntentCount{}
	}
	return ic, gc, dc, rc
}

// TestReportMatchesRecount checks every figure of the report against a
// recount from the raw rows, overall and per channel, for several ranges.
func TestReportMatchesRecount(t *testing.T) {
	path := seeded(t)
	db := openDB(t, path)
	r := readRaw(t, path)
	if len(r.convs) < 300 || len(r.escs) < 30 || len(r.votes) < 20 || len(r.won) == 0 || len(r.gapMsgs) == 0 {
		t.Fatalf("seeded database too thin to test: %d conversations, %d escalations, %d votes, %d won, %d gap messages",
			len(r.convs), len(r.escs), len(r.votes), len(r.won), len(r.gapMsgs))
	}
	tests := []struct {
		name  string
		query insights.Query
	}{
		{"whole period", insights.Query{Since: demoEnd.AddDate(0, 0, -20)}},
		{"last 7 days", insights.LastDays(demoEnd, 7, "")},
		{"middle week", insights.Query{Since: demoEnd.AddDate(0, 0, -13), Until: demoEnd.AddDate(0, 0, -7)}},
		{"web only", insights.Query{Since: demoEnd.AddDate(0, 0, -20), Channel: "web"}},
		{"slack, 10 days, 3 gaps", insights.Query{Since: demoEnd.AddDate(0, 0, -9), Channel: "slack", Gaps: 3}},
		{"before the data", insights.Query{Since: demoEnd.AddDate(0, 0, -60), Until: demoEnd.AddDate(0, 0, -40)}},
	}
	rep := reporter(t, db, demoEnd)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rep.Report(context.Background(), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			from, to, err := tc.query.Resolve(demoEnd)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Since.Equal(from) || !got.Until.Equal(to) {
				t.Fatalf("range = %v..%v, want %v..%v", got.Since, got.Until, from, to)
			}
			want := recount(r, from, to, demoEnd, "")
			if tc.query.Channel != "" {
				want = recount(r, from, to, demoEnd, tc.query.Channel)
				want.Channel = ""
			}
			if diff := cmp.Diff(want, got.Overall); diff != "" {
				t.Errorf("overall figures differ from the recount (-recount +report):\n%s", diff)
			}
			for _, f := range got.Channels {
				if diff := cmp.Diff(recount(r, from, to, demoEnd, f.Channel), f); diff != "" {
					t.Errorf("channel %s differs from the recount (-recount +report):\n%s", f.Channel, diff)
				}
			}
			gaps := tc.query.Gaps
			if gaps <= 0 {
				gaps = 10
			}
			ic, gc, dc, rc := recountLists(r, from, to, tc.query.Channel, gaps)
			if diff := cmp.Diff(ic, got.Intents); diff != "" {
				t.Errorf("intents differ (-recount +report):\n%s", diff)
			}
			if diff := cmp.Diff(gc, got.Gaps); diff != "" {
				t.Errorf("gaps differ (-recount +report):\n%s", diff)
			}
			if diff := cmp.Diff(dc, got.ComplaintsByDay); diff != "" {
				t.Errorf("complaints by day differ (-recount +report):\n%s", diff)
			}
			if diff := cmp.Diff(rc, got.EscalationReasons); diff != "" {
				t.Errorf("escalation reasons differ (-recount +report):\n%s", diff)
			}
		})
	}
}
