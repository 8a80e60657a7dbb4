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

// label returns the small-talk intent of a short message ("" for a longer
// one, or one that asks something besides its phrases, see read), whether
// the message holds a small-talk phrase at all, whatever its length, and
// whether it asks something besides its phrases.
func (st *smallTalk) label(text string) (label string, any, asks bool) {
	first, asks := st.read(text)
	if first != "" && !asks && shortEnough(text) {
		label = first
	}
	return label, first != "", asks
}

// read returns the small-talk intent of the first phrase text holds ("" if
// none), and whether it asks something besides its phrases:
// "你好，发货后多久能收到？谢谢" asks when a parcel comes, "昨天落了个水杯在南山店
// 还在吗" whether a lost cup is still there (在吗 greets only alone); "how are
// you today?" and "老板在吗" ask nothing else.
func (st *smallTalk) read(text string) (label string, asks bool) {
	t := newLexText(text)
	rest := t.norm
	first := -1
	for i, lx := range st.lex {
		lx.match(t, func(term *lexTerm, _ string, _ int) {
			if pos := strings.Index(t.norm, term.norm); label == "" || pos >= 0 && pos < first {
				label, first = st.labels[i], pos // "thanks for your help": thanks, not help
			}
			rest = strings.ReplaceAll(rest, term.norm, " ")
		})
	}
	return label, label != "" && isQuestion(text, t) && substantive(rest)
}

// substantive reports whether normalised text, what a message holds
// besides its small-talk phrases, names something to ask about: three
// Chinese characters or two English words beyond fillers and function
// words ("请问一下", "are you there" name nothing).
func substantive(rest string) bool {
	han, words := 0, 0
	for _, r := range rest {
		if isCJK(r) && !strings.ContainsRune(smallTalkRestFiller, r) {
			han++
		}
	}
	for _, w := range strings.Fields(rest) {
		if !strings.ContainsFunc(w, isCJK) && !smallTalkRestWords[w] {
			words++
		}
	}
	return han >= 3 || words >= 2
}

// smallTalkRestFiller and smallTalkRestWords are what a greeting or thanks
// may carry that names nothing to ask about.
const smallTalkRestFiller = smallTalkFiller + "请问一下麻烦亲老板有人的在你您们好"

var smallTalkRestWords = map[string]bool{
	"you": true, "u": true, "me": true, "i": true, "we": true, "a": true, "an": true, "the": true, "is": true,
	"are": true, "am": true, "r": true, "can": true, "could": true, "would": true, "will": true, "do": true,
	"does": true, "to": true, "for": true, "with": true, "there": true, "here": true, "anyone": true,
	"someone": true, "please": true, "pls": true, "ok": true, "okay": true, "so": true, "just": true, "help": true,
	"your": true, "my": true, "it": true, "this": true, "that": true, "how": true, "what": true, "doing": true,
	"today": true, "tonight": true, "now": true, "all": true, "well": true, "good": true, "fine": true,
	"much": true, "very": true, "again": true, "guys": true, "bot": true, "robot": true, "real": true,
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
