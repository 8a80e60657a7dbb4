package entity

import "strings"

// Verdict is what a passage says about one thing a question names.
type Verdict uint8

// Verdicts, from best to worst; NoJudgement is the absence of one.
const (
	// NoJudgement: the passage names nothing of the asked kind, so it can be
	// neither trusted nor ruled out on this ground.
	NoJudgement Verdict = iota
	// Covered: the passage names the asked thing or something that contains
	// it (see Covers). If every covering mention is Negated the passage
	// answers "no" (Finding.Negated).
	Covered
	// Partial: the passage names something that overlaps the asked thing
	// without containing it: a part of it ("Europe?" — "we ship to Germany"),
	// or a related method ("Huabei?" — "Alipay"). Answer with what it names,
	// never a plain "yes".
	Partial
	// NotCovered: the passage names other things of the same kind only (or
	// excludes the asked one: "PayPal for orders outside mainland China"
	// asked from Chengdu). Say so and offer Finding.Options, or look further.
	NotCovered
)

// String returns "no_judgement", "covered", "partial" or "not_covered".
func (v Verdict) String() string {
	switch v {
	case Covered:
		return "covered"
	case Partial:
		return "partial"
	case NotCovered:
		return "not_covered"
	}
	return "no_judgement"
}

// Finding is the verdict on one thing the question names.
type Finding struct {
	Asked   Mention // its first mention in the question
	Verdict Verdict
	// By are the passage's mentions that cover the asked thing (Covered) or
	// overlap it (Partial), the first of each id, in passage order; nil
	// otherwise.
	By []Mention
	// Negated: Covered, but the passage only ever names it to say it is not
	// available ("We don't offer cash on delivery"): its covering mentions
	// are negated or in a question (an FAQ's "Can I pay cash on delivery?").
	Negated bool
	// Options are the passage's other mentions of the same kind — what the
	// content enumerates instead — once per id, in passage order, without
	// negated ones: "We accept Alipay, WeChat Pay, …". List renders them.
	Options []Mention
}

// Report is what a passage covers of a question.
type Report struct {
	// Findings has one entry per distinct thing the question names, in the
	// question's order. Empty if the question names no payment method and
	// no place.
	Findings []Finding
}

// Verdict is the worst verdict of the findings that have one (NotCovered,
// then Partial, then Covered), or NoJudgement if none has.
func (r Report) Verdict() Verdict {
	v := NoJudgement
	for _, f := range r.Findings {
		v = max(v, f.Verdict)
	}
	return v
}

// Check finds the payment methods and places in question and passage and
// reports, for each one the question names, whether the passage covers it
// and what else of its kind the passage names. Give the passage as the
// customer would read it (an FAQ's question and answer, a section's heading
// and text), not keyword or tag fields, which are not claims. Whether a
// question is about delivery or payment at all is the caller's to decide: an
// origin named in a product question ("Yunnan black tea") is a place too.
func (g *Gazetteer) Check(question, passage string) Report {
	return g.CheckMentions(g.Find(question), g.Find(passage))
}

// CheckMentions is Check on mentions already found by Find, so that a
// passage's mentions can be found once and kept.
func (g *Gazetteer) CheckMentions(question, passage []Mention) Report {
	var r Report
	for qi, a := range question {
		if seenBefore(question[:qi], a) {
			continue
		}
		f := Finding{Asked: a}
		var partial []Mention
		hasKind := false
		for _, p := range passage {
			if p.Kind != a.Kind {
				continue
			}
			hasKind = true
			if g.spelledOut(p, passage) {
				continue
			}
			switch g.relate(a, p) {
			case relCovers:
				f.By = append(f.By, p)
			case relOverlaps:
				partial = append(partial, p)
			}
		}
		switch {
		case len(f.By) > 0:
			f.Verdict = Covered
			neg, pos := false, false
			for _, p := range f.By {
				neg = neg || p.Negated
				pos = pos || (!p.Negated && !p.Question)
			}
			f.Negated = neg && !pos
			f.By = unique(f.By)
		case len(partial) > 0:
			f.Verdict, f.By = Partial, unique(partial)
		case hasKind:
			f.Verdict = NotCovered
		}
		for _, p := range passage {
			if p.Kind != a.Kind || p.Negated || seenBefore(f.By, p) || seenBefore(f.Options, p) ||
				g.spelledOut(p, passage) {
				continue
			}
			f.Options = append(f.Options, p)
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

// spelledOut reports whether p is a region that the passage spells out as
// a list of countries: the passage also names two or more distinct
// countries, or regions of countries, inside it, not negated ("How long
// does delivery to Singapore and the rest of Asia take? DHL delivers to
// Singapore, Malaysia, Japan and South Korea…"). Such a region summarises
// its list, so it covers only what the list names: the passage does not
// answer for Beijing or Thailand because it says "Asia". "Worldwide" is
// never spelled out, and a region of one country (mainland China listing
// its provinces) lists no countries. It allocates nothing.
func (g *Gazetteer) spelledOut(p Mention, passage []Mention) bool {
	if p.Kind != Place || p.Outside || p.ID == "region:world" || !strings.HasPrefix(p.ID, "region:") {
		return false
	}
	pi, ok := g.byID[p.ID]
	if !ok {
		return false
	}
	first := ""
	for _, q := range passage {
		if q.Kind != Place || q.Negated || q.Outside || q.ID == p.ID || q.ID == first {
			continue
		}
		qi, ok := g.byID[q.ID]
		if !ok || !g.ents[qi].countryLevel || !g.contains(pi, qi) {
			continue
		}
		if first != "" {
			return true
		}
		first = q.ID
	}
	return false
}

// isCountry reports whether id is an ISO 3166-1 alpha-2 code, the ids of
// countries and territories.
func isCountry(id string) bool {
	return len(id) == 2 && 'A' <= id[0] && id[0] <= 'Z' && 'A' <= id[1] && id[1] <= 'Z'
}

// unique keeps the first mention of each id (and Outside reading).
func unique(ms []Mention) []Mention {
	out := ms[:0]
	for _, m := range ms {
		if !seenBefore(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// seenBefore reports whether ms has a mention of the same id (and the same
// Outside reading) as m.
func seenBefore(ms []Mention, m Mention) bool {
	for _, x := range ms {
		if x.ID == m.ID && x.Outside == m.Outside && x.Kind == m.Kind {
			return true
		}
	}
	return false
}

// Covers reports whether the passage's mentions cover the asked one: one of
// them, of the same kind,
//   - names it or something that contains it: Germany by "the EU" or
//     "Europe", 成都 by 四川 or 中国大陆, Visa by "credit cards", Scotland by
//     "the UK" — even when negated ("We don't ship to the EU" covers
//     Germany: the passage answers, with a no);
//   - names a place outside which it lies: "outside mainland China" covers
//     Hong Kong and Germany, not 成都 nor "China";
//   - for an open category (credit card, debit card, card, mobile wallet,
//     instalments, crypto), names one of its members, not negated: "Visa
//     and Mastercard" covers "credit card".
//
// It is never the reverse: a passage naming only Germany does not cover
// "Europe" (it lists part of it: Check calls that Partial), one naming
// "mainland China" does not cover "China", "credit card" does not cover Apple
// Pay, and "Alipay" does not cover Huabei (Check calls that Partial too). An asked "outside X" is covered by "outside
// X" or "outside Y" for Y inside X. Unknown ids cover nothing.
func (g *Gazetteer) Covers(asked Mention, passage []Mention) bool {
	for _, p := range passage {
		if p.Kind == asked.Kind && g.relate(asked, p) == relCovers {
			return true
		}
	}
	return false
}

type relation uint8

const (
	relNone relation = iota
	relCovers
	relOverlaps
)

// relate says how one passage mention bears on the asked one.
func (g *Gazetteer) relate(a, p Mention) relation {
	ai, ok := g.byID[a.ID]
	pi, ok2 := g.byID[p.ID]
	if !ok || !ok2 || a.Kind != p.Kind {
		return relNone
	}
	switch {
	case a.Outside && p.Outside: // outside A ⊆ outside P iff P ⊆ A
		if g.contains(ai, pi) {
			return relCovers
		}
		return relNone
	case a.Outside: // a place in the complement of A
		if !p.Negated && !g.intersects(ai, pi) {
			return relOverlaps
		}
		return relNone
	case p.Outside:
		switch {
		case p.Negated:
			return relNone
		case !g.intersects(ai, pi):
			return relCovers
		case g.contains(pi, ai):
			return relNone // excluded: 成都 against "outside mainland China"
		}
		return relOverlaps // China against "outside mainland China"
	}
	if g.contains(pi, ai) {
		return relCovers
	}
	if p.Negated {
		return relNone
	}
	if g.ents[ai].open && g.contains(ai, pi) {
		return relCovers
	}
	if g.intersects(ai, pi) || related(g.ents[ai].related, pi) || related(g.ents[pi].related, ai) {
		return relOverlaps
	}
	return relNone
}

func related(rel []int32, i int32) bool {
	for _, r := range rel {
		if r == i {
			return true
		}
	}
	return false
}
