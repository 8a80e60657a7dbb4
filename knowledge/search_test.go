package knowledge

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

// searchHits runs q on the index and returns its hits as "id score" lines,
// the score printed exactly.
func searchHits(t *testing.T, ix *Index, q query.Query) []string {
	t.Helper()
	res, err := ix.bi.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(q, 50, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, fmt.Sprintf("%s %b", h.ID, h.Score))
	}
	return out
}

// buildSynth builds an index of n synthetic catalogue documents.
func buildSynth(t *testing.T, n int) *Index {
	t.Helper()
	ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb"), synthCatalogue(n), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// TestUnscoredAudienceSameHits checks that the unscored audience clause
// selects the same documents, with the same scores, as a plain zero-boost
// term query, for every audience set.
func TestUnscoredAudienceSameHits(t *testing.T) {
	if testing.Short() {
		t.Skip("compares queries on 2,000 synthetic documents (about 4 s); the full suite runs it")
	}
	ix := buildSynth(t, 2000)
	ctx := context.Background()
	plain := func(auds []bot.Audience) query.Query {
		var qs []query.Query
		for _, a := range auds {
			tq := bleve.NewTermQuery(string(a))
			tq.SetField(fAudience)
			tq.SetBoost(0)
			qs = append(qs, tq)
		}
		if len(qs) == 1 {
			return qs[0]
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	for _, auds := range [][]bot.Audience{{bot.AudiencePublic}, {bot.AudienceInternal}, {bot.AudiencePublic, bot.AudienceInternal}} {
		withHits := 0
		for i, text := range synthQueries(60) {
			p := ix.prepare(ctx, bot.Query{Text: text}, AllSignals)
			conj, ok := p.bleveQuery(auds).(*query.ConjunctionQuery)
			if !ok || len(conj.Conjuncts) != 2 {
				t.Fatalf("query %d: candidate query is %T, want a conjunction of the signals and the audience", i, conj)
			}
			got := searchHits(t, ix, conj)
			want := searchHits(t, ix, bleve.NewConjunctionQuery(conj.Conjuncts[0], plain(auds)))
			if len(want) > 0 {
				withHits++
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%v %q: hits differ from a scored audience term query (-want +got):\n%s", auds, text, diff)
			}
		}
		if withHits < 10 {
			t.Errorf("%v: only %d of 60 queries had hits; the comparison tests little", auds, withHits)
		}
	}
}

// TestCachedFuzzySameHits checks that the cached fuzzy query finds the same
// documents with the same scores as bleve's FuzzyQuery, on first use and
// from the cache.
func TestCachedFuzzySameHits(t *testing.T) {
	if testing.Short() {
		t.Skip("compares fuzzy queries on 2,000 synthetic documents (about 2 s); the full suite runs it")
	}
	ix := buildSynth(t, 2000)
	var terms []string
	seen := map[string]bool{}
	for _, d := range synthCatalogue(300) {
		for _, w := range strings.Fields(strings.ToLower(d.Title)) {
			if len(w) >= 5 && !seen[w] && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
				seen[w] = true
				// a substitution, a deletion, and the word itself
				terms = append(terms, w[:2]+"q"+w[3:], w[:3]+w[4:], w)
			}
		}
	}
	terms = append(terms, "zzzzzzzz", "é", "tea")
	expanded := 0
	for _, term := range terms {
		fq := bleve.NewFuzzyQuery(term)
		fq.SetField(fTitleEN)
		fq.SetFuzziness(fuzzyEdits)
		fq.SetPrefix(fuzzyPrefix)
		fq.SetBoost(boostFuzzy)
		want := searchHits(t, ix, fq)
		for _, pass := range []string{"first", "cached"} {
			got := searchHits(t, ix, ix.fuzzy.query(term, fTitleEN, boostFuzzy))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q (%s): hits differ from bleve's FuzzyQuery (-want +got):\n%s", term, pass, diff)
			}
		}
		if ft := ix.fuzzy.m[fTitleEN+"\x00"+term]; len(ft.terms) > 1 || (len(ft.terms) == 1 && ft.terms[0] != term) {
			expanded++
		}
	}
	if expanded < 10 {
		t.Errorf("only %d of %d terms had a fuzzy expansion; the comparison tests little", expanded, len(terms))
	}
}

// TestTiesBreakByID indexes forty identical entries in reverse id order, so
// bleve's own order of equal scores is the reverse of the ids, and requires
// every cut of the tied ranking, from the index and from the baseline, to be
// the smallest ids, in order.
func TestTiesBreakByID(t *testing.T) {
	var docs []Document
	for i := 39; i >= 0; i-- {
		id := fmt.Sprintf("faq-%02d", i)
		docs = append(docs, Document{ID: id, Title: "Can I pay by card?", Body: "Yes, you can pay by card.",
			Kind: bot.KindFAQ, Audience: bot.AudiencePublic, Lang: "en", Question: "Can I pay by card?",
			Answer: "Yes, you can pay by card.", URL: "/kb/" + id})
	}
	docs = append(docs, Document{ID: "faq-other", Title: "Do you ship abroad?", Body: "Yes, by card too.",
		Kind: bot.KindFAQ, Audience: bot.AudiencePublic, Lang: "en", URL: "/kb/faq-other"})
	ctx := context.Background()
	ix, err := Build(ctx, filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	bl, err := BuildBaseline(ctx, filepath.Join(t.TempDir(), "bl"), docs)
	if err != nil {
		t.Fatal(err)
	}
	defer bl.Close()
	for _, r := range []struct {
		name string
		r    bot.Retriever
	}{{"index", ix}, {"baseline", bl}} {
		for _, limit := range []int{1, 3, 10, 40} {
			hits, err := r.r.Retrieve(ctx, bot.Query{Text: "pay by card", Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for i, h := range hits {
				got = append(got, h.ID)
				want = append(want, fmt.Sprintf("faq-%02d", i))
			}
			if len(hits) != limit {
				t.Errorf("%s, limit %d: %d hits", r.name, limit, len(hits))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, limit %d: tied hits not in id order (-want +got):\n%s", r.name, limit, diff)
			}
		}
	}
}

// TestTopHitsTieRuns pins how a run of equal scores at the cut-off is
// handled: taken whole when it fits, left out when it reaches past the
// hits fetched and starts after the keep best, fetched whole otherwise.
func TestTopHitsTieRuns(t *testing.T) {
	var docs []Document
	add := func(id, title string) {
		docs = append(docs, Document{ID: id, Title: title, Kind: bot.KindFAQ, Audience: bot.AudiencePublic, Lang: "en", URL: "/kb/" + id})
	}
	for i := range 5 {
		add(fmt.Sprintf("strong-%d", i), "oolong kettle")
	}
	for i := 59; i >= 0; i-- { // reverse id order: bleve's tie order is not the ids'
		add(fmt.Sprintf("tied-%02d", i), "oolong")
	}
	for i := range 300 {
		add(fmt.Sprintf("other-%03d", i), fmt.Sprintf("filler word%d", i))
	}
	ctx := context.Background()
	ix, err := Build(ctx, filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	p := ix.prepare(ctx, bot.Query{Text: "oolong kettle"}, AllSignals)
	q := p.bleveQuery(readerAudiences(bot.Query{}))
	ids := func(n, keep int) []string {
		hits, err := topHits(ctx, ix.bi, q, n, keep)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.ID)
		}
		return out
	}
	strong := []string{"strong-0", "strong-1", "strong-2", "strong-3", "strong-4"}
	tied := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("tied-%02d", i))
		}
		return out
	}
	tests := []struct {
		name    string
		n, keep int
		want    []string
	}{
		{"run fits in the window", 60, 10, append(append([]string{}, strong...), tied(55)...)},
		{"run reaches past the window, starts after keep: left out", 30, 3, strong},
		{"run reaches past the window, starts within keep: fetched whole", 30, 10, append(append([]string{}, strong...), tied(25)...)},
		{"short run at the cut-off, within the window", 3, 3, strong[:3]},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ids(tt.n, tt.keep)); diff != "" {
			t.Errorf("%s (n %d, keep %d): -want +got:\n%s", tt.name, tt.n, tt.keep, diff)
		}
	}
}
