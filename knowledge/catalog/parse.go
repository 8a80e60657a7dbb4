package catalog

import (
	"math"
	"strings"
)

// Question is what Parse reads in a customer's message, before any product
// is looked up.
type Question struct {
	Lang string // "zh" when the message holds Han characters, else "en"

	Price     bool // the price is asked (how much, 多少钱)
	Stock     bool // availability is asked (in stock, 有货)
	Sell      bool // whether something is sold (do you sell, 有没有)
	Compare   bool // a comparison (difference, vs, 区别)
	Recommend bool // a recommendation or gift (gift, recommend, 推荐)
	// Attrs are the attribute concepts asked (size, weight, warranty, …),
	// in the order asked.
	Attrs []string
	// Super is the concept a superlative orders by ("price", "weight",
	// "size", …), SuperDir -1 for the least and +1 for the most; SuperSoft
	// marks "cheap"-like words that only order a list.
	Super     string
	SuperDir  int
	SuperSoft bool
	// Service lists the service-topic words found (shipping, refund, 人工):
	// a question about them is the knowledge base's, not the catalogue's.
	Service []string

	// MinPrice and MaxPrice bound the price; NaN when unbounded.
	MinPrice, MaxPrice float64

	// Quantities are the measured amounts the customer gives ("25kg",
	// "130cm", "一人").
	Quantities []quantity
	// qtyAt holds, per quantity, the index in words of its number, or -1
	// (a number word or a Chinese numeral is not kept in words).
	qtyAt []int

	// words are the pieces left after cues and price bounds: the subject.
	words []piece
	// split is the index in words where the second side of a comparison
	// starts, or -1; also, without a comparison, where "and" joins two
	// things asked about ("the planter and the trowel").
	split, also int
	// cues counts the cue words and bounds found.
	cues int
	// howLong is true when "how long" asked the length: it may ask a
	// duration instead (see howLongOf).
	howLong bool
	// sold is the index in words of the first piece after the first cue
	// that asks whether something is sold, or -1 (see soldHead).
	sold int
	// soldCueAt is the index in words where that cue starts, or -1.
	soldCueAt int
	// soldCue is that cue's phrase ("do you have", "any", "有"), or "".
	soldCue string
	// sellAsked is true when the message asks in so many words whether
	// something is sold ("do you sell", "卖不卖"), not "do you have", which
	// asks about services as often as products.
	sellAsked bool
	// whatKinds is true when a Chinese message asks what there is (有什么,
	// 有啥): of nothing but generic words ("有什么茶"), the catalogue's
	// overview. It is no cue by itself: "T恤有什么颜色" asks a colour.
	whatKinds bool
	// bare is true when the message only names something, the way a search
	// box is typed ("teapots", "green tea", "茶具"): at most maxBareWords
	// words or maxBareHan Chinese characters, no cue, no service word and
	// nothing Parse took out.
	bare bool
}

// HasPriceBound reports whether the question bounds the price.
func (q Question) HasPriceBound() bool { return !math.IsNaN(q.MinPrice) || !math.IsNaN(q.MaxPrice) }

// Subject returns the words left after the cues, joined by spaces (Han
// characters without spaces), for messages and tests.
func (q Question) Subject() string {
	var b strings.Builder
	for i, p := range q.words {
		if i > 0 && (p.gap || p.kind != pHan || q.words[i-1].kind != pHan) {
			b.WriteByte(' ')
		}
		if i == q.split {
			b.WriteString("| ")
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// maxCueWords is the longest English cue phrase, in words; maxCueRunes the
// longest Chinese one.
const (
	maxCueWords = 5
	maxCueRunes = 4
)

// maxBareWords and maxBareHan bound a bare message (Question.bare).
const (
	maxBareWords = 3
	maxBareHan   = 6
)

// Parse reads a customer's message. It never fails: text it cannot read
// gives a Question that asks nothing and has no subject.
func Parse(text string) Question {
	ps := segment(text)
	q := Question{Lang: "en", MinPrice: math.NaN(), MaxPrice: math.NaN(), split: -1, also: -1}
	for _, p := range ps {
		if p.kind == pHan {
			q.Lang = "zh"
			break
		}
	}
	used := make([]role, len(ps))
	q.readBounds(ps, used)
	q.readQuantities(ps, used)
	soldAt, soldStart := q.readCues(ps, used)
	q.howLongOf()
	afterGap := false
	wordAt := make([]int, len(ps))
	for i := range wordAt {
		wordAt[i] = -1
	}
	for i, p := range ps {
		if q.Compare && q.split < 0 && len(q.words) > 0 && isConnective(ps, i) {
			q.split = len(q.words)
			afterGap = true
			continue
		}
		if !q.Compare && q.also < 0 && len(q.words) > 0 && alsoWords[p.text] && used[i] == roleSubject {
			q.also = len(q.words)
			afterGap = true
			continue
		}
		if used[i] == roleDrop || p.kind == pSym || moneyWords[p.text] {
			afterGap = true
			continue
		}
		if afterGap {
			p.gap, p.brk, p.hyphen = true, true, false // no phrase or bigram across a bound
			afterGap = false
		}
		p.role = used[i]
		wordAt[i] = len(q.words)
		q.words = append(q.words, p)
	}
	q.sold, q.soldCueAt = -1, -1
	for i := max(soldAt, 0); soldAt >= 0 && i < len(ps); i++ {
		if wordAt[i] >= 0 {
			q.sold = wordAt[i]
			break
		}
	}
	if soldStart >= 0 {
		q.soldCueAt = wordAt[soldStart]
	}
	if q.Lang == "zh" {
		q.whatKinds = strings.Contains(text, "有什么") || strings.Contains(text, "有啥") || strings.Contains(text, "有些什么")
	}
	n, han := 0, 0
	for _, p := range ps {
		switch p.kind {
		case pWord, pNum:
			n++
		case pHan:
			han++
		}
	}
	q.bare = q.cues == 0 && len(q.Service) == 0 && len(q.words) == n+han &&
		(han == 0 && n >= 1 && n <= maxBareWords || n == 0 && han >= 1 && han <= maxBareHan)
	if q.split >= len(q.words) {
		q.split = -1
	}
	if q.also >= len(q.words) {
		q.also = -1
	}
	for k, i := range q.qtyAt {
		if ps[i].kind == pNum {
			q.qtyAt[k] = wordAt[i]
		} else {
			q.qtyAt[k] = -1
		}
	}
	return q
}

// alsoWords join two things asked about in one message.
var alsoWords = set("and", "&", "和", "跟", "以及")

// isConnective reports whether piece i joins the two sides of a comparison.
func isConnective(ps []piece, i int) bool {
	p := ps[i]
	switch p.kind {
	case pWord:
		return enAnd[p.text]
	case pHan:
		if zhAnd[p.text] {
			return true
		}
		return i+1 < len(ps) && zhAnd[p.text+ps[i+1].text]
	}
	return false
}

// readCues marks the cue phrases of the built-in vocabulary: longest first,
// English by words, Chinese by characters. Of the first cue that asks
// whether something is sold, it returns the index in ps of the piece after
// it and of its first piece, both -1 when there is none.
func (q *Question) readCues(ps []piece, used []role) (soldAt, soldStart int) {
	soldAt, soldStart = -1, -1
	for i := 0; i < len(ps); i++ {
		if used[i] != roleSubject {
			continue
		}
		var longest int
		var phraseAt func([]piece, []role) (string, bool)
		var cues map[string]cue
		switch ps[i].kind {
		case pWord:
			longest, phraseAt, cues = maxCueWords, wordPhrase, enCues
		case pHan:
			longest, phraseAt, cues = maxCueRunes, hanPhrase, zhCues
		default:
			continue
		}
		for n := min(longest, len(ps)-i); n >= 1; n-- {
			phrase, ok := phraseAt(ps[i:i+n], used[i:i+n])
			if !ok {
				continue
			}
			if c, ok := cues[phrase]; ok {
				if c.ask == askSell && soldAt < 0 {
					soldAt, soldStart, q.soldCue = i+n, i, phrase
				}
				q.apply(c, phrase)
				q.sellAsked = q.sellAsked || explicitSell[phrase]
				// Only a phrase read by characters can be "卖".
				q.howLong = q.howLong || phrase == "how long" || phrase == "卖" && endsWithQuestion(ps)
				for k := i; k < i+n; k++ {
					used[k] = c.role()
				}
				i += n - 1
				break
			}
		}
	}
	// "有…吗" and "有…么" ask whether something is sold.
	if q.Lang == "zh" && !q.Sell && !q.Compare && len(ps) > 2 {
		first, last := -1, -1
		for i, p := range ps {
			if p.kind == pHan && used[i] == roleSubject {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first >= 0 && ps[first].text == "有" && (ps[last].text == "吗" || ps[last].text == "么" || ps[last].text == "嘛") {
			q.Sell = true
			q.cues++
			used[first] = roleCue
			soldAt, soldStart, q.soldCue = first+1, first, "有"
		}
	}
	return soldAt, soldStart
}

// howLongOf drops the length that "how long" asked when another attribute
// is asked too: "how long is the warranty" asks for a duration.
func (q *Question) howLongOf() {
	if !q.howLong || len(q.Attrs) < 2 {
		return
	}
	out := q.Attrs[:0]
	for _, a := range q.Attrs {
		if a != "length" {
			out = append(out, a)
		}
	}
	q.Attrs = out
}

// explicitSell are the cue phrases that ask whether something is sold.
var explicitSell = set("do you sell", "do u sell", "do you guys sell", "you sell", "u sell", "do you carry",
	"do you stock", "卖不卖", "有卖", "卖吗", "在卖", "有售", "出售", "卖不")

// endsWithQuestion reports whether the last Han character is a question
// particle (吗, 么, 嘛).
func endsWithQuestion(ps []piece) bool {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].kind == pHan {
			return ps[i].text == "吗" || ps[i].text == "么" || ps[i].text == "嘛"
		}
	}
	return false
}

// wordPhrase joins n consecutive unused words with spaces.
func wordPhrase(ps []piece, used []role) (string, bool) {
	var b strings.Builder
	for k, p := range ps {
		if used[k] != roleSubject || p.kind != pWord {
			return "", false
		}
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.text)
	}
	return b.String(), true
}

// hanPhrase joins n consecutive unused Han characters without a gap.
func hanPhrase(ps []piece, used []role) (string, bool) {
	var b strings.Builder
	for k, p := range ps {
		if used[k] != roleSubject || p.kind != pHan || (k > 0 && p.gap) {
			return "", false
		}
		b.WriteString(p.text)
	}
	return b.String(), true
}

// apply records what a cue asks.
func (q *Question) apply(c cue, phrase string) {
	q.cues++
	switch c.ask {
	case askPrice:
		q.Price = true
	case askStock:
		q.Stock = true
	case askSell:
		q.Sell = true
	case askCompare:
		q.Compare = true
	case askRecommend:
		q.Recommend = true
	case askSuper:
		if q.Super == "" || q.SuperSoft && !c.soft {
			q.Super, q.SuperDir, q.SuperSoft = c.concept, c.dir, c.soft
		}
	case askAttr:
		for _, a := range q.Attrs {
			if a == c.concept {
				return
			}
		}
		q.Attrs = append(q.Attrs, c.concept)
	case askService:
		q.cues--
		q.Service = append(q.Service, phrase)
	}
}

// readQuantities marks numbers with a unit other than money ("25kg",
// "130 cm", "一人", "两岁半") as quantities.
func (q *Question) readQuantities(ps []piece, used []role) {
	for i := 0; i < len(ps); i++ {
		if used[i] != roleSubject {
			continue
		}
		v, n, ok := numberAt(ps, i)
		if !ok {
			continue
		}
		u, un, ok := unitAt(ps, i+n)
		if !ok || u.dim == "money" {
			i += n - 1
			continue
		}
		// "5 years old", "aged 6 months": an age, not a duration
		end := i + n + un
		q2 := quantity{dim: u.dim, lo: v * u.factor, hi: v * u.factor}
		if end < len(ps) && ps[end].text == "old" || i > 0 && ageWords[ps[i-1].text] {
			q2 = asAge(q2)
			if end < len(ps) && ps[end].text == "old" {
				end++
			}
		}
		u.dim = q2.dim
		val := q2.lo
		unitFactor := u.factor
		if q2.dim == "age" && u.factor != 1 && units[ps[i+n].text].dim == "time" {
			unitFactor = u.factor / hoursPerYear
		}
		// "两岁半": a half after the unit
		if end < len(ps) && ps[end].text == "半" {
			val += 0.5 * unitFactor
			end++
		}
		q.Quantities = append(q.Quantities, quantity{dim: u.dim, lo: val, hi: val})
		q.qtyAt = append(q.qtyAt, i) // a piece index until Parse maps it to words
		for k := i; k < end; k++ {
			if ps[k].kind != pNum {
				used[k] = roleDrop // the number itself stays in the subject: "16寸" names a size
			}
		}
		i = end - 1
	}
}

// numberAt reads a number at piece i: digits, an English number word or a
// Chinese numeral. It returns the value and the pieces it spans.
func numberAt(ps []piece, i int) (float64, int, bool) {
	p := ps[i]
	switch p.kind {
	case pNum:
		v := p.num
		n := 1
		// 4k, 2w (万)
		if i+1 < len(ps) && ps[i+1].kind == pWord && !ps[i+1].gap && (ps[i+1].text == "k" || ps[i+1].text == "w") {
			if ps[i+1].text == "k" {
				v *= 1000
			} else {
				v *= 10000
			}
			n = 2
		} else if i+1 < len(ps) && ps[i+1].kind == pHan && (ps[i+1].text == "千" || ps[i+1].text == "万") {
			if ps[i+1].text == "千" {
				v *= 1000
			} else {
				v *= 10000
			}
			n = 2
		}
		return v, n, true
	case pWord:
		if v, ok := enNumbers[p.text]; ok {
			if p.text == "a" {
				return 0, 0, false
			}
			return v, 1, true
		}
	case pHan:
		var b strings.Builder
		k := i
		for k < len(ps) && ps[k].kind == pHan && k-i < 6 && (k == i || !ps[k].gap) {
			b.WriteString(ps[k].text)
			k++
		}
		v, nb, ok := parseZhNumber(b.String())
		if !ok || nb == 0 {
			return 0, 0, false
		}
		// count the runes consumed
		return v, len([]rune(b.String()[:nb])), true
	}
	return 0, 0, false
}

// readBounds reads price bounds: "under ¥200", "less than 100", "over
// 500", "between 100 and 300", "200元以内", "不超过300", "预算4000左右",
// "100-200元". A number with a unit of measure is never a price.
func (q *Question) readBounds(ps []piece, used []role) {
	for i := 0; i < len(ps); i++ {
		if used[i] != roleSubject {
			continue
		}
		v, n, ok := numberAt(ps, i)
		if !ok || ps[i].kind == pWord && !moneyAfter(ps, i+n) {
			continue
		}
		if ps[i].kind == pHan && !moneyAfter(ps, i+n) && !zhBoundAfter(ps, i+n) && !zhBoundBefore(ps, i) {
			continue
		}
		if _, _, isUnit := unitAt(ps, i+n); isUnit && !moneyAfter(ps, i+n) {
			continue
		}
		start, end := i, i+n
		// currency before: ¥200, $50, rmb 100
		if start > 0 && moneyWords[ps[start-1].text] {
			start--
		}
		// currency after: 200 yuan, 200元, 200块钱
		if m := moneyLen(ps, end); m > 0 {
			end += m
		}
		money := start < i || end > i+n
		dir, have := 0, false
		// a range: 100-200, 100 to 200, 100到200
		if end < len(ps) {
			j := end
			if ps[j].kind == pWord && ps[j].text == "to" || ps[j].kind == pHan && (ps[j].text == "到" || ps[j].text == "至") {
				j++
			}
			if j < len(ps) && (j > end || ps[j].hyphen) {
				if v2, n2, ok := numberAt(ps, j); ok && v2 > v {
					e2 := j + n2
					if m := moneyLen(ps, e2); m > 0 {
						e2 += m
						money = true
					}
					if money || q.boundWordBefore(ps, start) != 0 {
						q.setBounds(v, v2)
						markUsed(used, start, e2)
						i = e2 - 1
						continue
					}
				}
			}
		}
		// English words before: under, over, around, between … and …
		if d, k := enBoundBefore(ps, start); k > 0 {
			dir, have = d, true
			if d == 2 { // between
				if end+1 < len(ps) && ps[end].text == "and" {
					if v2, n2, ok := numberAt(ps, end+1); ok {
						e2 := end + 1 + n2
						if m := moneyLen(ps, e2); m > 0 {
							e2 += m
						}
						q.setBounds(min(v, v2), max(v, v2))
						markUsed(used, start-k, e2)
						i = e2 - 1
						continue
					}
				}
				have = false
			} else {
				start -= k
			}
		}
		// Chinese words before: 不超过300, 预算4000
		if d, k := zhBoundWordBefore(ps, start); k > 0 && !have {
			dir, have = d, true
			start -= k
		}
		// words after: 200 or less, 200元以内, 4000左右; "25 plus" is a
		// model name unless money is named
		if d, k := boundAfter(ps, end); k > 0 && (money || !loneAfter[ps[end].text]) {
			if !have || dir == 0 {
				dir = d
			}
			have = true
			end += k
		}
		if !have {
			continue // a bare number: a model name or a size, not a bound
		}
		switch dir {
		case -1:
			q.setBounds(math.NaN(), v)
		case 1:
			q.setBounds(v, math.NaN())
		case 0:
			q.setBounds(v*0.75, v*1.1)
		}
		markUsed(used, start, end)
		i = end - 1
	}
}

// loneAfter are bound words after a number that need a currency to make
// it a price: "Urban 25 Plus" is a name, "200 plus" is not clear.
var loneAfter = map[string]bool{"plus": true, "+": true, "and": true, "ish": true}

// setBounds narrows the price bounds; NaN leaves a side unchanged.
func (q *Question) setBounds(lo, hi float64) {
	q.cues++
	if !math.IsNaN(lo) {
		q.MinPrice = lo
	}
	if !math.IsNaN(hi) {
		q.MaxPrice = hi
	}
}

// boundWordBefore returns the direction of a bound word before piece i, or
// 0.
func (q *Question) boundWordBefore(ps []piece, i int) int {
	if d, k := enBoundBefore(ps, i); k > 0 {
		return d
	}
	if d, k := zhBoundWordBefore(ps, i); k > 0 {
		return d
	}
	return 0
}

func markUsed(used []role, from, to int) {
	for k := max(from, 0); k < min(to, len(used)); k++ {
		used[k] = roleDrop
	}
}

// moneyAfter reports whether a currency word follows at piece i.
func moneyAfter(ps []piece, i int) bool { return moneyLen(ps, i) > 0 }

// moneyLen returns how many pieces the currency word at i spans, or 0.
func moneyLen(ps []piece, i int) int {
	if i >= len(ps) {
		return 0
	}
	if ps[i].kind == pHan && i+1 < len(ps) && ps[i+1].kind == pHan && moneyWords[ps[i].text+ps[i+1].text] {
		return 2
	}
	if moneyWords[ps[i].text] {
		return 1
	}
	return 0
}

// enBoundBefore returns the direction (-1 at most, +1 at least, 0 around,
// 2 between) of an English bound phrase ending just before piece i, and
// its length in pieces.
func enBoundBefore(ps []piece, i int) (int, int) {
	best, bestLen := 0, 0
	try := func(list []string, dir int) {
		for _, phrase := range list {
			words := strings.Fields(phrase)
			k := len(words)
			if k > i || k <= bestLen {
				continue
			}
			ok := true
			for j, w := range words {
				if ps[i-k+j].text != w {
					ok = false
					break
				}
			}
			if ok {
				best, bestLen = dir, k
			}
		}
	}
	try(enBelow, -1)
	try(enAbove, 1)
	try(enAround, 0)
	try([]string{"between", "from"}, 2)
	return best, bestLen
}

// zhBoundWordBefore returns the direction of a Chinese bound word (不超过,
// 预算, 超过) ending just before piece i, and its length in pieces.
func zhBoundWordBefore(ps []piece, i int) (int, int) {
	for k := min(3, i); k >= 1; k-- {
		var b strings.Builder
		ok := true
		for j := i - k; j < i; j++ {
			if ps[j].kind != pHan {
				ok = false
				break
			}
			b.WriteString(ps[j].text)
		}
		if !ok {
			continue
		}
		if d, found := zhBefore[b.String()]; found {
			return d, k
		}
	}
	return 0, 0
}

// zhBoundBefore reports whether a Chinese bound word ends before piece i.
func zhBoundBefore(ps []piece, i int) bool {
	_, k := zhBoundWordBefore(ps, i)
	return k > 0
}

// zhBoundAfter reports whether a Chinese bound word starts at piece i.
func zhBoundAfter(ps []piece, i int) bool {
	_, k := boundAfter(ps, i)
	return k > 0 && i < len(ps) && ps[i].kind == pHan
}

// boundAfter returns the direction of a bound phrase starting at piece i
// (以内, 左右, "or less", "+"), and its length in pieces.
func boundAfter(ps []piece, i int) (int, int) {
	if i >= len(ps) {
		return 0, 0
	}
	if ps[i].kind == pHan {
		for k := min(2, len(ps)-i); k >= 1; k-- {
			var b strings.Builder
			for j := i; j < i+k; j++ {
				b.WriteString(ps[j].text)
			}
			if d, ok := zhAfter[b.String()]; ok {
				return d, k
			}
		}
		return 0, 0
	}
	for k := min(2, len(ps)-i); k >= 1; k-- {
		words := make([]string, 0, k)
		for j := i; j < i+k; j++ {
			words = append(words, ps[j].text)
		}
		if d, ok := enAfter[strings.Join(words, " ")]; ok {
			return d, k
		}
	}
	return 0, 0
}
