package catalog

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// snippetRunes caps the description excerpt of a reply.
const snippetRunes = 200

// reply writes the answer of a plan in lang ("en" or "zh").
func (sh *shelf) reply(q *Question, p plan, lang string) bot.CatalogAnswer {
	w := writer{sh: sh, lang: lang, q: q, p: &p}
	var text string
	switch p.kind {
	case planOne:
		text = w.one(p.items[0])
	case planWhich:
		text = w.which()
	case planVariants:
		text = w.variants()
	case planEach:
		text = w.each()
	case planList:
		text = w.list()
	case planCompare:
		text = w.compare()
	case planOutOfRange:
		text = w.outOfRange()
	case planNegative:
		text = w.negative()
	case planOverview:
		text = w.overview()
	}
	a := bot.CatalogAnswer{OK: true, Text: strings.TrimSpace(text), Confidence: confidence(q, p, sh)}
	for _, h := range p.items[:w.shown()] {
		a.Sources = append(a.Sources, w.source(h))
	}
	if p.kind == planWhich || p.kind == planEach {
		a.Choices = a.Sources
		if len(a.Choices) > bot.MaxChoices {
			a.Choices = a.Choices[:bot.MaxChoices]
		}
		a.AsksWhich = p.kind == planWhich
	}
	return a
}

// writer composes reply text in one language.
type writer struct {
	sh   *shelf
	lang string
	q    *Question
	p    *plan
}

func (w writer) zh() bool { return w.lang == "zh" }

// t picks the English or the Chinese text.
func (w writer) t(en, zh string) string {
	if w.zh() {
		return zh
	}
	return en
}

// source cites a product in the reply's language.
func (w writer) source(h *hit) bot.Source {
	r := w.sh.ents[h.ent].row(w.lang)
	return bot.Source{ID: r.ID, Title: r.Name, URL: r.URL}
}

// name returns the product's name in the reply's language, in bold.
func (w writer) name(h *hit) string {
	return "**" + mdEscape(w.sh.ents[h.ent].row(w.lang).Name) + "**"
}

// price returns the product's price, or words saying there is none.
func (w writer) price(h *hit) string {
	e := w.sh.ents[h.ent]
	r := e.row(w.lang)
	if r.Price != "" {
		return money(r.Price, r.Currency)
	}
	if !math.IsNaN(e.price) {
		return amount(e.price, e.currency)
	}
	return w.t("price on request", "价格请咨询")
}

// amount writes a price known only as a number, with two decimals.
func amount(v float64, currency string) string {
	return money(strconv.FormatFloat(v, 'f', 2, 64), currency)
}

// categoryName returns category c's name in the reply's language, else in
// English, Chinese or whatever it has; false when it has none.
func (w writer) categoryName(c *category) (string, bool) {
	for _, l := range []string{w.lang, "en", "zh", ""} {
		if n, ok := c.names[l]; ok {
			return n, true
		}
	}
	return "", false
}

// attr returns a product's value of a column in the reply's language.
func (w writer) attr(h *hit, col string) string { return w.sh.ents[h.ent].attr(w.lang, col) }

// label returns the display name of a column.
func (w writer) label(col string) string {
	if c, ok := attrConcepts[w.sh.columns[col]]; ok {
		return w.t(c.en, c.zh)
	}
	if w.zh() {
		return col
	}
	return strings.ToUpper(col[:1]) + strings.ReplaceAll(col[1:], "_", " ")
}

// stock says whether a product is available, from the stock column.
// known is false when the catalogue declares no such column.
func (w writer) stock(h *hit) (inStock bool, text string, known bool) {
	col := w.sh.stockCol
	if col == "" {
		return false, "", false
	}
	v := strings.TrimSpace(w.attr(h, col))
	if v == "" {
		return false, "", false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if n > 0 {
			return true, w.t("in stock", "有现货"), true
		}
		return false, w.t("out of stock", "暂时缺货"), true
	}
	switch strings.ToLower(v) {
	case "yes", "y", "true", "in stock", "available", "有", "有货", "现货", "是":
		return true, w.t("in stock", "有现货"), true
	case "no", "n", "false", "out of stock", "sold out", "unavailable", "无", "无货", "缺货", "售罄", "否":
		return false, w.t("out of stock", "暂时缺货"), true
	}
	return false, v, true
}

// snippet returns the first sentences of a product's description, up to
// snippetRunes.
func (w writer) snippet(h *hit) string {
	d := strings.TrimSpace(w.sh.ents[h.ent].row(w.lang).Description)
	if utf8.RuneCountInString(d) <= snippetRunes {
		return mdEscape(d)
	}
	cut := 0
	for i, r := range d {
		if i > 0 && utf8.RuneCountInString(d[:i]) > snippetRunes {
			break
		}
		if r == '。' || r == '！' || r == '？' || (r == '.' || r == '!' || r == '?') && i+1 < len(d) && d[i+1] == ' ' {
			cut = i + utf8.RuneLen(r)
		}
	}
	if cut == 0 {
		rs := []rune(d)
		return mdEscape(string(rs[:snippetRunes])) + "…"
	}
	return mdEscape(strings.TrimSpace(d[:cut]))
}

// one answers about one product: what was asked, else its card.
func (w writer) one(h *hit) string {
	q, p := w.q, w.p
	var b strings.Builder
	inStock, stockText, known := w.stock(h)
	// shown are the values the customer named ("in navy", "in XL"): they
	// follow whatever else is answered.
	shown := w.parts(h, p.shown)
	switch {
	case len(p.cols) > 0:
		parts := append(w.parts(h, p.cols), shown...)
		if len(parts) == 0 {
			return w.card(h)
		}
		if len(parts) == 1 {
			fmt.Fprintf(&b, w.t("%s — %s (%s).", "%s — %s（%s）。"), w.name(h), parts[0], w.price(h))
		} else {
			fmt.Fprintf(&b, w.t("%s (%s):\n", "%s（%s）：\n"), w.name(h), w.price(h))
			for _, part := range parts {
				b.WriteString("- " + part + "\n")
			}
		}
		if len(p.concepts) > 0 {
			return strings.TrimRight(b.String(), "\n") + "\n\n" + w.snippet(h)
		}
		return b.String()
	case q.Stock && known:
		if inStock {
			fmt.Fprintf(&b, w.t("Yes, %s is %s — %s.", "有的，%s%s，售价 %s。"), w.name(h), stockText, w.price(h))
		} else {
			fmt.Fprintf(&b, w.t("Sorry, %s is %s at the moment (%s).", "抱歉，%s目前%s（售价 %s）。"), w.name(h), stockText, w.price(h))
		}
	case q.Stock:
		// no stock column: the catalogue can only say it sells it
		fmt.Fprintf(&b, w.t("%s is in our catalogue at %s; availability is confirmed when you order.", "%s在我们的商品目录中，售价 %s，具体库存以下单时为准。"), w.name(h), w.price(h))
	case q.Sell:
		if len(shown) > 0 {
			fmt.Fprintf(&b, w.t("Yes — %s, %s.", "有的，%s，售价 %s。"), w.name(h), w.price(h))
		} else {
			fmt.Fprintf(&b, w.t("Yes, we sell %s — %s.", "有的，我们有%s，售价 %s。"), w.name(h), w.price(h))
		}
		if known && !inStock {
			b.WriteString(w.t(" It is "+stockText+" at the moment.", "目前"+stockText+"。"))
		}
	case q.Price:
		fmt.Fprintf(&b, w.t("%s costs %s.", "%s售价 %s。"), w.name(h), w.price(h))
		if known && !inStock {
			b.WriteString(w.t(" It is "+stockText+" at the moment.", "目前"+stockText+"。"))
		}
	default:
		return w.card(h)
	}
	for _, part := range shown {
		b.WriteString("\n- " + part)
	}
	b.WriteString("\n\n" + w.snippet(h))
	return b.String()
}

// displayed reports whether a column is shown in cards and tables: not
// aliases, links or pictures.
func (w writer) displayed(col string) bool {
	return !aliasColumns[col] && !hiddenColumns[col]
}

// hiddenColumns hold links and pictures, not facts to tell a customer.
var hiddenColumns = set("url", "link", "href", "image", "images", "image_url", "img", "photo", "picture", "thumbnail", "id")

// parts writes "Label: value" for each column the product has a value in.
func (w writer) parts(h *hit, cols []string) []string {
	var out []string
	for _, col := range cols {
		if v := w.attr(h, col); v != "" {
			out = append(out, w.label(col)+w.t(": ", "：")+mdEscape(v))
		}
	}
	return out
}

// card describes a product: price, availability, description and every
// declared attribute.
func (w writer) card(h *hit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s", w.name(h), w.price(h))
	if _, text, known := w.stock(h); known {
		b.WriteString(w.t(" ("+text+")", "（"+text+"）"))
	}
	b.WriteString("\n\n" + w.snippet(h) + "\n")
	for _, col := range w.sh.colOrder {
		if col == w.sh.stockCol || !w.displayed(col) {
			continue
		}
		if v := w.attr(h, col); v != "" {
			b.WriteString("\n- " + w.label(col) + w.t(": ", "：") + mdEscape(v))
		}
	}
	return b.String()
}

// line is one product in a list: name, price, the measure it is ordered
// by, the asked columns and availability when it is out of stock.
func (w writer) line(h *hit) string {
	s := "- " + w.name(h) + " — " + w.price(h)
	if v := w.measureText(h); v != "" {
		s += w.t(", ", "，") + v
	}
	for _, col := range w.p.cols {
		if w.orderCol() == col {
			continue
		}
		if v := w.attr(h, col); v != "" {
			s += w.t(", ", "，") + w.label(col) + w.t(": ", "：") + mdEscape(v)
		}
	}
	if inStock, text, known := w.stock(h); known && !inStock {
		s += w.t(" ("+text+")", "（"+text+"）")
	}
	return s
}

// orderCol returns the column a list is ordered by, or "".
func (w writer) orderCol() string {
	o := w.p.order
	if o == "" || o == "price" {
		return ""
	}
	if c, ok := strings.CutPrefix(o, "col:"); ok {
		return c
	}
	return w.sh.columnFor(o)
}

// measureText writes the value a list is ordered by ("Weight: 265 g"), or
// "" when it is the price or no column holds it.
func (w writer) measureText(h *hit) string {
	col := w.orderCol()
	if col == "" {
		return ""
	}
	v := w.attr(h, col)
	if v == "" {
		return ""
	}
	return w.label(col) + w.t(": ", "：") + mdEscape(v)
}

// which asks which of several equally likely products is meant, giving
// what was asked of each.
func (w writer) which() string {
	return w.lines(w.t("We have more than one that matches — which one do you mean?", "有几款都符合，请问您指的是哪一款？"))
}

// each lists the products that equally match with what was asked of each,
// and invites the customer to pick one (the choices that follow).
func (w writer) each() string {
	return w.lines(w.t("More than one matches; here is each:", "有几款都符合，分别是：")) + "\n" +
		w.t("Pick one for more about it.", "想了解哪一款，选一下就好。")
}

// variants lists the versions of one product with what was asked of each;
// when the lines do not show what was asked (nothing a column holds), the
// product's description follows, which the versions share.
func (w writer) variants() string {
	n := len(w.p.items)
	s := w.lines(w.t(fmt.Sprintf("We have it in %d versions:", n), fmt.Sprintf("这款有 %d 种规格：", n)))
	if !w.sh.showsAsked(w.q, *w.p, w.p.items) {
		if d := w.snippet(w.p.items[0]); d != "" {
			s += "\n" + d + "\n"
		}
	}
	return s
}

// lines writes head, then a line for each product of the plan.
func (w writer) lines(head string) string {
	var b strings.Builder
	b.WriteString(head + "\n\n")
	for _, h := range w.p.items {
		b.WriteString(w.line(h) + "\n")
	}
	return b.String()
}

// category returns the name of the category a list is of, or "" (also
// for a list of one kind within it).
func (w writer) category() string {
	c := w.p.kindOf
	if c < 0 || w.p.narrowed {
		return ""
	}
	n, _ := w.categoryName(w.sh.cats[c])
	return mdEscape(n)
}

// bounds writes the asked price range: "under ¥200", "¥100–¥300".
func (w writer) bounds() string {
	cur := ""
	if len(w.p.items) > 0 {
		cur = w.sh.ents[w.p.items[0].ent].currency
	}
	lo, hi := w.q.MinPrice, w.q.MaxPrice
	m := func(v float64) string { return money(strconv.FormatFloat(math.Round(v), 'f', 0, 64), cur) }
	switch {
	case !math.IsNaN(lo) && !math.IsNaN(hi):
		return w.t("between "+m(lo)+" and "+m(hi), m(lo)+"–"+m(hi)+"之间")
	case !math.IsNaN(hi):
		return w.t("up to "+m(hi), m(hi)+"以内")
	case !math.IsNaN(lo):
		return w.t("over "+m(lo), m(lo)+"以上")
	}
	return ""
}

// superWord names a superlative.
func (w writer) superWord() string {
	type pair struct{ en, zh string }
	words := map[string][2]pair{
		"price":    {{"cheapest", "最便宜"}, {"most expensive", "最贵"}},
		"weight":   {{"lightest", "最轻"}, {"heaviest", "最重"}},
		"size":     {{"smallest", "最小"}, {"biggest", "最大"}},
		"length":   {{"shortest", "最短"}, {"longest", "最长"}},
		"power":    {{"least powerful", "功率最小"}, {"most powerful", "功率最大"}},
		"light":    {{"dimmest", "最暗"}, {"brightest", "最亮"}},
		"capacity": {{"smallest", "容量最小"}, {"largest", "容量最大"}},
	}
	ws, ok := words[w.q.Super]
	if !ok {
		return ""
	}
	p := ws[0]
	if w.p.dir > 0 {
		p = ws[1]
	}
	return w.t(p.en, p.zh)
}

// ranked is how many products a superlative's reply names: the first and
// the next ones after it.
const ranked = 4

// ranks reports whether the reply is a superlative's: the first of the
// products it compared, then the next ones (a soft "cheap" only orders a
// list).
func (w writer) ranks() bool { return w.p.kind == planList && w.p.order != "" && !w.q.SuperSoft }

// shown returns how many of the plan's items the reply names, each cited
// as a source: a superlative names the first ranked of the products it
// compared ("the cheapest tea" compares two dozen), every other reply all
// of them.
func (w writer) shown() int {
	if w.ranks() {
		return min(len(w.p.items), ranked)
	}
	return len(w.p.items)
}

// list answers a question about several products.
func (w writer) list() string {
	q, p := w.q, w.p
	var b strings.Builder
	n := len(p.items)
	cat := w.category()
	switch {
	case w.ranks():
		first := p.items[0]
		measure := w.price(first)
		if v := w.measureText(first); v != "" {
			measure += w.t(", ", "，") + v
		}
		switch {
		case cat != "":
			fmt.Fprintf(&b, w.t("The %s in our **%s** category is %s — %s.", "「%[2]s」类里%[1]s的是%[3]s，售价 %[4]s。"), w.superWord(), cat, w.name(first), measure)
		default:
			fmt.Fprintf(&b, w.t("The %s one we have is %s — %s.", "%s的是%s，售价 %s。"), w.superWord(), w.name(first), measure)
		}
		if n > 1 {
			b.WriteString(w.t("\n\nNext:\n", "\n\n其次：\n"))
		}
		for _, h := range p.items[1:w.shown()] {
			b.WriteString(w.line(h) + "\n")
		}
		return b.String()
	case p.both:
		b.WriteString(w.t("Here are both:\n\n", "两款的信息如下：\n\n"))
	case q.Recommend && q.HasPriceBound():
		fmt.Fprintf(&b, w.t("Some ideas %s:\n\n", "%s为您推荐：\n\n"), w.bounds())
	case q.Recommend:
		b.WriteString(w.t("Some ideas:\n\n", "为您推荐：\n\n"))
	case q.HasPriceBound() && cat != "":
		fmt.Fprintf(&b, w.t("We have %d in our **%s** category %s:\n\n", "%[3]s的「%[2]s」有 %[1]d 款：\n\n"), n, cat, w.bounds())
	case q.HasPriceBound():
		fmt.Fprintf(&b, w.t("We have %d %s %s:\n\n", "%[3]s的商品有 %[1]d 款：\n\n"), n, w.plural(n), w.bounds())
	case cat != "" && (q.Sell || q.Stock):
		fmt.Fprintf(&b, w.t("Yes, we have %d in our **%s** category:\n\n", "有的，「%[2]s」类有 %[1]d 款：\n\n"), n, cat)
	case q.Sell || q.Stock:
		fmt.Fprintf(&b, w.t("Yes, we have %d that match:\n\n", "有的，符合的有 %d 款：\n\n"), n)
	case cat != "":
		fmt.Fprintf(&b, w.t("We have %d in our **%s** category:\n\n", "「%[2]s」类有 %[1]d 款：\n\n"), n, cat)
	default:
		fmt.Fprintf(&b, w.t("We have %d that match:\n\n", "符合的有 %d 款：\n\n"), n)
	}
	for _, h := range p.items[:min(n, maxListed)] {
		b.WriteString(w.line(h) + "\n")
	}
	if n > maxListed {
		fmt.Fprintf(&b, w.t("\n…and %d more.", "\n……还有 %d 款。"), n-maxListed)
	}
	return b.String()
}

// plural returns "product" or "products".
func (w writer) plural(n int) string {
	if n == 1 {
		return "product"
	}
	return "products"
}

// outOfRange says nothing is in the asked price range and gives the
// closest product.
func (w writer) outOfRange() string {
	h := w.p.items[0]
	if cat := w.category(); cat != "" {
		return fmt.Sprintf(w.t("We have nothing in our **%s** category %s. The closest is %s at %s.", "「%[1]s」类里没有%[2]s的商品。最接近的是%[3]s，售价 %[4]s。"),
			cat, w.bounds(), w.name(h), w.price(h))
	}
	return fmt.Sprintf(w.t("We have nothing %s that matches. The closest is %s at %s.", "没有%s符合的商品。最接近的是%s，售价 %s。"),
		w.bounds(), w.name(h), w.price(h))
}

// overview lists the catalogue's categories, each with how many products
// it has and their price range.
func (w writer) overview() string {
	var b strings.Builder
	n := 0
	for _, c := range w.sh.cats {
		n += len(c.ents)
	}
	fmt.Fprintf(&b, w.t("We have %d products in %d categories:\n\n", "我们共有 %d 款商品，分为 %d 类：\n\n"), n, len(w.sh.cats))
	for _, c := range w.sh.cats {
		name, _ := w.categoryName(c)
		lo, hi, cur := math.Inf(1), math.Inf(-1), ""
		for _, e := range c.ents {
			if pr := w.sh.ents[e].price; !math.IsNaN(pr) {
				lo, hi, cur = min(lo, pr), max(hi, pr), w.sh.ents[e].currency
			}
		}
		fmt.Fprintf(&b, w.t("- **%s** — %d", "- **%s** — %d 款"), mdEscape(name), len(c.ents))
		switch {
		case math.IsInf(lo, 1):
		case lo == hi:
			fmt.Fprintf(&b, w.t(", %s", "，%s"), amount(lo, cur))
		default:
			fmt.Fprintf(&b, w.t(", %s–%s", "，%s–%s"), amount(lo, cur), amount(hi, cur))
		}
		b.WriteString("\n")
	}
	b.WriteString(w.t("\nTell me which kind or which product you'd like to know more about.", "\n想了解哪一类或哪一款，告诉我名字即可。"))
	return b.String()
}

// negative says the catalogue has no such thing and lists its categories.
func (w writer) negative() string {
	var cats []string
	for _, c := range w.sh.cats {
		if n, ok := w.categoryName(c); ok && !contains(cats, n) {
			cats = append(cats, n)
		}
	}
	sort.Strings(cats)
	sep := w.t(", ", "、")
	return fmt.Sprintf(w.t("Sorry, we don't sell %s. What we have: %s.", "抱歉，我们没有%s。我们在售的有：%s。"),
		mdEscape(w.p.subject), strings.Join(cats, sep))
}

// compare puts two products side by side on the columns both have.
func (w writer) compare() string {
	a, c := w.p.items[0], w.p.items[1]
	var b strings.Builder
	na := mdEscape(w.sh.ents[a.ent].row(w.lang).Name)
	nc := mdEscape(w.sh.ents[c.ent].row(w.lang).Name)
	fmt.Fprintf(&b, "| | %s | %s |\n|---|---|---|\n", cell(na), cell(nc))
	fmt.Fprintf(&b, "| %s | %s | %s |\n", w.t("Price", "价格"), w.price(a), w.price(c))
	for _, col := range w.sh.colOrder {
		if !w.displayed(col) {
			continue
		}
		va, vc := w.attr(a, col), w.attr(c, col)
		if col == w.sh.stockCol {
			_, va, _ = w.stock(a)
			_, vc, _ = w.stock(c)
		}
		if va == "" || vc == "" {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", w.label(col), cell(va), cell(vc))
	}
	fmt.Fprintf(&b, "\n- **%s**: %s\n- **%s**: %s\n", na, w.snippet(a), nc, w.snippet(c))
	return b.String()
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}

// mdEscape keeps catalogue text from being read as Markdown emphasis or
// links.
func mdEscape(s string) string { return mdReplacer.Replace(s) }

// mdReplacer escapes Markdown; it is immutable and safe for concurrent use.
var mdReplacer = strings.NewReplacer("*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "`", "\\`", "<", "&lt;", ">", "&gt;")
