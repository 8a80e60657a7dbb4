package intents

import (
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A grievance is a message that tells of something the business did to
// the sender, whatever the trade: a promise it broke ("说好三天修好"), a
// fault that came back after its work ("修完屏幕还在闪"), money it took
// ("收了我1500"), a visit nobody made ("说好的上门怎么没人来"). Customers of a
// trade the lexicons were never written for complain in its words (墨糊了,
// 弹不起来, 只给了18张), and often as a question ("这合理吗", "这咋回事"):
// the question is rhetorical, and what reads as a complaint in any trade
// is the story's shape, not its nouns. grievance reads that shape.

// plainlyMarks say what should have been: 明明 (plainly), 不是说 (weren't
// you saying).
var plainlyMarks = []string{"明明", "不是说"}

// rhetoricMarks are the rhetorical questions of a Chinese complaint: asked
// of the business, they ask nothing ("一千八的东西就这质量？", "你们怎么干活的",
// "能不能上点心", "凭啥", "什么体验", "这不是趁火打劫吗"). "管不管" is not
// one: "保险管不管" asks what is covered.
var rhetoricMarks = []string{"就这质量", "就这服务", "就这态度", "就这水平", "这什么质量", "怎么干活", "怎么做事", "怎么办事",
	"上点心", "用点心", "长点心", "凭啥", "凭什么", "什么体验", "趁火打劫", "有没有搞错", "搞什么"}

// doneToSenderMarks tell of something the business did to the sender
// without asking or at the sender's cost: 根本没同意 (never agreed), 未经同意,
// 被你们 (by you: "文件被你们寄给别人了"), 耽误我 (cost me time), 照扣 (charged
// all the same).
var doneToSenderMarks = []string{"根本没同意", "未经同意", "未经我同意", "没经过我同意", "没经我同意", "没问过我", "被你们",
	"耽误我", "照扣", "照样扣", "照收", "照样收"}

// whatDoYouMean reports whether norm holds 什么意思 or 啥意思 as a retort
// ("你们还从押金里扣了我250，什么意思"), not asking what a word means ("出血是啥意思").
func whatDoYouMean(norm string) bool {
	for _, m := range []string{"什么意思", "啥意思"} {
		for at := 0; ; {
			i := strings.Index(norm[at:], m)
			if i < 0 {
				break
			}
			i += at
			if !strings.HasSuffix(strings.TrimSpace(norm[:i]), "是") {
				return true
			}
			at = i + len(m)
		}
	}
	return false
}

// promiseMarks name what was agreed: 说好 (as agreed), 答应 (promised). They
// tell of a broken promise only with a contrastMark within maxContrastGap
// characters after them: "那就说好了 周六见" agrees, "说好三天修好 这都第九天了"
// complains.
var promiseMarks = []string{"说好", "讲好", "谈好", "约好", "约的", "答应", "订的是", "要的是", "买的是"}

// contrastMarks turn what was agreed into what happened instead.
var contrastMarks = []string{"结果", "却", "怎么", "咋", "没", "还", "才", "只", "都", "到现在", "又", "给我"}

// maxContrastGap is how many characters may stand between a promiseMark
// and its contrast.
const maxContrastGap = 24

// hypotheticalMarks make what follows a question about what could happen
// ("装好会漏水吗"), not a report of what did.
var hypotheticalMarks = []string{"会", "能", "可能", "万一", "如果", "要是", "吗"}

// afterWorkMarks tell that the business did its work or the sender bought
// or used something: 修完 (after the repair), 刚买 (just bought), 拿回来
// (after collecting it).
var afterWorkMarks = []string{"修完", "修好", "刚修", "送修", "修过", "维修后", "换完", "换了", "新买", "刚买", "才买",
	"买回来", "拿回来", "取回来", "装完", "装好", "做完", "洗完", "剪完", "烫完", "染完", "调完", "来调", "上门修",
	"清洗完", "处理完", "消杀", "灭完", "用了没", "用了才", "才用", "没用几"}

// failureMarks tell that something still or again does not work or came
// back worse, within maxFailureGap characters after an afterWorkMark.
var failureMarks = []string{"又", "还是不", "还是没", "坏", "裂", "漏", "不亮", "不转", "不响", "不制冷", "不热",
	"不起来", "没反应", "不能用", "用不了", "掉电", "闪", "脱落", "开胶", "褪色", "掉色", "缩水", "缩了", "更严重", "更差", "多了道",
	"多了个", "划痕", "刮花", "没了", "走音", "发灰", "发黄", "变形", "起球", "没洗干净", "不干净", "红了", "一直挠", "起疹子"}

// maxFailureGap is how many characters may stand between what was done and
// what failed ("送修的时候好好的 拿回来后壳多了道裂纹").
const maxFailureGap = 14

// takenMarks tell that money was taken from the sender: 收了我, 扣了我.
var takenMarks = []string{"收了我", "扣了我", "花了我", "乱扣", "白交", "白花", "怎么还在扣", "怎么还扣", "还在扣我", "还一直扣", "照样扣",
	"照扣不误"}

// runaroundMarks tell that the sender is passed from one person to the
// next with no answer: 踢皮球 (kicking the ball about), 推来推去.
var runaroundMarks = []string{"踢皮球", "推来推去", "推卸责任", "互相推", // 互相推 covers 互相推诿
	// chasing an answer that does not come
	"问了三次", "问了两次", "问了好几次", "问了几次", "问了好多次", "催了好几次", "催了几次", "催了三次", "第三次问", "一直没人回", "到现在没人回",
	"到现在都没回", "还是没人回"}

// shortfallMarks tell that less was given than was paid for or booked:
// 只给了 (gave only), 实际只 (actually only), 给我打成 (made mine into).
var shortfallMarks = []string{"只给了", "只给我", "实际只", "给我打成", "给我拿的", "给我换成"}

// redressMarks ask the business to make up for what it did ("谁来赔",
// "给我个说法"); under a condition ("万一弄坏了怎么赔") they ask about a policy.
var redressMarks = []string{"谁来赔", "谁赔", "怎么赔我", "赔我", "给个说法", "给我个说法", "给我一个说法", "给我们一个说法",
	"看怎么赔", "怎么赔吧", "损失怎么算", "打算怎么算", "损失谁", "怎么补偿我", "补偿我", "要求赔偿", "必须赔", "得赔我"}

// notAsOrdered tell that what came is not what was ordered: 跟我下单的不一样
// (not what I ordered), 送来成了 (arrived as something else).
var notAsOrdered = []string{"跟我下单的不一样", "和我下单的不一样", "跟我订的不一样", "和我订的不一样", "跟我买的不一样",
	"不是我订的", "不是我下单的", "不是我买的", "送来成了", "寄来成了", "做成了别的"}

// chargeCues holds a part of every match of chargedOtherZH.
var chargeCues = []string{"扣了", "收了", "付了", "收我", "扣我", "按"}

// chargedOtherZH tells that more was charged than the price shown or
// agreed: "价签写的199 付款扣了219", "结账却按128收的".
var chargedOtherZH = regexp.MustCompile(`(?:写的|标的|标价|显示的?|说的|价签)\s*\d+.{0,12}?(?:扣了|收了|付了|收我|扣我)\s*\d+|` +
	`(?:却|结果|怎么)按\s*\d+\s*(?:块|元)?收`)

// noShowMarks tell that someone who was booked did not come.
var noShowMarks = []string{"没人来", "人没来", "没来人", "放我鸽子", "放鸽子", "没上门", "不见人影"}

// durationUnits follow a count in 才两周, 才三个月.
var durationUnits = []string{"天", "周", "星期", "个月", "月", "年", "次", "小时"}

// grievance reports whether normalised text tells of a promise broken, a
// fault back after the business's work, money taken or more charged than
// shown, less given than booked or something else than ordered, someone
// booked who did not come, an answer chased in vain, or a fault soon after
// buying ("才两周又掉电"): in Chinese here, in English by englishGrievance.
// See the comment at the top of this file.
func grievance(norm string) bool {
	if paidInVain.MatchString(norm) {
		return true // "what exactly did i pay for", "我花钱是干嘛的"
	}
	if !strings.ContainsFunc(norm, isCJK) {
		return englishGrievance(norm)
	}
	for _, list := range [][]string{plainlyMarks, rhetoricMarks, doneToSenderMarks, takenMarks, shortfallMarks, noShowMarks, runaroundMarks} {
		if containsAny(norm, list) {
			return true
		}
	}
	if whatDoYouMean(norm) {
		return true
	}
	if containsAny(norm, redressMarks) && !namesCondition(norm) {
		return true
	}
	if containsAny(norm, notAsOrdered) || containsAny(norm, chargeCues) && chargedOtherZH.MatchString(norm) {
		return true
	}
	if followedBy(norm, promiseMarks, contrastMarks, maxContrastGap) {
		return true
	}
	if followedBy(norm, afterWorkMarks, failureMarks, maxFailureGap) {
		return true
	}
	return soonAfter(norm)
}

// followedBy reports whether one of firsts is followed within gap
// characters by one of thens, with no hypotheticalMarks between or after
// in that window.
func followedBy(norm string, firsts, thens []string, gap int) bool {
	for _, m := range firsts {
		for _, after := range occurrences(norm, m) {
			w := window(after, gap)
			if containsAny(w, thens) && !containsAny(w, hypotheticalMarks) {
				return true
			}
		}
	}
	return false
}

// soonAfter reports whether norm holds 才 + a count + a unit of time
// followed within a few characters by 又 or 就 ("才两周又掉电", "才三个月就坏"):
// a fault soon after buying. 才能 ("多久才能到") names no count and does not
// match.
func soonAfter(norm string) bool {
	for _, rest := range occurrences(norm, "才") {
		n := 0
		for _, r := range rest {
			if !isCount(r) {
				break
			}
			n += utf8.RuneLen(r)
		}
		if n == 0 {
			continue
		}
		rest = rest[n:]
		unit := false
		for _, u := range durationUnits {
			if strings.HasPrefix(rest, u) {
				rest, unit = rest[len(u):], true
				break
			}
		}
		if !unit {
			continue
		}
		if w := window(rest, 6); strings.Contains(w, "又") || strings.Contains(w, "就") {
			return true
		}
	}
	return false
}

// isCount reports whether r writes a count: a digit or a Chinese numeral.
func isCount(r rune) bool {
	return (r >= '0' && r <= '9') || strings.ContainsRune("一二两三四五六七八九十几半百", r)
}

// byteOffsetOfRune returns the byte offset of the n-th rune of s, or -1
// when s has n runes or fewer.
func byteOffsetOfRune(s string, n int) int {
	i := 0
	for off := range s {
		if i == n {
			return off
		}
		i++
	}
	return -1
}

// summonVerbs have someone do something for the sender: 叫 (call), 让
// (have), 请 (ask).
var summonVerbs = []string{"叫", "让", "请", "麻烦"}

// personNouns name a person a customer may ask for, by role or as 他/她.
var personNouns = []string{"人", "他", "她", "师傅", "老师", "店长", "经理", "老板", "校长", "园长", "负责人", "工作人员",
	"客服", "人工", "摄影师", "技师", "策划", "顾问", "导游", "教练", "药剂师", "医生", "司机", "主管"}

// contactActions are what a summoned person is asked to do: call back,
// get in touch, come out.
var contactActions = []string{"打电话", "打个电话", "打给我", "回电", "回个电话", "给我打", "联系我", "加我", "出来", "来跟我说", "跟我说", "跟我谈"}

// talkVerbs follow 本人 when the sender wants to talk to that very person.
var talkVerbs = []string{"说", "聊", "谈", "沟通", "联系", "对接"}

// presenceNouns are the person nouns that make a presence ask a summons
// ("老板在吗", "人工客服在不在"): all but the bare 人, since "有人在吗" is
// how a Chinese chat opens ("anyone there?"), a greeting the bot answers.
var presenceNouns = slices.DeleteFunc(slices.Clone(personNouns), func(p string) bool { return p == "人" })

// presenceAsks ask whether someone is there: 在吗, 在不在.
var presenceAsks = []string{"在吗", "在不在", "在么", "在嘛"}

// machineRefusals refuse the bot: 不要自动回复, 不想跟机器说.
var machineRefusals = []string{"自动回复", "机器", "机械回复"}

// refusalMarks negate a machineRefusal when they stand right before it
// (with 跟/和 between at most).
var refusalMarks = []string{"不要", "别", "不想", "不用", "不需要"}

// summonsPerson reports whether normalised Chinese text asks for a person
// to act or be there: a summon verb, a person and what they are to do
// ("让维修师傅直接给我打电话", "叫你们校长出来", "让他联系我"); the very person
// to talk to ("我想跟他本人说"); whether a person is there ("店长在不在",
// "客服小姐姐在吗"); someone alive ("有活人吗"); or a refusal of the machine
// ("别自动回复", "不想跟机器说"). "让人失望" asks nothing of anyone, and
// "需要本人到场吗" asks whether the sender must come in person.
func summonsPerson(norm string) bool {
	if !strings.ContainsFunc(norm, isCJK) {
		return false
	}
	if strings.Contains(norm, "活人") {
		return true
	}
	for _, v := range summonVerbs {
		for _, s := range occurrences(norm, v) {
			if j, p := firstOf(window(s, 8), personNouns); j >= 0 && containsAny(window(s[j+len(p):], 10), contactActions) {
				return true
			}
		}
	}
	for before, after := range occurrencesWithBefore(norm, "本人") {
		for _, p := range personNouns {
			if p != "人" && strings.HasSuffix(before, p) {
				return true
			}
		}
		if matchAny(strings.TrimSpace(after), talkVerbs, strings.HasPrefix) {
			return true
		}
	}
	for _, a := range presenceAsks {
		if i := strings.Index(norm, a); i >= 0 {
			if containsAny(lastRunes(norm[:i], 5), presenceNouns) {
				return true
			}
		}
	}
	for _, m := range machineRefusals {
		if i := strings.Index(norm, m); i >= 0 {
			before := strings.TrimSuffix(strings.TrimSuffix(norm[:i], "跟"), "和")
			if matchAny(before, refusalMarks, strings.HasSuffix) {
				return true
			}
		}
	}
	return false
}

// matchAny reports whether match(s, m) holds for one m of list: with
// strings.Contains, strings.HasPrefix or strings.HasSuffix.
func matchAny(s string, list []string, match func(s, m string) bool) bool {
	for _, m := range list {
		if match(s, m) {
			return true
		}
	}
	return false
}

func containsAny(s string, list []string) bool { return matchAny(s, list, strings.Contains) }

// occurrences yields, for each occurrence of m in s in order, its index
// and the text after it.
func occurrences(s, m string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for k, from := 0, 0; ; k++ {
			i := strings.Index(s[from:], m)
			if i < 0 || !yield(k, s[from+i+len(m):]) {
				return
			}
			from += i + len(m)
		}
	}
}

// occurrencesWithBefore yields, for each occurrence of m in s in order,
// the text before it (from the start of s) and the text after it.
func occurrencesWithBefore(s, m string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, after := range occurrences(s, m) {
			if !yield(s[:len(s)-len(after)-len(m)], after) {
				return
			}
		}
	}
}

// window returns the first n characters of s.
func window(s string, n int) string {
	if k := byteOffsetOfRune(s, n); k >= 0 {
		return s[:k]
	}
	return s
}

// firstOf returns the byte offset in s of the earliest of list found, and
// which it is; -1 when none is.
func firstOf(s string, list []string) (int, string) {
	at, which := -1, ""
	for _, m := range list {
		if i := strings.Index(s, m); i >= 0 && (at < 0 || i < at) {
			at, which = i, m
		}
	}
	return at, which
}

// English grievances, in the normalised text's spelling (lower case,
// apostrophes inside words dropped: "doesnt"). Phrases are matched as
// whole words.
var (
	// englishBrokenPromises tell of what was agreed or expected.
	englishBrokenPromises = []string{"we were told", "i was told", "you told me", "you told us", "you said", "promised me", "promised us",
		"supposed to be", "you promised", "was promised", "were promised", "was meant to", "were meant to",
		"when we chose", "when i chose", "when we asked for", "when i asked for", "when i ordered", "when we ordered"}
	// englishAfterWork tell that the business did its work.
	englishAfterWork = []string{"after the repair", "after the replacement", "after the service", "after the treatment",
		"after you fixed", "after you repaired", "after your", "you fixed", "you repaired", "you replaced",
		"you serviced", "you installed", "you put on", "you put in", "you fitted", "you came", "you treated",
		"you sprayed", "your technician", "your engineer", "your guy", "your man", "before you came", "since you"}
	// englishFailures tell that it fails still, again or worse.
	englishFailures = []string{"still", "again", "worse", "louder", "stopped", "broke", "broken", "leaking",
		"leaks", "not working", "doesnt work", "wont", "isnt", "peeled", "came off", "fell off", "cracked",
		"sparking", "smells", "smoking", "dead"}
	// englishTaken tell that money was taken.
	englishTaken = []string{"charged me", "charged us", "you charged", "overcharged", "billed me", "billed us",
		"double charged", "charged twice", "was charged", "were charged", "still charged", "still being charged",
		"still charging", "keep charging", "kept charging", "still taking money", "still taking my money", "took my deposit", "kept my deposit", "kept the deposit"}
	// englishStillFailing tell that a fault persists.
	englishStillFailing = []string{"it still", "its still", "still not", "still doesnt", "still isnt", "still wont", "still hasnt",
		"still havent", "still broken", "still leaking", "still leaks", "still flicker", "still smells", "still no "}
	// englishNoShow tell that someone booked did not come.
	englishNoShow = []string{"didnt show", "didnt turn up", "never showed", "never turned up", "no one showed",
		"nobody showed", "no one turned up", "nobody turned up", "no show", "no one came", "nobody came", "stood us up",
		"stood me up"}
	// englishRunaround tell that the sender is passed from one person to
	// the next with no answer.
	englishRunaround = []string{"passed around", "passed from one", "pushed around", "runaround",
		"keep getting transferred", "kept getting transferred", "keep being transferred",
		// chasing an answer that does not come
		"third message", "fourth message", "3rd message", "4th message",
		"third time asking", "third time ive asked", "asked three times", "asked 3 times", "messaged twice",
		"emailed twice", "still no reply", "still no answer", "still no response", "still havent heard back",
		"still havent had a reply", "nobody got back to me", "no one got back to me", "nobody has got back",
		"no one has got back", "nobody replied", "no one replied"}
	// englishRedress ask the business to make up for what it did: what it
	// will pay, give back or do about it. Asked under a condition ("if a
	// delivery is late, what compensation do you offer") they ask about a
	// policy (see namesCondition).
	englishRedress = []string{"what compensation", "any compensation", "compensate me", "compensate us",
		"who is paying for", "whos paying for", "who is going to pay", "whos going to pay", "who will pay for",
		"who pays for the", "what are you going to do about", "what are you gonna do about", "what will you do about",
		"credited back", "make it right", "make this right", "make up for this", "make up for it"}
)

// orderCues holds a part of every match of notWhatWasOrdered.
var orderCues = []string{" ordered ", " paid ", " asked for ", " booked "}

// notWhatWasOrdered tells, in spaced lower-cased text, that what came is
// not what was ordered or paid for: "ordered the 16 pro case and received
// the pro max one instead", "paid for 2 hour express but the wine only came
// the next morning".
var notWhatWasOrdered = regexp.MustCompile(`\b(?:i|we) (?:ordered|paid for|asked for|booked) (?:\S+ ){1,10}?(?:and|but) ` +
	`(?:got|received|they sent|you sent|it came|came)\b(?: \S+){0,8}? instead\b|` +
	`\b(?:i|we) paid (?:for |the )?(?:\S+ ){0,6}?but (?:\S+ ){0,4}?(?:only|never|still|didnt|didn't)\b`)

// englishDamagedInCare say that a fault was not there before the business
// had the thing: "a stain that wasnt there when i dropped it off".
var englishDamagedInCare = []string{"wasnt there when i dropped", "wasnt there when we dropped", "wasnt there before",
	"werent there when i dropped", "werent there before", "wasnt like that when i", "was fine when i dropped",
	"was fine when we dropped", "was fine before i gave", "was perfect when i dropped"}

// englishReturns tell that the sender got a thing back from the business;
// englishDamage, within maxEnglishFailureGap after, that it came back
// damaged or short: "got it back and half my photos are gone", "came back
// with a hole in the sleeve".
var (
	englishReturns = []string{"came back", "come back", "comes back", "got it back", "got them back",
		"picked it up", "picked them up", "collected it", "collected them"}
	englishDamage = []string{"stain", "stained", "stains", "hole", "holes", "torn", "ripped", "shrunk", "shrank",
		"scratched", "scratches", "ruined", "damaged", "missing", "gone", "faded", "dented", "burnt", "burned"}
)

// returnedDamaged reports whether spaced, lower-cased text tells that a
// thing came back from the business damaged (englishReturns followed by
// englishDamage).
func returnedDamaged(t string) bool {
	for _, p := range englishReturns {
		for i := strings.Index(t, " "+p+" "); i >= 0; {
			rest := t[i+len(p)+1:]
			if len(rest) > maxEnglishFailureGap {
				rest = rest[:maxEnglishFailureGap]
			}
			for _, f := range englishDamage {
				if strings.Contains(rest, " "+f+" ") {
					return true
				}
			}
			next := strings.Index(t[i+1:], " "+p+" ")
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

// maxEnglishFailureGap is how many bytes may follow an englishAfterWork
// phrase before its failure ("the socket behind the dryer you fixed
// yesterday is sparking").
const maxEnglishFailureGap = 60

// cancelledOnSender reports whether space-padded normalised text says that
// the business cancelled on the sender ("you cancelled on us", "the
// photographer cancelled on me"), not someone of the sender's own ("guests
// cancelled on us", "our venue just cancelled on us bc of flooding").
func cancelledOnSender(t string) bool {
	for before, after := range occurrencesWithBefore(t, " cancelled on ") {
		if !strings.HasPrefix(after, "me ") && !strings.HasPrefix(after, "us ") {
			continue
		}
		words := strings.Fields(before)
		if n := len(words); n > 0 && words[n-1] == "just" {
			words = words[:n-1] // "my sister just cancelled on me"
		}
		n := len(words)
		if n > 0 && thirdParties[words[n-1]] || n > 1 && (words[n-2] == "my" || words[n-2] == "our") {
			continue // "guests cancelled on us", "our venue cancelled on us"
		}
		return true
	}
	return false
}

// thirdParties, right before "cancelled on", are people of the sender's
// own, not the business.
var thirdParties = map[string]bool{"guests": true, "guest": true, "friends": true, "friend": true, "family": true,
	"relatives": true, "kids": true, "parents": true, "clients": true, "client": true, "people": true}

// englishRhetoric are the rhetorical questions of an English complaint:
// "…you still took the money and sent a box. how is that ok?"
var englishRhetoric = []string{"how is that ok", "how is this ok", "how is that okay", "how is this okay",
	"how is that acceptable", "how is this acceptable", "how is that fair", "how is this fair", "are you kidding me",
	"are you serious", "is this a joke", "you call this", "whats the point of booking", "what's the point of booking",
	"whats the point of paying", "what's the point of paying", "whats the point of ordering", "what's the point of ordering"}

// englishGrievance is grievance for English text.
func englishGrievance(norm string) bool {
	t := " " + norm + " "
	has := func(list []string) bool {
		for _, p := range list {
			if strings.Contains(t, " "+strings.TrimSpace(p)+" ") ||
				(strings.HasSuffix(p, " ") && strings.Contains(t, " "+p)) {
				return true
			}
		}
		return false
	}
	if has(englishBrokenPromises) || has(englishTaken) || has(englishNoShow) || has(englishRunaround) || has(englishRhetoric) {
		return true
	}
	if cancelledOnSender(t) {
		return true
	}
	if has(englishRedress) && !namesCondition(t) {
		return true
	}
	if !namesCondition(t) && (has(englishDamagedInCare) || returnedDamaged(t)) {
		return true
	}
	if containsAny(t, orderCues) {
		if loc := notWhatWasOrdered.FindStringIndex(t); loc != nil && !namesCondition(t[:loc[1]]) {
			return true // a condition after it is a request: "would appreciate it if you could sort this out"
		}
	}
	for _, p := range englishStillFailing {
		if strings.Contains(t, " "+p) { // "still flicker" also finds "still flickers"
			return true
		}
	}
	for _, p := range englishAfterWork {
		i := strings.Index(t, " "+p+" ")
		if i < 0 {
			continue
		}
		// The failure may come after the work ("you fixed yesterday is
		// sparking") or before it ("squeaks louder than before you came").
		before, rest := t[max(0, i-maxEnglishFailureGap):i+1], t[i+len(p)+1:]
		if len(rest) > maxEnglishFailureGap {
			rest = rest[:maxEnglishFailureGap]
		}
		for _, f := range englishFailures {
			if strings.Contains(rest, " "+f+" ") || strings.Contains(before, " "+f+" ") {
				return true
			}
		}
	}
	return false
}

// serviceRequests open a clause that asks the business for something it
// offers ("can you print 50 pages", "do you stock the child one", "who
// else does gel extensions"), unlike "why", "when will" or "will i get a
// refund", which follow a complaint.
var serviceRequests = []string{"can you", "could you", "can u", "do you", "do u", "would you", "are your", "is your",
	"who else", "what would you", "what do you", "what treatment", "have you", "can we", "could we", "can i",
	"could i", "is there", "are there", "do i", "do we"}

// asksForService reports whether lower-cased English text opens with "if"
// or "in case" and asks something later ("if the laptop turns out to be
// beyond repair do i still pay anything"), or tells the sender's situation
// and then, in a later clause, asks for a service ("my printer at home is
// broken, can you print 50 pages for me today"): a question about what the
// business offers, not a complaint about what it did. A grievance is
// rhetorical whatever follows and is read before this.
func asksForService(lower string) bool {
	first := true
	for clause := range strings.FieldsFuncSeq(lower, serviceClauseBreak) {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		if first {
			first = false
			if strings.HasPrefix(clause, "if ") || strings.HasPrefix(clause, "in case ") {
				for w := range strings.FieldsSeq(lower[len("if"):]) {
					if englishQuestionWords[strings.Trim(w, "?,.")] {
						return true
					}
				}
			}
			continue
		}
		if strings.Contains(clause, " even ") {
			continue // "do u even test it" is rhetorical
		}
		for _, r := range serviceRequests {
			if strings.HasPrefix(clause, r) && (len(clause) == len(r) || clause[len(r)] == ' ') {
				return true
			}
		}
	}
	return false
}

// productOpeners open a clause that asks for something to buy or be
// recommended, the way a shopper types it ("something sweet for my gf, not
// too strong", "looking for a gift under 300", "need a low maintenance
// plant for my office"), or to be told about something ("tell me about the
// family card thing", "info on the night tour"): what follows says what is
// wanted, and a "not too strong" or "won't die" in it is a wish, not a
// grievance; "tell me about my refund" is not a wish (notWanted).
// Each is split into its words once, here.
var productOpeners = wordsOf("something", "anything", "got anything", "got something", "have anything",
	"looking for", "im looking for", "i'm looking for", "i am looking for", "any recommendations",
	"any recommendation", "any suggestions", "any ideas", "recommend", "suggest", "need a", "need an",
	"need some", "need something", "i need a", "i need an", "i need something", "want a", "want an",
	"want some", "want something", "i want a", "i want an", "i want something", "gift for", "present for",
	"tell me about", "tell me more about", "more info on", "more info about", "info on", "info about",
	"information on", "information about", "details of", "details on", "details about")

// wordsOf returns each phrase split into its words.
func wordsOf(phrases ...string) [][]string {
	out := make([][]string, len(phrases))
	for i, p := range phrases {
		out[i] = strings.Fields(p)
	}
	return out
}

// notWanted are the words after a productOpener that make it a demand or a
// report, not a wish for a product: "need an answer", "want a refund",
// "something is wrong", "anything happened to my parcel", "want my money
// back".
var notWanted = wordSet{
	"refund": true, "replacement": true, "manager": true, "person": true, "human": true, "supervisor": true,
	"answer": true, "response": true, "reply": true, "explanation": true, "apology": true, "compensation": true,
	"callback": true, "call": true, "real": true, "wrong": true, "happened": true, "went": true, "broke": true,
	"else": true, "my": true,
}

// asksForProduct reports whether a clause of lower-cased English text opens
// with one of productOpeners followed by a word that is neither one of
// statementWords ("something is off") nor one of notWanted: a request for a
// product, which reads as a question however it is punctuated. A
// grievance is rhetorical whatever follows and is read before this.
func asksForProduct(lower string) bool {
	for clause := range strings.FieldsFuncSeq(lower, serviceClauseBreak) {
		words := strings.Fields(clause)
		for _, ow := range productOpeners {
			if len(words) <= len(ow) || !slices.Equal(words[:len(ow)], ow) {
				continue
			}
			next := words[len(ow)]
			if next == "not" && len(words) > len(ow)+1 && degreeWords.has(words[len(ow)+1]) {
				return true // "something not too sweet": a wish
			}
			if next == "without" && len(words) > len(ow)+1 && !withoutAsking.has(words[len(ow)+1]) {
				return true // "anything without sulphites": a wish
			}
			if !statementWords.has(next) && !notWanted.has(next) {
				return true
			}
		}
		if len(words) > 2 && words[0] == "nothing" && degreeWords.has(words[1]) {
			return true // "…for a friend trying it, nothing too harsh": a wish
		}
	}
	return chineseWish(lower)
}

// withoutAsking after "something without" or "anything without" make it
// a report of what was done, not a wish for a product: "something without
// telling me", "anything without my permission".
var withoutAsking = wordSet{"telling": true, "asking": true, "warning": true, "notice": true, "permission": true,
	"consent": true, "checking": true, "my": true, "me": true, "us": true, "our": true}

// degreeWords after "not" make a wish of a product request ("something
// not too strong", "anything not so sweet").
var degreeWords = wordSet{"too": true, "so": true, "very": true, "that": true}

// chineseWishes open a Chinese request for something to buy or be
// recommended ("想要个不太甜的", "找个不伤眼睛的台灯", "给我爸买个礼物 他不喝酒").
var chineseWishes = []string{"想要个", "想要一", "想要款", "想买", "要个", "要一个", "要一款", "找个", "找一个", "找一款",
	"推荐", "求推荐", "买个", "买一个", "买一款", "给我爸买", "给我妈买", "想给", "送女朋友", "送男朋友", "送老婆",
	"送老公", "送爸", "送妈", "送长辈", "送朋友", "送同事", "送客户", "送孩子", "送领导", "送老师", "送人"}

// notWantedZH in a Chinese wish make it a demand ("要个说法", "想要退款",
// "找个人工").
var notWantedZH = []string{"说法", "解释", "交代", "赔", "退", "人工", "客服", "经理", "投诉", "负责人", "真人"}

// chineseWish reports whether text opens (or opens a clause) with one of
// chineseWishes and holds none of notWantedZH.
func chineseWish(text string) bool {
	for _, w := range notWantedZH {
		if strings.Contains(text, w) {
			return false
		}
	}
	for clause := range strings.FieldsFuncSeq(text, serviceClauseBreak) {
		clause = strings.TrimSpace(clause)
		for _, w := range chineseWishes {
			if strings.HasPrefix(clause, w) && !(strings.HasSuffix(w, "推荐") && strings.HasPrefix(clause[len(w):], "的")) {
				return true // but "推荐的…" is what was recommended
			}
		}
		if strings.Contains(clause, "要") && degreeWish.MatchString(clause) {
			return true
		}
	}
	return false
}

// degreeWish opens a clause that asks for more or less of something, the
// way a shopper narrows what is wanted: "要大一点的", "要便宜点的", "想要甜一些的".
var degreeWish = regexp.MustCompile(`(?:^|\s)(?:想)?要\p{Han}{1,2}(?:一)?(?:点|些)的`)

// serviceClauseBreak ends a clause for asksForService: clauseBreak's
// punctuation and a question mark.
func serviceClauseBreak(r rune) bool { return clauseBreak(r) || r == '?' || r == '？' }

// lastRunes returns the last n characters of s.
func lastRunes(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// scorns reports whether raw text scorns rather than asks or tells: a
// question asked only to reproach ("is this really how you treat
// regulars?", "is that the kind of shop you run?", "这就是对老会员的服务？",
// "花了299 就这？"), praise of what it quotes back ("great, the 'fresh' bread
// was stale by noon", "love how 'next day delivery' means a week"),
// or giving up on the business ("why do i even bother"). Punctuation
// counts here, so it reads the raw text, not the normalised one.
func scorns(raw string) bool {
	lower := strings.ToLower(raw)
	// The regular expressions are slow; most messages hold none of the
	// words every reproach needs, nor a quotation mark.
	if containsAny(lower, reproachCues) && reproaches.MatchString(raw) {
		return true
	}
	return strings.ContainsAny(raw, "'‘\"“「") && scareQuote.MatchString(raw) &&
		(sarcasticOpener.MatchString(raw) || lovesHowQuoted.MatchString(raw))
}

// reproachCues holds a part of every reproach: a message with none of
// them is not matched against reproaches.
var reproachCues = []string{"is this", "is that", "is it", "was this", "was that", "was it", "lying", "cheating",
	"bother", "love paying", "love wasting", "love waiting", "loving wasting", "loving waiting", "is there a reason", "这就是", "就这", "至于", "道理", "糊弄",
	"看人", "当我", "骗谁", "搞错", "几个意思", "讲理", "这也叫", "这也算", "觉得我们", "以为我们",
	"凭什么", "解释", "负责吗", "负不负责", "going to pay", "gonna pay", "how hard", "explain",
	" even ", "anyone even", "anyone actually", "anyone ever", "anybody even", "anybody actually", "anybody ever", "exactly", "on earth", "the hell", "干嘛", "干什么", "图什么", "买罪受", "for that", "for this", "抢钱", "小便宜", "就这样", "谁负责", "再收"}

var (
	// reproaches are questions and sayings that only reproach.
	reproaches = regexp.MustCompile(`(?i)\b(?:is|was) (?:this|that|it) (?:really |seriously |honestly |actually )?` +
		`(?:(?:how|the way) (?:you|your \w+) (?:\w+ )?(?:treat|run|do business|deal with|talk to|speak to)|` +
		`the (?:kind|sort|level|standard) of \w+ (?:you|your)|the standard (?:you|your)|what you call|your idea of|` +
		`(?:what|the \w+) (?:you're|youre|you are) proud of)\b|` +
		`\bis (?:lying|cheating) (?:to )?(?:customers|your customers|people)\b|\bwhy (?:do|would|should) (?:i|we) (?:even )?bother\b|` +
		`\blove paying (?:\S+ ){0,4}?(?:for|to)\b|\b(?:love|loving) (?:wasting|waiting)\b|` +
		`\bis there a reason (?:why )?my\b|` +
		`这就是(?:你们|你家)?[^，,。？?！!\s]{0,10}(?:态度|服务|质量|标准|水平)|这就是你们(?:吹|号称)的|就这[？?！!]|` +
		`至于吗|什么道理|糊弄谁|看人(?:收费|下菜)|当我(?:是)?(?:傻|瞎|好欺负|冤大头)|骗谁|有没有搞错|几个意思|讲不讲(?:道)?理|` +
		`这也(?:叫|算)[^，,。\s]{1,6}[？?]|(?:是)?(?:觉得|以为)我们(?:都)?(?:不会|不懂|好骗|傻)|` +
		// A demand that the business account for itself: "凭什么",
		// "你们怎么解释", "这钱你们负责吗", "who is going to pay for my
		// screen", "how hard is it", "I paid for 45. Can you explain that?"
		`凭什么|你们(?:怎么|如何|得|要)解释|给(?:我|个)(?:一个)?解释|你们(?:负责吗|负不负责)|` +
		`\bwho(?:'s| is) (?:going to|gonna) pay for\b|\bhow hard (?:is it|can it be)\b|\b(?:can|could) (?:you|u) (?:please )?explain (?:that|this|why)\b|` +
		// Whether the business even does its job, what was paid for
		// that: "do you even cap numbers", "does anyone actually
		// check?", "paid £90 for that?", "抢钱呢", "卫生就这样吗".
		// Not "do you ever test the vegetables", "wat do u actually check
		// in the free test": sincere.
		`\b(?:do|does) (?:you|u|they|your staff) even (?:check|track|read|care|test|listen|clean|train|cap|count|look|bother|know|think)\b|` +
		`\b(?:do|does) (?:anyone|anybody) (?:even|actually|ever) (?:check|track|read|care|test|listen|clean|train|cap|count|look|bother|know|think)\b|` +
		`\bpaid (?:\S+ )?for (?:that|this)\s*[?？]|抢钱|小便宜也占|就这样吗|谁负责[？?]|还要再收钱?[？?]|又要再收钱?[？?]|` +
		`\bwhat (?:exactly|on earth|the hell) (?:am i|are we|do i|do we|did i|did we) (?:\S+ ){0,3}?pay(?:ing)? (?:\S+ ){0,3}?for\b|` +
		`(?:花|交|付)了?(?:钱|费)是?(?:干嘛|干什么|图什么|买罪受)`)
	// scareQuote is a few words quoted back between quotation marks.
	scareQuote = regexp.MustCompile(`(?:^|[\s(:])['‘"“「][^'‘’"“”「」\n]{2,40}['’"”」](?:$|[\s.,!?;:)])`)
	// sarcasticOpener is praise that opens a message ("great, …", "wow. …").
	sarcasticOpener = regexp.MustCompile(`(?i)^\s*(?:oh |just |well )?(?:great|wow|brilliant|lovely|fantastic|wonderful|perfect|awesome|amazing|nice one|cool|well done)\s*[,.!…]`)
	// lovesHowQuoted praises what follows in quotation marks.
	lovesHowQuoted = regexp.MustCompile(`(?i)\b(?:love|loving|adore) (?:how|that) ['‘"“「]`)
)
