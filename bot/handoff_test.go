package bot_test

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
)

// vipDirectory is a fake bot.CustomerDirectory.
type vipDirectory map[int64]bool

func (d vipDirectory) IsVIP(ctx context.Context, id int64) (bool, error) { return d[id], nil }

// ratings is a fake bot.Ratings: customer id → conversation awaiting a rating.
type ratings struct {
	mu      sync.Mutex
	pending map[int64]bot.ConversationID
	scores  map[bot.ConversationID]int
}

func (r *ratings) PendingRating(ctx context.Context, customerID int64, channel string, since time.Time) (bot.ConversationID, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pending[customerID], nil
}

func (r *ratings) SetCSAT(ctx context.Context, conversationID bot.ConversationID, score int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scores[conversationID] = score
	for c, conv := range r.pending {
		if conv == conversationID {
			delete(r.pending, c)
		}
	}
	return nil
}

func newHandoffEngine(t *testing.T, opts bot.EngineOptions) (*bot.Engine, *bottest.Store) {
	t.Helper()
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"hello":            {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "en"},
		"shipping":         {Intent: "shipping_info", Confidence: 0.8, Language: "en"},
		"a bit late":       {Intent: "order_status", Confidence: 0.7, Sentiment: -0.5, Complaint: 0.35, Language: "en"},
		"buy":              {Intent: bot.IntentPurchase, Confidence: 0.8, Language: "en"},
		"买":                {Intent: bot.IntentPurchase, Confidence: 0.8, Language: "zh"},
		"wholesale":        {Intent: "wholesale", Confidence: 0.8, Language: "en"},
		"talk to a person": {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true},
		"disappointed":     {Intent: "product_info", Confidence: 0.5, Complaint: 0.8, Sentiment: -0.6, Language: "en"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{
		{Keywords: []string{"shipping", "late"}, Hit: bot.Hit{ID: "faq-shipping-01", Title: "Shipping", Answer: "2-4 days.", Audience: bot.AudiencePublic, Confidence: 0.8}},
		{Keywords: []string{"longjing", "龙井"}, Hit: bot.Hit{ID: "JL-GRN-001", Kind: bot.KindProduct, Title: "Longjing",
			Answer: "West Lake Longjing, 50 g — 268.00 CNY. Dragon Well green tea.", Audience: bot.AudiencePublic, Confidence: 0.6}},
	}}
	st := &bottest.Store{}
	opts.Classifier, opts.Retriever, opts.Store = cls, ret, st
	opts.Now = bottest.Now(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Second)
	e, err := bot.NewEngine(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, st
}

func TestEngineVIPNegativeSignal(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		vip        bool
		text       string
		wantReason string // "" for no escalation
		wantSev    string
	}{
		{"vip mildly negative", true, "my order is a bit late", bot.ReasonVIP, "high"},
		{"ordinary mildly negative", false, "my order is a bit late", "", ""},
		{"vip neutral question", true, "how long does shipping take", "", ""},
		{"vip complaint gets high severity", true, "I'm disappointed", bot.ReasonComplaint, "high"},
		{"ordinary complaint", false, "I'm disappointed", bot.ReasonComplaint, "normal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, st := newHandoffEngine(t, bot.EngineOptions{Customers: vipDirectory{1: tt.vip}})
			r, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, esc := range st.Escalations() {
				got = append(got, esc.Reason, esc.Severity)
			}
			var want []string
			if tt.wantReason != "" {
				want = []string{tt.wantReason, tt.wantSev}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("escalations (-want +got):\n%s", diff)
			}
			if r.Handoff != (tt.wantReason != "") {
				t.Errorf("handoff = %v, want %v", r.Handoff, tt.wantReason != "")
			}
		})
	}
}

func TestEngineLeadEscalation(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		threshold float64
		text      string
		wantEsc   bool
	}{
		{"large quantity", 0, "I want to buy 20 tins of Longjing for the office", true}, // 20 × 268 = 5360
		{"small quantity", 0, "I want to buy 2 tins of Longjing", false},                // 536
		{"explicit budget", 0, "I'd like to buy gifts, budget of 8,000 CNY", true},      // 8000
		{"budget zh", 0, "想买龙井送客户，预算2万元", true},                                         // 20000
		{"no amount", 0, "I want to buy Longjing", false},                               // unknown value
		{"threshold raised", 10000, "I want to buy 20 tins of Longjing for the office", false},
		{"wholesale with a budget", 0, "wholesale order for our cafe, budget 5000 yuan", true},
		{"disabled", -1, "I'd like to buy gifts, budget of 80,000 CNY", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, st := newHandoffEngine(t, bot.EngineOptions{LeadEscalationValue: tt.threshold})
			r, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if r.Action != bot.ActionLead || r.Handoff {
				t.Errorf("reply %+v, want a lead answered by the bot without handoff", r)
			}
			escs := st.Escalations()
			if got := len(escs) == 1 && escs[0].Reason == bot.ReasonLead; got != tt.wantEsc {
				t.Errorf("lead escalation = %v (%+v), want %v", got, escs, tt.wantEsc)
			}
			if tt.wantEsc && r.EscalationID == 0 {
				t.Error("reply carries no escalation id")
			}
			if c := st.Conversation(r.ConversationID); c.Status != bot.StatusBot {
				t.Errorf("conversation status %q, want bot", c.Status)
			}
			// The bot keeps answering the customer.
			if r2, _ := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: "hello"}); r2.Action != bot.ActionSmallTalk {
				t.Errorf("after a lead the bot replied %+v, want small talk", r2)
			}
		})
	}
}

func TestEngineRating(t *testing.T) {
	ctx := context.Background()
	rt := &ratings{pending: map[int64]bot.ConversationID{}, scores: map[bot.ConversationID]int{}}
	e, st := newHandoffEngine(t, bot.EngineOptions{Ratings: rt})
	handle := func(text string) bot.Reply {
		t.Helper()
		r, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: "u1", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Without a pending question a digit is an ordinary message.
	first := handle("5")
	if first.Intent == bot.IntentRating || len(rt.scores) != 0 {
		t.Fatalf("digit without a pending question read as a rating: %+v", first)
	}
	st.SetStatus(first.ConversationID, bot.StatusResolved)
	rt.pending[1] = first.ConversationID
	r := handle("⭐⭐⭐⭐")
	if r.Intent != bot.IntentRating || !strings.Contains(r.Text, "Thank you for your rating") {
		t.Errorf("rating reply %+v, want the thanks", r)
	}
	if diff := cmp.Diff(map[bot.ConversationID]int{first.ConversationID: 4}, rt.scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	// A second digit in the same conversation is not a rating.
	if r := handle("3"); r.Intent == bot.IntentRating {
		t.Errorf("second message read as a rating: %+v", r)
	}
	// Chinese rating, thanked in Chinese.
	st.SetStatus(r.ConversationID, bot.StatusResolved)
	rt.pending[1] = r.ConversationID
	if r := handle("五星"); r.Intent != bot.IntentRating || !strings.Contains(r.Text, "感谢您的评分") {
		t.Errorf("zh rating reply %+v", r)
	}
	if rt.scores[r.ConversationID] != 5 {
		t.Errorf("zh rating stored %d, want 5", rt.scores[r.ConversationID])
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct {
		in    string
		score int
		ok    bool
	}{
		{"5", 5, true}, {" 1 ", 1, true}, {"4/5", 4, true}, {"3 out of 5", 3, true}, {"4 stars", 4, true},
		{"five stars", 5, true}, {"★★★", 3, true}, {"⭐⭐⭐⭐⭐", 5, true}, {"⭐️⭐️", 2, true}, {"****", 4, true},
		{"★★☆☆☆", 2, true}, {"四", 4, true}, {"五星", 5, true}, {"3分", 3, true}, {"给5分", 5, true}, {"４", 4, true},
		{"rating: 2", 2, true}, {"I'd give 4!", 4, true},
		{"0", 0, false}, {"6", 0, false}, {"10", 0, false}, {"45", 0, false}, {"", 0, false}, {"★★★★★★", 0, false},
		{"do you ship 5 tins?", 0, false}, {"hello", 0, false}, {"我要投诉", 0, false}, {"1 2", 0, false},
		{"a", 0, false}, {"☆☆", 0, false}, {"六", 0, false},
	}
	for _, tt := range tests {
		score, ok := bot.ParseRating(tt.in)
		if score != tt.score || ok != tt.ok {
			t.Errorf("ParseRating(%q) = %d, %v; want %d, %v", tt.in, score, ok, tt.score, tt.ok)
		}
	}
}

func FuzzParseRating(f *testing.F) {
	for _, s := range []string{"5", "⭐⭐⭐", "五星", "4/5", "I'd give 4!", "\xff", "★☆"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		score, ok := bot.ParseRating(s)
		if ok != (score >= 1 && score <= 5) {
			t.Fatalf("ParseRating(%q) = %d, %v", s, score, ok)
		}
	})
}

func TestEstimateOrderValue(t *testing.T) {
	product := []bot.Hit{{Kind: bot.KindProduct, Answer: "West Lake Longjing, 50 g — 268.00 CNY. Dragon Well green tea."}}
	faq := []bot.Hit{{Kind: bot.KindFAQ, Answer: "Shipping — 2 days."}}
	tests := []struct {
		text string
		hits []bot.Hit
		want float64
	}{
		{"I want 10 tins", product, 2680},
		{"我想买50盒龙井", product, 13400},
		{"10 tins please", faq, 0},
		{"budget of 5,000", nil, 5000},
		{"about ¥3000 worth", nil, 3000},
		{"预算3万元", nil, 30000},
		{"spend 2k rmb", nil, 2000},
		{"500 yuan and 3 boxes", product, 804},
		{"do you sell Longjing?", product, 0},
		{"¥99999999999999999999999", nil, 1e12},
	}
	for _, tt := range tests {
		if got := bot.EstimateOrderValue(tt.text, tt.hits); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("EstimateOrderValue(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzEstimateOrderValue(f *testing.F) {
	hits := []bot.Hit{{Kind: bot.KindProduct, Answer: "Tea — 12.50 CNY. Good."}}
	for _, s := range []string{"10 tins", "预算2万元", "$1,000,000", "1e308 boxes", "\xff¥"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := bot.EstimateOrderValue(s, hits)
		if v < 0 || v > 1e12 || math.IsNaN(v) {
			t.Fatalf("EstimateOrderValue(%q) = %v", s, v)
		}
	})
}

func TestFormatWait(t *testing.T) {
	tests := []struct {
		d    time.Duration
		lang string
		want string
	}{
		{15 * time.Minute, "en", "about 15 minutes"},
		{20 * time.Second, "en", "about a minute"},
		{3 * time.Hour, "en", "about 3 hours"},
		{15 * time.Minute, "zh", "约 15 分钟"},
		{2 * time.Hour, "zh", "约 2 小时"},
	}
	for _, tt := range tests {
		if got := bot.FormatWait(tt.d, tt.lang); got != tt.want {
			t.Errorf("FormatWait(%v, %s) = %q, want %q", tt.d, tt.lang, got, tt.want)
		}
	}
}

func TestRatingQuestion(t *testing.T) {
	if q := bot.RatingQuestion("zh"); !strings.Contains(q, "1") || !strings.Contains(q, "满意") {
		t.Errorf("zh question %q", q)
	}
	if q := bot.RatingQuestion("fr"); !strings.Contains(q, "1 (poor) to 5") {
		t.Errorf("fallback question %q", q)
	}
}
