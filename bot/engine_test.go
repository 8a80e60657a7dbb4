package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
)

func newEngine(t *testing.T) (*bot.Engine, *bottest.Store, *bottest.Retriever) {
	t.Helper()
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"hello":            {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "en"},
		"你好":               {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "zh"},
		"shipping":         {Intent: "shipping_info", Confidence: 0.8, Language: "en"},
		"运费":               {Intent: "shipping_cost", Confidence: 0.8, Language: "zh"},
		"refund limit":     {Intent: "refund_request", Confidence: 0.7, Language: "en"},
		"talk to a person": {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true},
		"disappointed":     {Intent: "product_info", Confidence: 0.5, Complaint: 0.8, Sentiment: -0.6, Language: "en"},
		"投诉":               {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "zh"},
		"lawyer":           {Intent: "refund_request", Confidence: 0.6, EscalationWords: []string{"lawyer"}, Language: "en"},
		"buy":              {Intent: bot.IntentPurchase, Confidence: 0.8, Language: "en"},
		"slow":             {Intent: "shipping_info", Confidence: 0.6, Sentiment: -0.5, Complaint: 0.3, Language: "en"},
		"线上课":              {Intent: bot.IntentGreeting, Confidence: 0.2, Language: "zh"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"shipping", "slow"}, Hit: bot.Hit{ID: "faq-shipping-01", Title: "Shipping time", Answer: "2-4 days.", Audience: bot.AudiencePublic, Confidence: 0.8}},
		{Keywords: []string{"运费"}, Hit: bot.Hit{ID: "faq-shipping-cost-01-zh", Title: "运费", Answer: "满299元包邮。", Audience: bot.AudiencePublic, Confidence: 0.7}},
		{Keywords: []string{"refund limit"}, Hit: bot.Hit{ID: "refund-authority", Title: "Refund authority", Answer: "Staff up to 200.", Audience: bot.AudienceInternal, Confidence: 0.9}},
		{Keywords: []string{"buy"}, Hit: bot.Hit{ID: "JL-GRN-001", Title: "Longjing", Answer: "Longjing, 120 CNY.", Audience: bot.AudiencePublic, Confidence: 0.6}},
		{Keywords: []string{"线上课"}, Hit: bot.Hit{ID: "faq-online-zh", Title: "线上课", Answer: "线上小班在 ClassIn 直播。", Audience: bot.AudiencePublic, Confidence: 0.8}},
	}}
	st := &bottest.Store{}
	e, err := bot.NewEngine(bot.EngineOptions{Classifier: cls, Retriever: ret, Store: st,
		Now: bottest.Now(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return e, st, ret
}

func TestEngineDecisions(t *testing.T) {
	type want struct {
		Action   bot.Action
		Intent   string
		Language string
		Sources  []string
		Handoff  bool
		Contains string
	}
	tests := []struct {
		name string
		role bot.Role
		text string
		want want
	}{
		{"greeting", bot.RoleCustomer, "hello there", want{bot.ActionSmallTalk, bot.IntentGreeting, "en", nil, false, "Hello"}},
		{"greeting zh", bot.RoleCustomer, "你好", want{bot.ActionSmallTalk, bot.IntentGreeting, "zh", nil, false, "您好"}},
		{"a greeting read at low confidence is a question", bot.RoleCustomer, "线上课", want{bot.ActionAnswer, bot.IntentGreeting, "zh", []string{"faq-online-zh"}, false, "ClassIn"}},
		{"faq answer", bot.RoleCustomer, "how long does shipping take?", want{bot.ActionAnswer, "shipping_info", "en", []string{"faq-shipping-01"}, false, "2-4 days"}},
		{"faq answer zh", bot.RoleCustomer, "运费怎么算？", want{bot.ActionAnswer, "shipping_cost", "zh", []string{"faq-shipping-cost-01-zh"}, false, "包邮"}},
		{"internal for employee", bot.RoleEmployee, "what is my refund limit?", want{bot.ActionAnswer, "refund_request", "en", []string{"refund-authority"}, false, "Staff up to 200"}},
		{"internal hidden from customer", bot.RoleCustomer, "what is my refund limit?", want{bot.ActionClarify, "refund_request", "en", nil, false, "not sure"}},
		{"ask human", bot.RoleCustomer, "I want to talk to a person", want{bot.ActionEscalate, bot.IntentAskHuman, "en", nil, true, "team"}},
		{"polite complaint", bot.RoleCustomer, "I'm a bit disappointed with the tea", want{bot.ActionEscalate, "product_info", "en", nil, true, "sorry"}},
		{"complaint zh", bot.RoleCustomer, "你们的快递太慢了，我要投诉", want{bot.ActionEscalate, bot.IntentComplaint, "zh", nil, true, "抱歉"}},
		{"escalation words", bot.RoleCustomer, "my lawyer will hear about this", want{bot.ActionEscalate, "refund_request", "en", nil, true, "manager"}},
		{"out of scope", bot.RoleCustomer, "what's the weather on Mars", want{bot.ActionClarify, bot.IntentOutOfScope, "en", nil, false, "rephrase"}},
		{"lead", bot.RoleCustomer, "I want to buy Longjing", want{bot.ActionLead, bot.IntentPurchase, "en", []string{"JL-GRN-001"}, false, "sales team"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, st, ret := newEngine(t)
			r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u1", Text: tt.text, Role: tt.role})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range r.Sources {
				ids = append(ids, s.ID)
			}
			got := want{r.Action, r.Intent, r.Language, ids, r.Handoff, tt.want.Contains}
			if !strings.Contains(r.Text, tt.want.Contains) {
				got.Contains = r.Text
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reply mismatch (-want +got):\n%s", diff)
			}
			// The inbound message is stored, then the reply.
			msgs := st.Messages()
			if len(msgs) != 2 || !msgs[0].Inbound || msgs[0].Text != tt.text || msgs[1].Inbound || msgs[1].Text != r.Text {
				t.Errorf("stored messages = %+v, want inbound then reply", msgs)
			}
			if msgs[0].Intent != tt.want.Intent {
				t.Errorf("inbound annotated with intent %q, want %q", msgs[0].Intent, tt.want.Intent)
			}
			if tt.want.Handoff != (len(st.Escalations()) == 1) {
				t.Errorf("escalations = %v, want handoff %v", st.Escalations(), tt.want.Handoff)
			}
			if tt.want.Handoff && r.EscalationID == 0 {
				t.Error("handoff reply has no escalation id")
			}
			for _, q := range ret.Queries() {
				if tt.role == bot.RoleCustomer && len(q.Audiences) != 1 {
					t.Errorf("customer query audiences = %v, want public only", q.Audiences)
				}
			}
			if tt.want.Action == bot.ActionLead && !st.IsLead(1) {
				t.Error("purchase intent did not mark the customer as a lead")
			}
		})
	}
}

func TestEngineStaysSilentAfterHandoff(t *testing.T) {
	e, st, _ := newEngine(t)
	ctx := context.Background()
	msg := func(text string) bot.Reply {
		t.Helper()
		r, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := msg("I want to talk to a person")
	if !first.Handoff {
		t.Fatalf("want handoff, got %+v", first)
	}
	// The first message after the escalation reply gets one holding message
	// with the expected wait; every later one is relayed in silence.
	if r := msg("hello?"); r.Action != bot.ActionHold || !r.Handoff || !strings.Contains(r.Text, "about 15 minutes") {
		t.Errorf("first message during handoff got reply %+v, want the holding message", r)
	}
	for _, text := range []string{"how long does shipping take?", "你好"} {
		r := msg(text)
		if r.Action != bot.ActionRelay || r.Text != "" || !r.Handoff {
			t.Errorf("message %q during handoff got reply %+v, want silent relay", text, r)
		}
	}
	st.SetStatus(first.ConversationID, bot.StatusHuman)
	if r := msg("hello"); r.Text != "" {
		t.Errorf("bot spoke while a human owns the conversation: %q", r.Text)
	}
	// Every message is stored, and the bot's only words are the escalation
	// reply and the one holding message.
	var inbound, botTexts, holding int
	for _, m := range st.Messages() {
		switch {
		case m.Inbound:
			inbound++
		case m.Action == bot.ActionRelay:
			holding++
		case m.Text != "":
			botTexts++
		}
	}
	if inbound != 5 || botTexts != 1 || holding != 1 {
		t.Errorf("inbound=%d bot texts=%d holding=%d, want 5, 1 and 1", inbound, botTexts, holding)
	}
	// Resolved: the next message opens a new conversation the bot answers.
	st.SetStatus(first.ConversationID, bot.StatusResolved)
	if r := msg("hello"); r.Action != bot.ActionSmallTalk || r.ConversationID == first.ConversationID {
		t.Errorf("after resolve got %+v, want small talk in a new conversation", r)
	}
}

// slowStore reads a conversation's recent messages as slowly as a database
// on a busy machine, so that concurrent handling interleaves.
type slowStore struct{ *bottest.Store }

func (s slowStore) RecentMessages(ctx context.Context, id bot.ConversationID, n int) ([]bot.StoredMessage, error) {
	r, err := s.Store.RecentMessages(ctx, id, n)
	time.Sleep(5 * time.Millisecond) // the answer's way back
	return r, err
}

// Messages that arrive together after the escalation reply (a customer
// who sends several lines at once, handled by a channel's parallel
// workers) get one holding message between them, not one each.
func TestEngineHoldsOnceForConcurrentMessages(t *testing.T) {
	e, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Rules: map[string]bot.Classification{
			"talk to a person": {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true},
		}, Default: bot.Classification{Intent: bot.IntentGreeting, Confidence: 0.9, Language: "en"}},
		Retriever: &bottest.Retriever{}, Store: slowStore{&bottest.Store{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: "I want to talk to a person"})
	if err != nil || !first.Handoff {
		t.Fatalf("want handoff, got %+v %v", first, err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		holds int
	)
	for _, text := range []string{"hello?", "anyone?", "still there?", "你好", "hello??", "please", "??", "hi"} {
		wg.Go(func() {
			r, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: text})
			if err != nil {
				t.Error(err)
				return
			}
			if r.Action == bot.ActionHold {
				mu.Lock()
				holds++
				mu.Unlock()
			} else if r.Text != "" {
				t.Errorf("%q during handoff got %+v", text, r)
			}
		})
	}
	wg.Wait()
	if holds != 1 {
		t.Errorf("%d holding messages for 8 messages that arrived together, want 1", holds)
	}
}

func TestEngineTrends(t *testing.T) {
	e, _, _ := newEngine(t)
	ctx := context.Background()
	handle := func(text string) bot.Reply {
		r, err := e.Handle(ctx, bot.Message{Channel: "api", ExternalUserID: "u9", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := handle("delivery is so slow"); r.Handoff {
		t.Fatalf("one negative message escalated: %+v", r)
	}
	if r := handle("still slow, really"); !r.Handoff {
		t.Errorf("two negative messages in a row did not escalate: %+v", r)
	}

	e2, _, _ := newEngine(t)
	handle2 := func(text string) bot.Reply {
		r, _ := e2.Handle(ctx, bot.Message{Channel: "api", ExternalUserID: "u9", Text: text})
		return r
	}
	if r := handle2("blorp"); r.Action != bot.ActionClarify {
		t.Fatalf("got %+v, want clarify", r)
	}
	if r := handle2("zorp"); !r.Handoff {
		t.Errorf("two failed answers in a row did not escalate: %+v", r)
	}
}

func TestEngineRejectsBadInput(t *testing.T) {
	e, st, _ := newEngine(t)
	tests := []struct {
		name, text, code string
	}{
		{"empty", "", bot.EINVALID},
		{"blank", "  \n\t ", bot.EINVALID},
		{"invalid utf8", "hi \xff\xfe", bot.EINVALID},
		{"too long", strings.Repeat("a", bot.MaxMessageRunes+1), bot.ETOOLARGE},
		{"NUL", "\x00", bot.EINVALID},
		{"control characters", "\x01\x02\x1b\x7f", bot.EINVALID},
		{"zero-width spaces", "\u200b\u200b", bot.EINVALID},
		{"right-to-left override", "\u202e", bot.EINVALID},
		{"byte-order mark", "\ufeff", bot.EINVALID},
		{"invisible mix", " \u200b\u2060\u00ad\u0000\u2066 \r\n", bot.EINVALID},
	}
	for _, tt := range tests {
		_, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: tt.text})
		if got := bot.ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q, want %q (err %v)", tt.name, got, tt.code, err)
		}
	}
	// 4,000 Chinese characters are within the limit.
	if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: strings.Repeat("茶", bot.MaxMessageRunes)}); err != nil {
		t.Errorf("max-length message refused: %v", err)
	}
	if n := len(st.Messages()); n != 2 {
		t.Errorf("stored %d messages, want only the valid one and its reply", n)
	}
	// What no customer means to send is removed before the message is
	// stored: NUL and other controls, the byte-order mark, bidi overrides.
	if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u2",
		Text: "\ufeffhello\x00 \u202eshipping\u202c\r\n👩\u200d👩"}); err != nil {
		t.Fatal(err)
	}
	msgs := st.Messages()
	if got, want := msgs[len(msgs)-2].Text, "hello shipping\n👩\u200d👩"; got != want {
		t.Errorf("stored %q, want %q", got, want)
	}
}

func TestEngineDegrades(t *testing.T) {
	e, st, ret := newEngine(t)
	ret.Err = errors.New("index closed")
	r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: "how long does shipping take?"})
	if err != nil || r.Action != bot.ActionClarify {
		t.Errorf("retriever down: got %+v, %v; want a clarify reply", r, err)
	}
	st.FailInbound = errors.New("disk full")
	if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: "hello"}); err == nil {
		t.Error("store failure was not reported: a message would be answered but not recorded")
	}
}

func TestEngineConcurrent(t *testing.T) {
	e, st, _ := newEngine(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := string(rune('a' + i%5))
			for range 10 {
				if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: user, Text: "how long does shipping take?"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(st.Messages()); n != 400 {
		t.Errorf("stored %d messages, want 400", n)
	}
}

func TestEngineEmployeesAreNotComplaints(t *testing.T) {
	e, st, _ := newEngine(t)
	for _, text := range []string{"I'm a bit disappointed with the tea", "what if a customer's lawyer calls?", "你们的快递太慢了，我要投诉"} {
		r, err := e.Handle(context.Background(), bot.Message{Channel: "slack", ExternalUserID: "T1:U1", Text: text, Role: bot.RoleEmployee})
		if err != nil {
			t.Fatal(err)
		}
		if r.Handoff {
			t.Errorf("employee message %q escalated: %+v", text, r)
		}
	}
	if n := len(st.Escalations()); n != 0 {
		t.Errorf("%d escalations for employee questions", n)
	}
}

type fakeSummarizer struct{ got []bot.StoredMessage }

func (f *fakeSummarizer) Summarize(ctx context.Context, msgs []bot.StoredMessage, lang string) (string, error) {
	f.got = msgs
	return "Issue: parcel late\nWants: a person\nMood: upset", nil
}

func TestEngineSummarizesEscalations(t *testing.T) {
	st := &bottest.Store{}
	sum := &fakeSummarizer{}
	e, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Rules: map[string]bot.Classification{
			"person": {Intent: bot.IntentAskHuman, Confidence: 0.9, Language: "en", AsksForPerson: true}}},
		Retriever: &bottest.Retriever{}, Store: st, Summarizer: sum,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: "a person please"}); err != nil {
		t.Fatal(err)
	}
	esc := st.Escalations()
	if len(esc) != 1 || !strings.Contains(esc[0].Summary, "Wants: a person") || !strings.Contains(esc[0].Summary, "asked for a human") {
		t.Fatalf("escalations = %+v, want the reason line and the summary", esc)
	}
	if len(sum.got) != 1 || sum.got[0].Text != "a person please" {
		t.Errorf("summarizer got %+v, want the conversation so far", sum.got)
	}
}

// TestEngineSummaryReadsTheEscalatingMessage: the message that escalates is
// annotated only with the reply, after the summary is written; the
// Summarizer must still see its sentiment and intent, or an angry complaint
// is summarised as neutral.
func TestEngineSummaryReadsTheEscalatingMessage(t *testing.T) {
	st := &bottest.Store{}
	sum := &fakeSummarizer{}
	e, err := bot.NewEngine(bot.EngineOptions{
		Classifier: &bottest.Classifier{Rules: map[string]bot.Classification{
			"投诉": {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "zh"}}},
		Retriever: &bottest.Retriever{}, Store: st, Summarizer: sum,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: "你们的快递太慢了，我要投诉，太气人了"}); err != nil {
		t.Fatal(err)
	}
	if len(st.Escalations()) != 1 || len(sum.got) != 1 {
		t.Fatalf("%d escalations, summarizer got %+v", len(st.Escalations()), sum.got)
	}
	if m := sum.got[0]; m.Sentiment != -0.9 || m.Intent != bot.IntentComplaint || m.Language != "zh" {
		t.Errorf("summarizer got the complaint as %+v, want its sentiment -0.9, intent complaint, language zh", m)
	}
}

// wordCatalog is a catalogue that answers every message naming its word.
type wordCatalog struct {
	word string
	ans  bot.CatalogAnswer
}

func (c wordCatalog) Answer(_ context.Context, q bot.Query) (bot.CatalogAnswer, error) {
	if strings.Contains(strings.ToLower(q.Text), c.word) {
		return c.ans, nil
	}
	return bot.CatalogAnswer{}, nil
}

// fakeEngine builds an Engine from opts over an in-memory store and the
// fakes' fixed clock.
func fakeEngine(t *testing.T, opts bot.EngineOptions) *bot.Engine {
	t.Helper()
	opts.Store = &bottest.Store{}
	opts.Now = bottest.Now(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Second)
	e, err := bot.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// handle has e handle m and returns the reply; an error fails the test.
func handle(t *testing.T, e *bot.Engine, m bot.Message) bot.Reply {
	t.Helper()
	r, err := e.Handle(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEmployeesGetTheInternalPageBeforeTheCatalogue checks that an
// employee's question a confident internal page answers is answered from
// it even when the catalogue matches a word of it, and that customers, who
// cannot read that page, still get the catalogue.
func TestEmployeesGetTheInternalPageBeforeTheCatalogue(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"lock": {Intent: "store_visit", Confidence: 0.6, Language: "en"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"locking up"}, Hit: bot.Hit{ID: "closing-checklist", Title: "Closing checklist",
			Answer: "Cash up, then set the alarm.", Audience: bot.AudienceInternal, Confidence: 0.7}},
	}}
	cat := wordCatalog{word: "lock", ans: bot.CatalogAnswer{OK: true, Confidence: 0.8, Text: "We have 5 locks.",
		Sources: []bot.Source{{ID: "LK-1", Title: "D-lock"}}}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret, Catalog: cat})
	for _, tt := range []struct {
		role bot.Role
		want string
	}{
		{bot.RoleEmployee, "closing-checklist"},
		{bot.RoleCustomer, "LK-1"},
	} {
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u-" + string(tt.role),
			Text: "what do I do before locking up at night", Role: tt.role})
		if len(r.Sources) == 0 || r.Sources[0].ID != tt.want {
			t.Errorf("%s: sources %v, want %s first", tt.role, r.Sources, tt.want)
		}
	}
}

// TestEmployeesGetTheInternalPageBeforeThePublicOne checks that an
// employee whose question a public FAQ entry and an internal page both
// answer gets the internal page, and that a weak internal hit does not
// displace a sure public one.
func TestEmployeesGetTheInternalPageBeforeThePublicOne(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"open": {Intent: "store_visit", Confidence: 0.6, Language: "en"},
	}}
	for _, tt := range []struct {
		internal float64
		want     string
	}{
		{internal: 0.6, want: "opening-checklist"},
		{internal: 0.1, want: "faq-hours"},
	} {
		ret := &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"open"}, Hit: bot.Hit{ID: "faq-hours", Title: "Opening hours",
				Answer: "We open at 7:00.", Audience: bot.AudiencePublic, Confidence: 0.9}},
			{Keywords: []string{"open"}, Hit: bot.Hit{ID: "opening-checklist", Title: "Opening checklist",
				Answer: "Arrive at 6:30 and disarm the alarm.", Audience: bot.AudienceInternal, Confidence: tt.internal}},
		}}
		e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
		r := handle(t, e, bot.Message{Channel: "terminal", ExternalUserID: "staff",
			Text: "what time do i need to be in to open", Role: bot.RoleEmployee})
		if len(r.Sources) == 0 || r.Sources[0].ID != tt.want {
			t.Errorf("internal hit at %.2f: sources %v, want %s first", tt.internal, r.Sources, tt.want)
		}
	}
}

// TestEmployeesEscalateOnlyWhenTheyDemandAPerson checks that an employee's
// question naming "someone" is answered, not handed over, while words that
// can only mean a person still escalate.
func TestEmployeesEscalateOnlyWhenTheyDemandAPerson(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"someone":     {Intent: bot.IntentAskHuman, Confidence: 0.5, Language: "en", AsksForPerson: true},
		"real person": {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true, DemandsPerson: true},
	}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: &bottest.Retriever{}})
	for text, escalate := range map[string]bool{
		"do i add the no show fee manually if someone doesnt turn up": false,
		"i need a real person to sort out my payslip":                 true,
	} {
		r := handle(t, e, bot.Message{Channel: "terminal", ExternalUserID: "staff-" + text[:4],
			Text: text, Role: bot.RoleEmployee})
		if got := r.Action == bot.ActionEscalate; got != escalate {
			t.Errorf("%q: action %s, want escalation %v", text, r.Action, escalate)
		}
	}
}

// TestClearlyLikelierPassageOutranksTheCatalogue checks that a customer's
// question the catalogue claims is answered from a FAQ entry when the entry
// is clearly more likely to be right (by more than the margin), and from
// the catalogue otherwise.
// It also checks that a passage close behind the catalogue's reply (half as
// likely or more) is offered beside it.
func TestClearlyLikelierPassageOutranksTheCatalogue(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"towel": {Intent: "product_info", Confidence: 0.6, Language: "en"},
	}}
	for _, tt := range []struct {
		faq, cat float64
		want     string
		offered  string // the passage offered beside the catalogue's reply
	}{
		{faq: 0.9, cat: 0.6, want: "faq-facilities"},
		{faq: 0.65, cat: 0.6, want: "TW-1", offered: "faq-facilities"}, // likelier, but within the margin
		{faq: 0.5, cat: 0.4, want: "TW-1", offered: "faq-facilities"},  // the passage is not sure enough to answer
		{faq: 0.7, cat: 0.95, want: "TW-1", offered: "faq-facilities"},
		{faq: 0.4, cat: 0.95, want: "TW-1"}, // far behind
	} {
		ret := &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"towel"}, Hit: bot.Hit{ID: "faq-facilities", Title: "Do I need to bring a towel?",
				Answer: "No, towels are free.", Audience: bot.AudiencePublic, Confidence: tt.faq}},
		}}
		cat := wordCatalog{word: "towel", ans: bot.CatalogAnswer{OK: true, Confidence: tt.cat, Text: "We sell a mat towel.",
			Sources: []bot.Source{{ID: "TW-1", Title: "Mat towel"}}}}
		e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret, Catalog: cat, MinCatalogConfidence: 0.35})
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u",
			Text: "do i need to bring a towel", Role: bot.RoleCustomer})
		if len(r.Sources) == 0 || r.Sources[0].ID != tt.want {
			t.Errorf("FAQ %.2f, catalogue %.2f: sources %v, want %s first", tt.faq, tt.cat, r.Sources, tt.want)
		}
		var offered string
		if len(r.Choices) > 0 {
			offered = r.Choices[0].ID
		}
		if offered != tt.offered || len(r.Choices) > 1 {
			t.Errorf("FAQ %.2f, catalogue %.2f: choices %v, want %q offered", tt.faq, tt.cat, r.Choices, tt.offered)
		}
	}
}

// TestCataloguesLastClauseYieldsToAConfidentPassage checks that the
// catalogue's answer to a message's last clause alone stands only when no
// passage answers the whole message confidently.
func TestCataloguesLastClauseYieldsToAConfidentPassage(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"towel": {Intent: "product_info", Confidence: 0.6, Language: "en"},
	}}
	for _, tt := range []struct {
		faq  float64
		last bool
		want string
	}{
		{faq: 0.7, last: true, want: "faq-facilities"},
		{faq: 0.4, last: true, want: "TW-1"}, // the passage is not sure enough to answer
		{faq: 0.7, last: false, want: "TW-1"},
	} {
		ret := &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"towel"}, Hit: bot.Hit{ID: "faq-facilities", Title: "Do I need to bring a towel?",
				Answer: "No, towels are free.", Audience: bot.AudiencePublic, Confidence: tt.faq}},
		}}
		cat := wordCatalog{word: "towel", ans: bot.CatalogAnswer{OK: true, Confidence: 0.95, Text: "We sell a mat towel.",
			Sources: []bot.Source{{ID: "TW-1", Title: "Mat towel"}}, LastClause: tt.last}}
		e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret, Catalog: cat, MinCatalogConfidence: 0.35})
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u",
			Text: "first class tomorrow, do i need to bring a towel", Role: bot.RoleCustomer})
		if len(r.Sources) == 0 || r.Sources[0].ID != tt.want {
			t.Errorf("FAQ %.2f, last clause %v: sources %v, want %s first", tt.faq, tt.last, r.Sources, tt.want)
		}
	}
}

// TestSureFAQOverTheCataloguesWhich checks that when the catalogue would
// ask "which one?" about products a message names, a FAQ entry that
// answers the question surely answers it ("bike fit price" is the fitting
// service, not the fit kit or the fitting stand); a passage less sure does
// not stop the catalogue asking.
func TestSureFAQOverTheCataloguesWhich(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"fit": {Intent: "product_info", Confidence: 0.6, Language: "en"},
	}}
	for _, tt := range []struct {
		faq  float64
		want string
	}{
		{faq: 0.94, want: "faq-fit"},
		{faq: 0.5, want: ""}, // the catalogue asks which
	} {
		ret := &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"fit"}, Hit: bot.Hit{ID: "faq-fit", Title: "How much is a bike fit?",
				Answer: "A full bike fit is ¥600.", Audience: bot.AudiencePublic, Confidence: tt.faq}},
		}}
		choices := []bot.Source{{ID: "KIT-1", Title: "Fit kit"}, {ID: "STAND-1", Title: "Fitting stand"}}
		cat := wordCatalog{word: "fit", ans: bot.CatalogAnswer{OK: true, Confidence: 0.6, Text: "Which one do you mean?", AsksWhich: true,
			Sources: choices, Choices: choices}}
		e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret, Catalog: cat})
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u", Text: "bike fit price", Role: bot.RoleCustomer})
		var first string
		if len(r.Sources) > 0 {
			first = r.Sources[0].ID
		}
		if first != tt.want {
			t.Errorf("FAQ %.2f: sources %v, want %q first", tt.faq, r.Sources, tt.want)
		}
		if tt.want == "" && (len(r.Choices) != 2 || r.Choices[0].ID != "KIT-1") {
			t.Errorf("FAQ %.2f: choices %v, want the catalogue's two", tt.faq, r.Choices)
		}
	}
}

// TestEmployeesGetTheClosestInternalPage checks that an employee gets the
// best internal passage, said to be the closest match, when it is too
// unsure to answer a customer but worth offering; that the other candidates
// follow as choices; and that a customer, or an internal passage below the
// choice threshold, still gets "not sure".
func TestEmployeesGetTheClosestInternalPage(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"late":  {Intent: bot.IntentOutOfScope, OutOfScope: true, Language: "en"},
		"迟到":    {Intent: bot.IntentOutOfScope, OutOfScope: true, Language: "zh"},
		"alarm": {Intent: bot.IntentOutOfScope, OutOfScope: true, Language: "en"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"late", "迟到"}, Hit: bot.Hit{ID: "shift-and-attendance#lateness", Title: "Shift and attendance — Lateness",
			Answer: "Clock in on DingTalk; three late arrivals a month cost ¥50.", Audience: bot.AudienceInternal, Confidence: 0.35}},
		{Keywords: []string{"late", "迟到"}, Hit: bot.Hit{ID: "faq-hours-01", Title: "Opening hours",
			Answer: "We open 9:00-21:00.", Audience: bot.AudiencePublic, Confidence: 0.3}},
		{Keywords: []string{"alarm"}, Hit: bot.Hit{ID: "opening-checklist", Title: "Opening checklist",
			Answer: "Disarm the alarm first.", Audience: bot.AudienceInternal, Confidence: 0.1}},
	}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
	for i, tt := range []struct {
		role    bot.Role
		text    string
		action  bot.Action
		source  string
		says    string
		choices int
	}{
		{bot.RoleEmployee, "how much do we lose for being late", bot.ActionAnswer, "shift-and-attendance#lateness", "closest I found in the staff pages", 1},
		{bot.RoleEmployee, "迟到扣多少钱", bot.ActionAnswer, "shift-and-attendance#lateness", "内部资料里最接近的", 1},
		{bot.RoleCustomer, "are you open late", bot.ActionClarify, "", "", 1},
		{bot.RoleEmployee, "the alarm code", bot.ActionClarify, "", "", 0},
	} {
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: fmt.Sprint("u", i), Text: tt.text, Role: tt.role})
		var first string
		if len(r.Sources) > 0 {
			first = r.Sources[0].ID
		}
		if r.Action != tt.action || first != tt.source || !strings.Contains(r.Text, tt.says) {
			t.Errorf("%s %q: %s from %q, text %q; want %s from %q saying %q", tt.role, tt.text, r.Action, first, r.Text, tt.action, tt.source, tt.says)
		}
		if tt.action == bot.ActionAnswer && len(r.Choices) != tt.choices {
			t.Errorf("%s %q: choices %v, want %d", tt.role, tt.text, r.Choices, tt.choices)
		}
	}
}

// TestCatalogueAnswersEachOrAsksWhich checks the two replies of a
// catalogue that finds several products equally likely meant: when it
// answers for each ("the price of each"), the Engine answers, citing them
// and offering each for more, with no "did you mean" tail; when it only
// asks which, the Engine asks, citing nothing.
func TestCatalogueAnswersEachOrAsksWhich(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"pack": {Intent: "product_info", Confidence: 0.6, Language: "en"},
	}}
	packs := []bot.Source{{ID: "PK-MAT-10", Title: "Mat 10-Class Pack"}, {ID: "PK-REF-10", Title: "Reformer 10-Class Pack"}}
	for _, tt := range []struct {
		asks    bool
		action  bot.Action
		sources int
	}{
		{asks: false, action: bot.ActionAnswer, sources: 2},
		{asks: true, action: bot.ActionClarify, sources: 0},
	} {
		text := "More than one matches; here is each:\n\n- Mat 10-Class Pack — ¥1,280\n- Reformer 10-Class Pack — ¥2,180\n\nPick one for more about it."
		if tt.asks {
			text = "We have more than one that matches — which one do you mean?"
		}
		cat := wordCatalog{word: "pack", ans: bot.CatalogAnswer{OK: true, Confidence: 0.8, Text: text, AsksWhich: tt.asks,
			Sources: packs, Choices: packs}}
		e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: &bottest.Retriever{}, Catalog: cat})
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: fmt.Sprint("u", tt.asks), Text: "how much is the 10 class pack", Role: bot.RoleCustomer})
		if r.Action != tt.action || len(r.Sources) != tt.sources || len(r.Choices) != 2 {
			t.Errorf("asks %v: %s with %d sources and %d choices, want %s with %d and 2", tt.asks, r.Action, len(r.Sources), len(r.Choices), tt.action, tt.sources)
		}
		if r.Text != text {
			t.Errorf("asks %v: text %q, want the catalogue's own %q", tt.asks, r.Text, text)
		}
	}
}

// paypalCoverage is a coverage check over one payment method, PayPal: a
// passage covers it when its title or answer names it.
type paypalCoverage struct{ *bottest.Retriever }

func (c paypalCoverage) Cover(question string, h bot.Hit, lang string) bot.CoverCheck {
	if !strings.Contains(strings.ToLower(question), "paypal") {
		return bot.CoverCheck{}
	}
	if strings.Contains(strings.ToLower(h.Title+" "+h.Answer), "paypal") {
		return bot.CoverCheck{Verdict: bot.CoverFull}
	}
	return bot.CoverCheck{Verdict: bot.CoverMissing, Kind: "payment_method", Asked: "PayPal", Options: "Alipay", Count: 1}
}

// TestCoverageAnswersWithThePassageAboutIt checks that when the best hit
// names another payment method, the passage whose title names the asked
// one answers, not an earlier one that lists it among others.
func TestCoverageAnswersWithThePassageAboutIt(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"paypal": {Intent: "payment_methods", Confidence: 0.9, Language: "en"},
	}}
	ret := paypalCoverage{&bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"pay"}, Hit: bot.Hit{ID: "faq-alipay", Title: "Can I pay with Alipay?", Answer: "Yes, choose Alipay.",
			Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"pay"}, Hit: bot.Hit{ID: "faq-methods", Title: "Which payment methods do you accept?",
			Answer: "Alipay, cards and, abroad, PayPal.", Audience: bot.AudiencePublic, Confidence: 0.8}},
		{Keywords: []string{"pay"}, Hit: bot.Hit{ID: "faq-paypal", Title: "Do you accept PayPal?",
			Answer: "Yes, for orders abroad.", Audience: bot.AudiencePublic, Confidence: 0.7}},
	}}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
	r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u1", Text: "Can I pay with PayPal?"})
	if len(r.Sources) == 0 || r.Sources[0].ID != "faq-paypal" {
		t.Errorf("sources %v, want faq-paypal first", r.Sources)
	}
}

// listCoverage is a coverage check over one payment method, Apple Pay: a
// passage lists as many options as its answer has commas and "or"s, plus
// one.
type listCoverage struct{ *bottest.Retriever }

func (c listCoverage) Cover(question string, h bot.Hit, lang string) bot.CoverCheck {
	if !strings.Contains(strings.ToLower(question), "apple pay") {
		return bot.CoverCheck{}
	}
	n := 1 + strings.Count(h.Answer, ",") + strings.Count(h.Answer, " or ")
	return bot.CoverCheck{Verdict: bot.CoverMissing, Kind: "payment_method", Asked: "Apple Pay",
		Options: strings.TrimSuffix(h.Answer, "."), Count: n}
}

// TestCoverageListsTheGeneralAnswer checks that when no passage covers the
// asked payment method, the options come from the content's answer to
// "what payment methods do you accept", not from a passage that names more
// of them in passing (refunds go back to …).
func TestCoverageListsTheGeneralAnswer(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"apple pay": {Intent: "payment_methods", Confidence: 0.9, Language: "en"},
	}}
	ret := listCoverage{&bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"apple pay"}, Hit: bot.Hit{ID: "faq-alipay", Title: "Can I pay with Alipay?", Answer: "Yes, choose Alipay.",
			Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"payment methods"}, Hit: bot.Hit{ID: "faq-methods", Title: "Which payment methods do you accept?",
			Answer: "Alipay, WeChat Pay or cards.", Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"apple pay", "payment methods"}, Hit: bot.Hit{ID: "refunds", Title: "Refunds",
			Answer: "Refunds go back to Alipay, WeChat Pay, UnionPay, Visa, gift cards or Huabei.", Audience: bot.AudiencePublic, Confidence: 0.6}},
	}}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
	r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u1", Text: "Can I pay with Apple Pay?"})
	if len(r.Sources) == 0 || r.Sources[0].ID != "faq-methods" {
		t.Errorf("sources %v, want faq-methods first; reply %q", r.Sources, r.Text)
	}
	if !strings.Contains(r.Text, "Alipay, WeChat Pay or cards") {
		t.Errorf("reply %q does not list the general answer's options", r.Text)
	}
}

// TestSuggestionsBesideNotSure checks which hits the bot offers when it
// does not answer: the best at MinChoiceConfidence or above with the
// others from MinSuggestConfidence as "did you mean" choices (one under it
// is passed over, not the end of the list); below it,
// the hits from MinSuggestConfidence as suggestions beside "not sure";
// none when suggestions are off.
func TestSuggestionsBesideNotSure(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"towel": {Intent: "product_info", Confidence: 0.4, Language: "en"},
	}}
	hits := func(confs ...float64) *bottest.Retriever {
		r := &bottest.Retriever{}
		for i, c := range confs {
			id := fmt.Sprintf("doc-%d", i)
			r.Docs = append(r.Docs, bottest.Doc{Keywords: []string{"towel"}, Hit: bot.Hit{ID: id, Title: id,
				Answer: "About towels.", Audience: bot.AudiencePublic, Confidence: c}})
		}
		return r
	}
	for _, tt := range []struct {
		name    string
		confs   []float64
		suggest float64
		want    []string
		says    string
	}{
		{name: "did you mean", confs: []float64{0.3, 0.1, 0.01}, want: []string{"doc-0", "doc-1"}, says: "which of these"},
		{name: "suggestions", confs: []float64{0.15, 0.08, 0.06, 0.05}, want: []string{"doc-0", "doc-1", "doc-2"}, says: "One of these may help"},
		{name: "too weak", confs: []float64{0.04, 0.01}, says: "not sure I can answer"},
		{name: "one too weak between", confs: []float64{0.3, 0.02, 0.1}, want: []string{"doc-0", "doc-2"}, says: "which of these"},
		{name: "suggestions off", confs: []float64{0.15, 0.08}, suggest: -1, says: "not sure I can answer"},
		{name: "off: choices need min_choice", confs: []float64{0.3, 0.1}, suggest: -1, want: []string{"doc-0"}, says: "Is this what"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: hits(tt.confs...), MinSuggestConfidence: tt.suggest})
			r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "c", Text: "a towel", Role: bot.RoleCustomer})
			var got []string
			for _, c := range r.Choices {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tt.want) || r.Action != bot.ActionClarify || !strings.Contains(r.Text, tt.says) {
				t.Errorf("%s %v: choices %v, %q; want %v and %q", r.Action, tt.confs, got, r.Text, tt.want, tt.says)
			}
		})
	}
}

// TestAnswerWithAlternatives checks that an answer offers the other
// documents worth offering beside it — at MinSuggestConfidence or above
// beside an unsure answer, at MinChoiceConfidence or above and at least
// half as likely beside a sure one, a weaker one between passed over; at
// most two, not another section of the answer's own document nor one
// saying the same — and says so after the answer.
func TestAnswerWithAlternatives(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"towel": {Intent: "product_info", Confidence: 0.4, Language: "en"},
	}}
	for _, tt := range []struct {
		name string
		hits []bot.Hit
		want []string
	}{
		{name: "close behind a sure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.92}, {ID: "faq-laundry", Confidence: 0.5},
			{ID: "faq-lockers", Confidence: 0.4}}, want: []string{"faq-laundry"}},
		{name: "far behind a sure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.95}, {ID: "faq-laundry", Confidence: 0.4}}},
		{name: "beside an unsure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.7}, {ID: "faq-laundry", Confidence: 0.4},
			{ID: "faq-lockers", Confidence: 0.3}}, want: []string{"faq-laundry", "faq-lockers"}},
		{name: "under min_choice_confidence beside an unsure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.6},
			{ID: "faq-laundry", Confidence: 0.15}}, want: []string{"faq-laundry"}},
		{name: "under min_choice_confidence beside a sure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.92},
			{ID: "faq-laundry", Confidence: 0.15}}},
		{name: "under min_suggest_confidence", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.6}, {ID: "faq-laundry", Confidence: 0.04}}},
		// A hit under the floor is passed over, not the end of the list.
		{name: "one too weak between, beside an unsure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.6},
			{ID: "faq-laundry", Confidence: 0.03}, {ID: "faq-lockers", Confidence: 0.3}}, want: []string{"faq-lockers"}},
		{name: "one too weak between, beside a sure answer", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.92},
			{ID: "faq-laundry", Confidence: 0.15}, {ID: "faq-lockers", Confidence: 0.5}}, want: []string{"faq-lockers"}},
		{name: "at most three", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.6}, {ID: "faq-laundry", Confidence: 0.5},
			{ID: "faq-lockers", Confidence: 0.4}, {ID: "faq-spa", Confidence: 0.3}, {ID: "faq-pool", Confidence: 0.25}},
			want: []string{"faq-laundry", "faq-lockers", "faq-spa"}},
		{name: "saying the same", hits: []bot.Hit{{ID: "faq-towels", Confidence: 0.7},
			{ID: "facilities#towels", Answer: "Towels are free at the desk, bring your own if you like.", Confidence: 0.6}}},
		{name: "saying the same in Chinese", hits: []bot.Hit{{ID: "faq-towels-zh", Answer: "前台免费提供毛巾，也可以自带。", Confidence: 0.7},
			{ID: "facilities-zh#毛巾", Answer: "毛巾：前台免费提供，您也可以自带。", Confidence: 0.6},
			{ID: "faq-laundry-zh", Answer: "瑜伽垫每晚清洗消毒。", Confidence: 0.5}}, want: []string{"faq-laundry-zh"}},
		{name: "same document", hits: []bot.Hit{{ID: "facilities#towels", Confidence: 0.6}, {ID: "facilities#lockers", Confidence: 0.5},
			{ID: "faq-laundry", Confidence: 0.45}, {ID: "faq-spa", Confidence: 0.4}, {ID: "faq-pool", Confidence: 0.35}},
			want: []string{"faq-laundry", "faq-spa", "faq-pool"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ret := &bottest.Retriever{}
			answers := map[string]string{"faq-towels": "Towels are free at the desk; bring your own if you like.",
				"faq-laundry": "We wash mats nightly.", "faq-lockers": "Lockers take a coin.", "faq-spa": "The spa opens at nine.",
				"faq-pool": "Swim caps are required.", "facilities#lockers": "Lockers are by the stairs."}
			for _, h := range tt.hits {
				h.Title, h.Audience = h.ID, bot.AudiencePublic
				if h.Answer == "" {
					h.Answer = answers[h.ID]
				}
				ret.Docs = append(ret.Docs, bottest.Doc{Keywords: []string{"towel"}, Hit: h})
			}
			e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
			r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "c", Text: "a towel", Role: bot.RoleCustomer})
			var got []string
			for _, c := range r.Choices {
				got = append(got, c.ID)
			}
			if r.Action != bot.ActionAnswer || len(r.Sources) == 0 || r.Sources[0].ID != tt.hits[0].ID || !slices.Equal(got, tt.want) {
				t.Fatalf("%s %v choices %v, want an answer from %s with %v", r.Action, r.Sources, got, tt.hits[0].ID, tt.want)
			}
			if says := strings.HasSuffix(r.Text, "one of these may be it:"); says != (len(tt.want) > 0) || !strings.HasPrefix(r.Text, tt.hits[0].Answer) && !strings.HasPrefix(r.Text, answers[tt.hits[0].ID]) {
				t.Errorf("reply %q", r.Text)
			}
		})
	}
}

// TestABareNumberIsAPick checks that "1" with no choice pending is read as
// a pick from a list the sender no longer has, not as a question about a
// document with a 1 in it.
func TestABareNumberIsAPick(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"1": {Intent: "product_info", Confidence: 0.4, Language: "en"},
		"2": {Intent: "product_info", Confidence: 0.4, Language: "en"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{{Keywords: []string{"1", "2"}, Hit: bot.Hit{ID: "grade-1",
		Title: "Keemun Grade 1", Answer: "Keemun Grade 1, ¥128.", Audience: bot.AudiencePublic, Confidence: 0.9}}}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: ret})
	for _, text := range []string{"1", "2."} {
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "c-" + text, Text: text, Role: bot.RoleCustomer})
		if r.Action != bot.ActionClarify || len(r.Sources) > 0 {
			t.Errorf("%q: %s %v %q, want a clarification citing nothing", text, r.Action, r.Sources, r.Text)
		}
	}
	r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "c-3", Text: "grade 1 keemun", Role: bot.RoleCustomer})
	if r.Action != bot.ActionAnswer {
		t.Errorf("a question with a number in it: %s %q, want an answer", r.Action, r.Text)
	}
}

// TestMildGrievanceWithASureAnswer checks that a customer's question that
// reads as a mild complaint is answered, with an apology and the offer of a
// person, when a passage answers it surely (or confidently, when it barely
// reads as a complaint, or at reportAnswer, when it is stated, not asked);
// and that a strong complaint, or a passage less sure than that, still
// hands the conversation over.
func TestMildGrievanceWithASureAnswer(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"refund still":   {Intent: "refund_status", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.4, Language: "en"},
		"refund useless": {Intent: "refund_status", Confidence: 0.6, Complaint: 0.95, Sentiment: -0.9, Language: "en"},
		"退款还没到":          {Intent: "refund_status", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.4, Language: "zh"},
		"damaged":        {Intent: "returns", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.4, Language: "en"},
		"money back":     {Intent: "refund_status", Confidence: 0.6, Complaint: 0.64, Sentiment: -0.2, Language: "en"},
	}}
	docs := func(conf float64) *bottest.Retriever {
		return &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"refund", "退款"}, Hit: bot.Hit{ID: "faq-refund-time", Title: "How long does a refund take?",
				Answer: "Card refunds take 3–7 working days.", Audience: bot.AudiencePublic, Confidence: conf}},
			{Keywords: []string{"damaged"}, Hit: bot.Hit{ID: "faq-damaged", Title: "My order arrived damaged",
				Answer: "Send us a photo within 48 hours.", Audience: bot.AudiencePublic, Confidence: conf}},
		}}
	}
	for _, tt := range []struct {
		name, text string
		conf       float64
		answered   bool
		contains   string
	}{
		{"a mild complaint asking what a passage surely answers", "my refund still isn't on my card after 5 days, how long does it take?", 0.95, true, "I'll pass you to a member of our team"},
		{"in Chinese", "退款还没到账，一般要几天？", 0.95, true, "转接人工客服"},
		{"a strong complaint", "refund useless, how long do I have to wait?", 0.95, false, ""},
		{"a question after a statement, without a question mark", "my refund still isn't on my card after 5 days is that normal", 0.95, true, "member of our team"},
		{"a request for help is asking", "退款还没到账，麻烦帮忙看下", 0.95, true, "转接人工客服"},
		{"a statement, not a question", "the vase arrived damaged", 0.93, false, ""},
		{"a statement naming a question word", "my refund still hasn't arrived and what a mess", 0.93, false, ""},
		{"a statement in Chinese", "退款还没到这么久了", 0.93, false, ""},
		{"a statement of what a passage answers at reportAnswer", "退款还没到这么久了", 0.97, true, "转接人工客服"},
		{"a passage less than sure", "my refund still isn't here, how long does it take?", 0.8, false, ""},
		{"a question that barely reads as a complaint, with a confident passage", "need to cancel, will I get my refund money back?", 0.6, true, "member of our team"},
		{"barely a complaint, but no confident passage", "need to cancel, will I get my refund money back?", 0.5, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: docs(tt.conf)})
			r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u1", Text: tt.text})
			if tt.answered != !r.Handoff {
				t.Fatalf("handoff %v, want %v: %q", r.Handoff, !tt.answered, r.Text)
			}
			if !tt.answered {
				return
			}
			if len(r.Sources) == 0 || r.Sources[0].ID != "faq-refund-time" {
				t.Errorf("sources %v, want faq-refund-time", r.Sources)
			}
			if !strings.Contains(r.Text, "3–7 working days") || !strings.Contains(r.Text, tt.contains) {
				t.Errorf("reply %q lacks the answer or %q", r.Text, tt.contains)
			}
		})
	}
}

// TestProductQuestionDemandingAPersonEscalates checks that a message the
// catalogue claims is no request for a person when it only names one ("a
// teapot for one person"), and is one when it uses words that can mean
// nothing but a person ("put me through to a real person about the
// teapot").
func TestProductQuestionDemandingAPersonEscalates(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"one person":  {Intent: bot.IntentAskHuman, Confidence: 0.6, Language: "en", AsksForPerson: true},
		"real person": {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true, DemandsPerson: true},
	}}
	cat := wordCatalog{word: "teapot", ans: bot.CatalogAnswer{OK: true, Confidence: 0.9, Text: "The Small Teapot is ¥128.",
		Sources: []bot.Source{{ID: "TP-1", Title: "Small Teapot"}}}}
	e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: &bottest.Retriever{}, Catalog: cat})
	for text, escalate := range map[string]bool{
		"do you have a teapot for one person":                    false,
		"put me through to a real person about the teapot order": true,
	} {
		r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "c-" + text[:6], Text: text, Role: bot.RoleCustomer})
		if got := r.Action == bot.ActionEscalate; got != escalate {
			t.Errorf("%q: action %s, want escalation %v", text, r.Action, escalate)
		}
	}
}

// TestEscalationWordsTheBusinessOffers checks that a question whose only
// trigger is an escalation word is answered when the best passage is
// confident and a passage retrieved for it names that word in its title (a
// vet's hospital stays), and is handed over when none does, when the
// message tells an incident rather than asks, reads as a complaint, or
// when the word is a label the detector gave rather than a word said.
func TestEscalationWordsTheBusinessOffers(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"住院押金":         {Intent: "pricing", Confidence: 0.6, Language: "zh", EscalationWords: []string{"住院"}, Danger: true, Asks: true},
		"hospitalised": {Intent: "pricing", Confidence: 0.6, Language: "en", EscalationWords: []string{"hospitali"}, Danger: true, Asks: true},
		"in hospital after": {Intent: "pricing", Confidence: 0.6, Language: "en", EscalationWords: []string{"in hospital"},
			Danger: true, Asks: true, Complaint: 0.8},
		"hospital right now": {Intent: "pricing", Confidence: 0.6, Language: "en", EscalationWords: []string{"in hospital"}, Danger: true},
		"hospital bill":      {Intent: "pricing", Confidence: 0.6, Language: "en", EscalationWords: []string{"safety"}, Danger: true, Asks: true},
	}}
	docs := func(title string, conf float64, topic string) *bottest.Retriever {
		r := &bottest.Retriever{Docs: []bottest.Doc{
			{Keywords: []string{"住院", "hospital"}, Hit: bot.Hit{ID: "faq-stay", Title: title,
				Answer: "A night in hospital is ¥300; the deposit is ¥1,000.", Audience: bot.AudiencePublic, Confidence: conf}},
		}}
		if topic != "" {
			r.Docs = append(r.Docs, bottest.Doc{Keywords: []string{"住院"}, Hit: bot.Hit{ID: "faq-topic", Title: topic,
				Answer: "¥300 a night.", Audience: bot.AudiencePublic, Confidence: 0.1}})
		}
		return r
	}
	for _, tt := range []struct {
		name, text, title, topic string
		conf                     float64
		answered                 bool
	}{
		{"the word is the service the passage is about", "住院押金要交多少", "住院多少钱？要交押金吗？", "", 0.9, true},
		{"an English stem", "how much is the deposit when my dog gets hospitalised", "How much is a hospital stay?", "", 0.9, true},
		{"another passage found names it: a topic of the content", "住院押金要交多少", "要交押金吗？", "住院多少钱？", 0.9, true},
		{"no passage found names it", "住院押金要交多少", "要交押金吗？", "", 0.9, false},
		{"the passage is not confident", "住院押金要交多少", "住院多少钱？", "", 0.3, false},
		{"a complaint", "my dog is in hospital after your grooming, who pays?", "How much is a hospital stay?", "", 0.9, false},
		{"an incident told, not asked", "my dog is in hospital right now", "How much is a hospital stay?", "", 0.9, false},
		{"a label, not a word said", "who pays the hospital bill?", "Safety at the clinic", "", 0.9, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := fakeEngine(t, bot.EngineOptions{Classifier: cls, Retriever: docs(tt.title, tt.conf, tt.topic)})
			r := handle(t, e, bot.Message{Channel: "web", ExternalUserID: "u1", Text: tt.text})
			if tt.answered == r.Handoff {
				t.Fatalf("handoff %v, want %v: %q", r.Handoff, !tt.answered, r.Text)
			}
			if tt.answered && (len(r.Sources) == 0 || r.Sources[0].ID != "faq-stay") {
				t.Errorf("sources %v, want faq-stay", r.Sources)
			}
		})
	}
}
