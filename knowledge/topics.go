package knowledge

import (
	"strings"
	"unicode"
)

// serviceTopics are things customers of any trade ask about that a shop's
// content either names or does not cover at all: access for a wheelchair,
// jobs, calories, the wifi, franchising, smoking, typhoons and storms
// (toilets are among askedTopics). A passage that names none of its topic's words does not answer a
// question that names one ("is the shop wheelchair accessible" is not
// answered by the shop's address, "台风天开门吗" not by the opening hours),
// whatever else they share. Each topic is a group of words that say the
// same thing: English words and phrases matched as whole words, Chinese
// ones anywhere. Written for Concierge by hand.
var serviceTopics = [][]string{
	{"wheelchair", "wheelchairs", "accessible", "accessibility", "step-free", "step free", "disabled access", "ramp",
		"轮椅", "无障碍", "残疾人"},
	{"hiring", "vacancy", "vacancies", "recruiting", "job opening", "job openings", "apply for a job", "careers",
		"招聘", "招人", "招不招", "招兼职", "应聘", "求职"},
	{"calorie", "calories", "kcal", "卡路里", "热量", "大卡"},
	{"wifi", "wi-fi", "wireless internet", "无线网", "wifi密码"},
	{"franchise", "franchising", "franchisee", "加盟"},
	{"smoke", "smoking", "抽烟", "吸烟"},
	{"typhoon", "typhoons", "rainstorm", "snowstorm", "bad weather", "severe weather", "extreme weather",
		"台风", "暴雨", "暴雪", "恶劣天气", "极端天气"},
}

// topicWords returns lower-case text as " word word … " for whole-word
// matching: letters, digits and '-' make words.
func topicWords(text string) string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	return " " + strings.Join(f, " ") + " "
}

// namesTopic reports whether text (lower case) or its words (topicWords)
// name one of the words of topic.
func namesTopic(lower, words string, topic []string) bool {
	for _, w := range topic {
		if hasHan(w) {
			if strings.Contains(lower, w) {
				return true
			}
		} else if strings.Contains(words, " "+w+" ") {
			return true
		}
	}
	return false
}

// askedTopics are questions that are about something only when they say
// so in two ways at once, and are answered only by a passage that names
// it: a group's discount ("do you have a student discount", "学生有优惠不",
// "老人有折扣没": a group and a lower price) is not answered by the bulk
// discount or a recharge table, whatever "discount" they share, and "can I
// bring my dog into the shop" not by the shop's address. A passage that
// says the group gets nothing extra ("no student discount, but…") or that
// dogs stay outside names them and answers. A question names a topic when
// it names a word of each group of ask (English words matched whole,
// Chinese ones anywhere); a passage covers it when it names a word of
// evidence. Naming the group alone ("I'm a student, where is the shop",
// "a cake with my dog's face on it") asks nothing of the kind. Written for
// Concierge by hand: students, seniors, teachers, soldiers and people with
// a disability are asked about in any trade, and so are pets.
var askedTopics = append(discountTopics(concessionGroups), askedTopic{
	ask: [][]string{{"bring my dog", "bring a dog", "bring our dog", "bring the dog", "bring dogs", "bring my pet",
		"bring pets", "bring a pet", "bring my cat", "pet friendly", "pet-friendly", "dog friendly", "dog-friendly",
		"dogs allowed", "pets allowed", "带狗", "带宠物", "带猫", "宠物友好", "宠物能进", "狗能进", "狗狗能进"}},
	evidence: []string{"dog", "dogs", "pet", "pets", "pet-friendly", "dog-friendly", "animal", "animals", "狗", "宠物", "动物", "导盲犬"}},
	// A toilet for customers to use, not the one a phone fell into or a
	// plumber fixes.
	askedTopic{
		ask: [][]string{{"restroom", "restrooms", "washroom", "washrooms", "is there a toilet", "are there toilets", "any toilets",
			"a toilet i can use", "use the toilet", "use your toilet", "use the bathroom", "where is the toilet", "where's the toilet",
			"where are the toilets", "have a toilet", "have toilets", "public toilet", "public toilets", "customer toilet",
			"有厕所", "有没有厕所", "厕所在哪", "上厕所", "有洗手间", "有没有洗手间", "洗手间在哪", "借用洗手间", "借用厕所",
			"借厕所", "借个厕所", "借下厕所", "借洗手间", "借个洗手间", "借下洗手间", "借个卫生间",
			"有卫生间吗", "有没有卫生间", "卫生间在哪"}},
		evidence: []string{"toilet", "toilets", "restroom", "restrooms", "washroom", "washrooms", "bathroom", "bathrooms",
			"厕所", "洗手间", "卫生间"}})

// discountTopics returns, for each group, the topic of its discount: a
// question names the group and a word of discountWords; a passage names
// the group.
func discountTopics(groups [][]string) []askedTopic {
	out := make([]askedTopic, 0, len(groups))
	for _, g := range groups {
		out = append(out, askedTopic{ask: [][]string{g, discountWords}, evidence: g})
	}
	return out
}

// askedTopic is one of askedTopics: the question names a word of each
// group of ask; a passage that answers it names a word of evidence.
type askedTopic struct {
	ask      [][]string
	evidence []string
}

// asked reports whether a question (lower case ql, words qw) names a word
// of each group of t.ask.
func (t askedTopic) asked(ql, qw string) bool {
	for _, g := range t.ask {
		if !namesTopic(ql, qw, g) {
			return false
		}
	}
	return true
}

// concessionGroups are the groups of customers a shop may or may not sell
// to for less.
var concessionGroups = [][]string{
	{"student", "students", "uni student", "college student", "学生", "大学生", "在校生", "学生证", "学生党"},
	{"senior", "seniors", "senior citizen", "senior citizens", "elderly", "pensioner", "pensioners", "retired", "retiree", "retirees",
		"over 60", "over 65", "over 60s", "over 65s", "老人", "老年", "长者", "退休", "60岁以上", "65岁以上", "70岁以上"},
	{"teacher", "teachers", "教师", "老师"},
	{"military", "soldier", "soldiers", "veteran", "veterans", "armed forces", "军人", "退伍", "军官"},
	{"disabled", "disability", "disabilities", "残疾", "残障", "残疾人"},
}

// discountWords are what a question asking for a group's lower price says
// besides the group.
var discountWords = []string{"discount", "discounts", "concession", "concessions", "student price", "student rate",
	"reduced price", "cheaper", "deal", "deals",
	"优惠", "折扣", "打折", "有折", "几折", "半价", "学生价", "学生票", "老人票", "便宜点", "便宜些", "减免", "免费"}

// passageTopics are serviceTopics (a question naming a word of the group
// needs a passage that names one) and askedTopics, as one list.
var passageTopics = append(serviceAsked(serviceTopics), askedTopics...)

// serviceAsked returns each of topics as an askedTopic whose one group of
// ask is also its evidence.
func serviceAsked(topics [][]string) []askedTopic {
	out := make([]askedTopic, 0, len(topics))
	for _, t := range topics {
		out = append(out, askedTopic{ask: [][]string{t}, evidence: t})
	}
	return out
}

// missingTopic reports whether question asks about one of passageTopics
// that passage does not name. The passage is read only when the question
// asks about one, as few do: Cover runs on every reply.
func missingTopic(question, passage string) bool {
	ql, qw := strings.ToLower(question), topicWords(question)
	var pl, pw string
	for _, t := range passageTopics {
		if !t.asked(ql, qw) {
			continue
		}
		if pw == "" {
			pl, pw = strings.ToLower(passage), topicWords(passage)
		}
		if !namesTopic(pl, pw, t.evidence) {
			return true
		}
	}
	return false
}
