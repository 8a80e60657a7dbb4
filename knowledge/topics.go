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

// missingTopic reports whether question names one of serviceTopics that
// passage does not name. The passage is read only when the question names
// a topic, as few do: Cover runs on every reply.
func missingTopic(question, passage string) bool {
	ql, qw := strings.ToLower(question), topicWords(question)
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
