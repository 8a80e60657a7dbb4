package entity

import (
	"strings"
	"unicode/utf8"
)

// Negation and "outside" cues, read from a few words either side of a mention
// within its clause. Lists are '|'-separated; English words are lower case.
const (
	// enNeg before a mention: "we don't accept PayPal", "except Russia".
	enNeg = "not|no|don't|dont|doesn't|doesnt|cannot|can't|cant|won't|wont|never|except|excluding|without|nor|neither|isn't|aren't|unable"
	// enNegBridge may stand between an English cue and the mention.
	enNegBridge = "accept|accepted|accepting|offer|offered|offering|take|taken|support|supported|use|used|provide|ship|shipping|deliver|delivering|send|sending|currently|yet|longer|at|all|any|have|to|via|by|with|for|in|the|a|an|pay|be|able|also|still|orders|from"
	// enPostNeg after a mention: "PayPal is not accepted", "… is unavailable".
	enPostNeg    = "not|isn't|aren't|cannot|can't|won't|unavailable|unsupported"
	enPostBridge = "is|are|was|were|currently|still|will|be|can|may|also|yet|payments|payment|orders"

	// zhNegBefore within two characters before a mention: 不支持货到付款, 无法使用信用卡.
	zhNegBefore = "不支持|不接受|不提供|不能|不可以|不可|无法|没有|暂不|不收|不寄|不发|不送|不配送|不包括|不包含|不含|未开通|不开通|不适用|不使用|没法|不办理|不再|拒收"
	// zhNegAfter within two characters after a mention: 花呗暂不支持, 港澳台除外.
	zhNegAfter = "不支持|不可用|不能用|无法使用|不接受|暂不支持|暂不|除外|不可以|不行|不提供|不适用|不发货|不配送|不寄|不送|不能寄|无法寄|不能发|无法配送|暂停"
	// zhExcept before a mention: 除(了)X(以外) excludes X, unless the sentence
	// goes on with 还 or 也 ("besides X, we also …").
	zhExcept = "除了|除"
	// zhOutsideAfter right after a place (or after two characters such as 地区).
	zhOutsideAfter = "以外|之外|境外"

	// Separators between the items of a list, over which a negation carries.
	listSymbols = ",|，|、|/|&|和|或者|或|以及|及|与|跟"
	listWords   = "and|or|nor|the"
)

// English word classes, bits of cues.words.
const (
	wNeg        uint16 = 1 << iota // enNeg
	wNegBridge                     // enNegBridge
	wPostNeg                       // enPostNeg
	wPostBridge                    // enPostBridge
	wList                          // listWords
	wStreet                        // enStreets
)

// cues holds the cue tables in the form annotate reads them; New builds it
// once from the constant lists above.
type cues struct {
	words                             map[string]uint16 // lower-case English word → classes
	zhNegBefore, zhExcept             cueSet            // keyed by last rune
	zhNegAfter, zhOutsideAfter, zhStr cueSet            // keyed by first rune
	listSymbol                        []string
}

// cueSet is a list of Chinese cues grouped by their first or last rune, so
// that most positions are rejected by one lookup.
type cueSet map[rune][]string

func newCueSet(list string, last bool) cueSet {
	s := cueSet{}
	for _, item := range strings.Split(list, "|") {
		r, _ := utf8.DecodeRuneInString(item)
		if last {
			r, _ = utf8.DecodeLastRuneInString(item)
		}
		s[r] = append(s[r], item)
	}
	return s
}

// prefix reports whether s starts with a cue of the set; r is s's first rune.
func (cs cueSet) prefix(s string, r rune) bool {
	for _, item := range cs[r] {
		if strings.HasPrefix(s, item) {
			return true
		}
	}
	return false
}

// suffix reports whether s ends with a cue of the set; r is s's last rune.
func (cs cueSet) suffix(s string, r rune) bool {
	for _, item := range cs[r] {
		if strings.HasSuffix(s, item) {
			return true
		}
	}
	return false
}

func newCues() cues {
	c := cues{
		words:          map[string]uint16{},
		zhNegBefore:    newCueSet(zhNegBefore, true),
		zhExcept:       newCueSet(zhExcept, true),
		zhNegAfter:     newCueSet(zhNegAfter, false),
		zhOutsideAfter: newCueSet(zhOutsideAfter, false),
		zhStr:          newCueSet(zhStreets, false),
		listSymbol:     strings.Split(listSymbols, "|"),
	}
	for _, l := range []struct {
		list  string
		class uint16
	}{{enNeg, wNeg}, {enNegBridge, wNegBridge}, {enPostNeg, wPostNeg}, {enPostBridge, wPostBridge}, {listWords, wList}, {enStreets, wStreet}} {
		for _, w := range strings.Split(l.list, "|") {
			c.words[w] |= l.class
		}
	}
	return c
}

// class returns the classes of an English word of the text, ignoring case
// and the kind of apostrophe.
func (c *cues) class(w string) uint16 {
	var buf [24]byte
	n := 0
	for i := 0; i < len(w); i++ {
		if n == len(buf) {
			return 0
		}
		b := w[i]
		switch {
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		case b == 0xE2 && strings.HasPrefix(w[i:], "’"):
			b, i = '\'', i+len("’")-1
		}
		buf[n] = b
		n++
	}
	return c.words[string(buf[:n])]
}

// annotate sets Negated, Outside and Question on ms, the mentions found in
// text.
func (c *cues) annotate(text string, ms []Mention) {
	var pre, post uint64 // mentions negated by a cue before / after them (the first 64)
	sentEnd, question := -1, false
	for k := range ms {
		m := &ms[k]
		if m.End > sentEnd {
			sentEnd, question = sentence(text, m.End)
		}
		m.Question = question
		negB, outB := c.enBefore(text, m.Start)
		zNegB, zOutB, except := c.zhBefore(text, m.Start)
		negA := c.enAfter(text, m.End)
		zNegA, zOutA := c.zhAfter(text, m.End)
		negB, outB, negA = negB || zNegB, outB || zOutB, negA || zNegA
		outside := outB || zOutA
		switch {
		case except && inclusive(text[m.End:]):
			negB, negA, outside = false, false, false
		case except:
			negB, outside = true, false
		case outside && (negB || negA):
			// "we don't ship outside the EU", 不寄往中国大陆以外: the place itself.
			negB, negA, outside = false, false, false
		}
		m.Negated = negB || negA
		m.Outside = outside && m.Kind == Place
		if k < 64 && negB {
			pre |= 1 << k
		}
		if k < 64 && negA {
			post |= 1 << k
		}
	}
	// A negation carries along a list: forwards from a cue before the first
	// item ("we don't accept PayPal, Apple Pay or cheques", 不支持货到付款、信用卡),
	// backwards from a cue after the last (货到付款和信用卡暂不支持).
	for k := 1; k < len(ms) && k < 64; k++ {
		if pre&(1<<(k-1)) != 0 && ms[k].Kind == ms[k-1].Kind && c.listGap(text[ms[k-1].End:ms[k].Start]) {
			ms[k].Negated, ms[k].Outside = true, false
			pre |= 1 << k
		}
	}
	for k := min(len(ms), 64) - 2; k >= 0; k-- {
		if post&(1<<(k+1)) != 0 && ms[k].Kind == ms[k+1].Kind && c.listGap(text[ms[k].End:ms[k+1].Start]) {
			ms[k].Negated, ms[k].Outside = true, false
			post |= 1 << k
		}
	}
}

// enBefore reads the English words before pos: a negation cue with only
// bridge words between it and the mention, or "outside (of) (the)" / "non-".
func (c *cues) enBefore(text string, pos int) (neg, outside bool) {
	ws, n := wordsBefore(text, pos)
	if n == 0 {
		return false, false
	}
	out := -1
	if eqWord(ws[0], "non") {
		out = 0
	} else {
		for k := 0; k < n; k++ {
			if eqWord(ws[k], "outside") {
				out = k
				break
			}
			if !eqWord(ws[k], "of") && !eqWord(ws[k], "the") {
				break
			}
		}
	}
	if out >= 0 {
		return false, !c.negated(ws[out+1 : n])
	}
	return c.negated(ws[:n]), false
}

// negated reports whether ws (nearest first) starts with bridge words and
// then a negation cue.
func (c *cues) negated(ws []string) bool {
	for _, w := range ws {
		if done, neg := c.step(w, wNeg, wNegBridge); done {
			return neg
		}
	}
	return false
}

// step reads one word w of a run of bridge words that may end in a cue:
// done with found true when w is the cue, done with found false when it is
// neither cue nor bridge, not done when it is a bridge word.
func (c *cues) step(w string, cue, bridge uint16) (done, found bool) {
	cl := c.class(w)
	if cl&cue != 0 {
		return true, true
	}
	return cl&bridge == 0, false
}

// enAfter reads the English words after pos: "is not", "are currently
// unavailable".
func (c *cues) enAfter(text string, pos int) bool {
	rest := text[pos:]
	for range 3 {
		var w string
		w, rest = nextWord(rest)
		if w == "" {
			return false
		}
		if done, neg := c.step(w, wPostNeg, wPostBridge); done {
			return neg
		}
	}
	return false
}

// wordsBefore returns up to four English words before pos in its clause,
// nearest first; anything but letters, apostrophes, spaces and hyphens ends
// the clause.
func wordsBefore(text string, pos int) (ws [4]string, n int) {
	j := pos
	for n < len(ws) {
		for j > 0 {
			r, s := utf8.DecodeLastRuneInString(text[:j])
			if r != ' ' && r != '\t' && r != '-' && r != 0xA0 {
				break
			}
			j -= s
		}
		k := j
		for k > 0 {
			r, s := utf8.DecodeLastRuneInString(text[:k])
			if !isEnLetter(r) && r != '\'' && r != '’' {
				break
			}
			k -= s
		}
		if k == j {
			break
		}
		ws[n], n, j = text[k:j], n+1, k
	}
	return ws, n
}

// nextWord returns the English word that starts s after spaces and hyphens,
// and what follows it; w is "" if s goes on with anything else.
func nextWord(s string) (w, rest string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '-') {
		i++
	}
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isEnLetter(r) && r != '\'' && r != '’' {
			break
		}
		j += size
	}
	return s[i:j], s[j:]
}

func isEnLetter(r rune) bool {
	l := r | 0x20
	return 'a' <= l && l <= 'z'
}

// isZHPunct reports CJK and full-width punctuation, which ends a clause.
func isZHPunct(r rune) bool {
	return (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF65)
}

// zhBefore tests the Chinese cues that end at pos or up to two Chinese
// characters before it (不支持[使用]PayPal), and 非 right before it.
func (c *cues) zhBefore(text string, pos int) (neg, outside, except bool) {
	p := pos
	for step := 0; step <= 2; step++ {
		s := strings.TrimRight(text[:p], " ")
		r, size := utf8.DecodeLastRuneInString(s)
		if !isCJK(r) || isZHPunct(r) {
			break
		}
		if step == 0 && r == '非' {
			outside = true
		}
		if c.zhExcept.suffix(s, r) {
			return false, false, true
		}
		if c.zhNegBefore.suffix(s, r) {
			return true, outside, false
		}
		p = len(s) - size
	}
	return false, outside, false
}

// zhAfter tests the Chinese cues that start at pos or up to two Chinese
// characters after it (港澳台[地区]除外, 中国大陆以外).
func (c *cues) zhAfter(text string, pos int) (neg, outside bool) {
	p := pos
	for step := 0; step <= 2; step++ {
		s := strings.TrimLeft(text[p:], " ")
		r, size := utf8.DecodeRuneInString(s)
		if !isCJK(r) || isZHPunct(r) {
			break
		}
		if c.zhNegAfter.prefix(s, r) {
			return true, outside
		}
		if c.zhOutsideAfter.prefix(s, r) {
			outside = true
		}
		p = len(text) - len(s) + size
	}
	return false, outside
}

// sentence returns the end of the sentence that goes on at pos, and whether
// it ends with a question mark.
func sentence(text string, pos int) (end int, question bool) {
	for i, r := range text[pos:] {
		switch r {
		case '?', '？':
			return pos + i, true
		case '。', '！', '!', '\n':
			return pos + i, false
		case '.':
			if j := pos + i + 1; j == len(text) || text[j] == ' ' || text[j] == '\n' {
				return pos + i, false
			}
		}
	}
	return len(text), false
}

// inclusive reports whether the rest of the sentence reads 除了X，还/也…
// ("besides X, also …") rather than 除了X以外都… ("all but X").
func inclusive(rest string) bool {
	for i, r := range rest {
		switch r {
		case '还', '也':
			return true
		case '。', '！', '？', '；', '!', '?', ';', '\n':
			return false
		}
		if i > 120 {
			return false
		}
	}
	return false
}

// listGap reports whether s, the text between two mentions, only separates
// the items of a list.
func (c *cues) listGap(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return true
		}
		if item := prefixItem(s, c.listSymbol); item != "" {
			s = s[len(item):]
			continue
		}
		w, rest := nextWord(s)
		if w == "" || c.class(w)&wList == 0 {
			return false
		}
		s = rest
	}
}

// prefixItem returns the item of list that starts s, or "".
func prefixItem(s string, list []string) string {
	for _, item := range list {
		if strings.HasPrefix(s, item) {
			return item
		}
	}
	return ""
}
