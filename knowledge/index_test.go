package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/bot"
)

// buildFixture loads the fixture content and builds its index.
func buildFixture(t testing.TB) (*Index, []Document) {
	t.Helper()
	dir := t.TempDir()
	content := filepath.Join(dir, "content")
	writeFiles(t, content, fixture)
	docs, probs, err := Load(os.DirFS(content))
	if err != nil || len(probs) > 0 {
		t.Fatalf("Load: %v %v", err, probs)
	}
	syn, err := LoadSynonyms(os.DirFS(content))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(context.Background(), filepath.Join(dir, "data", "kb"), docs, BuildOptions{Synonyms: syn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, docs
}

func TestRetrieveRanking(t *testing.T) {
	ix, _ := buildFixture(t)
	employee := []bot.Audience{bot.AudiencePublic, bot.AudienceInternal}
	tests := []struct {
		query  string
		intent string
		auds   []bot.Audience
		want   string // id of the top hit
	}{
		{query: "how can I return an item", want: "faq-returns"},
		{query: "my parcel never arrived", want: "shipping#lost-parcels"},
		{query: "my package never arrived", want: "shipping#lost-parcels"}, // synonym
		{query: "how long does express delivery take", want: "shipping#delivery-times"},
		{query: "what are your opening hours, when are you open", want: "faq-hours"},
		{query: "green tea price", want: "TEA-001"},
		{query: "TEA-001", want: "TEA-001"},                      // product code
		{query: "how can I retrun an item", want: "faq-returns"}, // typo
		{query: "快递多久能到", want: "faq-zh-delivery"},
		{query: "包裹什么时候到", want: "faq-zh-delivery"}, // synonym
		{query: "绿茶多少钱", want: "TEA-001-zh"},
		{query: "staff discount", auds: employee, want: "faq-staff-discount"},
		{query: "I want my money back", intent: "refund_request", want: "faq-returns"}, // intent
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, err := ix.Retrieve(context.Background(), bot.Query{Text: tt.query, Intent: tt.intent, Audiences: tt.auds})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 {
				t.Fatalf("no hits, want %s first", tt.want)
			}
			if hits[0].ID != tt.want {
				var ids []string
				for _, h := range hits {
					ids = append(ids, h.ID)
				}
				t.Errorf("top hit %s, want %s; ranking %q", hits[0].ID, tt.want, ids)
			}
		})
	}
}

func TestRetrieveHitFields(t *testing.T) {
	ix, _ := buildFixture(t)
	hits, err := ix.Retrieve(context.Background(), bot.Query{Text: "my parcel has not arrived after 7 days", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 {
		t.Fatalf("got %d hits, want 1", len(hits))
	}
	h := hits[0]
	h.Score, h.Confidence = 0, 0
	want := bot.Hit{
		ID: "shipping#lost-parcels", Title: "Shipping and delivery — Lost parcels", URL: "/kb/shipping#lost-parcels",
		Kind: bot.KindPage, Audience: bot.AudiencePublic, Language: "en",
		Answer:  "If your parcel has not arrived after 7 days, tell us and we send a new one.",
		Snippet: "If your parcel has not arrived after 7 days, tell us and we send a new one.",
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("hit (-want +got):\n%s", diff)
	}
}

func TestRetrieveConfidence(t *testing.T) {
	ix, _ := buildFixture(t)
	ctx := context.Background()
	good := []string{"how do I return an item", "when are you open", "快递多久能到", "green tea"}
	for _, q := range good {
		hits, err := ix.Retrieve(ctx, bot.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Confidence < 0.35 {
			t.Errorf("%q: top hit %+v, want confidence >= 0.35", q, hits)
		}
	}
	unrelated := []string{"what is the capital of france", "can you recommend a good film", "天气怎么样", "tell me a joke about penguins"}
	for _, q := range unrelated {
		hits, err := ix.Retrieve(ctx, bot.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) > 0 && hits[0].Confidence >= 0.35 {
			t.Errorf("%q: top hit %s has confidence %.2f, want < 0.35", q, hits[0].ID, hits[0].Confidence)
		}
	}
}

// TestAudienceEnforced asks, as a customer, with every internal document's
// title, every sentence of its text, its id and combinations of them, and
// requires that no internal document ever comes back.
func TestAudienceEnforced(t *testing.T) {
	ix, docs := buildFixture(t)
	ctx := context.Background()
	var queries []string
	for _, d := range docs {
		if d.Audience != bot.AudienceInternal {
			continue
		}
		queries = append(queries, d.Title, d.ID, d.Title+" "+d.Body, "internal "+d.Title, "audience:internal "+d.Title)
		for _, s := range strings.FieldsFunc(d.Body, func(r rune) bool { return r == '.' || r == '\n' || r == '。' }) {
			queries = append(queries, s)
		}
	}
	if len(queries) < 8 {
		t.Fatalf("fixture has too few internal queries: %q", queries)
	}
	for _, q := range queries {
		for _, auds := range [][]bot.Audience{nil, {bot.AudiencePublic}, {"internal "}, {"INTERNAL"}} {
			hits, err := ix.Retrieve(ctx, bot.Query{Text: q, Audiences: auds, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if h.Audience != bot.AudiencePublic {
					t.Errorf("customer query %q (audiences %q) returned %s with audience %s", q, auds, h.ID, h.Audience)
				}
			}
		}
		// An employee does see internal content: the test can fail.
	}
	hits, err := ix.Retrieve(ctx, bot.Query{Text: "refund approval rules for staff", Audiences: bot.RoleEmployee.Audiences()})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Audience != bot.AudienceInternal {
		t.Errorf("employee query did not find the internal page first: %+v", hits)
	}
}

func TestRetrieveOddQueries(t *testing.T) {
	ix, _ := buildFixture(t)
	ctx := context.Background()
	for _, q := range []string{"", "   ", "?!?!...,,,", "。。？！", strings.Repeat("parcel ", 600), strings.Repeat("?", 4000), "\xff\xfe", strings.Repeat("快递", 2000)} {
		hits, err := ix.Retrieve(ctx, bot.Query{Text: q})
		if err != nil {
			t.Errorf("query %.20q: %v", q, err)
		}
		for _, h := range hits {
			if h.Confidence < 0 || h.Confidence > 1 {
				t.Errorf("query %.20q: confidence %v outside 0..1", q, h.Confidence)
			}
		}
	}
}

func TestOpenOrBuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeFiles(t, dir, fixture)
	docs, _, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kb")
	ix, rebuilt, err := OpenOrBuild(ctx, path, docs, BuildOptions{})
	if err != nil || !rebuilt {
		t.Fatalf("first OpenOrBuild: rebuilt=%v err=%v, want a build", rebuilt, err)
	}
	n, err := ix.Count()
	if err != nil || n != uint64(len(docs)) {
		t.Fatalf("Count = %d, %v; want %d", n, err, len(docs))
	}
	ix.Close()
	ix, rebuilt, err = OpenOrBuild(ctx, path, docs, BuildOptions{})
	if err != nil || rebuilt {
		t.Fatalf("second OpenOrBuild: rebuilt=%v err=%v, want an open", rebuilt, err)
	}
	ix.Close()
	var progress [][2]int
	ix, rebuilt, err = OpenOrBuild(ctx, path, docs[1:], BuildOptions{BatchSize: 4, Progress: func(d, n int) { progress = append(progress, [2]int{d, n}) }})
	if err != nil || !rebuilt {
		t.Fatalf("changed content: rebuilt=%v err=%v, want a rebuild", rebuilt, err)
	}
	defer ix.Close()
	if len(progress) == 0 || progress[len(progress)-1] != [2]int{len(docs) - 1, len(docs) - 1} {
		t.Errorf("progress = %v, want it to end at %d of %d", progress, len(docs)-1, len(docs)-1)
	}
	if n, _ := ix.Count(); n != uint64(len(docs)-1) {
		t.Errorf("Count after rebuild = %d, want %d", n, len(docs)-1)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("data folder holds %d entries, want only the index (no temporary folders)", len(entries))
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("Open of an empty folder succeeded")
	}
}

// FuzzRetrieve sends arbitrary customer text: no error, no panic, no
// internal hit, confidences in 0..1.
func FuzzRetrieve(f *testing.F) {
	ix, _ := buildFixture(f)
	for _, s := range []string{"refund approval rules for staff", "快递多久能到", "?!", "TEA-001", "audience:internal", strings.Repeat("a ", 2000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		hits, err := ix.Retrieve(context.Background(), bot.Query{Text: q, Limit: maxLimit})
		if err != nil {
			t.Fatalf("Retrieve(%q): %v", q, err)
		}
		for _, h := range hits {
			if h.Audience != bot.AudiencePublic || h.Confidence < 0 || h.Confidence > 1 {
				t.Fatalf("Retrieve(%q) returned %s audience %s confidence %v", q, h.ID, h.Audience, h.Confidence)
			}
		}
	})
}

// TestCatalogAnswersTypos checks that a product question with a typo is
// answered from the catalogue (which the Engine asks before retrieval).
func TestCatalogAnswersTypos(t *testing.T) {
	ix, _ := buildFixture(t)
	a, err := ix.Answer(context.Background(), bot.Query{Text: "do you sell a teapott", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != "POT-2" {
		t.Errorf("catalogue answer %+v, want POT-2 first", a)
	}
}
