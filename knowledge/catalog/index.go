package catalog

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

// Options configures New.
type Options struct {
	// Elsewhere, when set, reports whether the company's other content
	// (FAQ, pages) mentions text. The catalogue says "we don't have X" only
	// for an X that Elsewhere does not know, so a question about a service
	// ("do you have gift wrapping?") is left to the knowledge base.
	Elsewhere func(ctx context.Context, text string) bool
}

// Index is a company's catalogue, ready to answer questions. It is
// immutable after New and safe for concurrent use.
type Index struct {
	public *shelf // products customers may see
	all    *shelf // every product, for employees
	opts   Options
}

// New builds the catalogue of products. Rows sharing a SKU are one
// product in several languages. Products of an audience other than
// bot.AudiencePublic and bot.AudienceInternal are left out.
func New(products []Product, opts Options) (*Index, error) {
	var pub, all []Product
	for _, p := range products {
		if p.SKU == "" || p.ID == "" {
			return nil, fmt.Errorf("catalog: product %q has no SKU or ID", p.Name)
		}
		switch p.Audience {
		case bot.AudiencePublic, "":
			pub = append(pub, p)
			all = append(all, p)
		case bot.AudienceInternal:
			all = append(all, p)
		}
	}
	ix := &Index{opts: opts, all: newShelf(all)}
	ix.public = ix.all
	if len(pub) != len(all) {
		ix.public = newShelf(pub)
	}
	return ix, nil
}

// Len returns the number of products (SKUs) customers may see.
func (ix *Index) Len() int { return len(ix.public.ents) }

// shelfFor returns the products a reader with these audiences may see:
// none or unknown audiences mean public only.
func (ix *Index) shelfFor(auds []bot.Audience) *shelf {
	for _, a := range auds {
		if a == bot.AudienceInternal {
			return ix.all
		}
	}
	return ix.public
}

// Fields of a product that words are matched in, and their weights.
const (
	fSKU uint8 = iota
	fName
	fAlias
	fTag
	fCat
	fAttr
	fDesc
	nFields
)

var fieldWeight = [nFields]float64{fSKU: 1.5, fName: 1.0, fAlias: 1.0, fTag: 0.9, fCat: 0.8, fAttr: 0.6, fDesc: 0.35}

// listCatWeight is the weight of a category that lists several kinds
// ("Helmets, locks & lights"): naming one kind is weaker evidence.
const listCatWeight = 0.5

// posting is one occurrence of a term in a product.
type posting struct {
	ent   int32
	field uint8
	val   uint16 // which value of the field (tag number, language row)
	pos   uint16 // position of the term within the value
	head  bool   // the term is the head word of a name
	multi bool   // the category lists several kinds
}

// entity is one product (SKU) with its rows in each language.
type entity struct {
	sku      string
	rows     []*Product // English first, then Chinese, then others
	price    float64    // NaN when unknown
	currency string
	category int // index in shelf.cats, -1 for none
	// quantities found in the name, attributes and description, by
	// dimension; colQty those of each attribute column.
	qty    map[string][]quantity
	colQty map[string][]quantity
	// names holds, per row, the distinct terms of its name (aliases
	// included) with the sum of their idf, for the share of a name a
	// message names.
	names []nameTerms
	// heads holds the head nouns (see nameHeadsOf) of each row's name and
	// of its tags: a camera named by its model ("Fujifilm instax mini 12")
	// is a camera by its tag "instant camera".
	heads []nameHeads
}

// nameTerms are the terms of one row's name.
type nameTerms struct {
	terms map[string]bool
	idf   float64
}

// hasNameTerm reports whether any row's name holds t.
func (e *entity) hasNameTerm(t string) bool {
	for _, n := range e.names {
		if n.terms[t] {
			return true
		}
	}
	return false
}

// row returns the product's row in lang, else its first row.
func (e *entity) row(lang string) *Product {
	for _, r := range e.rows {
		if r.Lang == lang {
			return r
		}
	}
	return e.rows[0]
}

// attr returns the entity's value of a column: its row's in lang, else any
// row's; "" when no row has one.
func (e *entity) attr(lang, col string) string {
	if v := e.row(lang).Attrs[col]; v != "" {
		return v
	}
	for _, r := range e.rows {
		if v := r.Attrs[col]; v != "" {
			return v
		}
	}
	return ""
}

// category is one category of the catalogue: the product rows that name it,
// and its names' terms by part ("Helmets, locks & lights" has three).
type category struct {
	names map[string]string // lang → name
	parts [][]string        // terms of each part, over all languages
	ents  []int32
}

// shelf is the searchable form of a set of products.
type shelf struct {
	ents  []*entity
	cats  []*category
	post  map[string][]posting
	idf   map[string]float64
	roots map[string][]string // root(term) → English terms
	dels  map[string][]string // one-deletion variants → English terms of 4+ letters
	// columns maps a declared column to its concept ("weight" → "weight",
	// "pet" → "pet"); colWords maps the stems of column-name words to the
	// column.
	columns  map[string]string
	colWords map[string]string
	colOrder []string
	// stockCol is the column that holds availability, or "".
	stockCol string
	maxIDF   float64
}

// newShelf indexes products.
func newShelf(products []Product) *shelf {
	sh := &shelf{post: map[string][]posting{}, idf: map[string]float64{}, roots: map[string][]string{},
		dels: map[string][]string{}, columns: map[string]string{}, colWords: map[string]string{}}
	bySKU := map[string]*entity{}
	for i := range products {
		p := &products[i]
		e := bySKU[p.SKU]
		if e == nil {
			e = &entity{sku: p.SKU, price: math.NaN(), category: -1, qty: map[string][]quantity{}, colQty: map[string][]quantity{}}
			bySKU[p.SKU] = e
			sh.ents = append(sh.ents, e)
		}
		e.rows = append(e.rows, p)
		for col := range p.Attrs {
			if _, ok := sh.columns[col]; !ok {
				sh.columns[col] = conceptOf(col)
			}
		}
	}
	sort.SliceStable(sh.ents, func(i, j int) bool { return sh.ents[i].sku < sh.ents[j].sku })
	for col, concept := range sh.columns {
		if concept == "stock" && (sh.stockCol == "" || col < sh.stockCol) {
			sh.stockCol = col
		}
		sh.colOrder = append(sh.colOrder, col)
		for _, ps := range segment(col) {
			if ps.kind == pWord && len(ps.text) > 2 {
				sh.colWords[stem(ps.text)] = col
			}
		}
	}
	sort.Strings(sh.colOrder)
	catIndex := map[string]int{}
	for ei, e := range sh.ents {
		sort.SliceStable(e.rows, func(i, j int) bool { return langRank(e.rows[i].Lang) < langRank(e.rows[j].Lang) })
		id := int32(ei)
		for ri, r := range e.rows {
			e.heads = append(e.heads, nameHeadsOf(r.Name))
			for _, t := range r.Tags {
				e.heads = append(e.heads, nameHeadsOf(t))
			}
			val := uint16(ri)
			if math.IsNaN(e.price) && r.Price != "" {
				if v, err := strconv.ParseFloat(strings.TrimPrefix(strings.TrimSpace(r.Price), "$"), 64); err == nil {
					e.price, e.currency = v, r.Currency
				}
			}
			sh.add(id, fSKU, 0, r.SKU, false)
			e.names = append(e.names, nameTerms{terms: map[string]bool{}})
			sh.addName(id, val, r.Name, &e.names[ri])
			for ti, t := range r.Tags {
				sh.add(id, fTag, uint16(ri*64+ti%64), t, false)
			}
			for ci, col := range sh.colOrder { // in one order, so that ties between columns fall alike on every run
				v, ok := r.Attrs[col]
				if !ok {
					continue
				}
				switch {
				case aliasColumns[col]:
					for ai, a := range texts.SplitList(v) {
						sh.add(id, fAlias, uint16(ri*64+ai%64), a, false)
						for _, t := range termsOf(a) {
							e.names[ri].terms[t] = true
						}
					}
				case sh.columns[col] == "stock":
				default:
					sh.add(id, fAttr, attrVal(ri, ci), v, false)
					for _, q := range quantities(v) {
						e.qty[q.dim] = append(e.qty[q.dim], q)
						e.colQty[col] = append(e.colQty[col], q)
					}
				}
			}
			sh.add(id, fDesc, val, r.Description, false)
			for _, q := range quantities(r.Name) {
				e.qty[q.dim] = append(e.qty[q.dim], q)
			}
			for _, q := range quantities(r.Description) {
				e.qty[q.dim] = append(e.qty[q.dim], q)
			}
			if c := strings.TrimSpace(r.Category); c != "" {
				key := strings.ToLower(c)
				// Rows of one product in two languages name one category.
				ci, ok := catIndex[key]
				if !ok && e.category >= 0 {
					ci, ok = e.category, true
					catIndex[key] = ci
				}
				if !ok {
					ci = len(sh.cats)
					catIndex[key] = ci
					sh.cats = append(sh.cats, &category{names: map[string]string{}})
				}
				cat := sh.cats[ci]
				if _, seen := cat.names[r.Lang]; !seen {
					cat.names[r.Lang] = c
					cat.parts = append(cat.parts, categoryParts(c)...)
				}
				if e.category != ci {
					e.category = ci
					cat.ents = append(cat.ents, id)
				}
				sh.add(id, fCat, val, c, len(categoryParts(c)) > 1)
			}
		}
	}
	// Idf over products, and the fuzzy tables over English terms.
	n := float64(len(sh.ents))
	for term, ps := range sh.post {
		seen := map[int32]bool{}
		for _, p := range ps {
			seen[p.ent] = true
		}
		sh.idf[term] = math.Log(1 + n/float64(len(seen)))
		sh.maxIDF = max(sh.maxIDF, sh.idf[term])
		if isWordTerm(term) {
			if r := root(term); r != "" && r != term {
				sh.roots[r] = append(sh.roots[r], term)
			}
			if len(term) >= 4 {
				for _, d := range deletes(term) {
					sh.dels[d] = append(sh.dels[d], term)
				}
			}
		}
	}
	for _, e := range sh.ents {
		for i := range e.names {
			for t := range e.names[i].terms {
				e.names[i].idf += sh.idf[t]
			}
		}
	}
	return sh
}

// langRank orders rows: English, Chinese, then the rest.
func langRank(lang string) int {
	switch lang {
	case "en":
		return 0
	case "zh":
		return 1
	}
	return 2
}

// attrVal encodes the row and the column of an attribute value as a
// posting's val; attrCol decodes the column.
func attrVal(row, col int) uint16 { return uint16(row<<8 | col&0xff) }

func attrCol(val uint16) int { return int(val & 0xff) }

// conceptOf returns the attribute concept a column name stands for, or
// the column name itself.
func conceptOf(col string) string {
	norm := strings.ReplaceAll(strings.ReplaceAll(col, " ", "_"), "-", "_")
	for concept, c := range attrConcepts {
		if concept == "length" {
			continue // a "size" column is a size
		}
		for _, name := range c.columns {
			if norm == name {
				return concept
			}
		}
	}
	return col
}

// categoryParts splits a category name that lists several kinds
// ("Helmets, locks & lights", "头盔·锁·车灯") into the terms of each kind.
func categoryParts(c string) [][]string {
	f := func(r rune) bool {
		return r == ',' || r == '&' || r == '·' || r == '、' || r == '/' || r == '+' || r == '|' || r == '，' || r == '与' || r == '和'
	}
	var parts [][]string
	for _, part := range strings.FieldsFunc(c, f) {
		part = strings.TrimSpace(part)
		part = strings.TrimPrefix(part, "and ")
		if ts := termsOf(part); len(ts) > 0 {
			parts = append(parts, ts)
		}
	}
	return parts
}

// termsOf returns the distinct content terms of a text: stems of English
// words that are not stop words, numbers, and Chinese bigrams (a lone Han
// character stands for itself).
func termsOf(text string) []string {
	var out []string
	for _, t := range termize(text) {
		if t.kind == pWord && enStop[t.term] || t.uni {
			continue
		}
		out = append(out, t.term)
	}
	return out
}

// term is one indexed term of a catalogue value.
type term struct {
	term string
	kind pieceKind
	pos  int
	uni  bool // a Han unigram inside a longer run (weak evidence)
	// joined is an English pair written as one word ("ebike" for "e-bike").
	joined bool
}

// termize turns a catalogue value into terms: stems of English words and
// the joined form of each adjacent pair ("e-bike" → "e", "bike", "ebike"),
// numbers without trailing zeros, Han bigrams and characters.
func termize(text string) []term {
	ps := segment(text)
	var out []term
	for i, p := range ps {
		switch p.kind {
		case pWord:
			out = append(out, term{term: negTerm(p.neg, stem(p.text)), kind: pWord, pos: i})
			if i+1 < len(ps) && ps[i+1].kind == pWord && !ps[i+1].gap || i+1 < len(ps) && ps[i+1].hyphen {
				out = append(out, term{term: stem(p.text + ps[i+1].text), kind: pWord, pos: i, joined: true})
			}
			if i+1 < len(ps) && ps[i+1].kind == pNum && !ps[i+1].gap && !ps[i+1].hyphen {
				// A model code's letters and the digits after them
				// ("XM4" in "WH-1000XM4"): "xm4" tells it from the XM5.
				out = append(out, term{term: p.text + numTerm(ps[i+1].text), kind: pWord, pos: i, joined: true})
			}
		case pNum:
			out = append(out, term{term: numTerm(p.text), kind: pNum, pos: i})
		case pHan:
			alone := (i == 0 || ps[i-1].kind != pHan || p.gap) && (i+1 >= len(ps) || ps[i+1].kind != pHan || ps[i+1].gap)
			out = append(out, term{term: negTerm(p.neg, p.text), kind: pHan, pos: i, uni: !alone})
			if i+1 < len(ps) && ps[i+1].kind == pHan && !ps[i+1].gap {
				out = append(out, term{term: negTerm(p.neg && ps[i+1].neg, p.text+ps[i+1].text), kind: pHan, pos: i})
			}
		}
	}
	return out
}

// runTogether marks the terms of two adjacent name words written as one.
const runTogether = "⁀"

// negTerm returns the term a negated piece is indexed and looked up by:
// "¬" and the term, which only a question that negates it too finds.
func negTerm(neg bool, t string) string {
	if neg {
		return "¬" + t
	}
	return t
}

// numTerm writes a number without trailing zeros: "899.00" → "899".
func numTerm(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "" {
		return "0"
	}
	return s
}

// isWordTerm reports whether a term is an English word (not a number or
// Chinese).
func isWordTerm(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= 'a' && t[i] <= 'z' {
			continue
		}
		return false
	}
	return t != ""
}

// add indexes the terms of a value.
func (sh *shelf) add(ent int32, field uint8, val uint16, text string, multi bool) {
	if text == "" {
		return
	}
	for _, t := range termize(text) {
		if t.kind == pWord && enStop[t.term] && field != fSKU {
			continue
		}
		sh.post[t.term] = append(sh.post[t.term], posting{ent: ent, field: field, val: val, pos: uint16(min(t.pos, math.MaxUint16)), multi: multi})
	}
}

// addName indexes a product name and marks its head words: in English the
// last word before the first comma or parenthesis (numbers and units
// skipped: "West Lake Longjing, 50 g" → "longjing"); in Chinese the last
// two characters of the first run ("西湖龙井·明前" → "龙井").
func (sh *shelf) addName(ent int32, val uint16, name string, nt *nameTerms) {
	head := map[string]bool{}
	first := name
	if i := strings.IndexAny(first, ",(（，·"); i > 0 {
		first = first[:i]
	}
	ps := segment(first)
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.kind == pWord && len(p.text) > 1 && !enStop[p.text] && sizeWords[p.text] == "" {
			if _, isUnit := units[p.text]; isUnit && i > 0 && ps[i-1].kind == pNum {
				continue
			}
			head[stem(p.text)] = true
			break
		}
	}
	for i := len(ps) - 1; i >= 1; i-- {
		if ps[i].kind == pHan && ps[i-1].kind == pHan && !ps[i].gap {
			if _, isUnit := units[ps[i].text]; isUnit || ps[i].text == "号" || ps[i].text == "码" || ps[i].text == "款" {
				continue // 大号, L码, 双肩款: a size or a variant, not the thing
			}
			head[ps[i-1].text+ps[i].text] = true
			break
		}
	}
	for _, t := range termize(name) {
		if t.kind == pWord && enStop[t.term] {
			continue
		}
		sh.post[t.term] = append(sh.post[t.term], posting{ent: ent, field: fName, val: val, pos: uint16(min(t.pos, math.MaxUint16)), head: head[t.term]})
		if !t.uni && !t.joined {
			nt.terms[t.term] = true
		}
	}
	// Two words of a name run together, as customers type them: "16promax"
	// for the "iPhone 16 Pro Max", "airfryer" for an "Air Fryer" (a hyphen
	// or no space already joins them in termize). They are kept apart from
	// the name's terms (runTogether), for a word of a message that is no
	// term itself: "pro max" typed apart matches the two words.
	nps := segment(name)
	for i := 0; i+1 < len(nps); i++ {
		a, b := nps[i], nps[i+1]
		if a.kind == pWord && b.kind == pWord && b.gap && !b.brk && !a.neg && !b.neg && !enStop[a.text] && !enStop[b.text] {
			t := runTogether + stem(a.text+b.text)
			sh.post[t] = append(sh.post[t], posting{ent: ent, field: fName, val: val, pos: uint16(min(i, math.MaxUint16))})
		}
	}
}
