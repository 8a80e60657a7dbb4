package knowledge

import (
	"strings"
	"unicode"
)

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

// missingTopic reports whether question asks about one of offTopics that
// passage does not mention. The passage is read only when the question
// asks about one, as few do: Cover runs on every reply.
func missingTopic(question, passage string) bool {
	var pl, pw string
	for _, t := range offTopics {
		if !t.asks.MatchString(question) {
			continue
		}
		if pw == "" {
			pl, pw = strings.ToLower(passage), topicWords(passage)
		}
		if !namesTopic(pl, pw, t.mentions) {
			return true
		}
	}
	return false
}
