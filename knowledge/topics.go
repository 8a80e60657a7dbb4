package knowledge

import (
	"strings"
	"unicode"
)

// serviceTopics are things customers of any trade ask about that a shop's
// content either names or does not cover at all: access for a wheelchair,
// jobs, calories, the wifi, toilets, franchising, smoking. A passage that
// names none of its topic's words does not answer a question that names
// one ("is the shop wheelchair accessible" is not answered by the shop's
// address), whatever else they share. Each topic is a group of words that
// say the same thing: English words and phrases matched as whole words,
// Chinese ones anywhere. Written for Concierge by hand.
var serviceTopics = [][]string{
	{"wheelchair", "wheelchairs", "accessible", "accessibility", "step-free", "step free", "disabled access", "ramp",
		"轮椅", "无障碍", "残疾人"},
	{"hiring", "vacancy", "vacancies", "recruiting", "job opening", "job openings", "apply for a job", "careers",
		"招聘", "招人", "招不招", "招兼职", "应聘", "求职"},
	{"calorie", "calories", "kcal", "卡路里", "热量", "大卡"},
	{"wifi", "wi-fi", "wireless internet", "无线网", "wifi密码"},
	{"toilet", "toilets", "restroom", "restrooms", "washroom", "washrooms", "厕所", "洗手间", "卫生间"},
	{"franchise", "franchising", "franchisee", "加盟"},
	{"smoke", "smoking", "抽烟", "吸烟"},
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

// concessions are the groups of customers a shop may or may not sell to
// for less: students, seniors, teachers, soldiers, people with a
// disability, children. A question that asks for one group's discount
// ("do you have a student discount", "学生有优惠不", "老人有折扣没") is not
// answered by a passage that names nobody of that group ("Orders of 60
// bottles or more get 10% off", a recharge bonus table), however much of
// "discount" they share; a passage that says the group gets nothing extra
// ("no student discount, but…") names it and answers. group holds the
// words that name the group (English ones matched as whole words, Chinese
// ones anywhere), in a question and in a passage alike. Written for
// Concierge by hand.
var concessions = []struct{ group []string }{
	{[]string{"student", "students", "uni student", "college student", "学生", "大学生", "在校生", "学生证", "学生党"}},
	{[]string{"senior", "seniors", "senior citizen", "senior citizens", "elderly", "pensioner", "pensioners", "retired", "retiree", "retirees",
		"over 60", "over 65", "over 60s", "over 65s", "老人", "老年", "长者", "退休", "60岁以上", "65岁以上", "70岁以上"}},
	{[]string{"teacher", "teachers", "教师", "老师"}},
	{[]string{"military", "soldier", "soldiers", "veteran", "veterans", "armed forces", "军人", "退伍", "军官"}},
	{[]string{"disabled", "disability", "disabilities", "残疾", "残障", "残疾人"}},
}

// discountWords are what a question asking for a group's lower price says
// besides the group: English whole words, Chinese anywhere.
var discountWords = []string{"discount", "discounts", "concession", "concessions", "student price", "student rate",
	"reduced price", "cheaper", "deal", "deals",
	"优惠", "折扣", "打折", "有折", "几折", "半价", "学生价", "学生票", "老人票", "便宜点", "便宜些", "减免", "免费"}

// missingConcession reports whether question asks for the discount of one
// of concessions' groups and passage names nobody of that group.
func missingConcession(ql, qw, passage string) bool {
	if !namesTopic(ql, qw, discountWords) && !strings.Contains(ql, "% off") {
		return false
	}
	var pl, pw string
	for _, c := range concessions {
		if !namesTopic(ql, qw, c.group) {
			continue
		}
		if pw == "" {
			pl, pw = strings.ToLower(passage), topicWords(passage)
		}
		if !namesTopic(pl, pw, c.group) {
			return true
		}
	}
	return false
}

// missingTopic reports whether question names one of serviceTopics that
// passage does not name. The passage is read only when the question names
// a topic, as few do: Cover runs on every reply.
func missingTopic(question, passage string) bool {
	ql, qw := strings.ToLower(question), topicWords(question)
	if missingConcession(ql, qw, passage) {
		return true
	}
	var pl, pw string
	for _, t := range serviceTopics {
		if !namesTopic(ql, qw, t) {
			continue
		}
		if pw == "" {
			pl, pw = strings.ToLower(passage), topicWords(passage)
		}
		if !namesTopic(pl, pw, t) {
			return true
		}
	}
	return false
}
