package bot

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// laughter words are dropped anywhere in a message (TrimPleasantries).
var laughter = map[string]bool{"lol": true, "lmao": true, "haha": true, "hahaha": true, "hehe": true, "lolol": true}

// TrimPleasantries removes a short greeting clause from the start of
// lower-cased text (see cutGreetingClause), then openers from its start and
// closers from its end, with the punctuation beside them, as often as they
// stand there, and laughter words anywhere (see the lists below). A phrase counts
// only as whole words: "high chair" does not open with "hi". What is left
// may be empty.
func TrimPleasantries(s string) string {
	return trimPleasantries(s, openers, closers, true)
}

// Pleasantries that open or close a message ("hi!", "hello there, quick
// question,", "…? thanks", "你好，请问", "谢谢") and laughter anywhere ("lol",
// "haha", "哈哈") carry nothing to search for, and cost a right candidate
// the confidence to be answered: "hi! do you do weddings? thanks" scored
// 0.05 where "do you do weddings" scored 0.82. Only at the ends do they
// go: "do you print thank you cards" asks about thank-you cards. Openers
// that frame a question ("can you tell me", "i was wondering") go too:
// "tell me a joke" matched "Tell us in the chat" on a complaints page.
//
// Salutations only greet, address, wish well or thank; framing opens a
// question or a request ("请问", "can you tell me"), and requests and
// laughter close one ("please", "lol"). TrimPleasantries drops them all;
// TrimSalutations only the salutations, since framing tells a question
// from a statement and laughter a joke from a grievance.
var (
	salutationOpeners = []string{
		"hi there", "hello there", "hey there", "good morning", "good afternoon", "good evening", "hello", "hiya",
		"heya", "hey", "hii", "hi", "dear", "yo", "你好", "您好", "哈喽", "嗨", "亲", "在吗", "在不在", "老板", "美女", "帅哥", "小姐姐",
		"小哥哥", "店家", "掌柜的", "掌柜", "有人在吗", "有人吗", "嗨嗨", "哈喽哈喽", "hope you're well", "hope you are well",
		"hope you're doing well", "hope you are doing well", "hope all is well", "i hope you can help",
		"hope you can help me", "hope you can help",
	}
	framingOpeners = []string{
		"quick question", "just a quick question", "a quick question", "just wondering", "question", "excuse me",
		"sorry to bother you", "ok so", "okay so", "so", "um", "umm", "hmm", "btw", "can you please tell me",
		"could you please tell me", "can you tell me", "could you tell me", "can u tell me", "would you tell me",
		"please tell me", "pls tell me", "tell me", "can you let me know", "could you let me know", "let me know",
		"i'd like to know", "i would like to know", "i want to know", "i wanna know", "i was wondering", "请问一下",
		"请问", "麻烦问一下", "问一下", "打扰一下", "想问一下", "想问下", "问下", "i have a question about", "i have a question", "quick q",
	}
	salutationClosers = []string{
		"thank you so much", "thanks so much", "thank you very much", "thanks a lot", "many thanks",
		"much appreciated", "thank you", "thanks", "thx", "ty", "cheers", "谢谢啦", "谢谢你", "谢谢您", "谢谢", "多谢", "感谢",
		"麻烦了", "辛苦了", "亲亲", "呀亲", "啊亲", "哈亲", "呢亲", "哦亲", "亲", "谢谢亲", "thanks in advance", "thank you in advance",
		"tia", "cheers mate", "thanks mate", "have a nice day", "have a good day", "have a great day",
		"i appreciate it", "appreciate it", "appreciated", "thx in advance", "ty in advance", "thanks again",
		"thank u", "谢谢老板", "多谢老板", "谢谢美女", "谢谢帅哥", "谢谢小姐姐", "谢谢了", "谢了", "感谢感谢", "谢谢谢谢",
	}
	requestClosers = []string{"please", "pls", "plz", "lol", "haha", "哈哈"}

	openers = slices.Concat(salutationOpeners, framingOpeners)
	closers = slices.Concat(salutationClosers, requestClosers)
)

// TrimSalutations is TrimPleasantries for salutations only (a greeting
// clause, salutationOpeners, salutationClosers): what a classifier should
// not read, since "hi team, … thanks!" says nothing of what is asked or
// complained about, while "请问" and "please" do.
func TrimSalutations(s string) string {
	return trimPleasantries(s, salutationOpeners, salutationClosers, false)
}

func trimPleasantries(s string, openers, closers []string, laughs bool) string {
	orig, trimmed := s, false
	if rest, ok := cutGreetingClause(s); ok {
		s, trimmed = rest, true
	}
	if rest, ok := cutApologyClause(s); ok {
		s, trimmed = rest, true
	}
	for changed := true; changed; {
		changed = false
		t := strings.TrimLeftFunc(s, isFillerPunct)
		for _, o := range openers {
			if rest, ok := strings.CutPrefix(t, o); ok && standsAlone(o, firstRune(rest)) {
				rest = strings.TrimLeft(rest, particles) // "你好呀", "hello呀"
				s, changed, trimmed = strings.TrimLeftFunc(rest, isFillerPunct), true, true
				break
			}
		}
		t = strings.TrimRightFunc(s, isFillerPunct)
		for _, c := range closers {
			if rest, ok := strings.CutSuffix(t, c); ok && standsAlone(c, lastRune(rest)) {
				s, changed, trimmed = strings.TrimRightFunc(rest, isFillerPunct), true, true
				break
			}
		}
	}
	if !laughs {
		if !trimmed {
			return orig
		}
		return s
	}
	words := strings.Fields(s)
	kept := make([]string, 0, len(words))
	for _, w := range words {
		if laughter[strings.TrimFunc(w, isFillerPunct)] {
			trimmed = true
			if p := strings.TrimLeftFunc(w, unicode.IsLetter); p != "" {
				kept = append(kept, p) // "toes lol. which class": the clause still ends
			}
			continue
		}
		kept = append(kept, w)
	}
	if !trimmed {
		return orig
	}
	return strings.Join(kept, " ")
}

// particles are the Chinese modal particles that may follow an opener ("你好呀",
// "hello呀", "在吗啊") and go with it.
const particles = "呀啊哈呢哦喔嘛"

// bareGreetings open a greeting clause only standing alone in it ("evening!",
// not "evening classes, how much?").
var bareGreetings = []string{"evening", "afternoon"}

// greetings open a greeting clause (see cutGreetingClause).
var greetings = []string{"hi", "hello", "hey", "hiya", "heya", "hii", "yo", "howdy", "greetings", "dear", "morning",
	"good morning", "good afternoon", "good evening", "你好", "您好", "哈喽", "嗨"}

// clauseEnds end a greeting clause; a dash only between spaces ("hey guys
// - ", not "hi-fi").
var clauseEnds = []string{",", "!", ":", " - ", " — ", " – ", "~", "，", "！", "：", "～", "。"}

// apologyEnds end an apology clause: clauseEnds and a full stop.
var apologyEnds = append(slices.Clip(clauseEnds), ". ")

// firstClauseEnd returns the index in t of the first of ends, or -1.
func firstClauseEnd(t string, ends []string) int {
	end := -1
	for _, b := range ends {
		if i := strings.Index(t, b); i >= 0 && (end < 0 || i < end) {
			end = i
		}
	}
	return end
}

// maxGreetingWords is the longest greeting clause, in words: "hi jade leaf
// team", "hey guys quick q", "hi im new here".
const maxGreetingWords = 5

// cutGreetingClause removes from lower-cased text a first clause that opens
// with a greeting and is no longer than maxGreetingWords, when a comma, an
// exclamation mark, a colon or a spaced dash ends it (clauseEnds) and more
// follows: "hi jade leaf team, how much is the longjing?" is "how much is
// the longjing?"; the shop's name and "team", "guys" or "sir/madam" in it
// are words a search would otherwise try to match. A clause a question mark
// ends is kept: it asks.
func cutGreetingClause(s string) (string, bool) {
	t := strings.TrimLeftFunc(s, isFillerPunct)
	opens := false
	for _, g := range greetings {
		if rest, ok := strings.CutPrefix(t, g); ok && standsAlone(g, firstRune(rest)) {
			opens = true
			break
		}
	}
	end := firstClauseEnd(t, clauseEnds)
	if !opens && end > 0 && slices.Contains(bareGreetings, strings.TrimSpace(t[:end])) {
		opens = true
	}
	if !opens {
		return s, false
	}
	if end < 0 || len(strings.Fields(t[:end])) > maxGreetingWords {
		return s, false
	}
	rest := strings.TrimLeftFunc(t[end:], isFillerPunct)
	if rest == "" {
		return s, false
	}
	return rest, true
}

// maxApologyWords is the longest apology clause, in words (English) or
// characters (Chinese, counted as Han characters over two).
const maxApologyWords = 10

// cutApologyClause removes from lower-cased text a first clause in which
// the customer apologises for asking ("sorry if this was asked before,",
// "sorry for the dumb question -", "sorry to bother you again:",
// "不好意思可能有人问过了，", "抱歉打扰一下，"), when a comma, an exclamation
// mark, a colon, a full stop or a spaced dash ends it and more follows: a
// courtesy, not a grievance, and no words to search for. An English clause
// must open "sorry if", "sorry for", "sorry to" or "sorry in advance"; a
// Chinese one open with 不好意思 or 抱歉 and speak of asking or troubling
// (问, 打扰, 麻烦). "sorry but this is the third time" is kept: it complains.
func cutApologyClause(s string) (string, bool) {
	t := strings.TrimLeftFunc(s, isFillerPunct)
	end := firstClauseEnd(t, apologyEnds)
	if end <= 0 {
		return s, false
	}
	clause := t[:end]
	ok := false
	for _, p := range []string{"sorry if ", "sorry for ", "sorry to ", "sorry in advance"} {
		ok = ok || strings.HasPrefix(clause, p) && len(strings.Fields(clause)) <= maxApologyWords
	}
	for _, p := range []string{"不好意思", "抱歉"} {
		if strings.HasPrefix(clause, p) && strings.ContainsAny(clause, "问扰烦") &&
			utf8.RuneCountInString(clause) <= 2*maxApologyWords {
			ok = true
		}
	}
	rest := strings.TrimLeftFunc(t[end:], isFillerPunct)
	if !ok || rest == "" {
		return s, false
	}
	return rest, true
}

// isFillerPunct reports whether r may stand beside a pleasantry: space,
// punctuation or a symbol (an emoji).
func isFillerPunct(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// standsAlone reports whether phrase, cut from a text, is a whole word
// beside neighbour, the character next to it in what is left (the UTF-8
// error rune when nothing is): a Chinese phrase of two characters or more
// always is; others need a neighbour that is no letter, digit or hyphen
// ("亲，" but not "亲子课", "hi!" but not "high" or "hi-fi").
func standsAlone(phrase string, neighbour rune) bool {
	if r, _ := utf8.DecodeRuneInString(phrase); r >= utf8.RuneSelf && utf8.RuneCountInString(phrase) > 1 {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(phrase); r < utf8.RuneSelf && unicode.Is(unicode.Han, neighbour) {
		return true // "hello呀": Latin beside Han is a word boundary
	}
	return !unicode.IsLetter(neighbour) && !unicode.IsDigit(neighbour) && neighbour != '-'
}

func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

func lastRune(s string) rune { r, _ := utf8.DecodeLastRuneInString(s); return r }
