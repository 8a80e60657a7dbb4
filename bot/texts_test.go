package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
)

// coveringRetriever is the fake Retriever with a coverage check that knows
// one payment method the content lacks.
type coveringRetriever struct{ *bottest.Retriever }

func (c coveringRetriever) Cover(question string, h bot.Hit, lang string) bot.CoverCheck {
	q := strings.ToLower(question)
	if !strings.Contains(q, "apple pay") || !strings.HasPrefix(h.ID, "faq-payment") {
		return bot.CoverCheck{}
	}
	opts := "Alipay, WeChat Pay and UnionPay"
	if lang == "zh" {
		opts = "支付宝、微信支付和银联"
	}
	return bot.CoverCheck{Verdict: bot.CoverMissing, Kind: "payment_method", Asked: "Apple Pay", Options: opts, Count: 3}
}

// TestEveryPathReadsRight walks every decision path of the engine in both
// languages and checks that its reply makes sense on its own: it is in the
// customer's language, it has no unfilled placeholder, it does not open
// with a word that needs a sentence before it ("also", "我也"), and it says
// what the path means.
func TestEveryPathReadsRight(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"hello":            {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "en"},
		"你好":               {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "zh"},
		"thanks":           {Intent: bot.IntentThanks, Confidence: 0.9, Language: "en"},
		"谢谢":               {Intent: bot.IntentThanks, Confidence: 0.9, Language: "zh"},
		"bye":              {Intent: bot.IntentGoodbye, Confidence: 0.9, Language: "en"},
		"再见":               {Intent: bot.IntentGoodbye, Confidence: 0.9, Language: "zh"},
		"shipping":         {Intent: "shipping_info", Confidence: 0.9, Language: "en"},
		"运费":               {Intent: "shipping_cost", Confidence: 0.9, Language: "zh"},
		"apple pay":        {Intent: "payment_methods", Confidence: 0.9, Language: "en"},
		"苹果支付apple pay":    {Intent: "payment_methods", Confidence: 0.9, Language: "zh"},
		"gift":             {Intent: "product_info", Confidence: 0.5, Language: "en"},
		"kettle":           {Intent: "product_info", Confidence: 0.5, Language: "en"},
		"水壶":               {Intent: "product_info", Confidence: 0.5, Language: "zh"},
		"brew":             {Intent: "brewing_advice", Confidence: 0.8, Language: "en"},
		"泡":                {Intent: "brewing_advice", Confidence: 0.8, Language: "zh"},
		"teacup":           {Intent: "product_info", Confidence: 0.3, Language: "en"},
		"茶杯":               {Intent: "product_info", Confidence: 0.3, Language: "zh"},
		"礼物":               {Intent: "product_info", Confidence: 0.5, Language: "zh"},
		"buy the longjing": {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "en"},
		"买龙井":              {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "zh"},
		"buy something":    {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "en"},
		"buy a teacup":     {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "en"},
		"买个茶杯":             {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "zh"},
		"想买点东西":            {Intent: bot.IntentPurchase, Confidence: 0.9, Language: "zh"},
		"a person":         {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "en", AsksForPerson: true},
		"转人工":              {Intent: bot.IntentAskHuman, Confidence: 0.95, Language: "zh", AsksForPerson: true},
		"broken":           {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "en"},
		"摔碎":               {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "zh"},
		"lawyer":           {Intent: "refund_request", Confidence: 0.6, EscalationWords: []string{"lawyer"}, Language: "en"},
		"律师":               {Intent: "refund_request", Confidence: 0.6, EscalationWords: []string{"律师"}, Language: "zh"},
		"fell off":         {Intent: bot.IntentOutOfScope, OutOfScope: true, EscalationWords: []string{"safety"}, Danger: true, Language: "en"},
		"摔下来":              {Intent: bot.IntentOutOfScope, OutOfScope: true, EscalationWords: []string{"safety"}, Danger: true, Language: "zh"},
		"late again":       {Intent: "shipping_info", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.5, Troubled: true, Language: "en"},
		"又晚了":              {Intent: "shipping_cost", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.5, Troubled: true, Language: "zh"},
		"quick question":   {Intent: "shipping_info", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.5, Language: "en"},
		"问一下":              {Intent: "shipping_cost", Confidence: 0.6, Complaint: 0.7, Sentiment: -0.5, Language: "zh"},
		"who are you":      {Intent: bot.IntentAboutBot, Confidence: 0.9, Language: "en"},
		"你是谁":              {Intent: bot.IntentAboutBot, Confidence: 0.9, Language: "zh"},
		"xqzt":             {Intent: bot.IntentOutOfScope, OutOfScope: true, Language: "en"},
		"啊啊啊":              {Intent: bot.IntentOutOfScope, OutOfScope: true, Language: "zh"},
	}}
	docs := []bottest.Doc{
		{Keywords: []string{"shipping"}, Hit: bot.Hit{ID: "faq-shipping-01", Title: "Shipping time", Answer: "Orders arrive in 2-4 days.", Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"运费"}, Hit: bot.Hit{ID: "faq-shipping-cost-01-zh", Title: "运费", Answer: "满299元包邮。", Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"apple pay"}, Hit: bot.Hit{ID: "faq-payment-02", Title: "Alipay", Answer: "Yes. Choose Alipay at checkout.", Audience: bot.AudiencePublic, Confidence: 0.9}},
		{Keywords: []string{"gift", "礼物"}, Hit: bot.Hit{ID: "gift-wrap", Title: "Gift wrapping", Answer: "We wrap gifts.", Audience: bot.AudiencePublic, Confidence: 0.4}},
		{Keywords: []string{"gift", "礼物"}, Hit: bot.Hit{ID: "gift-sets", Title: "Gift sets", Answer: "Our gift sets.", Audience: bot.AudiencePublic, Confidence: 0.35}},
		{Keywords: []string{"kettle", "水壶"}, Hit: bot.Hit{ID: "kettles", Title: "Kettles", Answer: "Our kettles.", Audience: bot.AudiencePublic, Confidence: 0.4}},
		{Keywords: []string{"brew", "泡"}, Hit: bot.Hit{ID: "faq-brewing", Title: "Brewing", Answer: "Use water at 80°C.", Audience: bot.AudiencePublic, Confidence: 0.7}},
		{Keywords: []string{"brew", "泡"}, Hit: bot.Hit{ID: "faq-water", Title: "Water", Answer: "Soft water is best.", Audience: bot.AudiencePublic, Confidence: 0.5}},
		{Keywords: []string{"teacup", "茶杯"}, Hit: bot.Hit{ID: "teacups", Title: "Teacups", Answer: "Our teacups.", Audience: bot.AudiencePublic, Confidence: 0.1}},
		{Keywords: []string{"longjing", "龙井"}, Hit: bot.Hit{ID: "JL-GRN-001", Title: "Longjing", Answer: "Longjing, ¥268.", Kind: bot.KindProduct, Audience: bot.AudiencePublic, Confidence: 0.9}},
	}
	newEngine := func(t *testing.T) (*bot.Engine, *bottest.Store) {
		st := &bottest.Store{}
		e, err := bot.NewEngine(bot.EngineOptions{Classifier: cls, Retriever: coveringRetriever{&bottest.Retriever{Docs: docs}},
			Store: st, Now: bottest.Now(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		return e, st
	}
	type path struct {
		name   string
		before []string // earlier messages of the same customer
		text   string
		action bot.Action
		says   string // a regexp the reply matches
	}
	paths := map[string][]path{
		"en": {
			{name: "greeting", text: "hello", action: bot.ActionSmallTalk, says: `Hello`},
			{name: "thanks", text: "thanks!", action: bot.ActionSmallTalk, says: `welcome`},
			{name: "goodbye", text: "bye", action: bot.ActionSmallTalk, says: `Goodbye`},
			{name: "about the bot", text: "who are you", action: bot.ActionSmallTalk, says: `virtual assistant`},
			{name: "answer", text: "how long does shipping take", action: bot.ActionAnswer, says: `2-4 days`},
			{name: "answer with alternatives", text: "how do I brew it", action: bot.ActionAnswer, says: `(?s)^Use water at 80°C\.\n\nIf you meant something else, one of these may be it:$`},
			{name: "not among the options", text: "can I pay with apple pay", action: bot.ActionAnswer, says: `^We don't take Apple Pay.*Alipay, WeChat Pay and UnionPay`},
			{name: "did you mean", text: "a gift", action: bot.ActionClarify, says: `which of these`},
			{name: "did you mean one", text: "a kettle", action: bot.ActionClarify, says: `^Is this what you're asking about\?`},
			{name: "not sure", text: "xqzt", action: bot.ActionClarify, says: `not sure.*rephrase`},
			{name: "not sure, with suggestions", text: "a teacup", action: bot.ActionClarify, says: `^I'm not sure.*One of these may help`},
			{name: "lead with an answer", text: "I want to buy the longjing", action: bot.ActionLead, says: `(?s)^Longjing.*sales team`},
			{name: "lead alone", text: "I want to buy something", action: bot.ActionLead, says: `^Thank you for your interest.*sales team`},
			{name: "lead with suggestions", text: "I want to buy a teacup", action: bot.ActionClarify, says: `(?s)^I'm not sure.*One of these may help.*\n\nI've also let our sales team know`},
			{name: "request for a person", text: "can I talk to a person", action: bot.ActionEscalate, says: `member of our team`},
			{name: "complaint", text: "it arrived broken, unacceptable", action: bot.ActionEscalate, says: `sorry`},
			{name: "escalation words", text: "my lawyer will call", action: bot.ActionEscalate, says: `^Thank you for telling us\. I've passed this to a manager`},
			{name: "danger", text: "my son fell off the swing and his arm looks bent", action: bot.ActionEscalate, says: `^If anyone is hurt or in danger, please call your local emergency number now\. I've passed this to a manager`},
			{name: "mild grievance, sure answer", text: "late again! how long does shipping take?", action: bot.ActionAnswer, says: `(?s)^I'm sorry about that\. Here is what we can do:\n\nOrders arrive in 2-4 days\.\n\nIf this doesn't sort it out.*member of our team\.$`},
			{name: "question read as a mild complaint, sure answer", text: "quick question: how long does shipping take?", action: bot.ActionAnswer, says: `(?s)^Orders arrive in 2-4 days\.\n\nIf this doesn't sort it out.*member of our team\.$`},
			{name: "repeated failure", before: []string{"xqzt one"}, text: "xqzt two", action: bot.ActionEscalate, says: `couldn't answer`},
			{name: "holding after handoff", before: []string{"can I talk to a person"}, text: "hello?", action: bot.ActionHold, says: `added this to your request`},
		},
		"zh": {
			{name: "greeting", text: "你好", action: bot.ActionSmallTalk, says: `您好`},
			{name: "thanks", text: "谢谢", action: bot.ActionSmallTalk, says: `不客气`},
			{name: "goodbye", text: "再见", action: bot.ActionSmallTalk, says: `再见`},
			{name: "about the bot", text: "你是谁", action: bot.ActionSmallTalk, says: `智能助手`},
			{name: "answer", text: "运费多少", action: bot.ActionAnswer, says: `包邮`},
			{name: "answer with alternatives", text: "怎么泡", action: bot.ActionAnswer, says: `(?s)^Use water at 80°C\.\n\n如果您想问的是别的，可以看看下面这些：$`},
			{name: "not among the options", text: "能用苹果支付apple pay吗", action: bot.ActionAnswer, says: `^抱歉，我们暂不支持Apple Pay.*支付宝、微信支付和银联`},
			{name: "did you mean", text: "送礼物", action: bot.ActionClarify, says: `哪一项`},
			{name: "did you mean one", text: "小水壶", action: bot.ActionClarify, says: `^您是想问下面这个吗`},
			{name: "not sure", text: "啊啊啊", action: bot.ActionClarify, says: `不确定`},
			{name: "not sure, with suggestions", text: "小茶杯", action: bot.ActionClarify, says: `^抱歉，我不确定.*也许有帮助`},
			{name: "lead with an answer", text: "我想买龙井", action: bot.ActionLead, says: `(?s)^Longjing.*销售同事`},
			{name: "lead alone", text: "我想买点东西", action: bot.ActionLead, says: `^感谢您的关注.*销售同事`},
			{name: "lead with suggestions", text: "我想买个茶杯", action: bot.ActionClarify, says: `(?s)^抱歉，我不确定.*也许有帮助.*\n\n我也已通知我们的销售同事`},
			{name: "request for a person", text: "转人工", action: bot.ActionEscalate, says: `同事`},
			{name: "complaint", text: "茶壶摔碎了", action: bot.ActionEscalate, says: `抱歉`},
			{name: "escalation words", text: "我要找律师", action: bot.ActionEscalate, says: `^感谢您告知我们。我已立即将此事转交给主管`},
			{name: "danger", text: "孩子从秋千上摔下来了 胳膊弯了", action: bot.ActionEscalate, says: `^如有人受伤或有危险，请立即拨打120（急救）、110（报警）或119（火警）。我已立即将此事转交给主管`},
			{name: "mild grievance, sure answer", text: "又晚了！运费多少？", action: bot.ActionAnswer, says: `(?s)^很抱歉遇到这种情况。我们的处理方式是：\n\n满299元包邮。\n\n如果这样还解决不了.*人工客服。$`},
			{name: "question read as a mild complaint, sure answer", text: "问一下，运费多少？", action: bot.ActionAnswer, says: `(?s)^满299元包邮。\n\n如果这样还解决不了.*人工客服。$`},
			{name: "repeated failure", before: []string{"啊啊啊一"}, text: "啊啊啊二", action: bot.ActionEscalate, says: `没能回答`},
			{name: "holding after handoff", before: []string{"转人工"}, text: "你好？", action: bot.ActionHold, says: `补充`},
		},
	}
	for lang, ps := range paths {
		for _, p := range ps {
			t.Run(lang+"/"+p.name, func(t *testing.T) {
				e, _ := newEngine(t)
				for _, b := range p.before {
					if _, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: b, Role: bot.RoleCustomer}); err != nil {
						t.Fatal(err)
					}
				}
				r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "u", Text: p.text, Role: bot.RoleCustomer})
				if err != nil {
					t.Fatal(err)
				}
				if r.Action != p.action {
					t.Errorf("action %q, want %q (reply %q)", r.Action, p.action, r.Text)
				}
				readsRight(t, lang, r.Text)
				if !regexp.MustCompile(p.says).MatchString(r.Text) {
					t.Errorf("reply %q does not say %s", r.Text, p.says)
				}
			})
		}
	}
	for _, lang := range []string{"en", "zh"} {
		readsRight(t, lang, bot.RatingQuestion(lang))
	}
}

// readsRight checks that a reply stands on its own in lang.
func readsRight(t *testing.T, lang, text string) {
	t.Helper()
	if strings.TrimSpace(text) == "" {
		t.Error("empty reply")
		return
	}
	if strings.ContainsAny(text, "{}") {
		t.Errorf("unfilled placeholder in %q", text)
	}
	han := strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	if lang == "zh" && !han {
		t.Errorf("reply to a Chinese message is not in Chinese: %q", text)
	}
	if lang == "en" && han {
		t.Errorf("reply to an English message has Chinese in it: %q", text)
	}
	for _, opener := range []string{"also", "i've also", "and ", "but ", "我也", "也", "另外"} {
		if strings.HasPrefix(strings.ToLower(text), opener) {
			t.Errorf("reply opens with %q, which needs something before it: %q", opener, text)
		}
	}
}

// TestDangerReplyNamesTheShopsEmergencyNumber checks that the reply to harm
// told as it happens names what EngineOptions.Emergency says to call in the
// customer's language, and the built-in number where it says nothing.
func TestDangerReplyNamesTheShopsEmergencyNumber(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"fell off": {Intent: bot.IntentOutOfScope, OutOfScope: true, EscalationWords: []string{"safety"}, Danger: true, Language: "en"},
		"摔下来":      {Intent: bot.IntentOutOfScope, OutOfScope: true, EscalationWords: []string{"safety"}, Danger: true, Language: "zh"},
	}}
	e, err := bot.NewEngine(bot.EngineOptions{Classifier: cls, Retriever: &bottest.Retriever{}, Store: &bottest.Store{},
		Emergency: map[string]string{"en": "999 (police, fire, ambulance)"}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"my son fell off the slide": "please call 999 (police, fire, ambulance) now.",
		"孩子从滑梯上摔下来了":                "请立即拨打120（急救）、110（报警）或119（火警）。",
	} {
		r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: text, Text: text, Role: bot.RoleCustomer})
		if err != nil {
			t.Fatal(err)
		}
		if r.Action != bot.ActionEscalate || !strings.Contains(r.Text, want) {
			t.Errorf("%q: %s %q, want an escalation that says %q", text, r.Action, r.Text, want)
		}
	}
}
