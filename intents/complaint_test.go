package intents

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var builtinDetector = sync.OnceValues(func() (*ComplaintDetector, error) {
	return NewComplaintDetector(context.Background(), ComplaintOptions{})
})

func mustDetector(t testing.TB) *ComplaintDetector {
	t.Helper()
	d, err := builtinDetector()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSeedComplaints(t *testing.T) {
	ex, err := SeedComplaints()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	zh := 0
	for _, e := range ex {
		counts[e.Label]++
		if DetectLanguage(e.Text) == "zh" {
			zh++
		}
	}
	if len(counts) != 2 || counts[LabelComplaint] < 100 || counts[LabelOther] < 100 {
		t.Errorf("seed labels %v, want at least 100 of each of complaint and other", counts)
	}
	if zh < len(ex)/3 || zh > 2*len(ex)/3 {
		t.Errorf("%d of %d seed examples are Chinese, want a bilingual balance", zh, len(ex))
	}
}

func TestComplaintDetector(t *testing.T) {
	d := mustDetector(t)
	// None of these is a seed example.
	tests := []struct {
		text      string
		complaint bool
	}{
		{"你们的快递太慢了，我要投诉", true},
		{"Forgive me for writing again, but I'm afraid the replacement kettle also leaks and I'm rather disappointed.", true},
		{"Fantastic, another week without my order. Really impressive work.", true},
		{"等了两个小时，饭都凉了，再也不点了", true},
		{"The delivery was three days late and the box was crushed.", true},
		{"茶叶收到了，很香，谢谢！", false},
		{"Could you tell me if you ship to Germany?", false},
		{"请问你们周日营业吗？", false},
		{"Thank you so much, the gift box was beautiful.", false},
	}
	for _, tt := range tests {
		s := d.Score(tt.text)
		if got := s.Complaint >= ComplaintThreshold; got != tt.complaint {
			t.Errorf("Score(%q).Complaint = %.2f, want flagged=%v", tt.text, s.Complaint, tt.complaint)
		}
		if tt.complaint && s.Sentiment > -0.4 {
			t.Errorf("Score(%q).Sentiment = %.2f, want <= -0.4 for a complaint", tt.text, s.Sentiment)
		}
		if !tt.complaint && s.Sentiment < 0 {
			t.Errorf("Score(%q).Sentiment = %.2f, want >= 0", tt.text, s.Sentiment)
		}
	}
}

func TestComplaintDetectorBadInput(t *testing.T) {
	d := mustDetector(t)
	for _, text := range []string{"", " ", "😡😡😡", "\xff\xfe", strings.Repeat("太慢了 slow ", 500)} {
		s := d.Score(text)
		if s.Complaint < 0 || s.Complaint > 1 || s.Sentiment < -1 || s.Sentiment > 1 {
			t.Errorf("Score(%.20q) out of range: %+v", text, s)
		}
	}
	if s := d.Score(""); s.Complaint != 0 {
		t.Errorf("empty text scores %.2f as a complaint, want 0", s.Complaint)
	}
}

// A company's own examples change what the detector learns.
func TestComplaintDetectorExtra(t *testing.T) {
	// Words of no fault (faults) and no lexicon, so that only learning
	// can move the score.
	text := "zorblax module fizzling"
	base := mustDetector(t).Score(text).Complaint
	var extra []Example
	for _, s := range []string{"zorblax module fizzles", "my zorblax fizzles all the time", "zorblax fizzling again",
		"the zorblax keeps fizzling", "fizzly zorblax module", "zorblax fizzles badly"} {
		extra = append(extra, Example{s, LabelComplaint})
	}
	d, err := NewComplaintDetector(context.Background(), ComplaintOptions{Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Score(text).Complaint; got < ComplaintThreshold || got <= base {
		t.Errorf("after learning the company's examples the score is %.2f, was %.2f; want it higher and at least the threshold", got, base)
	}
	if _, err := NewComplaintDetector(context.Background(), ComplaintOptions{Extra: []Example{{"x", "angry"}}}); err == nil {
		t.Error("an extra example labelled \"angry\": no error")
	}
}

func TestEvaluateComplaints(t *testing.T) {
	d := mustDetector(t)
	test := []Example{{"你们的快递太慢了，我要投诉", LabelComplaint}, {"this is the worst service ever, I'm furious", LabelComplaint},
		{"谢谢，很好喝", LabelOther}, {"what are your opening hours", LabelOther}}
	r, err := EvaluateComplaints(d, test)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 4 || r.F1 != 1 || r.Accuracy != 1 || r.Precision != 1 || r.Recall != 1 {
		t.Errorf("EvaluateComplaints = %+v, want perfect scores on 4 clear messages", r)
	}
	if _, err := EvaluateComplaints(d, []Example{{"x", "positive"}}); err == nil {
		t.Error("label \"positive\": no error")
	}
}

func FuzzComplaintScore(f *testing.F) {
	d, err := builtinDetector()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"I will sue", "你们的快递太慢了，我要投诉", "not bad", "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := d.Score(s)
		if r.Complaint < 0 || r.Complaint > 1 || r.Sentiment < -1 || r.Sentiment > 1 || r.Complaint != r.Complaint {
			t.Fatalf("Score(%q) out of range: %+v", s, r)
		}
		if r.Danger && len(r.EscalationWords) == 0 {
			t.Fatalf("Score(%q): danger without an escalation word: %+v", s, r)
		}
	})
}

// TestDemandsPerson checks that words that can only mean a person to talk
// to ask for one on their own, and that ordinary words do not.
func TestDemandsPerson(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct {
		text   string
		demand bool
	}{
		{"人工客服在吗", true},
		{"麻烦转一下人工，谢谢", true},
		{"帮我转一下店长", true},
		{"能帮我转给你们负责人吗", true},
		{"帮我接一下你们经理", true},
		{"能不能让客服打电话给我", true},
		{"找你们店长", true},
		{"放学去接孩子顺路取蛋糕", false},
		{"找不到你们的地址", false},
		{"I want a real person please", true},
		{"are you a bot? get me a live agent", true},
		{"转账可以吗", false},
		{"这个能转发给朋友吗", false},
		{"有真人图吗", false},
		{"is this teapot for one person", false},
		{"can someone tell me the opening hours", false},
		{"who's in charge? I'd like to speak with the owner", true},
		{"I want to talk to a manager about this", true},
		{"the manager's special, how much is it", false},
		{"客户非要找经理 怎么处理", false},
		{"customer insists on speaking to the manager, what do i do", false},
		{"我是你们的老客户 转人工", true},
		{"找你们老板", true},
		{"帮我转一下销售顾问 有点复杂", true},
		{"想找一款老板椅 腰不好", false},
		{"can someone look at this, not the bot please", true},
		{"i'd like whoever is in charge to call me about my booking", true},
		{"who is in charge of deliveries on weekends", false},
		{"I'm a regular customer and I want to speak to the manager", true},
	} {
		if got := d.Score(tt.text).DemandsPerson; got != tt.demand {
			t.Errorf("Score(%q).DemandsPerson = %v, want %v", tt.text, got, tt.demand)
		}
	}
}

// TestNamesPersonTwice checks that a message naming a person to talk to in
// two separate places asks for one whatever else it says, and that one
// name, or a question whether a place is staffed, does not.
func TestNamesPersonTwice(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct {
		text  string
		twice bool
	}{
		{"有没有人工啊 真人 在吗", true},
		{"hi can someone from the team actually phone me, typing all this out is a pain", true},
		{"is there a staff member who could call me", true},
		{"can someone tell me the opening hours", false},
		{"is this teapot for one person", false},
		{"航班晚点了 可能半夜一点才到 前台还有人吗", false},
		{"店里现在有人吗", false},
		{"the manager's special, how much is it", false},
		{"do you have a staff discount", false},
	} {
		if got := d.Score(tt.text).NamesPersonTwice; got != tt.twice {
			t.Errorf("Score(%q).NamesPersonTwice = %v, want %v", tt.text, got, tt.twice)
		}
	}
	if d.Score("店里现在有人吗").AsksForPerson {
		t.Errorf("Score(%q).AsksForPerson = true, want false: it asks whether the shop is staffed", "店里现在有人吗")
	}
}

// TestAllergyIncidentOrQuestion checks that a reaction after eating or
// using something is a safety incident, and a question about allergens is
// not.
func TestAllergyIncidentOrQuestion(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct {
		text     string
		incident bool
	}{
		{"孩子吃了你们的蛋糕过敏了", true},
		{"喝完你们的茶全身过敏", true},
		{"用了这个护理液以后眼睛过敏", true},
		{"严重过敏 已经去医院了", true},
		{"孩子对坚果过敏 你们哪些蛋糕能吃", false},
		{"花生过敏能吃你们的曲奇吗", false},
		{"吃了会过敏吗", false},
		{"我花生过敏 刚吃了你们的曲奇 现在喉咙发紧 怎么办", true},
		{"我对芒果过敏 吃了你们的蛋糕", true},
		{"过敏的人吃了会不会有事", false},
		{"my son had an allergic reaction after eating your cake", true},
		{"My son has a severe nut allergy. Which of your cakes would be safe for him?", false},
		{"my friend just fainted in the changing room, she's awake now but very pale", true},
		{"朋友下课后在更衣室晕倒了 现在醒了", true},
		{"pulled something in my back during class, now I can barely walk", true},
		{"there was a long hair baked right into the middle of the bread", true},
		{"面包里有头发 恶心", true},
		{"ate your sandwich at lunch and now I have terrible stomach pain", true},
		{"吃完你们的沙拉肚子疼了一下午", true},
		{"do you sell hair clips", false},
		{"剪头发要预约吗", false},
		{"你们有头发护理的产品吗", false},
		{"手上烫出水泡了", true},
		{"护理液用完了 用自来水泡一晚上行不行", false},
	} {
		got := len(d.Score(tt.text).EscalationWords) > 0
		if got != tt.incident {
			t.Errorf("Score(%q) escalation words %v, want an incident %v", tt.text, d.Score(tt.text).EscalationWords, tt.incident)
		}
	}
}

// TestSwallowedByChildOrPet checks that a child or a pet that swallowed
// something is a safety incident whatever it swallowed, and that questions
// about what would happen, and stories without alarm, are not.
func TestSwallowedByChildOrPet(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct {
		text     string
		incident bool
	}{
		{"my toddler bit into a dishwasher tablet and has foam on his lips, what do i do", true},
		{"our puppy chewed the corner of the candle you sold us. is that toxic?", true},
		{"my cat ate lily pollen, is it safe?", true},
		{"女儿刚把一颗干燥剂吞了 怎么办", true},
		{"狗狗啃了半块巧克力蛋糕 要不要紧", true},
		{"宝宝舔了一口洗洁精 现在有点吐", true},
		{"my dog died after eating your treats, what was in them", true},
		{"my son ate two of the cookies and now he feels sick, what's in them", true},
		{"can my dog eat the rawhide chews?", false},
		{"is it safe if my cat licked the lily pollen", false},
		{"我家猫吃了会不会有事", false},
		{"my kids ate the whole cake in ten minutes, what a hit", false},
		{"my puppy was chewing the rope toy and is fine, do you have a bigger one", false},
		{"孩子吃了你们的蛋糕很喜欢 还想再订一个", false},
		{"which plants are toxic to cats?", false},
		{"my hamster stopped eating his pellets, can the vet see him friday", false},
		{"狗狗两天不吃了 明天上午能看吗 要不要紧", false},
		{"干燥剂被孩子拿到了 不知道吃没吃进去 怎么办", true},
	} {
		got := len(d.Score(tt.text).EscalationWords) > 0
		if got != tt.incident {
			t.Errorf("Score(%q) escalation words %v, want an incident %v", tt.text, d.Score(tt.text).EscalationWords, tt.incident)
		}
	}
}

// TestHarmedByTheShopIsAnIncident checks that harm told after the shop's
// product or service is a safety incident though nothing names a danger
// ("my fish all died after i added your water conditioner"), and that a
// death or an illness the shop had no part in, or harm asked about as a
// possibility, is not.
func TestHarmedByTheShopIsAnIncident(t *testing.T) {
	checkScores(t, map[string]bool{
		"my fish all died overnight after i added your water conditioner":                        true,
		"昨天喝了你们店的普洱 没多久胃就痛得厉害 吐了两次":                                                              true,
		"drank your pu-erh yesterday and threw up twice":                                         true,
		"could your pu-erh make me sick if i drink it on an empty stomach":                       false,
		"your dumplings absolutely killed it at our party":                                       false,
		"our old dog passed away last month, please cancel the food subscription from your shop": false,
		"我们家鹦鹉前几天死了 想把鸟笼送给你们店 你们收吗":                                                              false,
		"my mum is in hospital, can you deliver flowers to ward 4 tomorrow":                      false,
		"hey whats a good toy for a kid stuck in hospital":                                       false,
		"my son was taken to the hospital after eating your cake":                                true,
	}, "escalation words", hasEscalationWords)
}

// hasEscalationWords is a checkScores test: the detector found escalation
// words.
func hasEscalationWords(s ComplaintScore) (bool, string) {
	return len(s.EscalationWords) > 0, fmt.Sprint(s.EscalationWords)
}

// checkScores checks, for each text, whether holds is true of the built-in
// detector's score of it; shown describes the score in a failure.
func checkScores(t *testing.T, cases map[string]bool, what string, holds func(ComplaintScore) (ok bool, shown string)) {
	t.Helper()
	d := mustDetector(t)
	for text, want := range cases {
		if got, shown := holds(d.Score(text)); got != want {
			t.Errorf("Score(%q): %s %v (%s), want %v", text, what, got, shown, want)
		}
	}
}

// TestSupposedTroubleIsNoComplaint checks that a question about what
// happens if something goes wrong reads less as a complaint than the same
// words told as what did happen.
func TestSupposedTroubleIsNoComplaint(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct{ supposed, told string }{
		{"what if nobody answers the door when your driver comes", "nobody answered the door when your driver came, terrible"},
		{"要是洗坏了你们赔不赔", "洗坏了你们赔不赔"},
	} {
		s, told := d.Score(tt.supposed).Complaint, d.Score(tt.told).Complaint
		if s >= told {
			t.Errorf("Score(%q) = %.2f, not under Score(%q) = %.2f", tt.supposed, s, tt.told, told)
		}
	}
}

// TestRequestsToEntertainAreNoComplaints checks that asking the bot for a
// joke, a song or a story is no complaint, while calling the service a joke,
// or asking for a poem about a terrible delivery, still is.
func TestRequestsToEntertainAreNoComplaints(t *testing.T) {
	d := mustDetector(t)
	for text, entertains := range map[string]bool{
		"tell me a joke about penguins":                true,
		"Tell me a joke":                               true,
		"sing me a song":                               true,
		"给我讲个笑话":                                       true,
		"说个笑话听听":                                       true,
		"唱首歌吧":                                         true,
		"your service is a joke":                       false,
		"what a joke, still no refund":                 false,
		"这服务简直是个笑话":                                    false,
		"退款拖了一个月，开什么玩笑":                                false,
		"write me a poem about your terrible delivery": false,
	} {
		got := d.Score(text).Complaint
		if entertains && got >= ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want under %.2f: a request to be entertained", text, got, ComplaintThreshold)
		} else if !entertains && got < ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want at least %.2f: a complaint", text, got, ComplaintThreshold)
		}
	}
}

// TestTopicsAreNoComplaints checks that a few words typed as a search
// ("delivery times", "wedding cakes") are not complaints, and that a terse
// complaint, which has a negative term, still is.
func TestTopicsAreNoComplaints(t *testing.T) {
	d := mustDetector(t)
	for text, topic := range map[string]bool{
		"delivery times":        true,
		"wedding cakes":         true,
		"Storage and freshness": true,
		"lens coating":          true,
		"fake product":          false,
		"melted chocolate":      false,
		"cake stale":            false,
		"rude staff":            false,
		"still waiting":         false,
		"never arrived":         false,
	} {
		got := d.Score(text).Complaint
		if topic && got >= ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want under %.2f: a topic typed as a search", text, got, ComplaintThreshold)
		} else if !topic && got < ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want at least %.2f: a complaint", text, got, ComplaintThreshold)
		}
	}
}

// wantComplaints checks that each text of cases reads as a complaint
// (score at the threshold or above) exactly when its value is true; an
// ordinary one that does not is reported as ordinary, a question of the
// kind that names.
func wantComplaints(t *testing.T, d *ComplaintDetector, cases map[string]bool, ordinary string) {
	t.Helper()
	for text, complaint := range cases {
		got := d.Score(text).Complaint
		if !complaint && got >= ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want under %.2f: %s", text, got, ComplaintThreshold, ordinary)
		} else if complaint && got < ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want at least %.2f: a complaint", text, got, ComplaintThreshold)
		}
	}
}

// TestQuestionTypedWithoutPunctuation checks that a question typed after a
// few words of story, with no comma or question mark, is read as a
// question (asksMidway), while a grievance typed the same way stays one.
func TestQuestionTypedWithoutPunctuation(t *testing.T) {
	wantComplaints(t, mustDetector(t), map[string]bool{
		"first time coming tmr anything i need to know":        false,
		"first class tonight anything i need to know":          false,
		"son starts lessons monday do i need to buy a uniform": false,
		// The sender's own mishap, then the question in the same breath.
		"i forgot to book the dogs vaccination and its now two weeks overdue is it too late":          false,
		"we missed the ferry this morning and the tour left without us can we join tomorrows instead": false,
		"waited two weeks and still nothing can i get my money back":                                  true,
		"ordered a week ago still not here can you check":                                             true,
	}, "a question typed without punctuation")
}

// TestPaidInVainIsAGrievance checks that asking what the sender paid for,
// meaning for nothing, is a complaint however the rest is worded, and
// that asking to be rung back is a demand for a person.
func TestPaidInVainIsAGrievance(t *testing.T) {
	d := mustDetector(t)
	for _, text := range []string{
		"three visits and the wasps are still there, what exactly am i paying for",
		"the lawn looks the same as before you came. what exactly did we pay for",
		"我花钱是干嘛的",
	} {
		if got := d.Score(text).Complaint; got < ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want at least %.2f", text, got, ComplaintThreshold)
		}
	}
	for _, text := range []string{"can someone ring me back please", "could the manager phone me back today"} {
		if !d.Score(text).DemandsPerson {
			t.Errorf("Score(%q).DemandsPerson = false, want true", text)
		}
	}
}

// TestStoryBeforeAQuestion checks that a sentence of the sender's story
// before a question does not make the question a complaint (asksLast),
// while a grievance that ends in a question, rhetorical or not, still is
// one.
func TestStoryBeforeAQuestion(t *testing.T) {
	wantComplaints(t, mustDetector(t), map[string]bool{
		"first time ordering from you guys, most expensive road bike":                               false,
		"first time ordering from you guys, does the xiao ai speaker understand english":            false,
		"we're having a party this weekend, what's the biggest cake you make":                       false,
		"3rd time this month your mini program crashed on checkout. do u even test it":              true,
		"the coffee machine has been out of order since monday, what am i paying for":               true,
		"the ants came back 4 days after the spray, is that normal? because i paid 120 for nothing": true,
		"my order still hasn't arrived, what's going on":                                            true,
		"等了一个星期还没发货，到底有没有货":                                                                         true,
	}, "a story, then a question")
}

// TestHotlineNumbers checks that 12345, the citizens' hotline, escalates
// only when the sender calls or reports to it, not as an order number.
func TestHotlineNumbers(t *testing.T) {
	checkScores(t, map[string]bool{
		"my order number is 12345":     false,
		"订单号12345":                     false,
		"再不处理我就打12345投诉你们":             true,
		"i will call 12345 about this": true,
		"再不退款我就12315":                  true,
	}, "escalation words", hasEscalationWords)
}

// TestChineseQuestionForms checks that Chinese questions without a final
// particle read as questions: A-not-A ("送不送") and how-many words.
func TestChineseQuestionForms(t *testing.T) {
	for text, want := range map[string]bool{
		"富阳送不送啊":             true,
		"送超时了运费退不退":          true,
		"曲奇罐有几种口味":           true,
		"冰皮月饼几个一盒":           true,
		"蛋糕送来的时候塌了":          false,
		"不不不 我不要了":           false,
		"你们这服务太差了":           false,
		"全能卡是啥":              true,
		"约了明天的课去不了 咋取消":      true,
		"发票抬头写错了咋办":          true,
		"次卡买了还没用 什么时候开始算有效期": true,
		"店员还说爱要不要":           false,
		"地址写错了，能帮我改一下吗，还没发货": true,
		"能开发票吗 公司报销要用":       true,
		"吗啡类止痛药":             false,
		"is it possible to print a photo on the cake? want my dogs face on it lol": true,
		"My order is two weeks late and nobody has told me anything.":              false,
	} {
		if got := isQuestion(text, newLexText(text)); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestServiceQuestionsAreNoComplaints checks that ordinary questions with a
// Chinese question word are not read as complaints, while a complaint that
// ends in a rhetorical 什么 still is.
func TestServiceQuestionsAreNoComplaints(t *testing.T) {
	d, err := NewComplaintDetector(context.Background(), ComplaintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for text, complaint := range map[string]bool{
		"全能卡是啥":                 false,
		"约了明天的课去不了 咋取消":         false,
		"发票抬头写错了咋办":             false,
		"为啥小程序约不了核心床初级课":        false,
		"贴膜师傅把我的膜贴歪了还不承认 什么服务":  true,
		"在滨江店买的可颂又冷又硬 店员还说爱要不要": true,
		// A contracted question word asks as the full one does.
		"where's the exit at the futian space": false,
		"where's my refund, it's been 3 weeks": true,
	} {
		if got := d.Score(text).Complaint >= ComplaintThreshold; got != complaint {
			t.Errorf("Score(%q).Complaint = %.2f: complaint %v, want %v", text, d.Score(text).Complaint, got, complaint)
		}
	}
}

// TestTransferTargetsFitTheWindow checks that transfersToPerson's window
// holds the longest of whom a transfer verb may name.
func TestTransferTargetsFitTheWindow(t *testing.T) {
	for _, tg := range transferTargets {
		if n := utf8.RuneCountInString(tg); n > transferTargetRunes {
			t.Errorf("target %q has %d characters, more than transferTargetRunes %d", tg, n, transferTargetRunes)
		}
	}
}

func TestInjuriesInOtherWords(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"my son's sunglasses snapped and cut his cheek, there's blood": true,
		"he fell off the bike and got a cut on his knee":               true,
		"用了你们的面膜 脸上又红又肿":                                               true,
		"can you cut the cake into 8 slices":                           false,
		"what blood type do donors need":                               true, // a word list cannot tell; a person reads it
		"有没有负责人 我要当面谈":                                                 false,
		"my friend is throwing up after your tasting night":            true,
		"孩子吃了一直吐":                                                      true,
	} {
		if got := len(d.Score(text).EscalationWords) > 0; got != want {
			t.Errorf("Score(%q).EscalationWords = %v, want some: %v", text, d.Score(text).EscalationWords, want)
		}
	}
	if !d.Score("有没有负责人 我要当面谈").AsksForPerson {
		t.Error(`"有没有负责人" does not ask for a person`)
	}
}

// TestDangerAsItHappens checks that a danger from a person or to oneself,
// someone trapped, an alarm going off or an attack of an illness is always
// handed to a person, in words of any trade, and that the places and
// equipment named after an emergency are not.
func TestDangerAsItHappens(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"there's a fight in the reception area right now":                   true,
		"a man keeps following me from the car park every evening":          true,
		"there is a fight in the lobby":                                     true,
		"跳楼价清仓 还有货吗":                                                        false,
		"do you sell syringes for feeding kittens":                          false,
		"how do I fight fleas on my dog":                                    false,
		"someone is threatening to hurt himself on the roof terrace":        true,
		"I'm stuck in the lift between floors 5 and 6":                      true,
		"the carbon monoxide alarm is beeping in the basement":              true,
		"my friend is having an asthma attack in the changing room":         true,
		"前台有人打起来了":                                                          true,
		"天台有人说要跳下去":                                                         true,
		"电梯卡在5楼和6楼中间了":                                                      true,
		"厕所地上有针头":                                                           true,
		"a dog bit my son in your shop":                                     true,
		"孩子在店里走丢了":                                                          true,
		"there's a man holding a knife outside":                             true,
		"快递走丢了 怎么办":                                                         false,
		"do i cut the cake with a knife or do you slice it":                 false,
		"my son fell in love with your croissants":                          false,
		"蚊子咬了我好多包 有驱蚊的吗":                                                    false,
		"where is the emergency exit":                                       false,
		"is there an emergency contact number for weekends":                 false,
		"do you have a first aid kit at reception":                          false,
		"我们公司想在你们这里办一场消防演习":                                                 false,
		"my dad is having chest pains in your waiting room":                 true,
		"a guest at the hostel is threatening people with a bottle":         true,
		"有个客人拿着酒瓶威胁别人":                                                      true,
		"water is pouring through the ceiling, the whole floor is flooded":  true,
		"we're flooded with orders this week, can you still deliver friday": false,
		"there's a fire in the kitchen":                                     true,
		"手机摔下来了 屏幕碎了 能修吗":                                                   false,
		"新配的眼镜戴着有点头晕 正常吗":                                                   false,
		"我奶奶在你们酒店楼梯上摔下来了":                                                   true,
		"is the fireplace room free on saturday":                            false,
	} {
		if got := len(d.Score(text).EscalationWords) > 0; got != want {
			t.Errorf("Score(%q).EscalationWords = %v, want some: %v", text, d.Score(text).EscalationWords, want)
		}
	}
}

func TestIndignantQuestions(t *testing.T) {
	for text, want := range map[string]bool{
		"paid 600 for this??":          true,
		"你们怎么验货的？？":                    true,
		"seriously?!":                  true,
		"还当新的卖！？":                      true,
		"does it come in blue?":        false,
		"wow!! is it in stock?":        false,
		"运费多少？":                        false,
		"great cake! when do you open": false,
	} {
		if got := indignant(text); got != want {
			t.Errorf("indignant(%q) = %v, want %v", text, got, want)
		}
	}
	// An indignant question is not read as a request for information, so
	// it does not lower the complaint score the way a question does.
	d := mustDetector(t)
	if got := d.Score("收到的手表有划痕 明显是别人退回来的 还当新的卖？？").Complaint; got < ComplaintThreshold {
		t.Errorf("an indignant question scores %.2f; want at least %.2f", got, ComplaintThreshold)
	}
}

// TestAsksAboutAContact checks that a person's name followed by a detail
// of that contact ("客服电话多少", "customer service hours") is a question,
// not a request for a person, while the name alone still asks for one.
func TestAsksAboutAContact(t *testing.T) {
	d := mustDetector(t)
	for _, tt := range []struct {
		text string
		asks bool
	}{
		{"客服电话多少", false},
		{"客服几点下班", false},
		{"what's your customer service number", false},
		{"customer service hours on sunday?", false},
		{"我要找客服", true},
		{"customer service please", true},
		{"can I speak to customer service", true},
		{"pls give me the manager's number", true},
	} {
		if got := d.Score(tt.text).AsksForPerson; got != tt.asks {
			t.Errorf("Score(%q).AsksForPerson = %v, want %v", tt.text, got, tt.asks)
		}
	}
}

// TestTerseAttributeQuestions checks that a question typed the way a search
// is ("height range of the standing desk", "双人私教价格") counts as a
// question and is not a complaint, while statements about the same
// attributes still read as statements.
func TestTerseAttributeQuestions(t *testing.T) {
	for text, want := range map[string]bool{
		"height range of the standing desk":                       true,
		"price of the large one":                                  true,
		"difference between the two mattresses":                   true,
		"cheapest tent":                                           true,
		"most expensive road bike":                                true,
		"双人私教价格":                                                  true,
		"猫包能装多重的猫":                                                true,
		"price is a total rip off":                                false,
		"size is wrong and nobody answers":                        false,
		"和之前买的没区别":                                                false,
		"质量太差了":                                                   false,
		"most of it arrived broken":                               false,
		"delivery was late for the second time":                   false,
		"price of the repair doubled without anyone telling me":   false,
		"warranty on my kettle is useless, you refused to fix it": false,
		"newest model stopped charging after two days":            false,
		"收到的跟图片上不是一个颜色":                                           false,
	} {
		if got := isQuestion(text, newLexText(text)); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", text, got, want)
		}
	}
	d := mustDetector(t)
	for _, q := range []string{"height range of the standing desk", "most expensive road bike", "双人私教价格"} {
		if got := d.Score(q).Complaint; got >= ComplaintThreshold {
			t.Errorf("%q scores %.2f as a complaint; want below %.2f", q, got, ComplaintThreshold)
		}
	}
	for _, c := range []string{"price is a total rip off, the handle broke on day one",
		"price of the repair doubled without anyone telling me", "newest model stopped charging after two days"} {
		if got := d.Score(c).Complaint; got < ComplaintThreshold {
			t.Errorf("complaint %q scores %.2f; want at least %.2f", c, got, ComplaintThreshold)
		}
	}
}

// TestMeasureQuestions checks that a last clause asking how many, how long
// or how much makes a question of what came before, and that the
// rhetorical "how many times" and "how much longer" do not.
func TestMeasureQuestions(t *testing.T) {
	for text, want := range map[string]bool{
		"refund to visa card how many days":                       true,
		"lost my membership card, how much is a new one":          true,
		"ordered the sofa last week. how soon can it come":        true,
		"my order is late again, how many times do I have to ask": false,
		"three weeks already. how much longer":                    false,
		"the delivery was late and the driver was rude":           false,
	} {
		if got := isQuestion(text, newLexText(text)); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestReassuranceIsNoComplaint checks that a question that says there is
// no hurry ("no rush, just checking", "不着急") is no complaint, while a
// complaint without it, one that demands a person, or one with escalation
// words still is.
func TestReassuranceIsNoComplaint(t *testing.T) {
	d := mustDetector(t)
	for text, reassured := range map[string]bool{
		"my order still hasnt arrived, when will it come? no rush just checking":             true,
		"my parcel was supposed to arrive yesterday but nothing yet. no rush, just checking": true,
		"快递还没到 不着急 想问下大概什么时候能到":                                                              true,
		"my order still hasnt arrived, this is ridiculous":                                   false,
		"no rush, but I want to talk to your manager about this awful service":               false,
		"no rush but my son ate a cake and is allergic, he can't breathe":                    false,
		"the parcel is two days past the estimate. not mad, what usually happens then":       true,
		"不是投诉哈 快递比预计晚了两天 一般怎么处理":                                                             true,
		"not angry, just disappointed that the cake arrived squashed and nobody called":      false,
	} {
		got := d.Score(text).Complaint
		if reassured && got >= ComplaintThreshold {
			t.Errorf("Score(%q).Complaint = %.2f, want under %.2f: it says there is no hurry", text, got, ComplaintThreshold)
		} else if !reassured && got < ComplaintThreshold && len(d.Score(text).EscalationWords) == 0 {
			t.Errorf("Score(%q).Complaint = %.2f, want at least %.2f (or escalation words)", text, got, ComplaintThreshold)
		}
	}
}

// TestServiceIsNoRequestForAPerson checks that asking for a job to be done
// by "someone" ("can someone adjust my glasses") is no request for a
// person, while asking for someone to talk to still is.
func TestServiceIsNoRequestForAPerson(t *testing.T) {
	d := mustDetector(t)
	for text, person := range map[string]bool{
		"can someone adjust my glasses":                             false,
		"is there somebody who could fix a flat tyre":               false,
		"can someone hem my trousers by friday":                     false,
		"I want someone to talk to":                                 true,
		"can I speak to someone":                                    true,
		"is there someone I can talk to about my order":             true,
		"can someone look at my order, it's wrong, I'm angry":       true,
		"can a staff member help me carry the boxes to the car":     false,
		"can a staff member help me":                                true,
		"arriving at the north station at 3pm, can someone meet us": false,
		"can someone come and look at the balcony first":            false,
		"can somebody come look at my apartment before i commit":    false,
		"can someone pick us up at the station?":                    false,
		"can someone pick up a few boxes from my place":             false,
		"can someone pick up the phone, i've called five times":     true,
		"can someone come and talk to me":                           true,
		"can someone meet with me about my refund":                  true,
	} {
		if got := d.Score(text).AsksForPerson; got != person {
			t.Errorf("Score(%q).AsksForPerson = %v, want %v", text, got, person)
		}
	}
}

// TestStaffAskedAboutIsNoRequestForAPerson checks that a question about
// the shop's people, whether one is there or what they do ("is there
// someone at the front desk at night"), or a reception that is a
// gathering ("the funeral reception"), is no request for a person, while
// asking whether there is someone to talk to, or who is free now, still is.
func TestStaffAskedAboutIsNoRequestForAPerson(t *testing.T) {
	d := mustDetector(t)
	for text, person := range map[string]bool{
		"is there someone at the front desk at night":                       false,
		"does someone check the car with me at pickup":                      false,
		"will staff be at the door when we arrive":                          false,
		"are there staff at the airport counter after midnight":             false,
		"is there anyone at reception on sundays to take the keys":          false,
		"my grandfather passed away, we need tea for the funeral reception": false,
		"the wedding reception venue wants 200 boxes of favours":            false,
		"can i talk to reception":                                           true,
		"is there someone I can talk to":                                    true,
		"is there someone available now":                                    true,
		"will someone call me back":                                         true,
		"is there a manager on duty i can complain to":                      true,
		"is there a person who can look at my order":                        true,
		"can i speak to someone at the front desk":                          true,
		"does someone answer the phone? i've been trying to get through":    true,
	} {
		if got := d.Score(text).AsksForPerson; got != person {
			t.Errorf("Score(%q).AsksForPerson = %v, want %v", text, got, person)
		}
	}
}

// TestOwnMishapIsNoComplaint checks that a question about a mishap of the
// sender's own making ("I spelled her name wrong, can it be changed?") is
// no complaint, while the same mishap beside a word against the shop, a
// blame or a turn against it still is.
func TestOwnMishapIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"Hello, I ordered a cake for tomorrow and only just realised I spelled my niece's name wrong in the message. Can it still be changed?": false,
		"lost the instructions for the bookcase, can i get another copy":                                                                       false,
		"i missed my class this morning, overslept :( will i be charged":                                                                       false,
		"i missed the drivers call, where's my wine now and do i have to pay again":                                                            false,
		"I missed the driver's call and you still haven't redelivered after 5 days, where is my order?":                                        true,
		"i missed the delivery because your driver came 3 hours early, will i be charged again??":                                              true,
		"I lost my receipt but your staff were so rude, can I still return it":                                                                 true,
		"I forgot my password again, your app is so annoying, how do I reset it":                                                               true,
		"we won't make it by 7, will you hold the table if we're 20 min late":                                                                  false,
		"我们可能会晚到二十分钟 位子还能留吗":                                                                                                                   false,
		"we lost the usb stick from our wedding, can you send the photos again":                                                                false,
		"i wont be home tmrw, can the guy just leave the bag with the guard downstairs":                                                        false,
		"we were late because your driver went to the wrong address, will we still be charged?":                                                true,
		"i'll be stuck at work until 9 tonight, can the order be left at reception":                                                            false,
		"nobody will be home on friday afternoon, what happens to the delivery":                                                                false,
	})
}

// TestTasteIsNoComplaint checks that what a shopper says against a taste,
// a budget or a surprise while choosing ("she doesn't really like wine",
// "不要太贵的", "别让她知道") is no complaint, while the same words about
// what the shop sold, or with a demand for redress, still are.
func TestTasteIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"something sweet and not too strong for my gf, she doesn't really like wine":  false,
		"want to send her roses but i dont want her to know its from me":              false,
		"给女朋友的surprise 千万别让她知道价格哈":                                                    false,
		"I'm a beginner and want private lessons but not too expensive":               false,
		"她不喜欢太甜的 有没有不那么甜的":                                                            false,
		"no starch on the shirts please, my husband cant stand stiff collars":         false,
		"i can't decide between the two oolongs, which is better":                     false,
		"i can't decide if your staff are rude or just lazy":                          true,
		"she doesn't like the cake you made, it's nothing like the picture":           true,
		"my son hates going now because the coach yells at the kids, i want a refund": true,
		"不喜欢你们这个态度 说好的今天送到 现在还没来":                                                     true,
		"她不喜欢太甜的 你们做的蛋糕甜得发腻 太失望了":                                                     true,
	})
}

// TestRepairQuestionIsNoComplaint checks that asking how a fault gets
// fixed ("耳机用了半年坏了 去哪修", "is that normal?") is no complaint,
// while the same question that blames the product or says the money was
// wasted still is.
func TestRepairQuestionIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"冰箱不制冷是不是坏了":   false,
		"耳机用了半年坏了 去哪修": false,
		"the ants came back 4 days after the spray, is that normal? because i paid 120 for nothing": true,
		"刚买的耳机就坏了 质量太差了 去哪修":                                                                        true,
		"all the flowers fell off my orchid, will it ever bloom again":                              false,
		"玫瑰头都耷拉下来了 还有救没":                                                                            false,
		"bought the roses yesterday and they're already dead, can they be saved?? what a joke":      true,
	})
}

// checkComplaints checks, for each text, whether the built-in detector
// reads it as a complaint (a score at ComplaintThreshold or above).
func checkComplaints(t *testing.T, cases map[string]bool) {
	t.Helper()
	checkScores(t, cases, "complaint", func(s ComplaintScore) (bool, string) {
		return s.Complaint >= ComplaintThreshold, fmt.Sprintf("%.2f", s.Complaint)
	})
}

// TestSelfTalkIsNoComplaint checks that what a sender says against
// themselves ("my mandarin is terrible") does not make a question a
// complaint, while the same words about the shop still do.
func TestSelfTalkIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"anyone there speak english? my mandarin is terrible":        false,
		"我中文不好 可以用英文沟通吗":                                             false,
		"i'm hopeless at choosing gifts, what do people usually buy": false,
		"your service is terrible":                                   true,
		"你们的服务太差了":                                                   true,
	})
}

// TestDangerAskedUnderACondition checks that a danger named under a
// condition in a question is a question about a policy, and that the same
// danger told as it happens, or beside a condition in a clause of its own,
// is still handed to a person.
func TestDangerAskedUnderACondition(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"what happens if i get injured on the climbing wall, does your insurance cover it": false,
		"if there's a fire in the building how do we get out":                              false,
		"in case of food poisoning can i get a refund?":                                    false,
		"万一孩子吃了过敏了能退吗":                                                                     false,
		"如果受伤了 保险管不管":                                                                      false,
		"爆炸的话你们赔吗":                                                                         false,
		"my son is bleeding, what if it gets infected?":                                    true,
		"if nobody fixes the lift someone will get hurt":                                   true,
		"there's a fire in the kitchen, what do we do?":                                    true,
		"孩子受伤了 如果去医院能报销吗":                                                                  true,
		"can i get a refund if i cancel, my kid broke his arm":                             true,
		"what do i do, my friend is injured":                                               true,
	} {
		if got := len(d.Score(text).EscalationWords) > 0; got != want {
			t.Errorf("Score(%q).EscalationWords = %v, want some: %v", text, d.Score(text).EscalationWords, want)
		}
	}
}

// TestRedressDemandIsAComplaint checks that a failure told and followed by
// a question asking the business to make up for it ("who is paying for the
// repair?") is a complaint, though a question; the same redress asked
// under a condition asks about a policy.
func TestRedressDemandIsAComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"The courier dropped my box in a puddle and the books are soaked. Who is paying for new ones?": true,
		"you lost my jacket at the cleaners, what are you going to do about it?":                       true,
		"the technician scratched our floor, what compensation do you offer?":                          true,
		"师傅把我家地板刮花了 谁来赔":                                                                               true,
		"if a parcel arrives late, what compensation do you offer?":                                    false,
		"what compensation do you offer if my flight is delayed":                                       false,
		"如果快递弄丢了 谁来赔":                                                                                  false,
	})
}

// TestAsksForTheOwner checks that asking for the owner or the boss, or to
// be messaged, names a person to talk to (with the ask_human intent, a
// request for one): "Could you get the owner to message me directly?" was
// answered "not sure" in a fresh probe of new trades.
func TestAsksForTheOwner(t *testing.T) {
	d := mustDetector(t)
	for _, text := range []string{
		"Could you get the owner to message me directly?",
		"can your boss text me",
		"找你们老板聊聊",
		"找个能做主的跟我谈",
		"想跟人沟通一下退款的事",
		"把安装师傅的电话给我 我直接跟他说",
	} {
		if !d.Score(text).AsksForPerson {
			t.Errorf("Score(%q).AsksForPerson = false, want true", text)
		}
	}
}

// TestMistreatmentAndScornAreComplaints checks that how staff treated the
// sender, a question asked only to reproach and praise of what the sender
// quotes back are complaints in both languages, even without a word of
// the negative lexicon's older entries, while the same shapes asked
// sincerely are not.
func TestMistreatmentAndScornAreComplaints(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"the cashier rolled his eyes when my dad paid with coins":                  true,
		"收银员看我付零钱直接翻白眼":                                                            true,
		"the instructor made a joke about my age in front of everyone":             true,
		"前台小姑娘爱答不理的 问三遍才回一句":                                                       true,
		"is this really how you treat people who have shopped here for ten years?": true,
		"你们家用了五年 这就是对老会员的服务？":                                                      true,
		"花了299 就这？": true,
		"great, the 'waterproof' jacket soaked through in ten minutes of drizzle":                   true,
		"love how 'next day delivery' means a week":                                                 true,
		"the courier left it at the wrong door, i've written three times now. why do i even bother": true,
		"can you write 'happy 60th dad' on the cake? great thanks":                                  false,
		"is this how you fold the travel cot, the video wasn't clear":                               false,
		"what kind of fabric is the 'cloud' sofa":                                                   false,
	})
}

// TestScorns checks the reproaches scorns reads, and the sincere questions
// with the same words.
func TestScorns(t *testing.T) {
	for text, want := range map[string]bool{
		"is that the kind of shop you run?":                            true,
		"is it really the standard you're proud of":                    true,
		"is lying to customers part of the training?":                  true,
		"love paying full price for day-old bread":                     true,
		"这就是你们吹的防水？":                                                   true,
		"wow. the 'fresh' flowers were brown by evening":               true,
		"is this the kind of bag that fits a 15 inch laptop?":          false,
		"do you have the 'classic' cut in a 32 waist":                  false,
		"i love how soft the 'cloud' throw is, do you have it in grey": false,
		"这就是你们说的那款吗 我想买":                                               false,
		"is that the service you're proud of?":                         true,
		"what are you most proud of in your shop":                      false,
	} {
		if got := scorns(text); got != want {
			t.Errorf("scorns(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestWorryAheadIsNoComplaint checks that a question fearing what may
// happen ("worried it won't fit", "怕缩水") is no complaint, while one
// that tells of a grievance, or scorns, still is whatever worry it voices.
// Like the sender's own mishaps, a worry with more negative weight than
// ownMishapNegative is left to the score: "i have a bad knee, will it make
// it worse" still reads as a complaint (0.94), a known miss.
func TestWorryAheadIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"the wardrobe is 2.4m tall and i'm worried it won't fit up our stairs, what happens then": false,
		"dont want the cat getting sick, are the lilies in the spring bouquet safe":               false,
		"im 5 months pregnant and a bit nervous, would it be ok to join the beginner class":       false,
		"深色的毛衣怕缩水 你们洗的时候会注意吗":                                                                     false,
		"有点担心蛋糕路上会化 夏天送过去要多久":                                                                     false,
		"I'm worried because you charged me twice and nobody answers, where is my money?":         true,
		"修了三次冰箱还是不制冷，每次都收钱，你们到底会不会修":                                                              true,
	})
}

// TestOwnCorrectionIsNoComplaint checks that a sender correcting a detail
// they got wrong themselves is no complaint, asked or not, while the same
// correction of the shop's mistake still is one.
func TestOwnCorrectionIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"put the wrong date on the inquiry form sorry, its the 14th not the 4th":        false,
		"gave the wrong model number when i booked, its WF45 not WF54":                  false,
		"i messed up and booked the wrong slot in the app, meant 4pm not 2pm can u fix": false,
		"合同上我手机号写错了一位 尾号是8不是3":                                                          false,
		"you put the wrong date on my invoice again, its the 14th not the 4th. fix it":  true,
	})
}

// TestDamagedInCareIsAComplaint checks that a thing that came back from
// the business damaged, and a demand for redress, are complaints, while a
// question about what would happen if it did is not.
func TestDamagedInCareIsAComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"Dropped my PC off for a new SSD, paid for data transfer, got it back and half my photos are gone.": true,
		"我那件羊绒大衣拿回来缩了一大圈 现在我女儿都穿不下 你们看怎么赔吧":                                                                 true,
		"婚礼当天摄影师迟到一个多小时 接亲全没拍到 这个损失你们打算怎么算":                                                                 true,
		"if my suit comes back with a stain what happens":                                                   false,
		"万一衣服洗坏了怎么赔": false,
	})
	if !ownMishap("i dropped my phone in the sink, can you fix it") {
		t.Error(`ownMishap("i dropped my phone in the sink…") = false, want true`)
	}
	if ownMishap("the stain wasnt there when i dropped it off") {
		t.Error(`ownMishap("…when i dropped it off") = true, want false: it was left with the shop`)
	}
}

// TestIllnessAsExcuseIsNoIncident checks that an illness given as the
// reason to change a booking, or under a doctor's advice, with a question,
// escalates nothing, while an illness after the shop's thing, or happening
// with a plea for help, still does.
func TestIllnessAsExcuseIsNoIncident(t *testing.T) {
	checkScores(t, map[string]bool{
		"狗狗最近拉肚子 医生说要控制饮食 遛的时候别给零食可以吗":                                                                      false,
		"I had surgery last week and was in hospital for 5 days. Can the freeze start from when I went in?": false,
		"my daughter has had diarrhea since friday, can we move her swim lesson to next week":               false,
		"孩子发烧呕吐了 今天的课请假 能补课吗":                                                                               false,
		"my son threw up after your cake, I had to cancel the party, what was in it":                        true,
		"孩子吃了你们的蛋糕 半夜吐了好几次 明天的课要请假":                                                                         true,
		"my kid is vomiting and has a rash all over, what do i do":                                          true,
		"丈母娘突然住院 婚礼可能得往后推 离日子还有两个月 定金能退不":                                                                   false,
		"住鼓浪屿 腿骨折了出不了岛 能送酒上岛不":                                                                              false,
		"孩子在你们店摔骨折了 能退钱吗":                                                                                   true,
		"my daughter broke her leg on your trampoline, we're at the hospital, can we get a refund":          true,
	}, "escalation words", hasEscalationWords)
}

// TestIllnessAsReasonToShopIsNoIncident checks that a mild ailment given
// as the reason to buy, rent, ask for something or be seen escalates
// nothing, while
// an emergency's signs, an ailment after the shop's thing and a reaction
// after taking something still do.
func TestIllnessAsReasonToShopIsNoIncident(t *testing.T) {
	checkScores(t, map[string]bool{
		"my son has diarrhea, do you have smecta":                                                                  false,
		"嗓子发炎想买阿莫西林 没处方卖不卖":                                                                                        false,
		"老爷子骨折了 租轮椅一天多少钱":                                                                                          false,
		"my dad has chest pain, do you have aspirin":                                                               true,
		"got diarrhea after your cake, do you have a refund":                                                       true,
		"你们的药吃了拉肚子 还有别的药吗":                                                                                         true,
		"吃了感冒药身上起了红疹 有没有药":                                                                                         true,
		"my kid swallowed some pills, do you have anything":                                                        true,
		"sprained my ankle 2 weeks ago still swollen, do i need to see a doctor first or can i come straight to u": false,
		"打羽毛球崴脚了 肿了一个礼拜 能来看吗":                                                                                      false,
		"my son sprained his ankle on your climbing wall, it's swollen, can we book a refund":                      true,
	}, "escalation words", hasEscalationWords)
}

// TestTroubleToldInWords checks ComplaintScore.Troubled: a trouble told in
// the negative lexicon's words, not a plain question the complaint model
// reads as a mild complaint.
func TestTroubleToldInWords(t *testing.T) {
	checkScores(t, map[string]bool{
		"My order hasn't arrived yet, what's the next step? It's been 6 days":                          true,
		"我的快递三天了物流一直没动，麻烦帮忙看下":                                                                         true,
		"sf just delivered and one of the bottles is smashed, wine all over the box. what do i do now": true,
		"best way to keep sourdough? i live alone so a whole loaf takes me days":                       false,
		"whens the spring festival break this year and when do u open again":                           false,
	}, "troubled", func(s ComplaintScore) (bool, string) { return s.Troubled, fmt.Sprintf("complaint %.2f", s.Complaint) })
}

// TestMishapWordsAreNoReproach checks that the words of a sender's own
// mishap ("stuck", "nobody home", "买错") do not make a question about it a
// complaint, while a reproach of the shop beside the mishap still does.
func TestMishapWordsAreNoReproach(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"ordered for same evening delivery but ill be stuck at work till 8, nobody home. what happens to the order":                        false,
		"处方粮买错了 买成c/d了 其实医生开的是肾处方那个 还没拆封 能退不":                                                                                              false,
		"I cant make it to the airport, roads are too bad and no one is answering the phones and the website is down? How do I reschedule": true,
	})
}

// TestAnotherBusinessIsNoComplaint checks that a bad experience at another
// business, told before a question about this one, is no complaint, while
// the same story that turns against this business still is.
func TestAnotherBusinessIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"之前在别家洗坏了一件真丝衬衫 气死我了 你们真丝是怎么洗的 有保障吗":                                                                                 false,
		"my old dry cleaner ruined my silk dress so im kinda nervous now lol do you guys handle silk":                        false,
		"I switched from another salon because they were awful, and now you've ruined my hair too, what are you going to do": true,
	})
}

// TestChasingAndRhetoricIsAComplaint checks that chasing an answer that
// does not come, and Chinese rhetorical reproaches, are complaints, while
// the same words in an ordinary question are not.
func TestChasingAndRhetoricIsAComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"third message about my deposit refund. hello?":                      true,
		"退课的钱说七个工作日到账 这都一个月了 问了三次都说在处理 还要等多久":                                true,
		"装的锁网上查同款才两百 你们收我八百 还不给发票 这是什么道理":                                    true,
		"图片上是粉玫瑰 收到的是一把康乃馨 还是蔫的 糊弄谁呢":                                        true,
		"这个道理我懂 就是想问下周末能不能预约":                                                false,
		"is a second message needed to confirm the booking or is one enough": false,
	})
}

// TestHouseholdMishapsAreNoComplaint checks that an illness, a pet's or a
// child's doing and a story about another business, told with a question
// or a request to move a booking, are no complaint, while a fault of the
// shop's beside a mishap still is.
func TestHouseholdMishapsAreNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"got a horrible cold, need to push my sat appt sorry!!":                                                              false,
		"dog chewed clean through his lead lol totally broken, do u sell the chain ones":                                     false,
		"我朋友在别的驾校被坑了好几千 你们这收费是一次性的吗 有没有隐藏费用":                                                                                 false,
		"my last driving school was terrible they never turned up once, anyway do your instructors cover the north side":     false,
		"online class froze like 6 times tonight and the teacher just kept going, i missed half of it. this keeps happening": true,
	})
	checkScores(t, map[string]bool{
		"locked myself out again lol how fast can someone get to maple ave": false,
		"can someone get back to me about my order":                         true,
		"can someone come sunday morning? bathroom tap wont stop dripping":  false,
		"can someone come and talk to me":                                   true,
	}, "asks for a person", func(s ComplaintScore) (bool, string) { return s.AsksForPerson, "" })
	checkScores(t, map[string]bool{
		"我家狗拉肚子了 医生让买益生菌 你们柜台有吗": false,
	}, "escalation words", hasEscalationWords)
}

// TestOwnFeelingsAreNoComplaint checks that the sender's feelings about
// their own situation do not make a question a complaint, while the same
// feelings about what the shop did still do.
func TestOwnFeelingsAreNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"put a hot mug straight on our oak dining table and now theres a white ring feel terrible can i fix it myself":   false,
		"honestly im so stressed, booked the tasting for the wrong week, can i move it":                                  false,
		"i feel terrible, your driver threw the cake on the doorstep and it's ruined. what are you going to do about it": true,
	})
}

// TestEverydayMishapsAreNoComplaint checks that everyday mishaps of the
// sender's own (held up at work, a fall on the stairs, a lens slept in, a
// relative's wrong order, a fussy pet) asked about are no complaint, while a
// delay the business caused still is.
func TestEverydayMishapsAreNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"stuck at work and theres no way i make my grooming appt in an hour am i going to get charged":                                      false,
		"picked up the cake an hour ago and tripped on the stairs at home the side is all smushed can it be fixed":                          false,
		"fell asleep in my monthly contacts again and now my eye is red and watery should i just keep wearing them":                         false,
		"picked up the cake from wulin an hour ago and tripped on the stairs at home the side is all smushed party is at 7 can it be fixed": false,
		"husband ordered the rug in the wrong colour without asking me came yesterday still wrapped can we swap it":                         false,
		"my cat wont touch the royal canin i got last week bag is already open can i return it":                                             false,
		"your van was two hours late and the driver left the sofa in the rain, it's ruined. what are you going to do":                       true,
	})
}

// TestMoreOwnMishapsAreNoComplaint checks more of the sender's own
// misfortunes asked about: a positive test, a bad back, a failed exam, a
// relative held up; the same words about the shop's doing stay complaints.
func TestMoreOwnMishapsAreNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"tested positive this morning so no way im making the bouquet class saturday afternoon, its only wednesday do i get my money back": false,
		"put my back out and cant get to the shop, my son is 17 can he pick up the wine i ordered for the party":                           false,
		"failed ielts twice at another place, 5.5 both times and i need 7 for my masters. which of ur courses is the right one":            false,
		"your teacher failed to show up twice and the class was cancelled, do i get my money back or not":                                  true,
	})
}

// TestNotAsOrderedIsAComplaint checks that what came not as ordered, a
// charge above the price shown, and reproaches in the form of a question
// are complaints, while questions about the same things are not.
func TestNotAsOrderedIsAComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"你好 网上订的隐形眼镜寄来的度数跟我下单的不一样 麻烦处理下 谢谢":                                                                                                          true,
		"真行啊 订的芒果蛋糕送来成了草莓的 我闺女芒果控 谢谢你们的惊喜哈":                                                                                                          true,
		"你好 昨天在花站买的花 价签写的199 付款扣了219 麻烦帮忙核对下":                                                                                                        true,
		"报名的时候说最多10个人 今天一数14个 这也叫小班？":                                                                                                                true,
		"hello i ordered the clear magsafe case for the 16 pro and received the pro max one instead. would appreciate it if you could sort this out": true,
		"hi i paid the 30 for 2 hour express but the wine only came the next morning. could i get the express fee back please":                       true,
		"is there a reason my parcel was marked delivered at 2:14 when its not at my door or anywhere in the building?":                              true,
		"love paying 1080 a month to shower in cold water at nanshan for the third week running":                                                     true,
		"价签上写的199是会员价吗":                                          false,
		"is there a reason to choose the 6 inch over the 8 inch": false,
		"这个也算小班吗 一般几个人":                                          false,
	})
	checkScores(t, map[string]bool{"有真人在吗 想问点具体的": true, "有真人图吗": false}, "demands a person",
		func(s ComplaintScore) (bool, string) { return s.DemandsPerson, "" })
}

// TestVisitIsNoPersonRequest checks that someone booked or sent to the
// sender's place, and 人工 as the labour of a job, ask for no person to talk
// to, while the same words asking for one still do.
func TestVisitIsNoPersonRequest(t *testing.T) {
	checkScores(t, map[string]bool{
		"how fast can i book someone for the boiler":             false,
		"can u send someone out to my mums place on friday":      false,
		"i'd rather bring it in than wait for someone coming":    false,
		"洗衣机不转了 上门修人工费多少":                                        false,
		"换个水龙头人工怎么算":                                             false,
		"材料我自己买 你们只收人工吗":                                         false,
		"can you send someone to talk to me":                     true,
		"is someone coming? i've been waiting in this chat ages": true,
		"转人工":        true,
		"我要人工客服":     true,
		"不想跟机器聊 找人工": true,
	}, "asks for a person", func(s ComplaintScore) (bool, string) {
		return s.AsksForPerson, fmt.Sprintf("complaint %.2f", s.Complaint)
	})
}

// TestFaultOfOwnThingIsNoComplaint checks that a fault told of the
// sender's own thing, naming nothing of the business, is what a repair
// trade is asked to fix, while a fault told against the business, its
// people, its premises or a delivery, or harm, is still a complaint.
func TestFaultOfOwnThingIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"my dishwasher wont drain and makes a buzzing noise":                     false,
		"冰箱冷藏室不制冷了 冷冻还行":                                                         false,
		"the dishwasher you fixed on monday wont drain again, useless":           true,
		"你们师傅修完第二天冰箱又不制冷了":                                                       true,
		"the heating in our hotel room has been broken for three days, freezing": true,
		"拆开包裹发现杯子碎了":                                                             true,
		"大堂的电视坏了 跟服务员说了几次都没人理":                                                   true,
		"the hand dryer in the toilets is broken and nobody came when we asked":  true,
	})
}

// TestFaultWordsOfAnyTrade checks that a fault told in the words of any
// trade (a hinge that snapped, a receiver too quiet, a boiler that will
// not light) reads as a repair question, not a complaint nor an incident,
// that "打不着火" is no fire, and that water reaching something electric is
// still a danger however ordinary the leak; a fault told against the
// business stays a complaint.
func TestFaultWordsOfAnyTrade(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]string{
		"laptop hinge snapped and the screen wobbles":                                        "",
		"my laptop fan is super loud and it gets really hot":                                 "",
		"听筒声音很小 打电话听不清":                                                                      "",
		"笔记本转轴断了 屏幕合不上":                                                                      "",
		"壁挂炉显示F28 打不着火":                                                                      "",
		"face id stopped working after a drop can u fix it":                                  "",
		"huawei mate 60 screen smashed do u have cheaper non original":                       "",
		"拍照一直对不上焦 镜头也裂了":                                                                     "",
		"手机屏幕碎了 摸着没反应":                                                                       "",
		"half the keys dont work after i spilled tea on it":                                  "",
		"热水器洗一半就凉了 水不热":                                                                      "",
		"water from the burst pipe is pouring onto the extension lead and sockets right now": "safety",
		"卫生间漏水漏到插座上了":                                                                        "safety",
		"the hinge you replaced last week snapped again":                                     "complaint",
		"你们师傅修完第二天转轴又断了":                                                                     "complaint",
		"the roll up stand base snapped the first time i set it up":                          "complaint",
		"羽绒服洗完结成一坨一坨的 根本不蓬松了":                                                                "complaint",
	} {
		s := d.Score(text)
		got := ""
		switch {
		case len(s.EscalationWords) > 0:
			got = "safety"
		case s.Complaint >= ComplaintThreshold:
			got = "complaint"
		}
		if got != want {
			t.Errorf("%q: read as %q (complaint %.2f, escalation words %v), want %q", text, got, s.Complaint, s.EscalationWords, want)
		}
	}
}

// TestPlanIsNoIncident checks that what the sender plans to do is no
// incident for the safety model, while fear of what is happening now still
// is one.
func TestPlanIsNoIncident(t *testing.T) {
	checkScores(t, map[string]bool{
		"刷墙想把暖气片先拆下来 完了再装上":                                           false,
		"planning to move the radiator before we paint, can you help": false,
		"半夜有人一直在拧我们房间的门把手 好害怕":                                        true,
	}, "escalation words", hasEscalationWords)
}

// TestOwnLatenessIsNoComplaint checks that a customer warning that they
// will be late is no complaint, while the business's lateness still is.
func TestOwnLatenessIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"stuck in traffic gonna be like 20 min late":                false,
		"路上堵车 要晚到十分钟":                                               false,
		"your driver is running late again, this is the third time": true,
		"你们师傅又迟到半小时 什么服务":                                           true,
		"婚礼当天手捧花迟到半小时 新娘差点没花拿":                                      true,
	})
}

// TestDemandForAnAccountIsAComplaint checks that a demand that the
// business account for itself ("凭什么", "你们怎么解释", "who is going to pay
// for", "can you explain that") makes a complaint, while asking for an
// explanation of something the content covers does not.
func TestDemandForAnAccountIsAComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"报价说200 修完变成450 也不提前问我 凭什么":                                                                             true,
		"交换戒指那一段居然一张都没拍到 这么重要的瞬间 你们怎么解释":                                                                        true,
		"The GPS map shows the walk was 12 minutes, I paid for 45. Can you explain that?":                       true,
		"ordered XL got S. again. how hard is it":                                                               true,
		"can you explain the difference between the two plans":                                                  false,
		"这个条款怎么理解 能解释一下吗":                                                                                       false,
		"so packed on sunday the kids could barely jump, do you even cap numbers":                               true,
		"Picked up my car after the full valet and the inside is still covered in dog hair. Paid £90 for that?": true,
		"换个水龙头三百五 上门费还另算 抢钱呢":                                                                                   true,
		"昨天刚通的下水道今天又堵了 再叫人还要再收钱？":                                                                               true,
		"do you ever test the vegetables for pesticide residue?":                                                false,
		"wat do u actually check in the free test":                                                              false,
		"mice are back one week after you 'sealed all the entry points'. what exactly did i pay for":            true,
		"what do i pay for with the monthly plan":                                                               false,
	})
}
