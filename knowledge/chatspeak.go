package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// chatFiller are the short forms of pronouns and courtesies customers type
// in chat ("do u do weddings", "where r u guys", "pls"). Content is not
// written in them, so the index knows none of them: each counted against
// every candidate as a word the query names that the candidate lacks, and
// its nearest words by one edit ("a", "us", "up") counted as matches. "do u
// do weddings" scored 0.29 where "do you do weddings" scored 0.82. They
// carry nothing to search for, so the query drops them. Expanding them
// ("you") or content short forms ("pic", "bday", "ppl") instead ranked
// worse on the read companies left out one at a time.
var chatFiller = map[string]bool{
	"u": true, "ya": true, "yu": true, "ur": true, "urs": true, "r": true,
	"pls": true, "plz": true, "thx": true, "tnx": true,
}

// dropChatFiller removes the chat fillers of lower-cased text (see
// chatFiller), word by word; a word is a run of ASCII letters, digits,
// apostrophes, hyphens and slashes, so that "u-lock" is read whole, and a
// word glued to a Chinese character ("u盘", a USB drive) is part of a
// Chinese word. Anything else is copied as it is. s is valid UTF-8, as
// cleanQuery returns it.
func dropChatFiller(s string) string {
	inWord := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '\'' || c == '-' || c == '/'
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		if !inWord(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && inWord(s[j]) {
			j++
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[j:])
		glued := before >= utf8.RuneSelf && unicode.IsLetter(before) || after >= utf8.RuneSelf && unicode.IsLetter(after)
		if chatFiller[s[i:j]] && !glued {
			changed = true
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	if !changed {
		return s
	}
	return b.String()
}

// Pleasantries that open or close a message ("hi!", "hello there, quick
// question,", "…? thanks", "你好，请问", "谢谢") and laughter anywhere ("lol",
// "haha", "哈哈") carry nothing to search for, and cost a right candidate
// the confidence to be answered: "hi! do you do weddings? thanks" scored
// 0.05 where "do you do weddings" scored 0.82. Only at the ends do they
// go: "do you print thank you cards" asks about thank-you cards.
var (
	openers = []string{"hi there", "hello there", "hey there", "good morning", "good afternoon", "good evening",
		"hello", "hiya", "heya", "hey", "hii", "hi", "quick question", "just a quick question", "a quick question",
		"just wondering", "question", "excuse me", "sorry to bother you", "dear", "ok so", "okay so", "so",
		"um", "umm", "hmm", "btw",
		"你好", "您好", "哈喽", "嗨", "亲", "在吗", "在不在", "老板", "请问一下", "请问", "麻烦问一下", "问一下", "打扰一下",
		"想问一下", "想问下", "问下"}
	closers = []string{"thank you so much", "thanks so much", "thank you very much", "thanks a lot", "many thanks",
		"much appreciated", "thank you", "thanks", "thx", "ty", "cheers", "please", "pls", "plz", "lol", "haha",
		"谢谢啦", "谢谢你", "谢谢您", "谢谢", "多谢", "感谢", "麻烦了", "辛苦了", "哈哈"}
	laughter = map[string]bool{"lol": true, "lmao": true, "haha": true, "hahaha": true, "hehe": true, "lolol": true}
)

// trimPleasantries removes openers from the start of lower-cased text and
// closers from its end, with the punctuation beside them, as often as they
// stand there, and laughter words anywhere (see openers). A phrase counts
// only as whole words: "high chair" does not open with "hi". What is left
// may be empty.
func trimPleasantries(s string) string {
	orig, trimmed := s, false
	for changed := true; changed; {
		changed = false
		t := strings.TrimLeftFunc(s, isFillerPunct)
		for _, o := range openers {
			if rest, ok := strings.CutPrefix(t, o); ok && wordEnds(o, rest) {
				s, changed, trimmed = strings.TrimLeftFunc(rest, isFillerPunct), true, true
				break
			}
		}
		t = strings.TrimRightFunc(s, isFillerPunct)
		for _, c := range closers {
			if rest, ok := strings.CutSuffix(t, c); ok && wordStarts(c, rest) {
				s, changed, trimmed = strings.TrimRightFunc(rest, isFillerPunct), true, true
				break
			}
		}
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

// isFillerPunct reports whether r may stand beside a pleasantry: space,
// punctuation or a symbol (an emoji).
func isFillerPunct(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// wordEnds reports whether phrase, cut from the front of a text whose rest
// is rest, ends a word there: a Chinese phrase of two characters or more
// does; others need a non-letter next ("亲，" but not "亲子课").
func wordEnds(phrase, rest string) bool {
	if r, _ := utf8.DecodeLastRuneInString(phrase); r >= utf8.RuneSelf && utf8.RuneCountInString(phrase) > 1 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// wordStarts is wordEnds for a phrase cut from the end of a text.
func wordStarts(phrase, rest string) bool {
	if r, _ := utf8.DecodeRuneInString(phrase); r >= utf8.RuneSelf && utf8.RuneCountInString(phrase) > 1 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(rest)
	return rest == "" || !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
