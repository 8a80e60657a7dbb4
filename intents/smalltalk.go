package intents

import (
	"strings"
	"unicode"
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

// shortEnough reports whether text is short enough to be read as small
// talk by its phrases.
func shortEnough(text string) bool {
	return utf8.RuneCountInString(strings.TrimSpace(text)) <= maxSmallTalkRunes && len(strings.Fields(text)) <= maxSmallTalkWords
}

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
	if !shortEnough(text) {
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

// any reports whether text holds a greeting, thanks or goodbye phrase
// anywhere, whatever its length.
func (st *smallTalk) any(text string) bool {
	t := newLexText(text)
	found := false
	for _, lx := range st.lex {
		lx.match(t, func(*lexTerm, string, int) { found = true })
	}
	return found
}

// smallTalkFiller is what a message that is only small talk may hold besides
// its phrases: Chinese sentence particles ("再见啦", "拜拜哈").
const smallTalkFiller = "啦哈呀啊了吧哦喔嘛呢咯哒噢"

// whole reports whether a short message is nothing but small-talk phrases
// (and particles): "再见", "bye!", "ok 再见". Such a message carries no
// complaint whatever a text model makes of its characters ("再见" shares
// 见 with 意见, "opinion", common in Chinese complaints). Anything else in
// it — an emoji, a word — makes it not whole.
func (st *smallTalk) whole(text string) bool {
	if !shortEnough(text) {
		return false
	}
	t := newLexText(text)
	rest := t.norm
	found := false
	for _, lx := range st.lex {
		lx.match(t, func(term *lexTerm, _ string, _ int) {
			found = true
			rest = strings.ReplaceAll(rest, term.norm, " ")
		})
	}
	if !found {
		return false
	}
	for _, r := range rest {
		if r != ' ' && !strings.ContainsRune(smallTalkFiller, r) {
			return false
		}
	}
	// normalize drops symbols, emoji among them: an angry face after a
	// goodbye must still be read.
	for _, r := range text {
		if unicode.IsSymbol(r) || r >= 0x1F000 {
			return false
		}
	}
	return true
}
