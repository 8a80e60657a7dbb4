package entity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/concierge-bot/concierge/internal/texts"
)

// row is one parsed line of a table.
type row struct {
	line     int
	id       string
	en, zh   []string
	parents  []string
	related  []string
	open     bool
	kind     Kind
	fromFile string
}

// parseTable reads a table: "id | English names | Chinese names | parents |
// flags", '#' comments, blank lines ignored.
func parseTable(kind Kind, name, data string) ([]row, error) {
	var rows []row
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 3 || len(f) > 5 {
			return nil, fmt.Errorf("%s:%d: want 3 to 5 '|'-separated fields, got %d", name, n+1, len(f))
		}
		r := row{line: n + 1, id: strings.TrimSpace(f[0]), en: texts.SplitList(f[1]), zh: texts.SplitList(f[2]), kind: kind, fromFile: name}
		if r.id == "" || strings.ContainsAny(r.id, " \t;") {
			return nil, fmt.Errorf("%s:%d: bad id %q", name, n+1, r.id)
		}
		if len(r.en) == 0 && len(r.zh) == 0 {
			return nil, fmt.Errorf("%s:%d: %s has no names", name, n+1, r.id)
		}
		if len(f) > 3 {
			for _, p := range strings.Fields(f[3]) {
				if rel, ok := strings.CutPrefix(p, "~"); ok {
					r.related = append(r.related, rel)
				} else {
					r.parents = append(r.parents, p)
				}
			}
		}
		if len(f) > 4 {
			switch fl := strings.TrimSpace(f[4]); fl {
			case "":
			case "open":
				r.open = true
			default:
				return nil, fmt.Errorf("%s:%d: unknown flag %q", name, n+1, fl)
			}
		}
		if r.id == "-" && (len(r.parents) > 0 || len(r.related) > 0 || r.open) {
			return nil, fmt.Errorf("%s:%d: stop phrases take no parents or flags", name, n+1)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// expandName turns a table name into the forms that match and their case
// flags: "^Turkey" → ["Turkey"], title; "credit card(s)" → ["credit card",
// "credit cards"].
func expandName(raw string) (forms []string, flags uint8) {
	switch {
	case strings.HasPrefix(raw, "^"):
		flags, raw = fTitle, raw[1:]
	case strings.HasPrefix(raw, "="):
		flags, raw = fExact, raw[1:]
	}
	if base, ok := strings.CutSuffix(raw, "(s)"); ok {
		return []string{base, base + "s"}, flags
	}
	return []string{raw}, flags
}

// displayName is the first name, as a reader should see it.
func displayName(names []string) string {
	if len(names) == 0 {
		return ""
	}
	forms, _ := expandName(names[0])
	return forms[0]
}

// normalizeName folds a name the way the matcher folds text: lower case,
// diacritics and full width folded, separator runs as one space, no space
// between two Chinese characters. cjk reports whether it has Chinese
// characters (then it matches anywhere, else only at word boundaries).
func normalizeName(s string) (key string, cjk bool) {
	var b strings.Builder
	var last rune
	pending := false
	for _, r := range s {
		f := fold(r)
		if f == sep {
			pending = b.Len() > 0
			continue
		}
		if pending && !(isCJK(last) && isCJK(r)) {
			b.WriteRune(sep)
		}
		pending = false
		b.WriteRune(f)
		last = r
		cjk = cjk || isCJK(r)
	}
	return b.String(), cjk
}

// bnode is a trie node while building.
type bnode struct {
	kids  map[rune]*bnode
	terms []term
}

func (n *bnode) kid(r rune) *bnode {
	if n.kids == nil {
		n.kids = map[rune]*bnode{}
	}
	k := n.kids[r]
	if k == nil {
		k = &bnode{}
		n.kids[r] = k
	}
	return k
}

// build parses the tables and builds the containment sets and the automaton.
func build() (*Gazetteer, error) {
	g := &Gazetteer{byID: map[string]int32{}, cues: newCues()}
	var ents, stops []row
	for _, t := range [...]struct {
		kind       Kind
		name, data string
	}{{PaymentMethod, "payments.txt", paymentsTable}, {Place, "places.txt", placesTable}} {
		rows, err := parseTable(t.kind, t.name, t.data)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.id == "-" {
				stops = append(stops, r)
				continue
			}
			if _, dup := g.byID[r.id]; dup {
				return nil, fmt.Errorf("%s:%d: duplicate id %s", r.fromFile, r.line, r.id)
			}
			g.byID[r.id] = int32(len(g.ents))
			e := entity{id: r.id, kind: r.kind, en: displayName(r.en), zh: displayName(r.zh), open: r.open}
			if e.en == "" {
				e.en = e.zh
			}
			g.ents = append(g.ents, e)
			ents = append(ents, r)
			g.stats[r.kind].Entities++
		}
	}

	// The containment graph.
	parents := make([][]int32, len(g.ents))
	resolve := func(r row, id string) (int32, error) {
		j, ok := g.byID[id]
		if !ok {
			return 0, fmt.Errorf("%s:%d: %s names unknown id %s", r.fromFile, r.line, r.id, id)
		}
		if g.ents[j].kind != r.kind {
			return 0, fmt.Errorf("%s:%d: %s and %s are of different kinds", r.fromFile, r.line, r.id, id)
		}
		return j, nil
	}
	for i, r := range ents {
		for _, p := range r.parents {
			j, err := resolve(r, p)
			if err != nil {
				return nil, err
			}
			parents[i] = append(parents[i], j)
		}
		for _, p := range r.related {
			j, err := resolve(r, p)
			if err != nil {
				return nil, err
			}
			g.ents[i].related = append(g.ents[i].related, j)
		}
	}
	g.words = (len(g.ents) + 63) / 64
	g.sets = make([]uint64, len(g.ents)*g.words)
	visited := make([]int, len(g.ents)) // generation marks, to walk each entity's ancestors once
	var stack []int32
	for i := range g.ents {
		stack = append(stack[:0], int32(i))
		for len(stack) > 0 {
			a := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if visited[a] == i+1 {
				continue
			}
			visited[a] = i + 1
			g.sets[int(a)*g.words+i/64] |= 1 << (uint(i) % 64)
			stack = append(stack, parents[a]...)
		}
	}
	for i := range g.ents {
		for _, p := range parents[i] {
			if g.contains(int32(i), p) {
				return nil, fmt.Errorf("%s:%d: %s and %s contain each other", ents[i].fromFile, ents[i].line, ents[i].id, g.ents[p].id)
			}
		}
	}

	// Country-level places: countries and the regions made of them.
	for i := range g.ents {
		if g.ents[i].kind == Place && isCountry(g.ents[i].id) {
			g.ents[i].countryLevel = true
			for o := range g.ents {
				if strings.HasPrefix(g.ents[o].id, "region:") && g.contains(int32(o), int32(i)) {
					g.ents[o].countryLevel = true
				}
			}
		}
	}

	// The automaton.
	root := &bnode{}
	add := func(r row, ent int32, raw string) error {
		forms, flags := expandName(raw)
		for _, form := range forms {
			key, cjk := normalizeName(form)
			if key == "" || key[0] == sep {
				return fmt.Errorf("%s:%d: empty name %q", r.fromFile, r.line, raw)
			}
			fl := flags
			if !cjk {
				fl |= fBounded
			}
			n := root
			for _, c := range key {
				n = n.kid(c)
			}
			dup := false
			for _, t := range n.terms {
				if t.flags == fl && (fl&fExact == 0 || t.form == form) {
					if t.ent != ent {
						return fmt.Errorf("%s:%d: %q already names %s", r.fromFile, r.line, form, nameOf(g, t.ent))
					}
					dup = true
				}
			}
			if dup {
				continue
			}
			n.terms = append(n.terms, term{ent: ent, flags: fl, form: form})
			if ent < 0 {
				g.stats[r.kind].StopPhrases++
			} else {
				g.stats[r.kind].Names++
			}
		}
		return nil
	}
	for i, r := range ents {
		cnCity := strings.HasPrefix(r.id, "city:") && slices.ContainsFunc(r.parents, func(p string) bool { return strings.HasPrefix(p, "CN-") })
		for _, n := range slices.Concat(r.en, r.zh) {
			if err := add(r, int32(i), n); err != nil {
				return nil, err
			}
		}
		if cnCity {
			for _, n := range r.zh {
				if !strings.HasSuffix(n, "市") {
					if err := add(r, int32(i), n+"市"); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	for _, r := range stops {
		for _, n := range slices.Concat(r.en, r.zh) {
			if err := add(r, -1, n); err != nil {
				return nil, err
			}
		}
	}
	g.trie = flatten(root)
	return g, nil
}

func nameOf(g *Gazetteer, ent int32) string {
	if ent < 0 {
		return "a stop phrase"
	}
	return g.ents[ent].id
}

// flatten lays the trie out in arrays, breadth first, with sorted edges.
func flatten(root *bnode) trie {
	var t trie
	queue := []*bnode{root}
	for qi := 0; qi < len(queue); qi++ {
		n := queue[qi]
		keys := make([]rune, 0, len(n.kids))
		for r := range n.kids {
			keys = append(keys, r)
		}
		slices.Sort(keys)
		t.nodes = append(t.nodes, tnode{
			edges: int32(len(t.edges)), nEdges: int32(len(keys)),
			terms: int32(len(t.terms)), nTerms: int32(len(n.terms)),
		})
		t.terms = append(t.terms, n.terms...)
		for _, r := range keys {
			t.edges = append(t.edges, tedge{r: r, to: int32(len(queue))})
			queue = append(queue, n.kids[r])
		}
	}
	root0 := t.nodes[0]
	for _, e := range t.edges[root0.edges : root0.edges+root0.nEdges] {
		if e.r < 128 {
			t.ascii[e.r] = e.to
		}
		if e.r < 0x10000 {
			t.first[e.r/64] |= 1 << (uint(e.r) % 64)
		}
	}
	return t
}
