package intents

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A child or a pet that swallowed, chewed or licked something ("my toddler
// just bit into one of the laundry pods", "猫舔了百合的花粉 现在一直吐") is a
// safety incident in any trade, told in the words of the thing swallowed,
// which no lexicon can list. What every such message shares is its shape: who
// (a child or an animal), what they did (ate, swallowed, chewed, 误吞, 舔了),
// and the sender's alarm or a symptom (what do I do, 要不要紧, vomiting).
// Without the alarm it is a story ("my kids ate the whole cake, loved it");
// asked as a possibility ("can my dog eat this", "猫吃了会不会中毒") it is a
// question about the product, which the content answers.

// dependentsEN and dependentsZH name those a sender looks after.
var (
	dependentsEN = []string{"toddler", "baby", "kid", "kids", "child", "children", "son", "daughter", "cat", "kitten",
		"dog", "puppy", "pup", "pet", "rabbit", "bunny", "hamster", "parrot", "bird", "infant", "little one",
		"grandson", "granddaughter", "nephew", "niece", "yr old", "year old", "month old", "mo old"}
	dependentsZH = []string{"孩子", "小孩", "宝宝", "儿子", "女儿", "娃", "孙子", "孙女", "猫", "狗", "宠物", "兔子", "鹦鹉", "仓鼠"}
)

// ingestedEN and ingestedZH tell that something was taken in by mouth.
var (
	ingestedEN = []string{"ate", "eaten", "eating", "swallowed", "swallowing", "chewed", "chewing", "bit into", "bitten",
		"licked", "licking", "drank", "drinking", "nibbled", "got into"}
	ingestedZH = []string{"吃了", "吃进", "吞了", "误吞", "吞下", "舔了", "咬了", "喝了", "啃了", "嚼了"}
)

// alarmEN and alarmZH are the sender's alarm or a symptom.
var (
	alarmEN = []string{"what do i do", "what should i do", "what do we do", "is he ok", "is she ok", "is it ok",
		"is that ok", "will he be ok", "will she be ok", "is it safe", "toxic", "poison", "dangerous", "vomit",
		"throwing up", "threw up", "foam", "drooling", "vet", "doctor", "hospital", "emergency", "urgent", "help",
		"worried", "scared",
		// What came of it: "my dog died after eating your treats", "got
		// sick after eating the food you sold me".
		" died", " dead", " dying", "passed away", " killed", " sick", " ill ", " poorly", " collapsed",
		" unconscious", " diarrhea", " diarrhoea",
		// What is not food: swallowed, it is the alarm ("found the rat bait
		// pellets behind the sofa and i think she ate a couple"). Vitamins
		// are eaten by the dose ("my son ate his gummy vitamins, any other
		// flavours?"); a whole bottle of them is the alarm.
		" bait", " pellets", " pills", " tablets", " medicine", " medication", " battery", " batteries",
		" magnet", " magnets", " detergent", " bleach", " pods ", "whole bottle", "whole packet", " pesticide",
		" insecticide", "weed killer", "antifreeze"}
	alarmZH = []string{"怎么办", "要不要紧", "要紧吗", "有没有事", "有事吗", "没事吧", "有毒", "中毒", "吐", "危险", "急",
		"医院", "医生", "兽医", "抽搐", "口吐白沫", "死", "去世", "拉肚子", "拉稀", "不舒服", "生病", "昏迷",
		// What is not food, as in English.
		"干燥剂", "药片", "药丸", "电池", "磁铁", "磁珠", "凝珠", "洗衣液", "洗洁精", "消毒液", "漂白", "老鼠药", "鼠药",
		"杀虫剂", "除草剂", "农药", "防冻液"}
)

// ingestionMaxGap is how many characters may stand between a Chinese
// dependent and what it did ("孩子把多肉叶子吃了两片").
const ingestionMaxGap = 12

// ingestedBy reports whether a message (raw, and normalised as norm) tells
// that a child or a pet took something in by mouth and the sender is
// alarmed (see the comment at the top of this file). Possibilities are not
// incidents: a Chinese mark followed by 会 or 能 ("吃了会不会有事"), or an
// English one in a clause that asks if, can, could, is it safe or what if.
func ingestedBy(raw, norm string) bool {
	if strings.ContainsFunc(norm, isCJK) {
		return ingestedByZH(norm)
	}
	return ingestedByEN(raw, norm)
}

func ingestedByZH(norm string) bool {
	if !containsAny(norm, alarmZH) {
		return false
	}
	for _, m := range ingestedZH {
		for before, after := range occurrencesWithBefore(norm, m) {
			if t := strings.TrimSpace(after); strings.HasPrefix(t, "会") || strings.HasPrefix(t, "能") {
				continue // 吃了会不会有事: what would happen
			}
			if offFoodZH(before, m) {
				continue // 不吃了, 不肯吃了: off its food, nothing taken in
			}
			if containsAny(lastRunes(before, ingestionMaxGap+2), dependentsZH) || matchAny(after, dependentsZH, strings.HasPrefix) {
				return true
			}
		}
	}
	return false
}

func ingestedByEN(raw, norm string) bool {
	if !containsAny(" "+norm+" ", alarmEN) {
		return false
	}
	lower := strings.ToLower(raw)
	for _, clause := range strings.FieldsFunc(lower, serviceClauseBreak) {
		c := " " + strings.Join(strings.FieldsFunc(clause, notWordRune), " ") + " "
		if ingestsEN(c) && hasWord(c, dependentsEN) && !possibility(c) {
			return true
		}
	}
	return false
}

// offFoodZH reports whether the Chinese ingestion mark m is negated by 不
// or 没 in the two characters before it (before): "两天不吃了", "不肯吃了";
// not the A-not-A question "吃没吃进去", which asks whether it was eaten.
func offFoodZH(before, m string) bool {
	last := lastRunes(before, 2)
	if !strings.ContainsAny(last, "不没") {
		return false
	}
	first, _ := utf8.DecodeRuneInString(m)
	return !strings.HasSuffix(before, string(first)+"没") && !strings.HasSuffix(before, string(first)+"不")
}

// ingestsEN reports whether the space-padded English clause c says that
// something was taken in by mouth: an ingestedEN word not right after a
// negation ("stopped eating hay", "isn't drinking", "won't eat" tell of a
// pet or child off its food, not of something swallowed).
func ingestsEN(c string) bool {
	for _, w := range ingestedEN {
		for at := 0; ; {
			i := strings.Index(c[at:], " "+w+" ")
			if i < 0 {
				break
			}
			before := strings.TrimRight(c[:at+i], " ")
			if !offFood[before[strings.LastIndexByte(before, ' ')+1:]] {
				return true
			}
			at += i + 1
		}
	}
	return false
}

// offFood, right before an ingestedEN word, negate it.
var offFood = map[string]bool{"stopped": true, "stop": true, "not": true, "isn't": true, "isnt": true, "won't": true,
	"wont": true, "doesn't": true, "doesnt": true, "refuses": true, "refusing": true, "quit": true, "no": true,
	"hasn't": true, "hasnt": true, "without": true, "never": true, "barely": true, "longer": true}

// notWordRune reports whether r stands between English words.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }

// hasWord reports whether the space-padded text c holds one of words as
// whole words.
func hasWord(c string, words []string) bool {
	return matchAny(c, words, func(c, w string) bool { return strings.Contains(c, " "+w+" ") })
}

// possibility reports whether a space-padded English clause asks what
// would happen rather than tells what did.
func possibility(c string) bool {
	return containsAny(c, []string{" if ", " can ", " could ", " is it safe", " in case "})
}

// The sender, or anyone, harmed by what the shop sold or did is a safety
// incident too, though no child or pet swallowed anything: "drank your pu-erh
// yesterday and threw up twice", "昨天喝了你们店的普洱 胃痛得厉害 吐了两次", "my fish
// all died overnight after i added your water conditioner", "用了你们的驱虫药
// 猫就死了". What such a message shares is the shop's thing (your, 你们的)
// and what came of it: a symptom, or a death, told as it happened.

// harmedEN tells that a body was harmed: symptoms, not worry.
var harmedEN = regexp.MustCompile(`\b(?:poisoned|threw up|throwing up|vomit\w*|diarrh\w*|rash|hives|swollen|swelling|` +
	`blister\w*|allergic reaction|food poisoning|` +
	`(?:got|feel|feels|felt|am|is|was|were|been) (?:so |really |very )?(?:sick|ill)|stomach (?:ache|pain|cramps))\b`)

// diedOfEN tells that something of the shop's came before a death, in one
// clause: "died overnight after i added your water conditioner", "your
// treats killed my dog"; not "passed away last month" beside "your shop",
// nor "killed it at our party".
var diedOfEN = regexp.MustCompile(`\b(?:died|dead|passed away)\b.*\b(?:after|since|because of|from)\b.*\b(?:your|ur)\b|` +
	`\b(?:your|ur)\b.*\b(?:killed|poisoned) (?:my|our|his|her|the)\b`)

// harmCues holds a part of every harm of harmedEN, diedOfEN and harmedZH.
var harmCues = []string{"died", "dead", "passed away", "poison", "threw up", "throwing up", "vomit", "diarrh", "rash",
	"hives", "swollen", "swelling", "blister", "allergic", "sick", " ill", "stomach", "死", "去世", "吐", "拉肚子", "拉稀",
	"腹泻", "痛", "疼", "过敏", "疹", "起包", "红肿", "起泡", "烫伤", "烧伤", "中毒", "医院", "急诊"}

// shopsThingEN is the shop's product or service in an English clause.
var shopsThingEN = regexp.MustCompile(`\b(?:your|ur|yours)\b|\b(?:from|at) (?:you|your (?:shop|store|place)|the shop|the store)\b`)

// afterShops ties a clause's harm to the shop's thing: "after your
// tasting night", "since using ur shampoo".
var afterShops = regexp.MustCompile(`\b(?:after|since|from) (?:\w+ ){0,2}(?:your|ur)\b`)

// harmedZH tells that a body was harmed, in Chinese.
var harmedZH = regexp.MustCompile(`死了|死掉|毒死|去世|吐了|呕吐|拉肚子|拉稀|腹泻|胃(?:很|好|特别)?(?:痛|疼)|肚子(?:很|好|特别)?(?:痛|疼)|` +
	`过敏了|起(?:了)?(?:疹子|红疹|包)|红肿|起泡|烫伤|烧伤|中毒|进了医院|送(?:去)?医院|住院了|急诊`)

// shopsThingZH is the shop's product or service in Chinese.
var shopsThingZH = regexp.MustCompile(`你们|你家|贵店|你们店|在你们`)

// harmedByShop reports whether a message (raw, and normalised as norm)
// tells that someone was harmed after what the shop sold or did, as it
// happened: the shop's thing and the harm in one message, neither asked
// about as a possibility ("会不会拉肚子", "could it make him sick").
func harmedByShop(raw, norm string) bool {
	// The regular expressions are slow; most messages hold none of the
	// words every harm needs.
	if !containsAny(norm, harmCues) {
		return false
	}
	if strings.ContainsFunc(norm, isCJK) {
		loc := harmedZH.FindStringIndex(norm)
		shop := shopsThingZH.FindStringIndex(norm)
		if loc == nil || shop == nil || shop[0] > loc[0] {
			return false // "鹦鹉前几天死了 想把鸟笼送给你们店": the shop came after
		}
		before := norm[:loc[0]]
		return !strings.HasSuffix(strings.TrimSpace(before), "会") && !strings.Contains(before, "会不会") &&
			!strings.Contains(before, "万一") && !strings.Contains(before, "如果") && !strings.Contains(before, "要是")
	}
	lower := strings.ToLower(raw)
	shop := shopsThingEN.FindStringIndex(lower)
	if shop == nil {
		return false
	}
	at := 0
	for _, clause := range strings.FieldsFunc(lower, serviceClauseBreak) {
		start := at + strings.Index(lower[at:], clause)
		at = start + len(clause)
		c := " " + strings.Join(strings.FieldsFunc(clause, notWordRune), " ") + " "
		if possibility(c) || containsAny(c, []string{" will ", " would ", " might ", " may "}) {
			continue
		}
		if diedOfEN.MatchString(c) {
			return true
		}
		// A symptom after the shop's thing ("drank your pu-erh and threw
		// up"), or in its clause after "after" ("threw up after your
		// tasting night"). Positions are the raw clause's, as the shop's.
		if loc := harmedEN.FindStringIndex(clause); loc != nil && (shop[0] < start+loc[0] || afterShops.MatchString(c)) {
			return true
		}
	}
	return false
}
