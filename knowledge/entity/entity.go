// Package entity recognises the payment methods and places that a customer's
// question or a passage of content names, in English and Simplified Chinese,
// and decides whether the passage covers what the question names, so that the
// bot never answers "Can I pay with Apple Pay?" with "Yes. Choose Alipay…".
//
// The gazetteer is built once by New from two tables written for this package
// (places.txt, payments.txt) and is immutable afterwards: one *Gazetteer serves
// any number of goroutines. The package keeps no other state.
//
// # Matching
//
// English names match case-insensitively at word boundaries; hyphens,
// underscores and runs of white space count as one space ("apple-pay", "Apple
// Pay"), common Latin diacritics and full-width letters are folded ("Türkiye",
// "ＰａｙＰａｌ"), and typing variants are listed as names ("applepay",
// "wechatpay", "zfb", "amex", "paypall", "Germnay"). Chinese names match
// anywhere, and spaces between Chinese characters are ignored ("微信 支付").
// Overlaps resolve leftmost first, then longest: "WeChat Pay" not "WeChat",
// "内蒙古" (Inner Mongolia) not "蒙古" (Mongolia), "美国运通" (Amex) not "美国",
// "Hong Kong" once and never "Kong". There is no fuzzy matching beyond the
// listed variants.
//
// Stop phrases take part in that contest and yield nothing; with a few case
// rules they handle the false friends:
//   - "china" is a place except in "bone china", "fine china", "China tea",
//     "china cups", "Bank of China", "Beijing time", 中国银行, 中国茶, 北京时间…;
//   - Turkey, Jordan, Chad, Guinea, Niger, Togo, Jersey, Dominica, Dali,
//     Canton, Manila and Maestro count only when capitalised, and "roast turkey", "Air Jordan",
//     "guinea pig", "Jersey shirt"… are stop phrases; a person called Jordan
//     or Chad is still taken for the country;
//   - "Georgia" alone is the country (格鲁吉亚); the US state needs a US
//     context ("Georgia, USA", "state of Georgia", "Atlanta", 佐治亚);
//   - "US" and "COD" count only in capitals ("us" is a pronoun, "cod" a fish);
//     "visa" is the card except in "travel visa", "visa free"…;
//   - a Chinese place followed by 路, 街 or 大道 is a street (南京路 is in
//     Shanghai), and an English one followed by "Road" or "Street" likewise;
//   - place names used as a product's origin ("Yunnan black tea", 福建白茶) are
//     still places: the Engine decides when places matter.
//
// # Containment
//
// Places form a graph: 成都 ⊂ 四川 ⊂ 西南 ⊂ 中国大陆 ⊂ 中国 ⊂ 东亚 ⊂ 亚洲 ⊂ 全球,
// Germany ⊂ EU ⊂ Europe, Scotland ⊂ UK ⊂ Europe. Continents follow the UN M49
// geoscheme (Russia is in Europe, Turkey and the Caucasus in Asia, Cyprus in
// the EU), "Middle East" the common usage (Western Asia, Egypt and Iran), and
// "North America" the shops' usage (the US, Canada, Mexico, Greenland; Central
// America and the Caribbean are under Latin America and the Americas). Hong Kong, Macau and Taiwan sit under 港澳台 and East Asia, not under
// 中国 or 中国大陆, because shops price and ship them apart from the mainland: a
// passage that names only "China" does not cover them. Puerto Rico and Guam are
// not under the US for the same reason. "International", "overseas", 海外 and
// "remote regions" depend on where the shop is and are left to the content.
//
// Payment methods form a second graph: Visa ⊂ credit card ⊂ card, Apple Pay ⊂
// mobile wallet (not credit card), Huabei ⊂ instalments and is related to, not
// included in, Alipay. A few categories are "open": a question about them is
// answered by any member ("Can I pay by credit card?" — "We take Visa").
package entity

import (
	"strconv"
	"strings"
)

// Kind is what a mention names.
type Kind uint8

// The kinds of entity the gazetteer knows.
const (
	PaymentMethod Kind = iota + 1 // a way to pay: "Alipay", "credit card", 货到付款
	Place                         // a country, region, province, state or city
)

// String returns "payment_method", "place" or "kind(N)".
func (k Kind) String() string {
	switch k {
	case PaymentMethod:
		return "payment_method"
	case Place:
		return "place"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Mention is one name of an entity found in a text.
type Mention struct {
	Kind Kind
	// ID is the entity's canonical id: an ISO 3166 code for countries,
	// subdivisions and some prefectures ("DE", "CN-SC", "US-CA", "JP-13"),
	// "city:…" for cities, "region:…" for regions ("region:eu",
	// "region:cn_mainland", "region:hmt"), and a lower-case name for payment
	// methods ("apple_pay", "wechat_pay", "credit_card").
	ID string
	// Start and End are byte offsets into the text: text[Start:End] is the
	// matched name, as written.
	Start, End int
	// Negated reports that the clause says the thing is not available or is
	// excluded: "We don't offer cash on delivery", "PayPal is not accepted",
	// "except Russia", 不支持货到付款, 港澳台除外, 除新疆以外. A heuristic over a few
	// words either side; a negation carries along a list ("We don't accept
	// PayPal, Apple Pay or cheques").
	Negated bool
	// Outside reports, for places only, that the text names everything
	// outside the place: "outside mainland China", "non-EU", 中国大陆以外.
	// "not outside the EU" is a plain mention of the EU.
	Outside bool
	// Question reports that the mention's sentence ends with a question mark:
	// in a passage, an FAQ's question names its topic but claims nothing.
	Question bool
}

// Gazetteer is the immutable, bilingual table of payment methods and places
// and the automaton that finds them. Build it with New; the zero value is not
// usable. All methods are safe for concurrent use.
type Gazetteer struct {
	ents  []entity
	byID  map[string]int32
	words int      // bitset words per entity
	sets  []uint64 // ents[i] contains ents[j] (or i == j): bit j of sets[i*words:]
	stats [Place + 1]Stats
	cues  cues
	trie
}

// entity is one row of a table.
type entity struct {
	id      string
	kind    Kind
	en, zh  string  // display names; zh may be ""
	related []int32 // related, not included (Huabei → Alipay)
	open    bool    // any member answers a question about it
	// countryLevel: a country or territory, or a region made of them
	// ("Japan and Korea", the EU), not a part of one country.
	countryLevel bool
}

// Stats counts a kind's entries in the gazetteer.
type Stats struct {
	Entities    int // distinct ids
	Names       int // names that match, variants and plurals included
	StopPhrases int // phrases that contain a name but name nothing
}

// New builds the gazetteer from the package's tables. It takes tens of
// milliseconds; build it once and share it. It panics only if the tables
// themselves are malformed, a defect the package's tests catch.
func New() *Gazetteer {
	g, err := build()
	if err != nil {
		panic("entity: " + err.Error())
	}
	return g
}

// Stats counts the entries of kind k.
func (g *Gazetteer) Stats(k Kind) Stats {
	if k != PaymentMethod && k != Place {
		return Stats{}
	}
	return g.stats[k]
}

// KindOf returns the kind of the entity id, and false if the gazetteer does
// not know it.
func (g *Gazetteer) KindOf(id string) (Kind, bool) {
	i, ok := g.byID[id]
	if !ok {
		return 0, false
	}
	return g.ents[i].kind, true
}

// Names returns the display name of id in lang: "zh" (or any "zh-…" tag) for
// Simplified Chinese, anything else for English. A method without a Chinese
// name (Venmo) keeps its English one. It returns "" for an unknown id.
func (g *Gazetteer) Names(id, lang string) string {
	i, ok := g.byID[id]
	if !ok {
		return ""
	}
	e := &g.ents[i]
	if isZH(lang) && e.zh != "" {
		return e.zh
	}
	return e.en
}

// List joins the display names of ms in lang, once per entity, in their
// order: "Alipay, WeChat Pay and PayPal", "支付宝、微信支付和PayPal". An Outside
// mention reads "outside mainland China" / "中国大陆以外". Callers normally leave
// Negated mentions out (Finding.Options already does).
func (g *Gazetteer) List(ms []Mention, lang string) string {
	zh := isZH(lang)
	var names []string
	seen := map[string]bool{}
	for _, m := range ms {
		key := m.ID
		if m.Outside {
			key = "!" + key
		}
		n := g.Names(m.ID, lang)
		if n == "" || seen[key] {
			continue
		}
		seen[key] = true
		if m.Outside {
			if zh {
				n += "以外"
			} else {
				n = "outside " + n
			}
		}
		names = append(names, n)
	}
	switch {
	case len(names) == 0:
		return ""
	case len(names) == 1:
		return names[0]
	case zh:
		return strings.Join(names[:len(names)-1], "、") + "和" + names[len(names)-1]
	default:
		return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
}

// Within reports whether the entity id is outer or lies inside it: Within("DE",
// "region:europe"), Within("city:chengdu", "CN"), Within("visa",
// "credit_card") are true; Within("HK", "CN") and Within("apple_pay",
// "credit_card") are false. Unknown ids are within nothing.
func (g *Gazetteer) Within(id, outer string) bool {
	i, ok := g.byID[id]
	o, ok2 := g.byID[outer]
	return ok && ok2 && g.contains(o, i)
}

// contains reports whether entity o contains entity i (or is i).
func (g *Gazetteer) contains(o, i int32) bool {
	return g.sets[int(o)*g.words+int(i)/64]&(1<<(uint(i)%64)) != 0
}

// intersects reports whether entities a and b share a part.
func (g *Gazetteer) intersects(a, b int32) bool {
	x := g.sets[int(a)*g.words : int(a+1)*g.words]
	y := g.sets[int(b)*g.words : int(b+1)*g.words]
	for k := range x {
		if x[k]&y[k] != 0 {
			return true
		}
	}
	return false
}

func isZH(lang string) bool {
	return lang == "zh" || strings.HasPrefix(strings.ToLower(lang), "zh-") || strings.HasPrefix(strings.ToLower(lang), "zh_")
}

// Containers returns the ids of the entities that contain id, in table
// order, id itself excluded: for "city:chengdu" 中国, 中国大陆, 西南, 四川, the
// world…; for "visa" card, credit_card, debit_card. Unknown ids have none.
func (g *Gazetteer) Containers(id string) []string {
	i, ok := g.byID[id]
	if !ok {
		return nil
	}
	var out []string
	for o := range g.ents {
		if int32(o) != i && g.contains(int32(o), i) {
			out = append(out, g.ents[o].id)
		}
	}
	return out
}

// Country returns the country or territory (an ISO 3166-1 code) that
// contains the place id, when id is a part of one (a city, province or
// region of one country): "CN" for "city:chengdu" and "region:cn_mainland",
// "" for countries themselves, regions of several countries and unknown ids.
func (g *Gazetteer) Country(id string) string {
	if isCountry(id) {
		return ""
	}
	for _, c := range g.Containers(id) {
		if isCountry(c) {
			return c
		}
	}
	return ""
}
