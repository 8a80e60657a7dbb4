package intents

import "testing"

// TestRequestsAndChoicesAreQuestions checks the question forms a customer
// types without a question word: a request to be told about something, a
// fee named in a few characters, "是A还是B", "有X没", "真的假的", "星期几", a
// terse question before what the sender tells, and a question after a
// story with one weak negative word ("dont"). Each was handed to a person as a
// complaint on a development company; the complaints beside them, which
// use the same forms, stay complaints.
func TestRequestsAndChoicesAreQuestions(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"tell me about the family card thing":                              false,
		"info on the night tour":                                           false,
		"科三补考费":                                                            false,
		"上门费":                                                              false,
		"科四过了驾照是当场拿还是寄":                                                    false,
		"尾款是搬完再给还是先给":                                                      false,
		"有baby chair没 宝宝8个月":                                               false,
		"听说考五次不过就要重新学 真的假的":                                                false,
		"cheapest pre wedding option? we dont need outdoor":                false,
		"tell me about my refund, its been three weeks and nobody answers": true,
		"tell me why my order is three days late":                          true,
		"这样还收外送费":                                                          true,
		"快递还没 等了一上午":                                                       true,
		"有人回复还没 等半天了":                                                      true,
		"白白浪费":                                                             true,
		"是你送还是我送？我在18楼等了一个小时":                                              true,
		"cheapest option? honestly your prices are a rip off":              true,
		"杯子又碎了，太过分了，怎么办":                                                   true,
		"抱石洞一般星期几换线":                                                       false,
		"i dont read chinese, does the car have english navigation":        false,
		"waited an hour can i get a refund":                                true,
		"周几打电话都没人接 什么破服务":                                                  true,
	})
	for _, c := range []struct {
		name  string
		read  func(string) bool
		cases map[string]bool
	}{
		{"hasOrNot", hasOrNot, map[string]bool{
			"有baby chair没 宝宝8个月": true, "店里有停车位没": true, "有人回复还没": false, "有点慢 还没到": false, "没有": false,
		}},
		{"terseFee", terseFee, map[string]bool{
			"科三补考费": true, "加急费用": true, "这样还收外送费": false, "真是浪费": false, "一个十多个字的长句子的费": false,
		}},
	} {
		for s, want := range c.cases {
			if got := c.read(newLexText(s).norm); got != want {
				t.Errorf("%s(%q) = %v, want %v", c.name, s, got, want)
			}
		}
	}
}

// TestPassiveAgentIsNoDanger checks that a child named as the one who
// dropped a thing ("被孩子摔裂了") is no danger, while a child who fell still
// is one.
func TestPassiveAgentIsNoDanger(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"租的小提琴被孩子摔裂了 要赔多少": false,
		"手机被宝宝摔坏了 能修吗":     false,
		"孩子摔了一跤 头磕破了":      true,
	} {
		if s := d.Score(text); s.Danger != want {
			t.Errorf("%q: danger %v (escalation words %v), want %v", text, s.Danger, s.EscalationWords, want)
		}
	}
}

// TestProblemAskingWhatNowIsBarelyAComplaint checks that a problem told
// calmly with a request for what to do next scores procedureComplaint, so
// that the Engine answers it from a confident passage with an apology and
// the offer of a person, while one that judges the business, says it
// happened before or demands redress stays a full complaint.
func TestProblemAskingWhatNowIsBarelyAComplaint(t *testing.T) {
	d := mustDetector(t)
	for text, barely := range map[string]bool{
		"received the wrong item, what do i do":                                      true,
		"the frame arrived with the glass cracked, box was crushed. what now":        true,
		"收到的猫粮袋子破了，漏了一箱子，怎么处理":                                                       true,
		"下单一个礼拜了还没到 下一步怎么办":                                                          true,
		"your driver was rude and threw my parcel, what now":                         false,
		"this is the third time my order is wrong, absolutely ridiculous. what now?": false,
		"你们送的蛋糕全压烂了 太过分了 怎么办":                                                        false,
		"cake arrived smashed, i want a refund. what now":                            false,
		"my order is late again, what now":                                           false,
	} {
		s := d.Score(text)
		if got := s.Complaint == procedureComplaint; got != barely {
			t.Errorf("%q: complaint %.2f, want procedureComplaint %v", text, s.Complaint, barely)
		}
		if s.Complaint < ComplaintThreshold {
			t.Errorf("%q: complaint %.2f, want a complaint still", text, s.Complaint)
		}
	}
}

// TestStrangersAndTradesAreNoRequestForAPerson checks that a stranger who
// did something to the sender, told in a message that asks something,
// the sender's own trade of agent, and a service the shop does are no
// requests for a person, while asking for someone or an agent still is.
func TestStrangersAndTradesAreNoRequestForAPerson(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"someone keyed my door :( can I just send pics for a rough price":                 false,
		"someone rear ended me at a red light, nobody hurt, what now":                     false,
		"im a travel agent in kuala lumpur, can we get agent rates":                       false,
		"broke a string right before band practice, can someone restring my guitar today": false,
		"someone stole my bike from your parking lot":                                     true,
		"i need someone experienced to look at this":                                      true,
		"can i talk to an agent please":                                                   true,
		"live agent":                                                                      true,
		"can someone call me back":                                                        true,
		"get me a human this is about a group booking for 40":                             true,
		"the ticket agent at our terminal dismissed us":                                   true,
	} {
		if got := d.Score(text).AsksForPerson; got != want {
			t.Errorf("%q: asks for a person %v, want %v", text, got, want)
		}
	}
}

// TestRhetoricalQuestionsAreComplaints checks that the rhetorical
// questions of a complaint, and what was done to the sender without asking
// or at their cost, make it one, in Chinese and English, while the
// same words asked for information do not, and that danger told in other
// words (failing brakes, the sender trapped, water rising, blisters, a
// burn, blue gums, swelling, furniture tipping onto a child) is an
// incident, and hair turning blue is none.
func TestRhetoricalQuestionsAreComplaints(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"相册寄过来封面都刮花了 一千八的东西就这质量？":                                                                              true,
		"搬完发现衣柜门装歪了 关都关不上 你们怎么干活的":                                                                             true,
		"这已经是第三次少发东西了，每次都要我拍照申请，能不能上点心":                                                                        true,
		"报价说380 结账收我580 凭啥 把多收的退给我":                                                                            true,
		"玉林淋浴间一点热水都没有 大冬天洗冷水澡 什么体验":                                                                            true,
		"违章我自己在12123处理了，你们还从押金里扣了我250，什么意思":                                                                    true,
		"I cancelled my subscription on Saturday and you still took the money and sent a box. How is that ok?": true,
		"结账多收了100 说是加了什么护理 我根本没同意":                                                                             true,
		"会议室屏幕投不上去 耽误我半小时面试 积分还照扣":                                                                             true,
		"booked 9am, got there on time, nobody touched the car till 11. what's the point of booking":           true,
		"在你们店量血压 药师硬要推销保健品 很反感":                                                                                true,
		"出血是啥意思 要留几毫米":                                                                                         false,
		"开上沙滩陷进去了 保险管不管":                                                                                       false,
		"how is the weather in march":                                                                          false,
	})
	d := mustDetector(t)
	for _, text := range []string{"刹车好像失灵了 正在下山 怎么办", "徒步山上开始打雷 我们几个困在半山腰下不去",
		"water is rising around the car in the underground car park, its up to the doors now",
		"my scalp is burning and there are blisters since my colour yesterday what do i do",
		"my cat is breathing with her mouth open and her gums look blue", "昨天做完冲击波 今天脚肿得穿不进鞋 还发紫",
		"my son burned his hand on his phone it got super hot help",
		"my 4 year old climbed on the piano bench and the upright tipped toward her, its leaning on the wall now"} {
		if s := d.Score(text); !s.Danger {
			t.Errorf("%q: no danger (escalation words %v), want danger", text, s.EscalationWords)
		}
	}
	if s := d.Score("my hair is turning blue after your toner"); s.Danger {
		t.Errorf("hair turning blue: danger (escalation words %v), want none", s.EscalationWords)
	}
}

// TestGetMeAHumanDemandsOne checks that "get me a human" demands a
// person whatever else the message says.
func TestGetMeAHumanDemandsOne(t *testing.T) {
	d := mustDetector(t)
	for _, text := range []string{"get me a human this is about a group booking for 40", "get me a real person"} {
		if s := d.Score(text); !s.DemandsPerson {
			t.Errorf("%q: demands a person false, want true", text)
		}
	}
}
