package intents

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/google/go-cmp/cmp"
)

func newShopClassifier(t *testing.T) *Classifier {
	t.Helper()
	c, err := NewClassifier(ClassifierOptions{Model: mustShopModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewClassifierNeedsModel(t *testing.T) {
	if _, err := NewClassifier(ClassifierOptions{}); err == nil {
		t.Fatal("NewClassifier without a model: no error")
	}
}

func TestClassify(t *testing.T) {
	c := newShopClassifier(t)
	tests := []struct {
		text       string
		intent     string
		lang       string
		complaint  bool // Complaint >= 0.6
		negative   bool // Sentiment <= -0.4
		escalation []string
	}{
		{text: "where is my order?", intent: "order_status", lang: "en"},
		{text: "我的订单到哪了", intent: "order_status", lang: "zh"},
		{text: "你们的快递太慢了，我要投诉", lang: "zh", complaint: true, negative: true},
		{text: "I'm sorry to say I'm really disappointed with how my order was handled.", lang: "en", complaint: true, negative: true},
		{text: "This is unacceptable, I will contact my lawyer", lang: "en", complaint: true, negative: true, escalation: []string{"lawyer"}},
		{text: "吃了你们的东西食物中毒了，我要打12315", lang: "zh", complaint: true, negative: true, escalation: []string{"12315", "中毒"}},
		{text: "thanks, that was very helpful!", lang: "en"},
		{text: "not bad at all, thank you", lang: "en"},
	}
	for _, tt := range tests {
		got, err := c.Classify(context.Background(), tt.text)
		if err != nil {
			t.Fatal(err)
		}
		if tt.intent != "" && got.Intent != tt.intent {
			t.Errorf("%q: intent %q, want %q", tt.text, got.Intent, tt.intent)
		}
		if got.Language != tt.lang {
			t.Errorf("%q: language %q, want %q", tt.text, got.Language, tt.lang)
		}
		if (got.Complaint >= 0.6) != tt.complaint {
			t.Errorf("%q: complaint %.2f, want flagged=%v", tt.text, got.Complaint, tt.complaint)
		}
		if (got.Sentiment <= -0.4) != tt.negative {
			t.Errorf("%q: sentiment %.2f, want negative=%v", tt.text, got.Sentiment, tt.negative)
		}
		if d := cmp.Diff(tt.escalation, got.EscalationWords); d != "" {
			t.Errorf("%q: escalation words (-want +got):\n%s", tt.text, d)
		}
		if got.Complaint < 0 || got.Complaint > 1 || got.Sentiment < -1 || got.Sentiment > 1 {
			t.Errorf("%q: scores out of range: %+v", tt.text, got)
		}
	}
}

func TestClassifyBadInput(t *testing.T) {
	c := newShopClassifier(t)
	for _, text := range []string{"", "   \t\n", "😀🎉👍", strings.Repeat("我要退款 refund ", 400), "mixed 中文 and English 订单 order",
		"\xff\xfe invalid", "\x00\x01\x02"} {
		got, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatalf("Classify(%.20q): %v", text, err)
		}
		if got.Language == "" || got.Intent == "" {
			t.Errorf("Classify(%.20q) = %+v: empty intent or language", text, got)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Classify(ctx, "hi"); !errors.Is(err, context.Canceled) {
		t.Errorf("Classify on a canceled context: %v", err)
	}
}

// The classifier promotes the model's own complaint intent to the score.
func TestClassifyComplaintIntent(t *testing.T) {
	var ex []Example
	for _, s := range []string{"the delivery guy was rude", "your service is shocking", "this took forever and nobody called",
		"the product fell apart after one day", "I've been treated badly"} {
		ex = append(ex, Example{s, bot.IntentComplaint})
	}
	for _, s := range []string{"where is my order", "track my parcel", "order status", "has my order shipped", "when will it arrive"} {
		ex = append(ex, Example{s, "order_status"})
	}
	c := classifierOf(t, ex)
	got, err := c.Classify(context.Background(), "the courier was really rude to me")
	if err != nil {
		t.Fatal(err)
	}
	if got.Intent != bot.IntentComplaint || got.Complaint < got.Confidence {
		t.Errorf("got intent %q confidence %.2f complaint %.2f, want the complaint intent and a score >= its confidence",
			got.Intent, got.Confidence, got.Complaint)
	}
}

// A message that is only small talk is whole; anything more, an emoji or
// a word, is not, so "再见😡" and "垃圾，再见" are still read for complaints.
func TestSmallTalkWhole(t *testing.T) {
	st := newSmallTalk()
	for text, want := range map[string]bool{
		"再见": true, "再见啦": true, "拜拜": true, "bye": true, "Thanks, bye!": true,
		"再见😡": false, "垃圾，再见": false, "再见，你们服务太差了": false,
		"bye, worst shop ever": false, "where is my order": false, "": false,
	} {
		if got := st.whole(text); got != want {
			t.Errorf("whole(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestClassifyDemandsPerson checks that a message that can only mean "put
// me through to a person" reads as the ask_human intent even when the
// intent model, or the small-talk reader, sees a greeting or thanks in it.
func TestClassifyDemandsPerson(t *testing.T) {
	var ex []Example
	for _, s := range []string{"hello", "hi there", "你好", "在吗", "有人在吗"} {
		ex = append(ex, Example{s, bot.IntentGreeting})
	}
	for _, s := range []string{"where is my order", "track my parcel", "我的快递到哪了", "查一下订单"} {
		ex = append(ex, Example{s, "order_status"})
	}
	c := classifierOf(t, ex)
	for _, text := range []string{"人工客服在吗", "麻烦转一下人工，谢谢", "hi, real person please"} {
		got, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if got.Intent != bot.IntentAskHuman || !got.AsksForPerson {
			t.Errorf("Classify(%q) = intent %q, asks for a person %v; want %q and true", text, got.Intent, got.AsksForPerson, bot.IntentAskHuman)
		}
	}
	for _, text := range []string{"老板在吗", "店长在不在"} {
		if got, err := c.Classify(context.Background(), text); err != nil || !got.DemandsPerson {
			t.Errorf("Classify(%q) = %+v, %v; want a demand for a person", text, got, err)
		}
	}
	// "Anyone there?" opens a Chinese chat: a greeting, not a summons.
	for _, text := range []string{"在吗", "有人在吗"} {
		got, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if got.Intent != bot.IntentGreeting || got.DemandsPerson {
			t.Errorf("Classify(%s) = intent %q, demands a person %v; want %q and false", text, got.Intent, got.DemandsPerson, bot.IntentGreeting)
		}
	}
}

// TestClassifySmallTalkNeedsItsPhrases checks that a question the intent
// model mistakes for a goodbye keeps an ordinary intent, while a goodbye
// keeps its own.
func TestClassifySmallTalkNeedsItsPhrases(t *testing.T) {
	var ex []Example
	for _, s := range []string{"bye", "再见", "拜拜", "88", "see you 88"} {
		ex = append(ex, Example{s, bot.IntentGoodbye})
	}
	for _, s := range []string{"where is my order", "track my parcel", "我的快递到哪了", "查一下订单"} {
		ex = append(ex, Example{s, "order_status"})
	}
	c := classifierOf(t, ex)
	for text, small := range map[string]bool{"90片的有现货吗": false, "1.74 lens in stock?": false, "拜拜": true, "ok bye 88": true} {
		got, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if bot.IsSmallTalk(got.Intent) != small {
			t.Errorf("Classify(%q) = intent %q; want small talk %v", text, got.Intent, small)
		}
	}
}

// TestClassifyAboutBot checks that a message that only asks who or what the
// bot is, or what it can do, is small talk about the bot, and one that asks
// more is not.
func TestClassifyAboutBot(t *testing.T) {
	c := classifierOf(t, []Example{
		{"where is my order", "order_status"}, {"track my parcel", "order_status"},
		{"我的快递到哪了", "order_status"}, {"查一下订单", "order_status"},
		{"do you gift wrap", "gift_wrap"}, {"能包装吗", "gift_wrap"},
	})
	for text, about := range map[string]bool{
		"who are you?":                       true,
		"What can you do?":                   true,
		"are you a bot":                      true,
		"你是谁":                                true,
		"你是机器人吗？":                            true,
		"你能做什么包装":                            false, // asks about wrapping
		"what can you do for a wedding cake": false,
		"who are you shipping with":          false,
	} {
		got, err := c.Classify(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if (got.Intent == bot.IntentAboutBot) != about {
			t.Errorf("Classify(%q) = intent %q; want about the bot %v", text, got.Intent, about)
		}
	}
}

// classifierOf trains a model on ex and returns the classifier over it,
// with the built-in complaint detector.
func classifierOf(t *testing.T, ex []Example) *Classifier {
	t.Helper()
	m, err := Train(context.Background(), ex, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(ClassifierOptions{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSmallTalkThatAsks checks that a greeting or thanks around a question
// is the question, and small talk alone stays small talk.
func TestSmallTalkThatAsks(t *testing.T) {
	st := newSmallTalk()
	for text, want := range map[string]string{
		"你好，发货后多久能收到？谢谢":            "",
		"昨天落了个水杯在南山店 还在吗":           "",
		"hi, do you ship to japan?": "",
		"你好":                        bot.IntentGreeting,
		"你好吗":                       bot.IntentGreeting,
		"在吗？":                       bot.IntentGreeting,
		"老板在吗":                      bot.IntentGreeting,
		"你好 请问一下":                   bot.IntentGreeting,
		"how are you today?":        bot.IntentGreeting,
		"hi are you there?":         bot.IntentGreeting,
		"thanks for your help!":     bot.IntentThanks,
		"help":                      bot.IntentGreeting,
		"i need help":               bot.IntentGreeting,
		"求助":                        bot.IntentGreeting,
		"hi, thanks":                bot.IntentGreeting,
	} {
		if got, _, _ := st.label(text); got != want {
			t.Errorf("label(%q) = %q, want %q", text, got, want)
		}
	}
}
