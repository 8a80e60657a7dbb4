package catalog

import (
	"math"
	"slices"
	"sort"

	"github.com/concierge-bot/concierge/internal/textdist"
)

// Match quality of a word that is not the catalogue's own spelling.
const (
	qualityRoot  = 0.85 // another ending of the same root: smoky ~ smoked
	qualityTypo  = 0.75 // one edit away: warrenty ~ warranty
	uniWeight    = 0.3  // a lone Chinese character inside a longer run
	cueWeight    = 0.5  // a cue word that also names a product: "gift set"
	headBonus    = 0.3  // the head word of a name: "the Longjing"
	phraseBonus  = 0.25 // two words in a row as the catalogue writes them
	qtyBonus     = 1.5  // a quantity that falls in the product's range (about one rare word)
	priceBonus   = 1.5  // a number equal to the product's price (likewise)
	contextShare = 0.3  // the other side of a comparison, as context
)

// alt is one catalogue term a probe may stand for.
type alt struct {
	term string
	q    float64
}

// probe is one searchable element of a message: a word, a joined pair of
// words, a number, a Chinese bigram or character.
type probe struct {
	from, to int // the pieces it covers, [from, to)
	alts     []alt
	uni      bool    // a Chinese character inside a run
	weight   float64 // its share in this match (comparison sides)
	role     role
	// qty is 1 + the index of the quantity a number belongs to, or 0.
	qty int
}

// cover is how well a product explains one piece of a message.
type cover uint8

const (
	coverNone cover = iota
	coverHalf       // a Chinese character matched on its own
	coverFull
)

// hit is one product's match with a message.
type hit struct {
	ent      int32
	score    float64
	best     []float64 // per probe: weight × quality × idf of its best occurrence
	field    []uint8   // per probe: the field of that occurrence
	val      []uint16  // per probe: the value of that occurrence (see posting.val)
	strong   bool      // matched outside the description
	qtyFit   bool      // a quantity of the message fits the product
	qtyScore float64   // the part of score that quantities gave
	// covered marks the message pieces the product explains: full, or
	// half for a Chinese character matched on its own.
	covered []cover
	// share is the idf-weighted share of the product's name (in the row
	// that matches best) that the message names.
	share float64
}

// nameShare returns the share of the product's name the message names.
func (h *hit) nameShare(*shelf) float64 { return h.share }

// probes builds the probes of a question's words. A number with a unit
// ("24 hours", "16寸") counts only for products its quantity fits (see
// finish): "24 hour" is not the case of 24 cans.
func (sh *shelf) probes(q *Question) []probe {
	ws := q.words
	var out []probe
	for i := 0; i < len(ws); i++ {
		p := ws[i]
		switch p.kind {
		case pWord:
			if i+1 < len(ws) && ws[i+1].kind == pWord && !ws[i+1].brk {
				if t := stem(p.text + ws[i+1].text); sh.idf[t] > 0 {
					out = append(out, probe{from: i, to: i + 2, alts: []alt{{t, 1}}, role: p.role, weight: 1})
				}
			}
			if i+1 < len(ws) && ws[i+1].kind == pNum && !ws[i+1].gap && !ws[i+1].hyphen {
				if t := p.text + numTerm(ws[i+1].text); sh.idf[t] > 0 {
					out = append(out, probe{from: i, to: i + 2, alts: []alt{{t, 1}}, role: p.role, weight: 1})
				}
			}
			if p.role == roleSubject && enStop[p.text] {
				continue
			}
			if p.neg {
				if t := negTerm(true, stem(p.text)); sh.idf[t] > 0 {
					out = append(out, probe{from: i, to: i + 1, alts: []alt{{t, 1}}, role: p.role, weight: 1})
				}
				continue
			}
			if p.role != roleSubject {
				if t := stem(p.text); sh.idf[t] > 0 {
					out = append(out, probe{from: i, to: i + 1, alts: []alt{{t, 1}}, role: p.role, weight: 1})
				}
				continue
			}
			alts := sh.sizeAlts(p.text, sh.wordAlts(p.text))
			if t := runTogether + stem(p.text); sh.idf[stem(p.text)] == 0 && sh.idf[t] > 0 {
				alts = append(alts, alt{t, 1}) // "promax": the name's "Pro Max"
			}
			if len(alts) > 0 {
				out = append(out, probe{from: i, to: i + 1, alts: alts, role: p.role, weight: 1})
			}
		case pNum:
			if t := numTerm(p.text); sh.idf[t] > 0 {
				out = append(out, probe{from: i, to: i + 1, alts: []alt{{t, 1}}, role: p.role, weight: 1, qty: slices.Index(q.qtyAt, i) + 1})
			}
		case pHan:
			next := i+1 < len(ws) && ws[i+1].kind == pHan && !ws[i+1].gap
			if next && !zhParticles[p.text] && !zhParticles[ws[i+1].text] {
				t := negTerm(p.neg && ws[i+1].neg, p.text+ws[i+1].text)
				var alts []alt
				if sh.idf[t] > 0 {
					alts = append(alts, alt{t, 1})
				}
				alts = sh.sizeAlts(t, alts)
				if len(alts) > 0 {
					out = append(out, probe{from: i, to: i + 2, alts: alts, role: p.role, weight: 1})
				}
			}
			if p.role == roleCue && (next && ws[i+1].role == roleCue || i > 0 && !p.gap && ws[i-1].kind == pHan && ws[i-1].role == roleCue) {
				// A character of a cue word ("最便宜") names nothing on
				// its own: 便 is not the 便携 of a travel tea set.
				continue
			}
			if t := negTerm(p.neg, p.text); !zhStop[p.text] && sh.idf[t] > 0 {
				// A particle or a word of another role beside it ends the
				// word: the 茶 of "最便宜的茶", "茶吗" and "茶有哪些" stands
				// alone.
				alone := (!next || zhParticles[ws[i+1].text] || ws[i+1].role != p.role) &&
					(i == 0 || ws[i-1].kind != pHan || p.gap || zhParticles[ws[i-1].text] || ws[i-1].role != p.role)
				out = append(out, probe{from: i, to: i + 1, alts: []alt{{t, 1}}, uni: !alone, role: p.role, weight: 1})
			}
		}
	}
	return out
}

// sizeAlts adds the other spellings of a size word ("大号" → "l",
// "large") that the catalogue uses.
func (sh *shelf) sizeAlts(w string, alts []alt) []alt {
	code, ok := sizeWords[w]
	if !ok {
		return alts
	}
	for _, v := range sizeAlts[code] {
		if v != w && sh.idf[v] > 0 {
			alts = append(alts, alt{v, qualityRoot})
		}
	}
	return alts
}

// wordAlts returns the catalogue terms an English word may stand for: its
// stem, other endings of its root, or words one typo away.
func (sh *shelf) wordAlts(w string) []alt {
	t := stem(w)
	if sh.idf[t] > 0 {
		return []alt{{t, 1}}
	}
	var out []alt
	seen := map[string]bool{}
	if r := root(t); r != "" {
		if sh.idf[r] > 0 {
			out = append(out, alt{r, qualityRoot})
			seen[r] = true
		}
		for _, v := range sh.roots[r] {
			if !seen[v] {
				seen[v] = true
				out = append(out, alt{v, qualityRoot})
			}
		}
	}
	if len(out) > 0 || len(t) < 4 {
		return out
	}
	try := func(v string) {
		if !seen[v] && textdist.OSAString(t, v, 1) <= 1 {
			seen[v] = true
			out = append(out, alt{v, qualityTypo})
		}
	}
	if sh.idf[t] == 0 {
		for _, v := range sh.dels[t] { // a letter missing from the message
			try(v)
		}
	}
	for _, d := range deletes(t) {
		if sh.idf[d] > 0 && len(d) >= 4 { // a letter too many
			try(d)
		}
		for _, v := range sh.dels[d] { // a letter wrong or swapped
			try(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].term < out[j].term })
	return out
}

// match scores every product that shares a term with the probes.
func (sh *shelf) match(q *Question, probes []probe) []*hit {
	hits := map[int32]*hit{}
	get := func(e int32) *hit {
		h := hits[e]
		if h == nil {
			h = &hit{ent: e, best: make([]float64, len(probes)), field: make([]uint8, len(probes)), val: make([]uint16, len(probes)), covered: make([]cover, len(q.words))}
			hits[e] = h
		}
		return h
	}
	for k, pr := range probes {
		for _, a := range pr.alts {
			idf := sh.idf[a.term]
			for _, p := range sh.post[a.term] {
				w := fieldWeight[p.field]
				if p.field == fCat && p.multi {
					w = listCatWeight
				}
				if p.head {
					w += headBonus
				}
				if pr.role == roleCue || pr.role == roleService {
					// A cue word names a product only in its name or
					// category: "gift set", "gift card".
					if p.field != fName && p.field != fAlias && p.field != fCat && p.field != fSKU {
						continue
					}
					w *= cueWeight
				}
				v := w * a.q * idf * pr.weight
				if pr.uni {
					v *= uniWeight
				}
				h := get(p.ent)
				if v > h.best[k] {
					h.best[k] = v
					h.field[k] = p.field
					h.val[k] = p.val
				}
			}
		}
	}
	out := make([]*hit, 0, len(hits))
	for _, h := range hits {
		sh.finish(q, probes, h)
		if h.score > 0 {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return sh.ents[out[i].ent].sku < sh.ents[out[j].ent].sku
	})
	// Of the products tied first, the one whose name the message says
	// clearly more of leads ("月卡" is 月卡（不限次） before 全能月卡).
	best := 0
	for k := 1; k < len(out) && out[k].score == out[0].score; k++ {
		if out[k].share > out[best].share {
			best = k
		}
	}
	if best > 0 && out[best].share >= out[0].share+shareTie {
		lead := out[best]
		copy(out[1:best+1], out[:best])
		out[0] = lead
	}
	return out
}

// shareTie is how much more of its name a message must say than of the
// first product's for another product tied with it on score to lead;
// closer shares are the names' own lengths (sizes of one pot), and the
// catalogue's order stands.
const shareTie = 0.05

// finish sums a product's score: the best occurrence of each probe, joined
// words instead of their halves when better, characters only where no
// bigram matched, then the phrase, quantity and price bonuses.
func (sh *shelf) finish(q *Question, probes []probe, h *hit) {
	e := sh.ents[h.ent]
	// A joined pair replaces its halves when it scores more.
	for k, pr := range probes {
		if pr.to-pr.from != 2 || h.best[k] == 0 || q.words[pr.from].kind != pWord {
			continue
		}
		if q.words[pr.from+1].kind == pNum {
			// A model code ("xm4") counts on top of its halves: the
			// letters alone ("xm") name the XM5 as well.
			continue
		}
		halves := 0.0
		for j, pj := range probes {
			if j != k && pj.to-pj.from == 1 && pj.from >= pr.from && pj.to <= pr.to {
				halves += h.best[j]
			}
		}
		if halves >= h.best[k] {
			h.best[k] = 0
			continue
		}
		for j, pj := range probes {
			if j != k && pj.to-pj.from == 1 && pj.from >= pr.from && pj.to <= pr.to {
				h.best[j] = 0
			}
		}
	}
	// A number with a unit counts only where its quantity fits.
	for k, pr := range probes {
		if pr.qty > 0 && h.best[k] > 0 && !e.fits(q.Quantities[pr.qty-1]) {
			h.best[k] = 0
		}
	}
	// Mark covered pieces; Chinese characters count only outside matched bigrams.
	for k, pr := range probes {
		if h.best[k] == 0 || pr.uni {
			continue
		}
		for i := pr.from; i < pr.to; i++ {
			h.covered[i] = coverFull
		}
	}
	for k, pr := range probes {
		if h.best[k] == 0 {
			continue
		}
		if pr.uni && h.covered[pr.from] != coverNone {
			h.best[k] = 0
			continue
		}
		if pr.uni {
			h.covered[pr.from] = coverHalf
		}
		h.score += h.best[k]
		if pr.qty > 0 {
			h.qtyScore += h.best[k]
		}
		if h.field[k] != fDesc && pr.role == roleSubject {
			h.strong = true
		}
	}
	for _, n := range e.names {
		if n.idf == 0 {
			continue
		}
		named := 0.0
		for k, pr := range probes {
			if h.best[k] == 0 {
				continue
			}
			for _, a := range pr.alts {
				if n.terms[a.term] {
					named += sh.idf[a.term]
					break
				}
			}
		}
		h.share = math.Max(h.share, math.Min(1, named/n.idf))
	}
	// Two terms in a row, as in one of the product's values.
	for k := range probes {
		for j := range probes {
			if h.best[k] > 0 && h.best[j] > 0 && follows(q.words, probes[k], probes[j]) && sh.adjacent(h.ent, probes[k], probes[j]) {
				h.score += phraseBonus * (h.best[k] + h.best[j])
			}
		}
	}
	// Quantities in the product's ranges, and a number that is its price.
	for k, mq := range q.Quantities {
		if e.fits(mq) {
			h.score += qtyBonus
			h.qtyScore += qtyBonus
			h.qtyFit = true
			if at := q.qtyAt[k]; at >= 0 {
				h.covered[at] = coverFull
			}
		}
	}
	if !math.IsNaN(e.price) && e.price >= 10 {
		for i, w := range q.words {
			if w.kind == pNum && math.Abs(w.num-e.price) < 1 {
				h.score += priceBonus
				h.covered[i] = coverFull
			}
		}
	}
}

// fits reports whether a quantity the customer gives falls in one of the
// product's quantities of its dimension.
func (e *entity) fits(mq quantity) bool {
	for _, pq := range e.qty[mq.dim] {
		if pq.fits(mq.lo) {
			return true
		}
	}
	return false
}

// follows reports whether probe b comes right after probe a in the
// message: the next English word (one stop word may sit between), or the
// next overlapping Chinese bigram.
func follows(ws []piece, a, b probe) bool {
	if a.uni || b.uni || b.from <= a.from {
		return false
	}
	if ws[a.from].kind == pHan && ws[b.from].kind == pHan {
		return a.to-a.from == 2 && b.to-b.from == 2 && b.from == a.from+1
	}
	if ws[b.from].brk {
		return false
	}
	switch b.from {
	case a.to:
		return true
	case a.to + 1:
		mid := ws[a.to]
		return mid.kind == pWord && enStop[mid.text] && !mid.brk
	}
	return false
}

// adjacent reports whether probe b's term follows probe a's in one value
// of the product.
func (sh *shelf) adjacent(ent int32, a, b probe) bool {
	for _, aa := range a.alts {
		pa := sh.postingsOf(aa.term, ent)
		if len(pa) == 0 {
			continue
		}
		for _, bb := range b.alts {
			pb := sh.postingsOf(bb.term, ent)
			for _, x := range pa {
				for _, y := range pb {
					if x.field == y.field && x.val == y.val && y.pos > x.pos && y.pos <= x.pos+2 {
						return true
					}
				}
			}
		}
	}
	return false
}

// postingsOf returns the postings of term in one product (postings are
// sorted by product).
func (sh *shelf) postingsOf(term string, ent int32) []posting {
	ps := sh.post[term]
	i := sort.Search(len(ps), func(i int) bool { return ps[i].ent >= ent })
	j := i
	for j < len(ps) && ps[j].ent == ent {
		j++
	}
	return ps[i:j]
}
