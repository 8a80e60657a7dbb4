package intents

import (
	"regexp"
	"strings"
)

// Three requests of any trade's customers read as complaints on their words
// alone and are none, or barely: a report of something the sender left
// behind at the business ("手机落在宽窄巷子店了", "left my jacket at the wanda
// branch on sunday :("), which asks to have it found without saying so; a
// question about how to complain ("投诉找谁", "how do i file a complaint
// about a repair"), which asks for the procedure the content states; and a
// problem told calmly with a request for what to do next ("received the
// wrong item, what do i do", "收到的猫粮袋子破了，漏了一箱子，怎么处理"), which
// asks for the procedure too. The first two were handed to a person by the
// companies' labelled messages of stop 64 (hotpot, tours, books, phonefix,
// appliance, vet; README), the third by those of stop 65 (pets, pharmacy,
// photo, hotpot, wine, nursery, optics, farmbox).

// leftBehindZH finds, in normalised Chinese text, a thing left or
// forgotten somewhere: "落在", "忘在", "丢在", "落到", "落店里", "落车上",
// "落了个", "忘拿了". Whose doing it was is leftBehind's question.
var leftBehindZH = regexp.MustCompile(`落在|忘在|丢在|落到|落(?:店|车|房间|教室|包间)|落了(?:个|一|件|把|部|副|只|顶|条|本)|忘拿了?|落下(?:了)?(?:个|一|件|把|部|副|只|顶|条|本)`)

// othersLeaveZH name someone of the business's, or a courier, as the one
// who left a thing somewhere: "快递丢在门口", "师傅把工具落在我家" (a
// complaint or a notice, not lost property of the sender's).
var othersLeaveZH = regexp.MustCompile(`你们|你家|贵店|快递|骑手|司机|师傅|店员|服务员|员工|工作人员|送货|配送|外卖员|小哥|导游|领队|教练|老师|医生|保姆|阿姨`)

// leftBehind reports whether normalised text tells of something the
// sender (or someone of theirs) left behind: an English mishap of the
// sender's own of that kind (ownMishaps: "i left my umbrella at siming",
// "forgot my scarf in the studio") or a Chinese one (leftBehindZH) that
// names nobody of the business's before it.
func leftBehind(norm string) bool {
	if leftLiving.MatchString(norm) {
		return false
	}
	if loc := leftBehindZH.FindStringIndex(norm); loc != nil {
		return !othersLeaveZH.MatchString(norm[:loc[0]])
	}
	return leftBehindEN.MatchString(norm) && ownMishap(norm)
}

// leftLiving names a person or an animal: one left behind somewhere is no
// lost property but may be an emergency ("孩子落在车上了", "left my dog in
// the car") or a complaint ("导游把我们丢在服务区就走了").
var leftLiving = regexp.MustCompile(`\b(?:kids?|child|children|baby|babies|son|daughter|toddler|grandma|grandpa|mum|mom|dad|dog|puppy|cat|kitten|pet)\b|` +
	`孩子|小孩|宝宝|儿子|女儿|老人|奶奶|爷爷|外婆|姥姥|狗|猫|宠物|把我|把人|把他|把她`)

// leftBehindEN is the English form: left or forgot something in, at or on
// a place.
var leftBehindEN = regexp.MustCompile(`\b(?:left|forgot|forgotten) (?:my|our|a|an|his|her|the) (?:\S+ ){0,3}?(?:in|at|on|behind|inside)\b`)

// howToComplain finds a question about how, where or to whom to complain,
// or for the complaints line: "how do i file a complaint", "whats the
// process to make a complaint", "who do i complain to", "投诉找谁", "去哪投诉",
// "投诉电话多少", "找谁反映".
var howToComplain = regexp.MustCompile(`\b(?:how|where|who|whom|what)\b[^.?!]{0,30}\b(?:complain|complaints?|make a report|report (?:a|an|the|my|this|him|her|them))\b|` +
	`\b(?:file|lodge|make|submit|raise|register) (?:a |an )?(?:formal )?complaint\b|` +
	`\bcomplaints? (?:process|procedure|policy|line|hotline|number|email|department|form)\b|` +
	`(?:怎么|怎样|如何|去哪|去哪里|到哪|哪里|在哪|找谁|向谁|跟谁|和谁)(?:能|可以|才能|要|去)?(?:投诉|反映|反馈)|` +
	`投诉(?:找谁|去哪|到哪|电话|热线|渠道|方式|流程|怎么|要找|是找|该找)|(?:找谁|跟谁|向谁)(?:说|讲)`)

// complainingWords are the words of a how-to-complain question that carry
// negative lexicon weight without a reproach: what its other words weigh
// says whether something is complained of besides.
var complainingWords = []string{"complaints", "complaint", "complain", "投诉", "反映", "反馈", "不满意", "unhappy", "not happy"}

// asksHowToComplain reports whether normalised text asks how to complain
// (howToComplain) and holds no reproach besides: its negative lexicon
// weight without complainingWords is at most ownMishapNegative, and what
// it says besides the question reads as no complaint ("who do i complain
// to? your courier threw my parcel over the gate" tells one).
func (d *ComplaintDetector) asksHowToComplain(norm string) bool {
	loc := howToComplain.FindStringIndex(norm)
	if loc == nil {
		return false
	}
	without := func(s string) string {
		for _, w := range complainingWords {
			s = strings.ReplaceAll(s, w, " ")
		}
		return strings.TrimSpace(s)
	}
	all := without(norm)
	if neg, _ := d.lexiconWeights(newLexText(all)); neg > ownMishapNegative || grievance(all) {
		return false
	}
	rest := without(norm[:loc[0]] + " " + norm[loc[1]:])
	return rest == "" || d.Score(rest).Complaint < ComplaintThreshold
}

// discontent are the words of a how-to-complain question that say the
// sender is unhappy ("对维修不满意要去哪投诉"): its answer opens with an
// apology only then (ComplaintScore.Troubled).
var discontent = []string{"不满意", "不满", "unhappy", "not happy", "dissatisfied", "not satisfied"}

// whatNow finds, in normalised text, a request for what to do next: "what
// now", "what do i do", "what should we do", "what are my options", "咋办",
// "怎么办", "怎么处理", "咋整", "下一步怎么".
var whatNow = regexp.MustCompile(`\bwhat (?:now|next)\b|\bwhat (?:do|should|can|shall) (?:i|we) do\b|` +
	`\bwhat are (?:my|our) options\b|\bwhat(?:'s| is) the next step\b|咋办|怎么办|怎么处理|咋处理|咋整|怎么弄|咋弄|下一步怎么`)

// whatNowCues are the words every match of whatNow holds: a cheap test
// before the expression.
var whatNowCues = []string{"what now", "what next", "what do", "what should", "what can", "what shall", "what are",
	"what's the next", "what is the next", "咋办", "怎么办", "怎么处理", "咋处理", "咋整", "怎么弄", "咋弄", "下一步怎么"}

// judging finds, in normalised text, the words of a sender who judges the
// business, says it happened before or demands redress, rather than tells
// what went wrong: "rude", "ridiculous", "third time", "refund", "太过分了",
// "又", "赔". Such a message asking what now is a complaint.
var judging = regexp.MustCompile(`\b(?:terrible|awful|horrible|worst|ridiculous|unacceptable|disgusting|disgrace\w*|pathetic|` +
	`appalling|outrage\w*|rude|useless|incompetent|joke|scam\w*|rip ?off|angry|furious|livid|fed up|sick of|wtf|seriously|` +
	`again|(?:second|third|fourth) time|every time|always|shame\w*|careless|lazy|sloppy|unprofessional|lie|lied|liars?|` +
	`refund\w*|money back|compensat\w*|manager|complain\w*)\b|` +
	`过分|离谱|垃圾|恶心|差劲|太差|很差|气死|坑|骗|无语|服了|态度|敷衍|不负责|什么玩意|搞什么|又|再次|第二次|第三次|每次|总是|` +
	`投诉|差评|退钱|退款|赔|说法|不满`)

// asksWhatToDo reports whether a message (raw, and normalised as norm)
// tells a problem calmly and asks what to do next (whatNow): no indignant
// "??", no scorn or grievance, and no judging word. Its answer is the
// procedure the content states, with an apology and the offer of a
// person; "your driver was rude and threw my parcel, what now" stays a
// complaint.
func asksWhatToDo(raw, norm string) bool {
	return containsAny(norm, whatNowCues) && whatNow.MatchString(norm) && !indignant(raw) && !scorns(raw) && !grievance(strings.TrimSpace(norm)) &&
		!judging.MatchString(norm)
}

// procedureComplaint is the complaint score a question about how to
// complain gets at most: just over the default complaint threshold (0.6),
// within the Engine's barely-a-complaint margin, so that a confident passage
// answers it with the offer of a person, and none hands it over.
const procedureComplaint = 0.65
