package catalog

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

// Thresholds of the answer plan. They are shares and ratios, so they mean
// the same on any catalogue.
const (
	// groupShare: products scoring at least this share of the best one
	// answer a question about a kind of product.
	groupShare = 0.6
	// tieShare: products scoring at least this share of the best one are
	// equally likely meant; more than one asks which.
	tieShare = 0.9
	// kindShare: when at least this share of a category's products are in
	// the group, the question is about that category, and products of
	// other categories leave the group.
	kindShare = 0.5
	// minCoverage is the least share of the message's content words the
	// answer must explain.
	minCoverage = 0.5
	// maxListed is the most products a list shows.
	maxListed = 5
	// minNamed is the share of a product's name a message must name for
	// "X and Y" to ask about both.
	minNamed = 0.2
)

// planKind is the shape of a reply.
type planKind int

const (
	planNone       planKind = iota // not a catalogue question
	planOne                        // one product
	planWhich                      // equally likely products: asks which
	planVariants                   // the versions of one product (sizes, weights): all of them
	planEach                       // equally likely products, asked what each one's line shows: each
	planList                       // products of a kind, filtered or ordered
	planCompare                    // two products side by side
	planNegative                   // something the catalogue does not have
	planOutOfRange                 // nothing in the asked price range
	planOverview                   // what most of the catalogue is: its categories
)

// genericShare is the share of the catalogue's products a word must be
// found in for a question of nothing but such words to ask what the
// catalogue holds ("what teas do you have" of a tea shop, "有什么蛋糕" of a
// bakery).
const genericShare = 0.5

// plan is what the reply will say, before it is written.
type plan struct {
	kind   planKind
	items  []*hit // the products, in reply order
	kindOf int    // the category a list is of, or -1
	// narrowed marks a list of one kind within category kindOf ("the
	// cheapest mat" of Mats & Props): the reply does not speak for the
	// whole category.
	narrowed bool
	cov      float64
	margin   float64
	// what the list is ordered by, for its header: "" (relevance), "price"
	// or an attribute concept; dir -1 least first.
	order string
	dir   int
	// asked attribute columns, in the order asked; shown, the columns
	// whose values the message named ("in navy")
	cols, shown []string
	concepts    []string // asked concepts no column holds
	subject     string   // what a negative answer says is missing
	// evidence is the main product's score in rare-word units, capped at 1.
	evidence float64
	// both is true for a list of the two products "X and Y" asked about.
	both bool
}

// Answer implements bot.Catalog: it answers q from the products q's
// audiences may see (none means public only), in q.Language (the message's
// language when empty). A message that is not about the catalogue gives OK
// false and no error; only a done ctx gives an error.
func (ix *Index) Answer(ctx context.Context, q bot.Query) (bot.CatalogAnswer, error) {
	if err := ctx.Err(); err != nil {
		return bot.CatalogAnswer{}, fmt.Errorf("catalog: answer: %w", err)
	}
	sh := ix.shelfFor(q.Audiences)
	if len(sh.ents) == 0 {
		return bot.CatalogAnswer{}, nil
	}
	text := askedText(q.Text)
	a, ok := ix.answerText(ctx, sh, text, q.Language)
	if ok {
		return a, nil
	}
	// "first time ordering from you, price of the XM5?", "昨天在小红书看到你们，
	// 草莓蛋糕8寸多少钱": the words of a story before the question are no
	// product's, and the whole message matches none. The question is most
	// often its last clause. Not when the whole message matched, if weakly:
	// the story may hold what narrows it ("儿子对坚果过敏 有什么饼干").
	if cs := clauses(text); a.Confidence == 0 && len(cs) > 0 && !slices.ContainsFunc(cs[:len(cs)-1], texts.Asks) {
		if ca, ok := ix.answerText(ctx, sh, cs[len(cs)-1], q.Language); ok {
			ca.LastClause = true
			return ca, nil
		}
	}
	return a, nil
}

// answerText is Answer on text (already askedText): ok when the catalogue
// answers at MinConfidence or more; else the answer holds only the
// confidence it reached, if any.
func (ix *Index) answerText(ctx context.Context, sh *shelf, text, lang string) (bot.CatalogAnswer, bool) {
	qu := Parse(text)
	if lang != "zh" && lang != "en" {
		lang = qu.Lang
	}
	p := sh.plan(ctx, &qu, ix.opts)
	if p.kind == planNone {
		return bot.CatalogAnswer{}, false
	}
	a := sh.reply(&qu, p, lang)
	if a.Confidence < MinConfidence {
		return bot.CatalogAnswer{Confidence: a.Confidence}, false
	}
	if len(p.items) > 0 {
		a.Mentions = mentions(qu.words, p.items[0].covered)
	}
	return a, true
}

// maxClauses caps the clauses of a message tried on their own.
const maxClauses = 3

// clauses returns, when text has two clauses or more, its last maxClauses
// clauses that may ask something on their own, in text order: its parts
// between punctuation (in Chinese also spaces, typed for commas) and before
// an "and" or "so" that opens a question ("just moved here and do you sell
// croissants"), each with two Chinese characters or two English words at
// least.
func clauses(text string) []string {
	var split []string
	for _, p := range texts.ClauseParts(text) {
		split = append(split, splitJoined(p)...)
	}
	if len(split) < 2 {
		return nil
	}
	out := texts.Askable(split, 2)
	return out[max(0, len(out)-maxClauses):]
}

// splitJoined splits an English clause before " and " or " so " followed by
// a word that opens a question.
func splitJoined(p string) []string {
	words := strings.Fields(p)
	for i := 1; i+1 < len(words)-1; i++ {
		if (words[i] == "and" || words[i] == "so") && texts.OpensQuestion(words[i+1]) {
			return append([]string{strings.Join(words[:i], " ")}, splitJoined(strings.Join(words[i+1:], " "))...)
		}
	}
	return []string{p}
}

// askedText is what a message asks of the catalogue: the message without
// the greetings, forms of address and thanks around it ("老板 这个龙井多少钱",
// "亲，有没有便宜点的绿茶", "hi! price of the kettle? thx"; see
// bot.TrimPleasantries), as the knowledge search reads it too; the whole
// message, lower-cased, when nothing else is left.
func askedText(text string) string {
	lower := strings.ToLower(text)
	if t := bot.TrimPleasantries(lower); strings.TrimSpace(t) != "" {
		return t
	}
	return lower
}

// mentions returns the runs of the question's pieces that the product
// explains fully (covered): Chinese runs of two characters or more and
// Latin words of three letters or more, lower-case as written.
func mentions(words []piece, covered []cover) []string {
	var out []string
	var han strings.Builder
	flush := func() {
		if utf8.RuneCountInString(han.String()) >= 2 {
			out = append(out, han.String())
		}
		han.Reset()
	}
	for i, w := range words {
		if i >= len(covered) || covered[i] != coverFull {
			flush()
			continue
		}
		switch {
		case w.kind == pHan:
			if w.gap || w.brk {
				flush()
			}
			han.WriteString(w.text)
		case w.kind == pWord && len(w.text) >= 3:
			flush()
			out = append(out, w.text)
		default:
			flush()
		}
	}
	flush()
	return out
}

// plan decides what to answer.
func (sh *shelf) plan(ctx context.Context, q *Question, opts Options) plan {
	cols := sh.askedColumns(q)
	probes := sh.probes(q)
	var hits []*hit
	if len(probes) > 0 {
		hits = sh.match(q, probes)
	}
	content := contentPieces(q.words)
	if len(content) == 0 && (q.Super != "" || q.HasPriceBound()) && len(q.Service) == 0 {
		return sh.everything(q)
	}
	if q.Super == "" && !q.HasPriceBound() && !q.Compare && len(q.Attrs) == 0 && len(cols) == 0 &&
		len(q.Service) == 0 && len(q.Quantities) == 0 && sh.generic(q, content) {
		if p := sh.overview(); p.kind != planNone {
			return p
		}
	}
	if len(hits) == 0 || !hits[0].strong || coverage(content, hits[0]) < minCoverage {
		if q.Recommend && q.HasPriceBound() && len(q.Service) == 0 {
			// "gift for a housewarming under 500 yuan": who or what it is
			// for names no product; the budget still picks some.
			if p := sh.everything(q); p.kind != planNone {
				return p
			}
		}
		return sh.negative(ctx, q, content, hits, opts)
	}
	top := hits[0]
	// "Do you sell your sourdough starter" is not answered by the Country
	// Sourdough Loaf: when only whether something is sold is asked, the
	// product must explain the thing asked for, not only what qualifies it.
	if q.Sell && onlySellAsked(q, cols) && !headExplained(q, top) {
		return plan{}
	}
	// A service word no product name explains makes it a service question:
	// "can I return the Metro 3", "shipping for a bike".
	for i, w := range q.words {
		if w.role == roleService && top.covered[i] == coverNone {
			return plan{}
		}
	}
	p := plan{kindOf: -1, cols: cols}
	for _, c := range q.Attrs {
		if col := sh.columnFor(c); col != "" {
			if !contains(p.cols, col) {
				p.cols = append(p.cols, col)
			}
		} else {
			p.concepts = append(p.concepts, c)
		}
	}
	if q.Compare {
		a, b, ok := sh.comparePair(q, probes, hits, content, false)
		if !ok && q.split > 0 {
			return plan{} // two things compared, one of them not ours
		}
		if ok {
			p.kind, p.items = planCompare, []*hit{a, b}
			p.cov = coverage(content, a, b)
			p.margin = 1
			return p.gate()
		}
	}
	if !q.Compare && q.also > 0 && (q.Price || q.Stock || q.Sell || len(p.cols) > 0 || len(q.Attrs) > 0) {
		// "how much are the planter and the trowel": both, each named
		saved := q.split
		q.split = q.also
		a, b, ok := sh.comparePair(q, probes, hits, content, true)
		q.split = saved
		if ok && a.share >= minNamed && b.share >= minNamed {
			p.kind, p.items, p.both = planList, []*hit{a, b}, true
			p.cov = coverage(content, a, b)
			p.margin = 1
			return p.gate()
		}
	}
	group := []*hit{top}
	for _, h := range hits[1:] {
		if h.score >= groupShare*top.score && sharesMajor(top, h) {
			group = append(group, h)
		}
	}
	// A message naming nothing in particular ("what size bike") matches
	// many products about equally.
	vague := false
	if len(hits) > bot.MaxChoices {
		// by the words alone, without the quantities
		words := top.score - top.qtyScore
		n := 0
		for _, h := range hits {
			if h.score-h.qtyScore >= tieShare*words {
				n++
			}
		}
		vague = n > bot.MaxChoices
	}
	// Quantities the customer gives pick the products they fit.
	if len(q.Quantities) > 0 {
		var fit []*hit
		for _, h := range group {
			if h.qtyFit {
				fit = append(fit, h)
			}
		}
		if len(fit) > 0 {
			group, top = fit, fit[0]
		}
	}
	if top.qtyFit {
		// "a small teapot for one person": the quantity says how small.
		content = slices.DeleteFunc(slices.Clone(content), func(i int) bool { return sizeWords[q.words[i].text] != "" })
	}
	// A superlative or a price bound over a word that heads several
	// categories' names ("the cheapest cake": classic, custom and wedding
	// cakes) ranges over all of them, not over the best product's.
	across := false // the list ranges over several categories
	if named := sh.namedCategories(q, group); len(named) > 1 && (q.Super != "" || q.HasPriceBound()) {
		across = true
		group = slices.DeleteFunc(group, func(h *hit) bool { return !slices.Contains(named, sh.ents[h.ent].category) })
		top = group[0]
	} else if c := sh.dominantCategory(group); c >= 0 && !((q.Super != "" || q.HasPriceBound()) && tiedAcross(sh, group)) {
		p.kindOf = c
		group = sh.inCategory(c, group, hits, wholeCategory(q))
		top = group[0]
	}
	// "the cheapest yoga mat" ranges over mats, not over a mat class or a
	// mat towel, however well they match: the head noun names the kind,
	// unless it names the category itself ("the cheapest sofa" is the
	// loveseat of Sofas too).
	ranged := q.Super != "" || q.HasPriceBound()
	switch {
	case !ranged:
	case !across && bareHead(q) && sh.ents[top.ent].category >= 0 && sh.headNamesCategory(q, group[:1]):
		// ... and over all of it when the head alone names the category:
		// the cheapest 相机 of 相机与运动相机 may be the 拍立得 that never says
		// 相机, and may be the only one that does not.
		p.kindOf = sh.ents[top.ent].category
		group = sh.inCategory(p.kindOf, group, hits, true)
		top = group[0]
	case sh.headNamesCategory(q, group):
		// "the lightest cordless tool" stays with the cordless ones: the
		// cheapest of them is not the category's cheapest.
		p.narrowed = !wholeCategory(q)
	default:
		kind := sh.headed(q, hits)
		if p.kindOf >= 0 {
			kind = slices.DeleteFunc(kind, func(h *hit) bool { return sh.ents[h.ent].category != p.kindOf })
		}
		if len(kind) > 0 && !slices.Equal(kind, group) {
			group, top = kind, kind[0]
		}
		p.narrowed = !wholeCategory(q)
	}
	ties := 1
	for ties < len(group) && group[ties].score >= tieShare*top.score {
		ties++
	}
	attrAsked := len(p.cols) > 0 || len(q.Attrs) > 0
	several := q.Sell || q.Recommend || q.Stock || plural(q, probes, top) || ties > bot.MaxChoices
	switch {
	case q.Super != "" || q.HasPriceBound():
		p.kind = planList
	case p.kindOf >= 0 && len(group) > 1 && several && (!attrAsked || q.Sell || q.Recommend):
		p.kind = planList // "do you sell oolong", "how much are your road bikes"
	case attrAsked && (p.kindOf >= 0 && several || ties > bot.MaxChoices || vague):
		return plan{} // the size or warranty of a whole kind: a guide's question, not the catalogue's
	case (q.Sell || q.Recommend || q.Stock) && ties > 1:
		p.kind = planList
	case ties > bot.MaxChoices:
		return plan{} // names nothing in particular
	case ties > 1 && (asked(q, p) || explained(content, top)) && sh.variants(group[:min(ties, bot.MaxChoices)]):
		// "how much is the maple chestnut cake": 6-inch and 8-inch; "is
		// there nut in the maple chestnut cake": the cake, whatever size,
		// when its name or description has every word asked.
		p.kind = planVariants
	case ties > 1 && sh.showsAsked(q, p, group[:min(ties, bot.MaxChoices)]):
		// "how much is the 10-class pack": the mat and the reformer
		// packs both answer, and the reply shows each one's price; a
		// question back would only delay it.
		p.kind = planEach
	case ties > 1:
		p.kind = planWhich
	default:
		p.kind = planOne
	}
	switch p.kind {
	case planList:
		p.items = sh.listItems(q, group, &p)
		relaxed := false
		if len(p.items) == 0 && q.Recommend && q.HasPriceBound() {
			// Nothing of the kind in budget: what else relates, in budget.
			p.kindOf = -1
			p.items = sh.listItems(q, hits, &p)
			if len(p.items) > 0 {
				p.items = relevant(p.items)
				relaxed = true
			}
		}
		if len(p.items) == 0 {
			p.kind = planOutOfRange
			p.items = sh.nearest(q, group)
		}
		if len(p.items) == 1 && p.kind == planList && q.Super == "" && !q.HasPriceBound() {
			p.kind = planOne
		}
		src := p.items
		if relaxed {
			src = group // what was recognised; the list relates to it
		}
		for i, h := range src {
			if i < 3 {
				p.cov = math.Max(p.cov, coverage(content, h))
			}
		}
		p.margin = 1
	case planWhich, planEach:
		// planEach is as sure as the question back it replaces: the same
		// products tie.
		p.items = group[:min(ties, bot.MaxChoices)]
		p.cov = coverage(content, p.items...)
		p.margin = 0.5
	case planVariants:
		p.items = group[:min(ties, bot.MaxChoices)]
		p.cov = coverage(content, p.items...)
		p.margin = 1
	case planOne:
		p.items = []*hit{top}
		p.shown = sh.matchedColumns(q, top, p.cols) // "the tee in navy": show the colours
		p.cov = coverage(content, top)
		p.margin = 1
		if len(hits) > 1 {
			p.margin = 1 - hits[1].score/hits[0].score
		}
	}
	if len(p.items) > 0 && sh.maxIDF > 0 {
		p.evidence = math.Min(1, p.items[0].score/(2*sh.maxIDF))
	}
	return p.gate()
}

// showsAsked reports whether a line of the reply (see writer.line) shows
// each of items' answer to everything q asks: its price, its availability
// or the asked columns, and nothing the catalogue holds no column for. Then
// equally likely products are answered each instead of asked about.
func (sh *shelf) showsAsked(q *Question, p plan, items []*hit) bool {
	if len(p.concepts) > 0 || !(q.Price || q.Stock || len(p.cols) > 0) {
		return false
	}
	if q.Stock && sh.stockCol == "" {
		return false
	}
	for _, h := range items {
		e := sh.ents[h.ent]
		if q.Stock && e.attr("", sh.stockCol) == "" {
			return false
		}
		for _, col := range p.cols {
			if e.attr("", col) == "" {
				return false
			}
		}
	}
	return true
}

// variants reports whether items are versions of one product: their names
// are the same but for numbers ("Maple Chestnut Cake 6-inch" and "… 8-inch",
// "渴望原味全犬粮 2kg" and "… 11.4kg", "核心床 5 次卡" and "核心床 10 次卡")
// in every language the catalogue names them in. Asked about the product,
// the customer gets what was asked of each version rather than a question
// back; different products with a shared word ("Mat 10-Class Pack",
// "Reformer 10-Class Pack") are not versions.
func (sh *shelf) variants(items []*hit) bool {
	if len(items) < 2 {
		return false
	}
	first := sh.ents[items[0].ent]
	for _, h := range items[1:] {
		e := sh.ents[h.ent]
		for _, r := range first.rows {
			key := familyName(r.Name)
			if key == "" || familyName(e.row(r.Lang).Name) != key {
				return false
			}
		}
	}
	return true
}

// familyName is a product name without its numbers: lower case, digits and
// the punctuation of numbers ("11.4", "6-inch", "1/2") removed, spaces
// folded.
func familyName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r == '.', r == ',', r == '/', r == '-':
			return ' '
		}
		return unicode.ToLower(r)
	}, name)
	return strings.Join(strings.Fields(name), " ")
}

// sharesMajor reports whether h matches every probe that carries at least
// half of the best product's strongest evidence: "gravel bike" groups the
// gravel bikes, not every bike that shares "bike" and a size.
func sharesMajor(top, h *hit) bool {
	peak := 0.0
	for _, v := range top.best {
		peak = math.Max(peak, v)
	}
	for k, v := range top.best {
		if v >= peak/2 && h.best[k] == 0 {
			return false
		}
	}
	return true
}

// plural reports whether an English word the best product matches is
// written in the plural ("pots", "road bikes"): the customer asks about a
// kind, not one product.
func plural(q *Question, probes []probe, top *hit) bool {
	for k, pr := range probes {
		if top.best[k] == 0 || pr.to-pr.from != 1 || pr.role != roleSubject {
			continue
		}
		if w := q.words[pr.from]; w.kind == pWord && stem(w.text) != w.text {
			return true
		}
	}
	return false
}

// everything answers a superlative or a price bound over the whole
// catalogue: "what's the cheapest thing you sell", "anything under 5 euros".
func (sh *shelf) everything(q *Question) plan {
	all := make([]*hit, len(sh.ents))
	for i := range sh.ents {
		all[i] = &hit{ent: int32(i), covered: make([]cover, len(q.words))}
	}
	p := plan{kind: planList, kindOf: -1, cov: 1, margin: 1}
	p.items = sh.listItems(q, all, &p)
	if len(p.items) == 0 {
		return plan{}
	}
	return p
}

// generic reports whether q names something, and only words that at
// least genericShare of the products (in any of their languages) have all
// together: "teas" in a tea shop whose every description says tea, "茶",
// "cakes". Such a question names no kind in particular, whichever products
// say the word in their names ("what teas do you have" is not the black
// teas, the only ones called "… Black Tea").
func (sh *shelf) generic(q *Question, content []int) bool {
	if len(content) == 0 || len(sh.ents) == 0 {
		return false
	}
	var all map[int32]bool
	for _, i := range content {
		w := q.words[i]
		var t string
		switch w.kind {
		case pWord:
			t = stem(w.text)
		case pHan:
			t = w.text
		default:
			return false
		}
		has := map[int32]bool{}
		for _, p := range sh.post[t] {
			if all == nil || all[p.ent] {
				has[p.ent] = true
			}
		}
		all = has
	}
	return float64(len(all)) >= genericShare*float64(len(sh.ents))
}

// overview plans the catalogue's categories: the cheapest product of each
// (its items, cited), for a reply that lists every category with its
// count and price range. It plans nothing for a catalogue of fewer than
// three categories: in a smaller one, any word is in half the products.
func (sh *shelf) overview() plan {
	if len(sh.cats) < 3 {
		return plan{}
	}
	p := plan{kind: planOverview, kindOf: -1, cov: 1, margin: 1}
	for _, c := range sh.cats { // a category exists only for the products in it
		best := c.ents[0]
		for _, e := range c.ents[1:] {
			if pr, bp := sh.ents[e].price, sh.ents[best].price; !math.IsNaN(pr) && (math.IsNaN(bp) || pr < bp) {
				best = e
			}
		}
		p.items = append(p.items, &hit{ent: best})
	}
	return p
}

// relevant keeps the items that score at least a third of the best one,
// ordered by score.
func relevant(items []*hit) []*hit {
	sort.SliceStable(items, func(i, j int) bool { return items[i].score > items[j].score })
	out := items[:1]
	for _, h := range items[1:] {
		if h.score >= items[0].score/3 {
			out = append(out, h)
		}
	}
	return out
}

// inCategory keeps the group's products of category c or, when the
// customer names the category as a whole ("aquarium supplies"), every
// product of it, best matches first.
func (sh *shelf) inCategory(c int, group, hits []*hit, whole bool) []*hit {
	var out []*hit
	seen := map[int32]bool{}
	src := group
	if whole {
		src = hits
	}
	for _, h := range src {
		if sh.ents[h.ent].category == c {
			out = append(out, h)
			seen[h.ent] = true
		}
	}
	if whole {
		for _, e := range sh.cats[c].ents {
			if !seen[e] {
				out = append(out, &hit{ent: e, covered: make([]cover, len(group[0].covered))})
			}
		}
	}
	return out
}

// wholeCategory reports whether the message names a category as a whole:
// "aquarium supplies", "鱼缸用品里".
func wholeCategory(q *Question) bool {
	for i, w := range q.words {
		if w.role != roleSubject {
			continue
		}
		if w.kind == pWord && categoryNouns[w.text] {
			return true
		}
		if w.kind == pHan && i+1 < len(q.words) && categoryNouns[w.text+q.words[i+1].text] {
			return true
		}
		if w.kind == pHan && categoryNouns[w.text] && (i+1 == len(q.words) || q.words[i+1].kind != pHan || q.words[i+1].role != roleSubject) {
			return true
		}
	}
	return false
}

// gate turns a plan that explains too little of the message into none.
func (p plan) gate() plan {
	if p.cov < minCoverage || len(p.items) == 0 {
		return plan{}
	}
	return p
}

// maxNegativeWords bounds the subject of a "we don't sell X" answer: a
// longer message is about something else.
const maxNegativeWords = 4

// negative answers "we don't sell X" when the customer asks in so many
// words whether X is sold, the catalogue knows none of X's words, and the
// rest of the company's content (opts.Elsewhere) does not mention X.
func (sh *shelf) negative(ctx context.Context, q *Question, content []int, hits []*hit, opts Options) plan {
	if !q.sellAsked || len(q.Service) > 0 || len(content) == 0 || opts.Elsewhere == nil {
		return plan{}
	}
	var words []string
	n := 0
	for _, i := range content {
		for _, h := range hits {
			if h.covered[i] != coverNone {
				return plan{}
			}
		}
		w := q.words[i]
		if w.kind == pHan && i > 0 && q.words[i-1].kind == pHan && !w.gap && len(words) > 0 {
			words[len(words)-1] += w.text
		} else {
			words = append(words, w.text)
			n++
		}
		if w.kind == pHan {
			n++ // Chinese: count characters, two to a word
		}
	}
	if q.Lang == "zh" && n > 2*maxNegativeWords || q.Lang != "zh" && n > maxNegativeWords {
		return plan{}
	}
	subject := strings.Join(words, " ")
	if opts.Elsewhere(ctx, subject) {
		return plan{}
	}
	return plan{kind: planNegative, subject: subject, kindOf: -1, cov: 1}
}

// contentPieces returns the indexes of the words that carry the subject:
// not cue words, not stop words.
func contentPieces(ws []piece) []int {
	var out []int
	for i, w := range ws {
		if w.role == roleCue || w.role == roleDrop {
			continue
		}
		switch w.kind {
		case pWord:
			if enStop[w.text] || len(w.text) == 1 && w.role != roleService {
				continue
			}
		case pHan:
			if zhStop[w.text] {
				continue
			}
		}
		out = append(out, i)
	}
	return out
}

// explained reports whether h explains every content piece of the message
// (in its name, tags, columns or description).
func explained(content []int, h *hit) bool {
	for _, i := range content {
		if h.covered[i] == coverNone {
			return false
		}
	}
	return len(content) > 0
}

// coverage returns the share of the content pieces the products explain
// (a Chinese character matched on its own counts half).
func coverage(content []int, hs ...*hit) float64 {
	if len(content) == 0 {
		return 0
	}
	n := 0
	for _, i := range content {
		best := coverNone
		for _, h := range hs {
			best = max(best, h.covered[i])
		}
		n += int(best)
	}
	return float64(n) / float64(2*len(content))
}

// namedCategories returns the categories of the group's products whose
// name, or a part of it, ends in a term of the question ("cake" in "Classic
// Cakes", "蛋糕" in "定制蛋糕"), in the order first met.
func (sh *shelf) namedCategories(q *Question, group []*hit) []int {
	var b strings.Builder
	for i, w := range q.words {
		if w.role != roleSubject {
			b.WriteByte(' ')
			continue
		}
		if i > 0 && (w.kind != pHan || q.words[i-1].kind != pHan || w.gap) {
			b.WriteByte(' ') // Han characters in a run make bigrams
		}
		b.WriteString(w.text)
	}
	qt := termsOf(b.String())
	_, han := queryHead(q)
	var out []int
	for _, h := range group {
		c := sh.ents[h.ent].category
		if c < 0 || slices.Contains(out, c) {
			continue
		}
		for _, part := range sh.cats[c].parts {
			last := part[len(part)-1]
			// A Chinese head names each kind it ends: 茶 names 红茶, 绿茶
			// and 乌龙茶 (not 茶具).
			if slices.Contains(qt, last) || han != "" && !isWordTerm(last) && strings.HasSuffix(last, han) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// dominantCategory returns the category most of whose products are in the
// group (at least two of them), or -1.
func (sh *shelf) dominantCategory(group []*hit) int {
	if len(group) < 2 {
		return -1
	}
	counts := map[int]int{}
	for _, h := range group {
		if c := sh.ents[h.ent].category; c >= 0 {
			counts[c]++
		}
	}
	best, bestShare := -1, 0.0
	for c, n := range counts {
		share := float64(n) / float64(len(sh.cats[c].ents))
		if n >= 2 && share >= kindShare && (share > bestShare || share == bestShare && c < best) {
			best, bestShare = c, share
		}
	}
	// The category of the best product decides when it is among them.
	if c := sh.ents[group[0].ent].category; c >= 0 && counts[c] >= 2 && len(sh.cats[c].ents) > 0 &&
		float64(counts[c])/float64(len(sh.cats[c].ents)) >= kindShare {
		return c
	}
	return best
}

// comparePair finds the two products a comparison is about: one per side
// of "and"/"vs"/"和", each explaining most of its side, or the two best
// when the sides cannot be told apart.
func (sh *shelf) comparePair(q *Question, probes []probe, hits []*hit, content []int, unique bool) (*hit, *hit, bool) {
	if q.split > 0 {
		var left, right []int
		for _, i := range content {
			if i < q.split {
				left = append(left, i)
			} else {
				right = append(right, i)
			}
		}
		// Each side is matched with the other as context, or, when each
		// side must name its product by itself, alone.
		context := contextShare
		if unique {
			context = 0
		}
		side := func(isLeft bool) []*hit {
			ps := make([]probe, len(probes))
			copy(ps, probes)
			for k := range ps {
				if (ps[k].from < q.split) != isLeft {
					ps[k].weight = context
				}
			}
			return sh.match(q, ps)
		}
		l, r := side(true), side(false)
		// The pair that explains both sides best, one product per side.
		var a, b *hit
		best := 0.0
		if unique && (len(l) > 1 && l[1].score >= tieShare*l[0].score || len(r) > 1 && r[1].score >= tieShare*r[0].score) {
			return nil, nil, false
		}
		for _, x := range l[:min(len(l), 6)] {
			if !x.strong || coverage(left, x) < minCoverage {
				continue
			}
			for _, y := range r[:min(len(r), 6)] {
				if y.ent == x.ent || !y.strong || coverage(right, y) < minCoverage {
					continue
				}
				s := x.score + y.score
				if sh.ents[x.ent].category == sh.ents[y.ent].category {
					s *= 1.1 // two of a kind are compared more often than two kinds
				}
				if s > best {
					a, b, best = x, y, s
				}
			}
		}
		if a != nil {
			return sh.rescore(hits, a), sh.rescore(hits, b), true
		}
		return nil, nil, false
	}
	if len(hits) >= 2 && hits[1].score >= tieShare*hits[0].score {
		return hits[0], hits[1], true
	}
	return nil, nil, false
}

// rescore returns the whole-message hit of the product of h.
func (sh *shelf) rescore(hits []*hit, h *hit) *hit {
	for _, x := range hits {
		if x.ent == h.ent {
			return x
		}
	}
	return h
}

// listItems filters the group by the price bounds and orders it for a
// list: by the superlative's measure, else by relevance.
func (sh *shelf) listItems(q *Question, group []*hit, p *plan) []*hit {
	var items []*hit
	for _, h := range group {
		e := sh.ents[h.ent]
		if q.HasPriceBound() {
			if math.IsNaN(e.price) || !math.IsNaN(q.MinPrice) && e.price < q.MinPrice || !math.IsNaN(q.MaxPrice) && e.price > q.MaxPrice {
				continue
			}
		}
		items = append(items, h)
	}
	if len(q.Quantities) > 0 {
		// Products a quantity fits come first.
		sort.SliceStable(items, func(i, j int) bool { return items[i].qtyFit && !items[j].qtyFit })
	}
	if q.Super != "" {
		p.order, p.dir = q.Super, q.SuperDir
		key := func(h *hit) (float64, bool) { return sh.measure(h, q.Super) }
		if len(p.cols) > 0 && q.Super != "price" {
			// "longest battery life" with a battery_life column
			col := p.cols[0]
			p.order = "col:" + col
			key = func(h *hit) (float64, bool) {
				if qs := sh.ents[h.ent].colQty[col]; len(qs) > 0 {
					return qs[0].hi, true
				}
				return 0, false
			}
		}
		sort.SliceStable(items, func(i, j int) bool {
			a, oka := key(items[i])
			b, okb := key(items[j])
			if oka != okb {
				return oka
			}
			if !oka || a == b {
				return false
			}
			if q.SuperDir < 0 {
				return a < b
			}
			return a > b
		})
		if len(items) > 0 {
			if _, ok := key(items[0]); !ok {
				p.order = ""
			}
		}
	}
	return items
}

// measure returns a product's value for a superlative: its price, or the
// first quantity of the concept's dimension in the attribute columns of
// that concept, then in its name and description.
func (sh *shelf) measure(h *hit, concept string) (float64, bool) {
	e := sh.ents[h.ent]
	if concept == "price" {
		return e.price, !math.IsNaN(e.price)
	}
	// The dimensions a concept is measured in, first found first: a
	// battery's size and capacity are its charge (mAh, Wh) before its
	// bulk.
	dims := map[string][]string{"weight": {"mass"}, "size": {"charge", "energy", "volume", "length", "mass"},
		"length": {"length"}, "power": {"power"}, "light": {"light"}, "capacity": {"charge", "energy", "volume"}}[concept]
	if col := sh.columnFor(concept); col != "" {
		for _, q := range e.colQty[col] {
			if concept == "size" || slices.Contains(dims, q.dim) {
				return q.hi, true
			}
		}
	}
	for _, d := range dims {
		if qs := e.qty[d]; len(qs) > 0 {
			return qs[0].hi, true
		}
	}
	return 0, false
}

// nearest returns the product of the group closest to the asked price
// range, for a reply that says nothing is in it.
func (sh *shelf) nearest(q *Question, group []*hit) []*hit {
	var best *hit
	bestD := math.Inf(1)
	for _, h := range group {
		e := sh.ents[h.ent]
		if math.IsNaN(e.price) {
			continue
		}
		d := 0.0
		if !math.IsNaN(q.MaxPrice) && e.price > q.MaxPrice {
			d = e.price - q.MaxPrice
		}
		if !math.IsNaN(q.MinPrice) && e.price < q.MinPrice {
			d = q.MinPrice - e.price
		}
		if d < bestD {
			best, bestD = h, d
		}
	}
	if best == nil {
		return nil
	}
	return []*hit{best}
}

// askedColumns finds declared columns named in the message ("what pet is
// it for" with a "pet" column) and makes their words cues.
func (sh *shelf) askedColumns(q *Question) []string {
	var cols []string
	for i, w := range q.words {
		if w.role != roleSubject || w.kind != pWord {
			continue
		}
		if col, ok := sh.columnWord(stem(w.text)); ok && sh.columns[col] != "stock" {
			if !contains(cols, col) {
				cols = append(cols, col)
			}
			q.words[i].role = roleCue
		}
	}
	return cols
}

// columnWord returns the column a word of a message names: a word of the
// column's name, or one sharing its first six letters ("compatible" names
// "compatibility").
func (sh *shelf) columnWord(w string) (string, bool) {
	if col, ok := sh.colWords[w]; ok {
		return col, true
	}
	if len(w) < 6 {
		return "", false
	}
	best := ""
	for cw, col := range sh.colWords {
		if len(cw) >= 6 && cw[:6] == w[:6] && (best == "" || col < best) {
			best = col
		}
	}
	return best, best != ""
}

// matchedColumns adds to cols the columns whose values the message's
// subject words or quantities matched in the product ("navy" in colour,
// "XL" or "30 cm" in size).
func (sh *shelf) matchedColumns(q *Question, h *hit, asked []string) []string {
	e := sh.ents[h.ent]
	var cols []string
	for _, col := range sh.colOrder {
		for _, mq := range q.Quantities {
			for _, pq := range e.colQty[col] {
				if pq.dim == mq.dim && pq.fits(mq.lo) && !contains(cols, col) && !contains(asked, col) && sh.columns[col] != "stock" {
					cols = append(cols, col)
				}
			}
		}
	}
	for k, v := range h.best {
		if v == 0 || h.field[k] != fAttr {
			continue
		}
		if i := attrCol(h.val[k]); i < len(sh.colOrder) {
			if col := sh.colOrder[i]; !contains(cols, col) && !contains(asked, col) && sh.columns[col] != "stock" {
				cols = append(cols, col)
			}
		}
	}
	return cols
}

// columnFor returns the declared column holding a concept, or "".
func (sh *shelf) columnFor(concept string) string {
	for _, col := range sh.colOrder {
		if sh.columns[col] == concept {
			return col
		}
	}
	if concept == "length" {
		return sh.columnFor("size")
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unitWords end product names without naming the product ("Mat 6 mm").
var unitWords = map[string]bool{"mm": true, "cm": true, "m": true, "km": true, "ml": true, "l": true, "kg": true,
	"g": true, "mg": true, "oz": true, "lb": true, "inch": true, "in": true, "mah": true, "wh": true, "w": true, "v": true}

// queryHead returns the head noun of what a message asks about: the stem of
// its last English subject word, or its last run of Han subject characters
// after any 的 and without a trailing 子 or 儿 ("的垫子" → "垫"); "" when there
// is none.
func queryHead(q *Question) (word, han string) {
	for i := headEnd(q) - 1; i >= 0; i-- {
		w := q.words[i]
		if w.role != roleSubject {
			continue
		}
		switch w.kind {
		case pWord:
			if unitWords[w.text] {
				continue
			}
			return stem(w.text), ""
		case pHan:
			run := w.text
			for j := i - 1; j >= 0 && q.words[j].kind == pHan && q.words[j].role == roleSubject && !q.words[j+1].gap; j-- {
				run = q.words[j].text + run
			}
			if k := strings.LastIndex(run, "的"); k >= 0 {
				run = run[k+len("的"):] // "的垫子": what stands after the last 的
			}
			if r := []rune(run); len(r) > 1 && (r[len(r)-1] == '子' || r[len(r)-1] == '儿') {
				run = string(r[:len(r)-1])
			}
			return "", run
		}
		return "", ""
	}
	return "", ""
}

// onlySellAsked reports whether q asks whether something is sold and
// nothing more: no price, stock, column, attribute, comparison, ranking or
// budget.
func onlySellAsked(q *Question, cols []string) bool {
	return !q.Price && !q.Stock && !q.Compare && !q.Recommend && q.Super == "" && !q.HasPriceBound() &&
		len(cols) == 0 && len(q.Attrs) == 0 && len(q.Quantities) == 0
}

// soldHead returns the indexes of the pieces that name the head of what a
// "do you sell X" question asks about: the noun phrase right after the
// sell cue, up to a break, a preposition or another cue, and of it the
// last English word, or the Han characters after its last 的 without a
// trailing 子 or 儿 ("有没有小一点的沙发" → 沙发). English stop words are left
// out, Chinese stop characters kept (想 in 冥想课; see soldHeadWords). It
// returns nil when no noun phrase follows the cue ("花篮有吗", "a hard
// mattress, do you have one").
func soldHead(q *Question) []int {
	if q.sold < 0 {
		return soldBefore(q)
	}
	var word, han []int // the last English word; the Han run since the last 的
	lastHan := false
	for j := q.sold; j < len(q.words); j++ {
		w := q.words[j]
		started := len(word) > 0 || len(han) > 0
		if w.role != roleSubject {
			if started {
				break
			}
			continue // "do you have any …"
		}
		if started && (w.brk || w.kind == pHan && w.gap || w.kind == pWord && (prepositions[w.text] || phraseEnds[w.text] || enStop[w.text] && w.text != "of")) {
			break
		}
		if !started && w.kind == pWord && prepositions[w.text] && !determiners[w.text] {
			break // "how many locations do you have in sz": what is had came before
		}
		switch w.kind {
		case pWord:
			switch {
			case genericHeads[w.text]:
				word = nil // "a first timer deal" names no kind of product
				continue
			case enStop[w.text] || determiners[w.text] || unitWords[w.text]:
				continue
			}
			word, lastHan = []int{j}, false
		case pHan:
			if w.text == "的" {
				han = han[:0]
				continue
			}
			if !lastHan {
				han = han[:0]
			}
			han, lastHan = append(han, j), true
		}
	}
	if !lastHan {
		return word
	}
	if n := len(han); n > 1 && (q.words[han[n-1]].text == "子" || q.words[han[n-1]].text == "儿") {
		han = han[:n-1]
	}
	return han
}

// soldBefore returns, for a Chinese question whose cue asking in so many
// words whether something is sold ends it ("有马卡龙卖吗", "鲜花饼有卖吗"),
// the Han characters right before the cue, after any 的: what it asks for.
// Else nil.
func soldBefore(q *Question) []int {
	at := q.soldCueAt
	if q.Lang != "zh" || at <= 0 || !explicitSell[q.soldCue] {
		return nil // "宝安有没有": does Bao'an have one, not "do you sell Bao'an"
	}
	from := at
	for from > 0 {
		w := q.words[from-1]
		if w.kind != pHan || w.role != roleSubject || w.text == "的" || from < at && q.words[from].gap {
			break
		}
		from--
	}
	var out []int
	for i := from; i < at; i++ {
		out = append(out, i)
	}
	return out
}

// soldHeadWords returns soldHead without its Chinese stop characters: what
// a product must explain.
func soldHeadWords(q *Question) []int {
	return slices.DeleteFunc(soldHead(q), func(i int) bool { return zhStop[q.words[i].text] })
}

// phraseEnds end an English noun phrase besides prepositions and stop
// words: "reading glasses off the shelf".
var phraseEnds = set("off", "like", "without", "under", "over", "near", "into", "around", "per", "please", "pls", "plz")

// SoldSubject returns the head of what text asks in so many words whether
// the company sells or has ("do you sell hearing aids" → "aids", "有马卡龙
// 卖吗" → "马卡龙"; see soldHead), as it stands in text, or "" when text asks
// no such thing (see haveCues) or names no head. A question about a subject
// the content never mentions cannot be answered from it.
func SoldSubject(text string) string {
	if !mayAskSold(text) {
		return "" // most messages: spare them Parse
	}
	q := Parse(text)
	if !q.sellAsked && !haveCues[q.soldCue] {
		return ""
	}
	var b strings.Builder
	for _, i := range soldHead(&q) {
		b.WriteString(q.words[i].text)
	}
	return strings.TrimFunc(b.String(), func(r rune) bool { return zhStop[string(r)] })
}

// mayAskSold reports whether text holds a word that every cue SoldSubject
// accepts holds (see explicitSell and haveCues), ignoring case.
func mayAskSold(text string) bool {
	if strings.ContainsAny(text, "有卖售") {
		return true
	}
	for _, w := range [...]string{"sell", "have", "got", "carry", "stock"} {
		if containsFold(text, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds the lower-case ASCII string w in
// any case, without allocating.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// haveCues ask whether the company has something, the way "do you sell"
// does; "any", "is there" or "looking for" ask about services and
// situations as often.
var haveCues = set("do you have", "do u have", "do you guys have", "have you got", "got any", "有没有", "有吗", "有")

// genericHeads name no kind of thing: what stands before them does.
var genericHeads = set("deal", "deals", "offer", "offers", "option", "options", "thing", "things", "stuff",
	"something", "anything", "kind", "kinds", "type", "types", "one", "ones", "product", "products", "item", "items",
	"shoot", "shoots", "session", "sessions", "service", "services")

// headExplained reports whether h explains the head of what a "do you sell
// X" question asks about (see soldHead): its English word, or every
// character of its Han run. A question with no such head is explained by
// any product.
func headExplained(q *Question, h *hit) bool {
	for _, i := range soldHeadWords(q) {
		if h.covered[i] == coverNone {
			return false
		}
	}
	return true
}

// headEnd returns where the noun phrase holding the head of what q asks
// about ends: before the first preposition that follows an English subject
// word ("charger" in "the cheapest charger for iPhone"), else at the end.
func headEnd(q *Question) int {
	seen := false
	for i, w := range q.words {
		switch {
		case w.kind != pWord:
		case seen && prepositions[w.text]:
			return i
		case w.role == roleSubject && !determiners[w.text]:
			seen = true
		}
	}
	return len(q.words)
}

// prepositions end an English noun phrase.
var prepositions = map[string]bool{"for": true, "with": true, "to": true, "from": true, "in": true, "on": true,
	"at": true, "by": true, "that": true, "which": true, "of": true}

// bareHead reports whether what q asks about is its head noun with no
// word before it that narrows it: "cameras", "your cheapest tool",
// "最便宜的相机", not "cordless tool". A Chinese head is the whole run of
// Han characters after the last 的, so it is bare by construction.
func bareHead(q *Question) bool {
	word, han := queryHead(q)
	if han != "" {
		return true
	}
	if word == "" {
		return false
	}
	for i := headEnd(q) - 1; i >= 0; i-- {
		w := q.words[i]
		if w.role != roleSubject || w.kind != pWord || unitWords[w.text] {
			continue
		}
		// w is the head; what stands right before it decides.
		if i == 0 {
			return true
		}
		prev := q.words[i-1]
		return prev.role != roleSubject || prev.kind != pWord || determiners[prev.text]
	}
	return false
}

// determiners are the words that may stand before a head noun without
// narrowing it.
var determiners = map[string]bool{"the": true, "a": true, "an": true, "your": true, "you": true, "any": true,
	"some": true, "all": true, "what": true, "which": true, "of": true}

// headed returns the hits, in order, whose name ends in the head noun of
// what q asks about ("TPE Beginner Mat 6 mm" and "入门瑜伽垫" for "the cheapest
// yoga mat" and "最便宜的垫子", not "Drop-in Mat Class"), or nil when none
// does.
func (sh *shelf) headed(q *Question, hits []*hit) []*hit {
	word, han := queryHead(q)
	if word == "" && han == "" {
		return nil
	}
	var out []*hit
	for _, h := range hits {
		for _, nh := range sh.ents[h.ent].heads {
			if nh.endsIn(word, han) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// nameHeads are the head nouns of a product name: word, its last English
// word that is not a unit, stemmed, when nothing but units and numbers
// follows it ("TPE Beginner Mat 6 mm" → "mat"); han, its last run of Han
// characters ("TPE 入门瑜伽垫 6 mm" → "入门瑜伽垫").
type nameHeads struct{ word, han string }

// nameHeadsOf returns the head nouns of a product name.
func nameHeadsOf(name string) nameHeads {
	var h nameHeads
	ps := segment(name)
	last := true // no word or Han character after this piece yet
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		switch p.kind {
		case pWord:
			if unitWords[p.text] {
				continue
			}
			if last {
				h.word = stem(p.text)
			}
			last = false
		case pHan:
			last = false
			if h.han != "" {
				continue
			}
			run := p.text
			for j := i - 1; j >= 0 && ps[j].kind == pHan && !ps[j+1].gap; j-- {
				run = ps[j].text + run
			}
			h.han = run
		}
	}
	return h
}

// endsIn reports whether the name's head is word, or its last Han run ends
// in han (one of the two is asked).
func (h nameHeads) endsIn(word, han string) bool {
	if word != "" {
		return h.word == word
	}
	return han != "" && strings.HasSuffix(h.han, han)
}

// headNamesCategory reports whether the head noun of what q asks about is
// the whole name of a category of the group in its language ("sofa" for
// Sofas, "沙发" for 沙发), not one kind of several ("mat" for Mats & Props).
func (sh *shelf) headNamesCategory(q *Question, group []*hit) bool {
	word, han := queryHead(q)
	for _, h := range group {
		c := sh.ents[h.ent].category
		if c < 0 {
			continue
		}
		var same []string // the last terms of the parts in the head's language
		for _, part := range sh.cats[c].parts {
			last := part[len(part)-1]
			if isWordTerm(last) == (word != "") {
				same = append(same, last)
			}
		}
		if len(same) == 1 && (word != "" && same[0] == word || han != "" && (strings.HasSuffix(same[0], han) || strings.HasSuffix(han, same[0]))) {
			return true
		}
		// The kind named by its modifier alone, the way customers shorten
		// it: "the cheapest red" for Red wine, "your best green" for Green
		// tea.
		for _, part := range sh.cats[c].parts {
			if word != "" && len(part) == 2 && part[0] == word && isWordTerm(part[1]) {
				return true
			}
		}
		// Every kind the category lists is one of what was asked: "相机"
		// for 相机与运动相机.
		if han != "" && len(same) > 1 && !slices.ContainsFunc(same, func(t string) bool { return !strings.HasSuffix(t, han) }) {
			return true
		}
	}
	return false
}

// tiedAcross reports whether the products that match the message exactly
// as well as the best one are split among categories with none holding
// most of them: the words asked name no one kind ("tea under 100 yuan"
// matches a black tea and a herbal one alike), so the best product's
// category cannot stand for what was asked. A few of another kind among
// many of one ("花束": nine bouquets, a dried one, two funeral sprays) keep
// the many's category.
func tiedAcross(sh *shelf, group []*hit) bool {
	counts := map[int]int{}
	n := 0
	for _, h := range group {
		if h.score < group[0].score {
			break
		}
		counts[sh.ents[h.ent].category]++
		n++
	}
	if len(counts) < 2 {
		return false
	}
	for _, c := range counts {
		if 2*c > n {
			return false
		}
	}
	return true
}
