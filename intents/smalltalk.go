package intents

import (
	"strings"
	"unicode/utf8"
)

// smallTalk recognises greetings, thanks and goodbyes in short messages,
// whatever the company's intents were trained on: "How are you today?"
// is small talk even where the intent model reads "today" as a question
// about opening hours.
type smallTalk struct {
	labels []string   // intent of each lexicon
	lex    []*lexicon // phrases of each label
}

// maxSmallTalkRunes and maxSmallTalkWords bound a message read as small
// talk by its phrases: a longer one carries a question.
const (
	maxSmallTalkRunes = 24
	maxSmallTalkWords = 5
)

func newSmallTalk() *smallTalk {
	byLabel := map[string]*strings.Builder{}
	st := &smallTalk{}
	for line := range strings.SplitSeq(mustSeed("smalltalk.txt"), "\n") {
		line = strings.TrimSpace(line)
		label, phrase, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		label = strings.TrimSpace(label)
		b, seen := byLabel[label]
		if !seen {
			b = &strings.Builder{}
			byLabel[label] = b
			st.labels = append(st.labels, label)
		}
		b.WriteString(strings.TrimSpace(phrase) + "\n")
	}
	for _, l := range st.labels {
		st.lex = append(st.lex, newLexicon(byLabel[l].String()))
	}
	return st
}

// label returns the small-talk intent of a short message, or "".
func (st *smallTalk) label(text string) string {
	if utf8.RuneCountInString(strings.TrimSpace(text)) > maxSmallTalkRunes || len(strings.Fields(text)) > maxSmallTalkWords {
		return ""
	}
	t := newLexText(text)
	for i, lx := range st.lex {
		found := false
		lx.match(t, func(*lexTerm, string, int) { found = true })
		if found {
			return st.labels[i]
		}
	}
	return ""
}
