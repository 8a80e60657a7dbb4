package knowledge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/concierge-bot/concierge/bot"
)

// writeFiles writes name → content files under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixture is a small content directory with every format.
var fixture = map[string]string{
	"pages/shipping.md": `---
id: shipping
title: Shipping and delivery
tags: [delivery, parcel]
---
We ship from Leeds every weekday.

## Delivery times
Standard delivery takes 2-4 working days. Express delivery arrives the next day.

## Lost parcels
If your parcel has not arrived after 7 days, tell us and we send a new one.
`,
	"internal/escalation.md": `---
title: Refund approval rules for staff
---
# Refund approval rules for staff

Refunds over 200 pounds need a manager's approval code ZEBRA.
`,
	"faq/faq_en.csv": "id,question,answer,audience,tags,lang,intents\n" +
		"faq-returns,How do I return an item?,Send it back within 30 days with the return label.,public,returns,en,refund_request\n" +
		"faq-hours,When are you open?,Monday to Friday 9 to 5.,,,,\n" +
		"faq-staff-discount,What is the staff discount?,Employees get 20 percent off.,internal,,en,\n",
	"faq/faq_zh.yaml": `faq:
  - id: faq-zh-delivery
    question: 快递多久能到？
    answer: 一般三到五个工作日送达。
    lang: zh
    tags: [快递, 包裹]
`,
	"products.csv": "sku,name,category,price,currency,description,tags,lang\n" +
		"TEA-001,Green tea,tea,12.50,GBP,Loose leaf green tea from Japan.,tea;green,en\n" +
		"TEA-001,绿茶,茶,88,CNY,日本散装绿茶。,茶,zh\n",
	"products_extra.json": `[
  {"sku": "MUG-7", "name": "Travel mug", "price": 9, "currency": "GBP", "description": "Keeps tea hot for 6 hours.", "tags": ["mug", "travel"]}
]`,
	"products_more.yaml": "products:\n  - sku: POT-2\n    name: Teapot\n    price: 30\n    description: A cast iron teapot.\n",
	"synonyms.yaml":      "synonyms:\n  - [parcel, package, 包裹, 快递]\n",
	"README.txt":         "not content",
	".hidden/x.md":       "---\nid: hidden\n---\nhidden",
}

func TestLoadFixture(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, fixture)
	docs, probs, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("unexpected problems: %v", probs)
	}
	type brief struct {
		ID, Kind, Title, URL, Lang string
		Audience                   bot.Audience
		Line                       int
	}
	var got []brief
	for _, d := range docs {
		got = append(got, brief{d.ID, d.Kind, d.Title, d.URL, d.Lang, d.Audience, d.Line})
	}
	want := []brief{
		{"faq-returns", bot.KindFAQ, "How do I return an item?", "/kb/faq-returns", "en", bot.AudiencePublic, 2},
		{"faq-hours", bot.KindFAQ, "When are you open?", "/kb/faq-hours", "en", bot.AudiencePublic, 3},
		{"faq-staff-discount", bot.KindFAQ, "What is the staff discount?", "/console/kb/faq-staff-discount", "en", bot.AudienceInternal, 4},
		{"faq-zh-delivery", bot.KindFAQ, "快递多久能到？", "/kb/faq-zh-delivery", "zh", bot.AudiencePublic, 2},
		{"internal/escalation", bot.KindPage, "Refund approval rules for staff", "/console/kb/internal/escalation", "en", bot.AudienceInternal, 4},
		{"shipping", bot.KindPage, "Shipping and delivery", "/kb/shipping", "en", bot.AudiencePublic, 6},
		{"shipping#delivery-times", bot.KindPage, "Shipping and delivery — Delivery times", "/kb/shipping#delivery-times", "en", bot.AudiencePublic, 8},
		{"shipping#lost-parcels", bot.KindPage, "Shipping and delivery — Lost parcels", "/kb/shipping#lost-parcels", "en", bot.AudiencePublic, 11},
		{"TEA-001", bot.KindProduct, "Green tea", "/kb/TEA-001", "en", bot.AudiencePublic, 2},
		{"TEA-001-zh", bot.KindProduct, "绿茶", "/kb/TEA-001-zh", "zh", bot.AudiencePublic, 3},
		{"MUG-7", bot.KindProduct, "Travel mug", "/kb/MUG-7", "en", bot.AudiencePublic, 2},
		{"POT-2", bot.KindProduct, "Teapot", "/kb/POT-2", "en", bot.AudiencePublic, 2},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b brief) bool { return a.ID < b.ID })); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	byID := map[string]Document{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	if got, want := byID["TEA-001"].Answer, "Green tea — 12.50 GBP. Loose leaf green tea from Japan."; got != want {
		t.Errorf("product answer = %q, want %q", got, want)
	}
	if got, want := byID["faq-returns"].Intents, []string{"refund_request"}; !cmp.Equal(got, want) {
		t.Errorf("intents = %q, want %q", got, want)
	}
	if got, want := byID["shipping#lost-parcels"].Body, "If your parcel has not arrived after 7 days, tell us and we send a new one."; got != want {
		t.Errorf("passage body = %q, want %q", got, want)
	}
	syn, err := LoadSynonyms(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Synonyms{{"parcel", "package", "包裹", "快递"}}, syn); diff != "" {
		t.Errorf("synonyms (-want +got):\n%s", diff)
	}
}

func TestLoadBrokenFiles(t *testing.T) {
	good := "faq/good.csv"
	goodCSV := "id,question,answer\ngood-1,Is this loaded?,Yes.\n"
	tests := []struct {
		name, file, content string
		want                string // substring of the one problem, which must start with file:line
	}{
		{"front matter not YAML", "pages/a.md", "---\nid: [oops\n---\ntext\n", "pages/a.md:"},
		{"front matter unclosed", "pages/b.md", "---\nid: b\ntext\n", "pages/b.md:1: front matter"},
		{"unknown audience", "pages/c.md", "---\nid: c\naudience: staff\n---\ntext\n", `pages/c.md:3: unknown audience "staff"`},
		{"unknown lang", "pages/l.md", "---\nlang: fr\n---\ntext\n", `pages/l.md:2: unknown lang "fr"`},
		{"empty page", "pages/e.md", "---\nid: e\n---\n\n", "pages/e.md:4: page has no text"},
		{"csv missing columns", "faq/m.csv", "id,question\nx,y\n", "faq/m.csv:1: header lacks column(s) answer"},
		{"csv wrong field count", "faq/n.csv", "id,question,answer\nn1,q,a\nn2,q\n", "faq/n.csv:3: row has 2 fields"},
		{"csv bare quote", "faq/q.csv", "id,question,answer\nq1,say \"hi,a\n", "faq/q.csv:2: not valid CSV"},
		{"csv empty answer", "faq/r.csv", "id,question,answer\nr1,q,\n", "faq/r.csv:2: FAQ entry has no answer"},
		{"csv bad audience", "faq/s.csv", "id,question,answer,audience\ns1,q,a,everyone\n", `faq/s.csv:2: unknown audience "everyone"`},
		{"csv bad id", "faq/t.csv", "id,question,answer\nt 1,q,a\n", `faq/t.csv:2: id "t 1"`},
		{"duplicate id", "faq/z.csv", "id,question,answer\ngood-1,again?,yes\n", `faq/z.csv:2: duplicate id "good-1" (first defined at faq/good.csv:2)`},
		{"yaml not a list", "faq/u.yaml", "question: hi\n", "faq/u.yaml:1: expected a list"},
		{"yaml broken", "faq/v.yaml", "- id: v\n  question: [\n", "faq/v.yaml:"},
		{"json broken", "products_b.json", "[{\"sku\": \"A1\", \"name\": \"x\"},\n{\"sku\": }]", "products_b.json:2: not valid JSON"},
		{"json nested value", "products_c.json", "[\n{\"sku\": \"A2\", \"name\": {\"en\": \"x\"}}]", `products_c.json:2: field "name"`},
		{"product bad price", "products_d.csv", "sku,name,price\nD1,Desk,cheap\n", `products_d.csv:2: price "cheap" is not a number`},
		{"product no name", "products_e.yaml", "- sku: E1\n", "products_e.yaml:1: product has no name"},
		{"binary", "pages/bin.md", "\x00\x01\x02PNG", "pages/bin.md: looks like a binary file"},
		{"not utf8", "faq/w.csv", "id,question,answer\nw1,caf\xe9,a\n", "faq/w.csv:2: text is not valid UTF-8"},
		{"too large", "faq/big.csv", "id,question,answer\n" + strings.Repeat("x", MaxFileBytes), "faq/big.csv: file is too large"},
		{"empty csv", "faq/empty.csv", "", "faq/empty.csv: file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				good:    {Data: []byte(goodCSV)},
				tt.file: {Data: []byte(tt.content)},
			}
			docs, probs, err := Load(fsys)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(probs) != 1 {
				t.Fatalf("problems = %q, want exactly one", probs)
			}
			var p *Problem
			if !errors.As(probs[0], &p) || p.File != tt.file {
				t.Fatalf("problem %v does not name the file %s", probs[0], tt.file)
			}
			if !strings.Contains(probs[0].Error(), tt.want) {
				t.Errorf("problem = %q, want it to contain %q", probs[0], tt.want)
			}
			found := false
			for _, d := range docs {
				found = found || d.ID == "good-1" && d.Source == good
			}
			if !found {
				t.Errorf("the good file was not loaded alongside the broken one: %+v", docs)
			}
		})
	}
}

func TestLoadQueries(t *testing.T) {
	qs, err := LoadQueries(strings.NewReader("query,expected_id\nwhere is my parcel,ship-1\n\"a, b\",x\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []EvalQuery{{"where is my parcel", "ship-1", 2}, {"a, b", "x", 3}}
	if diff := cmp.Diff(want, qs); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"", "q,e\n", "query,expected_id\n,x\n", "query,expected_id\n"} {
		if _, err := LoadQueries(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadQueries(%q) succeeded, want an error", bad)
		}
	}
}

// checkLoaded is the invariant of every loader on any input.
func checkLoaded(t *testing.T, file string, docs []Document, probs []error) {
	t.Helper()
	for _, p := range probs {
		var pr *Problem
		if !errors.As(p, &pr) || pr.File != file {
			t.Fatalf("problem %v does not name file %s", p, file)
		}
	}
	for _, d := range docs {
		if !validID(d.ID) && !strings.Contains(d.ID, "#") {
			t.Fatalf("invalid id %q", d.ID)
		}
		if d.Audience != bot.AudiencePublic && d.Audience != bot.AudienceInternal {
			t.Fatalf("document %q has audience %q", d.ID, d.Audience)
		}
		if d.Source != file || d.Line < 1 {
			t.Fatalf("document %q has source %s:%d", d.ID, d.Source, d.Line)
		}
	}
}

func fuzzLoader(f *testing.F, file string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		docs, probs, err := Load(fstest.MapFS{file: {Data: []byte(content)}})
		if err != nil {
			t.Fatal(err)
		}
		checkLoaded(t, file, docs, probs)
	})
}

func FuzzLoadPage(f *testing.F) {
	fuzzLoader(f, "internal/p.md", fixture["pages/shipping.md"], fixture["internal/escalation.md"],
		"---\nid: [\n---\n", "---\n---\n## a\n## a\n```\n## b\n```\n", "# only\n")
}

func FuzzLoadFAQCSV(f *testing.F) {
	fuzzLoader(f, "faq.csv", fixture["faq/faq_en.csv"], "id,question,answer\n\"a\n", "id\n")
}

func FuzzLoadFAQYAML(f *testing.F) {
	fuzzLoader(f, "faq.yaml", fixture["faq/faq_zh.yaml"], "- id: a\n  question: q\n  answer: [1, 2]\n", "faq: 3")
}

func FuzzLoadProductsCSV(f *testing.F) {
	fuzzLoader(f, "products.csv", fixture["products.csv"], "sku,name,price\nA,B,1e400\n")
}

func FuzzLoadProductsJSON(f *testing.F) {
	fuzzLoader(f, "products.json", fixture["products_extra.json"], `{"products": [{"sku": 1, "name": 2}]}`, `{"x": [1], "products": 3}`)
}

func FuzzLoadProductsYAML(f *testing.F) {
	fuzzLoader(f, "products.yaml", fixture["products_more.yaml"], "products:\n  - sku: [a]\n")
}

func FuzzParseSynonyms(f *testing.F) {
	f.Add(fixture["synonyms.yaml"])
	f.Add("synonyms: [a, [b, c]]")
	f.Fuzz(func(t *testing.T, content string) {
		syn, err := parseSynonyms("synonyms.yaml", []byte(content))
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a *Problem", err)
			}
			return
		}
		for _, g := range syn {
			if len(g) < 2 {
				t.Fatalf("group %q has fewer than two members", g)
			}
		}
	})
}

// TestHugePageIsBounded: a page of tens of thousands of tiny sections (a
// generated file) becomes at most MaxPagePassages passages, with a problem
// saying so, and none of its text is lost.
func TestHugePageIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\nid: huge\n---\n# Huge\n\nOpening.\n")
	const n = 40000
	for i := range n {
		fmt.Fprintf(&b, "\n## Part %d\n\nWord%d.\n", i, i)
	}
	fsys := fstest.MapFS{"pages/huge.md": {Data: []byte(b.String())}}
	docs, probs, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) > MaxPagePassages {
		t.Errorf("%d passages, want at most %d", len(docs), MaxPagePassages)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Error(), "40000 sections") {
		t.Errorf("problems %q, want one saying the page was merged", probs)
	}
	var all strings.Builder
	for _, d := range docs {
		all.WriteString(d.Body + "\n")
	}
	for _, w := range []string{"Opening.", "Word0.", "Word12345.", fmt.Sprintf("Word%d.", n-1)} {
		if !strings.Contains(all.String(), w) {
			t.Errorf("text %q lost", w)
		}
	}
}

// TestOpeningOutlinesItsSections: a page whose opening is a short
// introduction answers with it and the headings of what follows, so that a
// customer sent the opening learns where the answer is; a long opening, or
// one before a single section, answers with its own text. The passage is
// still searched by its own words.
func TestOpeningOutlinesItsSections(t *testing.T) {
	long := strings.Repeat("Our shop has sold tea since 1998 and ships across China. ", 6)
	tests := []struct {
		name, page string
		outline    bool
	}{
		{"short opening", "# Returns\n\nHere is how returns work.\n\n## The 14-day window\n\nFourteen days.\n\n## Refunds\n\nThree days.\n", true},
		{"Chinese opening", "# 退换货\n\n请参考以下退换货说明。\n\n## 14天退货期\n\n十四天。\n\n## 退款\n\n三天。\n", true},
		{"long opening", "# About\n\n" + long + "\n\n## History\n\nOld.\n\n## Team\n\nSmall.\n", false},
		{"one section", "# Returns\n\nHere is how returns work.\n\n## The 14-day window\n\nFourteen days.\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, _, err := Load(fstest.MapFS{"pages/p.md": {Data: []byte("---\nid: p\n---\n" + tt.page)}})
			if err != nil {
				t.Fatal(err)
			}
			open := docs[0]
			if open.Section != "" {
				t.Fatalf("first passage is section %q, want the opening", open.Section)
			}
			got := open.answerText()
			if !strings.HasPrefix(got, open.Body) {
				t.Errorf("answer %q does not start with the opening %q", got, open.Body)
			}
			for _, d := range docs[1:] {
				if has := strings.Contains(got, "\n- "+d.Section); has != tt.outline {
					t.Errorf("answer %q lists section %q: %v, want %v", got, d.Section, has, tt.outline)
				}
			}
			if strings.Contains(open.Body, "\n- ") {
				t.Errorf("the opening's searched text %q holds the outline", open.Body)
			}
		})
	}
}
