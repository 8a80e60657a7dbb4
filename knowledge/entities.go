package knowledge

import (
	"strings"
	"sync"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/entity"
)

// entities holds an Index's gazetteer of payment methods and places, built
// on first use (some 20 ms), so that an index that is never asked about
// them never pays for it.
type entities struct {
	once sync.Once
	g    *entity.Gazetteer
}

func (e *entities) get() *entity.Gazetteer {
	e.once.Do(func() { e.g = entity.New() })
	return e.g
}

// expandEntities adds to a query's alternative terms what the places and
// payment methods it names are known as in content: the regions that
// contain a place ("Singapore" is found by a passage about Southeast Asia,
// 乌鲁木齐 by one about 新疆), and, for a payment method, the general words of
// paying, so that the passage listing what the shop accepts is found when
// the customer names something else.
func (ix *Index) expandEntities(p *prepared) {
	g := ix.ents.get()
	lang := "en"
	if p.zh {
		lang = "zh"
	}
	for _, m := range g.Find(p.text) {
		p.entities = true
		var names []string
		switch m.Kind {
		case entity.Place:
			for _, id := range g.Containers(m.ID) {
				if id != "region:world" {
					names = append(names, g.Names(id, lang))
				}
			}
		case entity.PaymentMethod:
			for _, id := range g.Containers(m.ID) {
				names = append(names, g.Names(id, lang))
			}
			if p.zh {
				names = append(names, "付款方式", "支付方式")
			} else {
				names = append(names, "payment methods", "pay")
			}
		}
		var alts []string
		for _, n := range names {
			alts = append(alts, p.anal.analyse(strings.ToLower(n), p.zh).terms...)
		}
		if len(alts) == 0 {
			continue
		}
		for _, t := range p.anal.analyse(strings.ToLower(p.text[m.Start:m.End]), p.zh).terms {
			if p.alt == nil {
				p.alt = map[string][]string{}
			}
			p.alt[t] = append(p.alt[t], alts...)
		}
		for _, a := range alts {
			if !p.qset[a] && !containsString(p.altAll, a) && len(p.altAll) < maxQueryTerms {
				p.altAll = append(p.altAll, a)
			}
		}
	}
}

// Cover implements bot.Coverage: whether hit covers the payment methods
// and places question names (see entity.Gazetteer.Check), read in the
// passage as the customer sees it (its title and answer), with the names
// in lang.
//
// A passage leaves out a place asked only when it is about places: it
// lists two or more, or its title names one ("寄到新疆要多久？"). One named
// in passing in its text (the shop's own city in a refund policy, "our
// Xi'an campus") is no list of places served: "我们要搬去上海 还能退费吗" is a
// refund question. A payment method is checked against any the passage
// names: one that names another is about that one ("Do you take PayPal?"
// of "Can I pay with Alipay?", "闭店的时候现金怎么处理" of a page that names
// only WeChat). And a place the passage cannot speak of (a city of the
// passage's list of countries, see foreignOnly and domesticOnly) leaves it
// unanswered only when nothing else the question names is covered: "im in
// london, can i send flowers to my girlfriend in chengdu" is answered by
// the passage about delivering in Chengdu. Kind, Asked and Options are set
// only with CoverMissing; Kind and Options come from the first finding
// listed against that names options.
func (ix *Index) Cover(question string, h bot.Hit, lang string) bot.CoverCheck {
	g := ix.ents.get()
	r := g.Check(question, h.Title+"\n"+h.Answer)
	titledPlace := false // the title names a place
	for _, m := range g.Find(h.Title) {
		titledPlace = titledPlace || m.Kind == entity.Place
	}
	out := bot.CoverCheck{Verdict: bot.CoverNone}
	missing, elsewhere := false, false // a finding not covered: listed against, or of another country
	for _, f := range r.Findings {
		switch f.Verdict {
		case entity.NotCovered:
			far := foreignOnly(g, f) || domesticOnly(g, f)
			if !far && f.Asked.Kind == entity.Place && len(f.Options) < 2 && !titledPlace {
				continue // named in passing, not a list of what there is
			}
			out.Asked = appendName(out.Asked, g.Names(f.Asked.ID, lang))
			if far {
				if out.Kind == "" {
					out.Kind = f.Asked.Kind.String()
				}
				// A city asked of a passage that lists other countries
				// ("寄到北京几天" of the international list), or a place
				// abroad asked of one that lists the parts of one country
				// (Thailand of "Do you deliver to Xinjiang, Tibet and other
				// remote regions?"): the content may well serve it
				// elsewhere; never "we don't cover it".
				elsewhere = true
				continue
			}
			if !missing || out.Options == "" {
				out.Kind, out.Options, out.Count = f.Asked.Kind.String(), g.List(f.Options, lang), len(f.Options)
			}
			missing = true
		case entity.Partial:
			if out.Verdict == bot.CoverNone || out.Verdict == bot.CoverFull {
				out.Verdict = bot.CoverPartial
			}
		case entity.Covered:
			if out.Verdict == bot.CoverNone {
				out.Verdict = bot.CoverFull
			}
		}
	}
	switch {
	case missing || elsewhere && out.Verdict == bot.CoverNone:
		out.Verdict = bot.CoverMissing
		return out
	case elsewhere:
		// Another place the question names is covered: answer with what
		// the passage names, never a plain yes.
		out.Verdict = bot.CoverPartial
	}
	out.Kind, out.Asked, out.Options, out.Count = "", "", "", 0
	if missingTopic(question, h.Title+"\n"+h.Answer) {
		return bot.CoverCheck{Verdict: bot.CoverMissing, Kind: bot.CoverKindTopic}
	}
	return out
}

// foreignOnly reports whether f asks about a part of a country (a city, a
// province) of a passage whose places are all outside that country: such a
// passage is about other countries and cannot say the asked place is not
// served.
func foreignOnly(g *entity.Gazetteer, f entity.Finding) bool {
	country := g.Country(f.Asked.ID)
	if f.Asked.Kind != entity.Place || f.Asked.Outside || country == "" {
		return false
	}
	for _, o := range f.Options {
		if o.Outside || g.Within(o.ID, country) || g.Within(country, o.ID) {
			return false
		}
	}
	return true
}

// domesticOnly reports whether f asks about a place outside a country of
// a passage whose places are all parts of that one country (its provinces,
// cities, regions): such a passage is about that country and cannot say
// the asked place is not served. It is foreignOnly the other way round.
func domesticOnly(g *entity.Gazetteer, f entity.Finding) bool {
	if f.Asked.Kind != entity.Place || f.Asked.Outside || len(f.Options) == 0 {
		return false
	}
	country := ""
	for _, o := range f.Options {
		c := g.Country(o.ID)
		if o.Outside || c == "" || (country != "" && c != country) {
			return false
		}
		country = c
	}
	return f.Asked.ID != country && !g.Within(f.Asked.ID, country)
}

func appendName(list, name string) string {
	switch {
	case name == "":
		return list
	case list == "":
		return name
	}
	return list + ", " + name
}
