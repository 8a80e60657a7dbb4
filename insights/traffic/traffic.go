// Package traffic generates realistic, reproducible synthetic traffic for the
// demo company (Jade Leaf Tea House) so that reports and the dashboard can be
// seen and tested without real customers: English and Chinese customers on
// every channel (web, api, slack, terminal), answers, knowledge gaps,
// escalations, takeovers by agents, resolutions, CSAT ratings, helpful /
// not helpful votes, sales leads moving through their stages, and a
// complaint spike on one day.
//
// Everything is written through the storage package's public API, with the
// store's clock driven by the simulation, so every invariant of the store
// holds. The same Options give the same database contents.
package traffic

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// Options shapes the generated traffic. The zero value is usable.
type Options struct {
	// Days is how many days of traffic to generate, ending with the day of
	// End. Default 90.
	Days int
	// End is the latest time any event may have. Default: now.
	End time.Time
	// Seed makes the traffic reproducible. Default 1.
	Seed uint64
	// PerDay is the mean number of conversations started per weekday.
	// Default 60.
	PerDay int
	// SpikeDaysAgo is which day has the complaint spike, counted back from
	// the day of End (0 is that day). Default: Days/3.
	SpikeDaysAgo int
}

// Summary says what Seed wrote.
type Summary struct {
	Days          int
	Conversations int
	Messages      int
	Escalations   int
	SpikeDay      string // YYYY-MM-DD (UTC)
}

// clock is the store's clock, set by the simulation before each call.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// Seed opens (creating it if needed) the database file at path and fills it
// with o.Days days of synthetic traffic. It refuses a database that already
// has customers, so real records are never mixed with invented ones.
func Seed(ctx context.Context, path string, o Options) (Summary, error) {
	bot.SetDefault(&o.Days, 90)
	if o.Days > 3660 {
		return Summary{}, fmt.Errorf("traffic: %d days is more than the 3660 a demo can have", o.Days)
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	o.End = o.End.UTC()
	if o.Seed == 0 {
		o.Seed = 1
	}
	bot.SetDefault(&o.PerDay, 60)
	if o.SpikeDaysAgo <= 0 || o.SpikeDaysAgo >= o.Days {
		o.SpikeDaysAgo = o.Days / 3
	}
	clk := &clock{t: o.End}
	db, err := sqlite.Open(ctx, path, sqlite.Options{Now: clk.now, NoSync: true, LeadOwner: "mei.chen"})
	if err != nil {
		return Summary{}, fmt.Errorf("traffic: %w", err)
	}
	err = onlyTried(ctx, db, path)
	var sum Summary
	if err == nil {
		sim := newSim(db, clk, o)
		err = sim.run(ctx)
		sum = sim.sum
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return sum, fmt.Errorf("traffic: %w", err)
	}
	return sum, nil
}

// event is one step of the simulation, run at its time.
type event struct {
	at  time.Time
	seq int // tie-break, so the order is reproducible
	run func(ctx context.Context) error
}

type queue []*event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// person is a simulated customer or employee on one channel.
type person struct {
	channel, id, lang string
	role              bot.Role
	customerID        int64
}

type sim struct {
	db    *sqlite.DB
	clk   *clock
	o     Options
	rng   *rand.Rand
	q     queue
	seq   int
	start time.Time
	spike string
	pool  map[string][]*person // returning visitors by channel
	next  int
	sum   Summary
	convs map[bot.ConversationID]bool
	leads map[int64]bool
}

func newSim(db *sqlite.DB, clk *clock, o Options) *sim {
	end := o.End
	startDay := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(o.Days - 1))
	spike := startDay.AddDate(0, 0, o.Days-1-o.SpikeDaysAgo)
	return &sim{db: db, clk: clk, o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15)), start: startDay,
		spike: spike.Format(time.DateOnly), pool: map[string][]*person{}, convs: map[bot.ConversationID]bool{}, leads: map[int64]bool{},
		sum: Summary{Days: o.Days, SpikeDay: spike.Format(time.DateOnly)}}
}

// at schedules fn at t; events after End are dropped (they have not
// happened yet).
func (s *sim) at(t time.Time, fn func(ctx context.Context) error) {
	if t.After(s.o.End) {
		return
	}
	s.seq++
	heap.Push(&s.q, &event{at: t, seq: s.seq, run: fn})
}

func (s *sim) run(ctx context.Context) error {
	for d := 0; d < s.o.Days; d++ {
		day := s.start.AddDate(0, 0, d)
		n := s.conversationsOn(day, d)
		for i := 0; i < n; i++ {
			t := day.Add(s.timeOfDay())
			s.at(t, func(ctx context.Context) error { return s.startConversation(ctx, t) })
		}
	}
	for s.q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := heap.Pop(&s.q).(*event)
		s.clk.t = e.at
		if err := e.run(ctx); err != nil {
			return err
		}
	}
	s.sum.Conversations = len(s.convs)
	return nil
}

// conversationsOn draws how many conversations start on a day: fewer at
// weekends, slowly growing over the period, more on the spike day.
func (s *sim) conversationsOn(day time.Time, d int) int {
	mean := float64(s.o.PerDay) * (0.8 + 0.4*float64(d)/float64(max(s.o.Days-1, 1)))
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		mean *= 0.6
	}
	if day.Format(time.DateOnly) == s.spike {
		mean *= 1.6
	}
	n := int(math.Round(mean + s.rng.NormFloat64()*math.Sqrt(mean)))
	return max(n, 0)
}

// timeOfDay draws a UTC time of day, busiest in the Chinese and European
// working hours.
func (s *sim) timeOfDay() time.Duration {
	h := 1 + s.rng.NormFloat64()*3 // 09:00 Beijing
	if s.rng.IntN(3) == 0 {
		h = 13 + s.rng.NormFloat64()*3 // afternoon in Europe
	}
	h = math.Mod(math.Mod(h, 24)+24, 24)
	return time.Duration(h*float64(time.Hour)) + time.Duration(s.rng.IntN(1000))*time.Millisecond
}

func (s *sim) pick(weights map[string]float64, order []string) string {
	total := 0.0
	for _, k := range order {
		total += weights[k]
	}
	x := s.rng.Float64() * total
	for _, k := range order {
		if x -= weights[k]; x < 0 {
			return k
		}
	}
	return order[len(order)-1]
}

func (s *sim) chance(p float64) bool { return s.rng.Float64() < p }

// between returns a random duration in [lo, hi).
func (s *sim) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)))
}

var channelOrder = []string{bot.ChannelWeb, bot.ChannelAPI, bot.ChannelSlack, bot.ChannelTerminal}
var channelWeights = map[string]float64{bot.ChannelWeb: 0.46, bot.ChannelAPI: 0.22, bot.ChannelSlack: 0.22, bot.ChannelTerminal: 0.10}

// person returns a returning visitor of the channel or a new one.
func (s *sim) person(channel string) *person {
	if pool := s.pool[channel]; len(pool) > 0 && s.chance(0.3) {
		return pool[s.rng.IntN(len(pool))]
	}
	s.next++
	p := &person{channel: channel, id: fmt.Sprintf("%s-%05d", channel, s.next), lang: "en", role: bot.RoleCustomer}
	if s.chance(0.38) {
		p.lang = "zh"
	}
	switch channel {
	case bot.ChannelTerminal:
		p.role = bot.RoleEmployee
	case bot.ChannelSlack:
		if s.chance(0.4) {
			p.role = bot.RoleEmployee
		}
	}
	s.pool[channel] = append(s.pool[channel], p)
	return p
}

// turn is one customer message and how the bot handled it.
type turn struct {
	intent string
	action bot.Action
	esc    *bot.Escalation
	lead   bool
}

func (s *sim) startConversation(ctx context.Context, t time.Time) error {
	p := s.person(s.pick(channelWeights, channelOrder))
	spike := t.Format(time.DateOnly) == s.spike
	turns := 1 + s.rng.IntN(4)
	return s.say(ctx, p, t, turns, spike, false)
}

// say sends one customer message at t, the bot's reply, and schedules what
// follows: the next turn, an agent, a resolution, a rating, a vote.
func (s *sim) say(ctx context.Context, p *person, t time.Time, left int, spike, handedOff bool) error {
	intent := s.intent(p, spike)
	text := s.text(intent, p.lang)
	conv, inID, err := s.db.AppendInbound(ctx, bot.Inbound{Channel: p.channel, ExternalUserID: p.id, Role: p.role, Text: text, Time: t})
	if err != nil {
		return err
	}
	p.customerID = conv.CustomerID
	s.convs[conv.ID] = true
	s.sum.Messages++
	ann := s.annotate(intent, p.lang)
	replyAt := t.Add(s.between(250*time.Millisecond, 2500*time.Millisecond))
	if conv.Status.HandedOff() {
		_, err := s.db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: inID, Annotation: ann,
			Action: bot.ActionRelay, Intent: intent, Confidence: ann.Confidence, Language: p.lang, Time: replyAt})
		return err
	}
	tr := s.decide(p, intent, ann, handedOff)
	out := bot.Outbound{ConversationID: conv.ID, InboundID: inID, Annotation: ann, Text: s.reply(tr, p.lang),
		Action: tr.action, Intent: intent, Confidence: ann.Confidence, Language: p.lang, Time: replyAt,
		Escalation: tr.esc, Lead: tr.lead}
	if tr.action == bot.ActionAnswer || tr.action == bot.ActionLead {
		out.Sources = []bot.Source{source(intent, p.lang)}
	}
	s.clk.t = replyAt
	st, err := s.db.AppendOutbound(ctx, out)
	if err != nil {
		return err
	}
	s.sum.Messages++
	if st.EscalationID != 0 {
		s.sum.Escalations++
	}
	if st.MessageID != 0 && (tr.action == bot.ActionAnswer || tr.action == bot.ActionLead) && s.chance(0.18) {
		helpful := s.chance(0.78)
		voter := p.id
		s.at(replyAt.Add(s.between(5*time.Second, 2*time.Minute)), func(ctx context.Context) error {
			return s.db.RecordFeedback(ctx, st.MessageID, helpful, voter)
		})
	}
	if tr.lead && !s.leads[conv.CustomerID] {
		s.leads[conv.CustomerID] = true
		s.pipeline(conv.CustomerID, replyAt)
	}
	if tr.esc != nil && tr.esc.Reason != bot.ReasonLead {
		s.agent(conv.ID, p, replyAt, spike)
		return nil
	}
	if left > 1 {
		next := replyAt.Add(s.between(20*time.Second, 4*time.Minute))
		s.at(next, func(ctx context.Context) error { return s.say(ctx, p, next, left-1, spike, false) })
		return nil
	}
	// The end of a conversation with the bot: most are closed (the customer
	// marked it solved or an agent tidied up), some are left to go quiet.
	if s.chance(0.72) {
		closeAt := replyAt.Add(s.between(5*time.Minute, 6*time.Hour))
		good := tr.action != bot.ActionClarify
		s.at(closeAt, func(ctx context.Context) error { return s.resolve(ctx, conv.ID, closeAt, good, "auto-close") })
	}
	// Some come back with the same question the next morning.
	if tr.action == bot.ActionClarify && s.chance(0.3) {
		again := replyAt.Add(s.between(2*time.Hour, 20*time.Hour))
		s.at(again, func(ctx context.Context) error { return s.say(ctx, p, again, 1, false, false) })
	}
	return nil
}

// agent simulates a person stepping in after an escalation: an
// acknowledgement, a takeover, a reply, sometimes the customer answering,
// and a resolution.
func (s *sim) agent(convID bot.ConversationID, p *person, t time.Time, spike bool) {
	agents := []string{"li.wei", "sarah.j", "zhang.min", "tom.b"}
	who := agents[s.rng.IntN(len(agents))]
	wait := s.between(40*time.Second, 25*time.Minute)
	if spike {
		wait = s.between(10*time.Minute, 3*time.Hour) // the team is swamped
	}
	if s.chance(0.06) {
		// Nobody picked it up. A running server resolves a handoff nobody
		// wrote in for a day (escalation.idle_timeout), so only those of
		// the last day are still waiting when the traffic ends: the queue
		// a demo starts with, which serve leaves alone until they age.
		s.idleCheck(convID, t.Add(idleTimeout+time.Minute))
		return
	}
	take := t.Add(wait)
	s.at(take, func(ctx context.Context) error {
		if err := s.db.Claim(ctx, convID, who); err != nil {
			return ignoreConflict(err)
		}
		if _, err := s.db.AppendAgentMessage(ctx, convID, who, agentText(p.lang)); err != nil {
			return ignoreConflict(err)
		}
		s.sum.Messages++
		if s.chance(0.5) {
			back := take.Add(s.between(1*time.Minute, 10*time.Minute))
			s.at(back, func(ctx context.Context) error { return s.say(ctx, p, back, 1, false, true) })
		}
		done := take.Add(s.between(10*time.Minute, 3*time.Hour))
		good := s.chance(0.7)
		s.at(done, func(ctx context.Context) error { return s.resolve(ctx, convID, done, good, who) })
		return nil
	})
}

// onlyTried refuses a database with customers from anywhere but the
// terminal: synthetic traffic must not mix with a real shop's records. The
// terminal customers of someone who tried `concierge chat` first, as the
// README suggests, are no such records.
func onlyTried(ctx context.Context, db *sqlite.DB, path string) error {
	existing, err := db.Customers(ctx, bot.CustomerFilter{Limit: 1001})
	if err != nil {
		return err
	}
	for _, c := range existing {
		for _, id := range c.Identities {
			if id.Channel != bot.ChannelTerminal {
				return fmt.Errorf("the database %s already has customers from %s; seed an empty data directory (--data DIR)", path, id.Channel)
			}
		}
	}
	if len(existing) > 1000 {
		return fmt.Errorf("the database %s already has over 1000 customers; seed an empty data directory (--data DIR)", path)
	}
	return nil
}

// idleCheck resolves the conversation at t if nobody wrote in it for
// idleTimeout, as serve's idle check does, and checks again a day later
// while it is still waiting.
func (s *sim) idleCheck(convID bot.ConversationID, t time.Time) {
	s.at(t, func(ctx context.Context) error {
		done, err := s.db.ResolveIfIdle(ctx, convID, t.Add(-idleTimeout), escalation.ActorIdleTimeout)
		if err != nil || done {
			return err
		}
		if c, err := s.db.Conversation(ctx, convID); err == nil && c.Status.HandedOff() {
			s.idleCheck(convID, t.Add(idleTimeout))
		}
		return nil
	})
}

// idleTimeout is serve's default escalation.idle_timeout.
const idleTimeout = 24 * time.Hour

func ignoreConflict(err error) error {
	if bot.ErrorCode(err) == bot.ECONFLICT {
		return nil
	}
	return err
}

// resolve closes a conversation and sometimes asks for a rating.
func (s *sim) resolve(ctx context.Context, convID bot.ConversationID, t time.Time, good bool, actor string) error {
	if err := s.db.Resolve(ctx, convID, actor); err != nil {
		return err
	}
	if !s.chance(0.35) {
		return nil
	}
	score := 3 + s.rng.IntN(3) // 3..5
	if !good {
		score = 1 + s.rng.IntN(3) // 1..3
	}
	rateAt := t.Add(s.between(10*time.Second, 10*time.Minute))
	s.at(rateAt, func(ctx context.Context) error { return s.db.SetCSAT(ctx, convID, score) })
	return nil
}

// pipeline moves a new lead through the sales stages over the next weeks.
func (s *sim) pipeline(customerID int64, t time.Time) {
	steps := []string{bot.StageContacted, bot.StageQualified}
	final := bot.StageLost
	if s.chance(0.45) {
		final = bot.StageWon
	}
	stop := len(steps)
	if s.chance(0.3) {
		stop = s.rng.IntN(len(steps)) // stalled
		final = ""
	}
	at := t
	for _, st := range steps[:stop] {
		at = at.Add(s.between(4*time.Hour, 4*24*time.Hour))
		stage := st
		s.at(at, func(ctx context.Context) error { return s.db.SetStage(ctx, customerID, stage, "mei.chen") })
	}
	if final != "" {
		at = at.Add(s.between(1*24*time.Hour, 10*24*time.Hour))
		s.at(at, func(ctx context.Context) error { return s.db.SetStage(ctx, customerID, final, "mei.chen") })
	}
}

// intent draws what a message is about.
func (s *sim) intent(p *person, spike bool) string {
	if p.role == bot.RoleEmployee {
		return s.pick(employeeWeights, employeeIntents)
	}
	w := customerWeights
	if spike {
		w = spikeWeights
	}
	return s.pick(w, customerIntents)
}

var customerIntents = []string{"greeting", "product_info", "shipping_info", "order_status", "brewing_advice",
	"purchase_intent", "return_policy", "payment_methods", "complaint", "ask_human", "refund_request", "oos", "thanks"}

var customerWeights = map[string]float64{"greeting": 6, "product_info": 14, "shipping_info": 12, "order_status": 11,
	"brewing_advice": 8, "purchase_intent": 8, "return_policy": 5, "payment_methods": 5, "complaint": 4, "ask_human": 3,
	"refund_request": 4, "oos": 9, "thanks": 6}

var spikeWeights = func() map[string]float64 {
	w := map[string]float64{}
	for k, v := range customerWeights {
		w[k] = v
	}
	w["complaint"], w["order_status"], w["refund_request"] = 40, 25, 12
	return w
}()

var employeeIntents = []string{"product_info", "shipping_info", "return_policy", "refund_request", "oos", "thanks", "ask_human"}
var employeeWeights = map[string]float64{"product_info": 10, "shipping_info": 6, "return_policy": 6, "refund_request": 5,
	"oos": 4, "thanks": 3, "ask_human": 1}

// annotate draws what the classifier would have found.
func (s *sim) annotate(intent, lang string) bot.Annotation {
	a := bot.Annotation{Intent: intent, Language: lang, Confidence: 0.55 + 0.43*s.rng.Float64(),
		Sentiment: -0.15 + 0.7*s.rng.Float64(), Complaint: 0.25 * s.rng.Float64()}
	switch intent {
	case "complaint":
		a.Sentiment, a.Complaint = -0.45-0.5*s.rng.Float64(), 0.62+0.37*s.rng.Float64()
	case "refund_request", "order_status":
		if s.chance(0.2) {
			a.Sentiment = -0.4 - 0.3*s.rng.Float64()
		}
	case "oos":
		a.Confidence = 0.2 + 0.3*s.rng.Float64()
	}
	// The Engine's judgement with its default thresholds.
	a.IsComplaint = intent == "complaint" || a.Complaint >= 0.6
	a.IsNegative = a.Sentiment <= -0.4
	return a
}

// decide is what the Engine would have done.
func (s *sim) decide(p *person, intent string, ann bot.Annotation, handedOff bool) turn {
	if handedOff {
		return turn{intent: intent, action: bot.ActionRelay}
	}
	switch {
	case intent == "ask_human":
		return turn{intent: intent, action: bot.ActionEscalate,
			esc: &bot.Escalation{Reason: bot.ReasonRequestedHuman, Severity: "normal", Summary: "asked for a human on " + p.channel}}
	case p.role == bot.RoleCustomer && ann.IsComplaint:
		sev := "normal"
		if ann.Complaint >= 0.9 {
			sev = "high"
		}
		return turn{intent: intent, action: bot.ActionEscalate,
			esc: &bot.Escalation{Reason: bot.ReasonComplaint, Severity: sev, Summary: "complaint on " + p.channel}}
	case intent == "greeting" || intent == "thanks":
		return turn{intent: intent, action: bot.ActionSmallTalk}
	case intent == "purchase_intent" && p.role == bot.RoleCustomer:
		return turn{intent: intent, action: bot.ActionLead, lead: true}
	case intent == "oos" || s.chance(0.12):
		if intent != "oos" && s.chance(0.15) && p.role == bot.RoleCustomer {
			return turn{intent: intent, action: bot.ActionEscalate, esc: &bot.Escalation{Reason: bot.ReasonRepeatedFailure,
				Severity: "low", Summary: "bot could not answer twice on " + p.channel}}
		}
		return turn{intent: intent, action: bot.ActionClarify}
	}
	return turn{intent: intent, action: bot.ActionAnswer}
}

// source is the knowledge page an answer cites.
func source(intent, lang string) bot.Source {
	id := map[string]string{"shipping_info": "shipping-and-delivery", "return_policy": "returns-and-refunds",
		"refund_request": "returns-and-refunds", "payment_methods": "payment-and-invoices", "brewing_advice": "brewing-guide",
		"order_status": "shipping-and-delivery"}[intent]
	if id == "" {
		id = "products"
	}
	if lang == "zh" && id != "products" {
		id += ".zh"
	}
	return bot.Source{ID: id, Title: strings.ReplaceAll(id, "-", " ")}
}

func (s *sim) text(intent, lang string) string {
	set, ok := phrases[intent]
	if !ok {
		set = phrases["oos"]
	}
	list := set[0]
	if lang == "zh" {
		list = set[1]
	}
	t := list[s.rng.IntN(len(list))]
	t = strings.ReplaceAll(t, "{tea}", teas[lang == "zh"][s.rng.IntN(len(teas[lang == "zh"]))])
	t = strings.ReplaceAll(t, "{order}", fmt.Sprintf("JL%06d", 100000+s.rng.IntN(900000)))
	if intent == "oos" || s.chance(0.04) {
		// the questions the shop has no page for yet: the knowledge gaps
		gaps := gapQuestions[lang == "zh"]
		t = gaps[s.rng.IntN(len(gaps))]
	}
	return t
}

func (s *sim) reply(tr turn, lang string) string {
	zh := lang == "zh"
	switch tr.action {
	case bot.ActionSmallTalk:
		return pickLang(zh, "Hello! How can I help you with our teas today?", "您好！请问有什么可以帮您？")
	case bot.ActionClarify:
		return pickLang(zh, "I'm not sure I understood. Could you rephrase, or shall I get a colleague?", "抱歉，我没太明白。您能换个说法吗？或者我请同事来帮您？")
	case bot.ActionEscalate:
		return pickLang(zh, "I'm sorry about this. A colleague will take over shortly.", "非常抱歉，同事马上为您处理。")
	case bot.ActionLead:
		return pickLang(zh, "Great choice! Our sales team will contact you with an offer.", "好的！我们的销售同事会尽快联系您。")
	}
	return pickLang(zh, "Here is what our guide says about that.", "以下是我们指南中的相关说明。")
}

func agentText(lang string) string {
	return pickLang(lang == "zh", "Hi, this is the Jade Leaf team. I'm looking into it for you now.", "您好，我是翠叶茶庄的客服，正在为您处理。")
}

func pickLang(zh bool, en, cn string) string {
	if zh {
		return cn
	}
	return en
}

var teas = map[bool][]string{
	false: {"Longjing", "Tieguanyin", "Da Hong Pao", "aged Pu'er", "Silver Needle", "jasmine pearls", "Keemun black tea"},
	true:  {"龙井", "铁观音", "大红袍", "熟普洱", "白毫银针", "茉莉龙珠", "祁门红茶"},
}

// phrases are invented customer messages per intent: [English, Chinese].
var phrases = map[string][2][]string{
	"greeting":        {{"hi there", "hello!", "good morning, anyone around?"}, {"你好", "您好，在吗？", "早上好"}},
	"thanks":          {{"thanks a lot!", "great, thank you", "perfect, cheers"}, {"谢谢！", "好的，多谢", "太好了，谢谢"}},
	"product_info":    {{"what does {tea} taste like?", "is your {tea} from this year's harvest?", "how much caffeine is in {tea}?"}, {"{tea}是什么口感？", "你们的{tea}是今年的新茶吗？", "{tea}咖啡因多吗？"}},
	"shipping_info":   {{"how long does delivery to Berlin take?", "do you ship {tea} to Singapore?", "which courier do you use?"}, {"寄到成都要几天？", "可以寄{tea}到香港吗？", "你们用什么快递？"}},
	"order_status":    {{"where is my order {order}?", "order {order} still hasn't arrived", "can you check the status of {order}?"}, {"我的订单{order}到哪了？", "订单{order}还没到", "帮我查一下{order}的物流"}},
	"brewing_advice":  {{"what water temperature for {tea}?", "how many grams of {tea} per cup?", "how long should I steep {tea}?"}, {"{tea}用多少度的水泡？", "泡{tea}放多少克？", "{tea}要泡多久？"}},
	"purchase_intent": {{"I'd like to buy 2kg of {tea} for my café", "can I order a gift box of {tea}?", "we want {tea} for our office, 50 boxes"}, {"我想买两公斤{tea}", "想订一个{tea}礼盒", "公司想采购50盒{tea}"}},
	"return_policy":   {{"can I return an unopened tin?", "what is your return policy?", "how many days do I have to return {tea}?"}, {"没开封的可以退吗？", "你们的退货政策是什么？", "{tea}几天内可以退？"}},
	"payment_methods": {{"do you take PayPal?", "can I pay by bank transfer?", "is Alipay accepted?"}, {"可以用支付宝吗？", "能微信支付吗？", "支持对公转账吗？"}},
	"complaint": {{"my {tea} arrived crushed, this is unacceptable", "order {order} is two weeks late and nobody answers",
		"the tin of {tea} was half empty, very disappointed"}, {"{tea}收到时包装破了，太差了", "订单{order}晚了两周也没人回复", "{tea}罐子是半空的，非常失望"}},
	"ask_human":      {{"can I talk to a person please", "I want a human agent", "get me someone from your team"}, {"我要人工客服", "请转人工", "能找个真人聊吗"}},
	"refund_request": {{"I want a refund for order {order}", "please refund the broken teapot", "how do I get my money back for {tea}?"}, {"订单{order}我要退款", "茶壶碎了，请退款", "{tea}怎么退款？"}},
	"oos":            {{"what's the weather tomorrow?", "can you write my homework?"}, {"明天天气怎么样？", "帮我写作业"}},
}

// gapQuestions are things customers ask that the demo content does not
// answer: the knowledge gaps a manager should write content for.
var gapQuestions = map[bool][]string{
	false: {"do you have caffeine-free tea for kids?", "can I visit your tea garden?", "do you offer tea subscriptions?",
		"is your packaging plastic-free?", "do you sell matcha whisks?", "can I pay in instalments?"},
	true: {"有适合小孩喝的无咖啡因茶吗？", "可以参观你们的茶园吗？", "有没有茶叶订阅服务？", "包装是无塑料的吗？",
		"你们卖抹茶刷吗？", "可以分期付款吗？"},
}
