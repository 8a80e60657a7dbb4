package intents

import (
	"strings"
	"unicode"
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
	ingestedEN = []string{"ate", "eaten", "swallowed", "chewed", "chewing", "bit into", "bitten", "licked", "licking",
		"drank", "nibbled", "got into"}
	ingestedZH = []string{"吃了", "吃进", "吞了", "误吞", "吞下", "舔了", "咬了", "喝了", "啃了", "嚼了"}
)

// alarmEN and alarmZH are the sender's alarm or a symptom.
var (
	alarmEN = []string{"what do i do", "what should i do", "what do we do", "is he ok", "is she ok", "is it ok",
		"is that ok", "will he be ok", "will she be ok", "is it safe", "toxic", "poison", "dangerous", "vomit",
		"throwing up", "threw up", "foam", "drooling", "vet", "doctor", "hospital", "emergency", "urgent", "help",
		"worried", "scared",
		// What is not food: swallowed, it is the alarm ("found the rat bait
		// pellets behind the sofa and i think she ate a couple"). Vitamins
		// are eaten by the dose ("my son ate his gummy vitamins, any other
		// flavours?"); a whole bottle of them is the alarm.
		" bait", " pellets", " pills", " tablets", " medicine", " medication", " battery", " batteries",
		" magnet", " magnets", " detergent", " bleach", " pods ", "whole bottle", "whole packet", " pesticide",
		" insecticide", "weed killer", "antifreeze"}
	alarmZH = []string{"怎么办", "要不要紧", "要紧吗", "有没有事", "有事吗", "没事吧", "有毒", "中毒", "吐", "危险", "急",
		"医院", "医生", "兽医", "抽搐", "口吐白沫",
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
		if hasWord(c, ingestedEN) && hasWord(c, dependentsEN) && !possibility(c) {
			return true
		}
	}
	return false
}

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
