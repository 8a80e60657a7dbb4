package demo_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/configs/demo"
)

var (
	faqHeader     = []string{"id", "question", "answer", "tags", "lang", "intents"}
	productHeader = []string{"sku", "name", "category", "price", "currency", "description", "tags", "lang"}
	skuPattern    = regexp.MustCompile(`^JL-[A-Z]{3}-\d{3}$`)
	pricePattern  = regexp.MustCompile(`^\d+\.\d{2}$`)
	faqIDPattern  = regexp.MustCompile(`^faq-[a-z]+(-[a-z]+)*-\d{2}$`)
)

// requiredIntents are the intent names other packages and the Engine rely on.
var requiredIntents = []string{
	"greeting", "goodbye", "thanks", "ask_human", "complaint", "order_status", "refund_request",
	"purchase_intent", "shipping_info", "shipping_cost", "return_policy", "payment_methods", "product_info",
	"product_recommendation", "brewing_advice", "store_visit", "warranty", "account_help", "discount_promo",
	"cancel_order", "change_address", "wholesale", "invoice", "oos",
}

func hanCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// readCSV parses a CSV file of the demo content, requiring the exact header
// and the same number of fields on every row.
func readCSV(t *testing.T, name string, header []string) [][]string {
	t.Helper()
	b, err := fs.ReadFile(demo.Content(), name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	if len(records) == 0 {
		t.Fatalf("%s is empty", name)
	}
	if diff := cmp.Diff(header, records[0]); diff != "" {
		t.Fatalf("%s header mismatch (-want +got):\n%s", name, diff)
	}
	for i, rec := range records[1:] {
		for j, field := range rec {
			if strings.TrimSpace(field) != field || (field == "" && header[j] != "tags") {
				t.Errorf("%s row %d: field %s is empty or has surrounding spaces: %q", name, i+2, header[j], field)
			}
		}
	}
	return records[1:]
}

type page struct {
	file     string
	ID       string   `yaml:"id"`
	Title    string   `yaml:"title"`
	Audience string   `yaml:"audience"`
	Lang     string   `yaml:"lang"`
	Tags     []string `yaml:"tags"`
	body     string
}

// readPages parses the front matter and body of every Markdown page in dir.
func readPages(t *testing.T, dir string) []page {
	t.Helper()
	names, err := fs.Glob(demo.Content(), dir+"/*.md")
	if err != nil {
		t.Fatalf("glob %s: %v", dir, err)
	}
	var pages []page
	for _, name := range names {
		b, err := fs.ReadFile(demo.Content(), name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		text := string(b)
		rest, ok := strings.CutPrefix(text, "---\n")
		if !ok {
			t.Errorf("%s: no front matter", name)
			continue
		}
		front, body, ok := strings.Cut(rest, "\n---\n")
		if !ok {
			t.Errorf("%s: front matter is not closed", name)
			continue
		}
		p := page{file: name, body: body}
		dec := yaml.NewDecoder(strings.NewReader(front))
		dec.KnownFields(true)
		if err := dec.Decode(&p); err != nil {
			t.Errorf("%s: front matter: %v", name, err)
			continue
		}
		pages = append(pages, p)
	}
	return pages
}

type intentsFile struct {
	Intents []struct {
		Name        string            `yaml:"name"`
		Description string            `yaml:"description"`
		Examples    []string          `yaml:"examples"`
		Replies     map[string]string `yaml:"replies"`
	} `yaml:"intents"`
}

func readIntents(t *testing.T) intentsFile {
	t.Helper()
	var f intentsFile
	dec := yaml.NewDecoder(bytes.NewReader(demo.Intents()))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("parse intents.yaml: %v", err)
	}
	return f
}

func TestEmbeddedFiles(t *testing.T) {
	content := demo.Content()
	for _, name := range []string{
		"faq/faq_en.csv", "faq/faq_zh.csv", "products.csv", "products_zh.csv", "synonyms.yaml",
		"pages/shipping-and-delivery.md", "pages/returns-and-refunds.md", "pages/visit-our-shop.md",
		"internal/refund-authority.md", "internal/escalation-playbook.md",
	} {
		if _, err := fs.Stat(content, name); err != nil {
			t.Errorf("embedded content lacks %s: %v", name, err)
		}
	}
	if len(demo.Intents()) == 0 {
		t.Error("Intents() is empty")
	}
	// Intents returns a copy: changing it must not change the next call.
	b := demo.Intents()
	b[0] = 'X'
	if demo.Intents()[0] == 'X' {
		t.Error("Intents() returns shared memory")
	}

	tests := []struct {
		glob string
		min  int
	}{
		{"pages/*.md", 8},
		{"pages/*.zh.md", 4},
		{"internal/*.md", 15},
		{"internal/*.zh.md", 5},
	}
	for _, tt := range tests {
		names, err := fs.Glob(content, tt.glob)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) < tt.min {
			t.Errorf("%s: %d files, want at least %d", tt.glob, len(names), tt.min)
		}
	}
}

func TestFAQ(t *testing.T) {
	en := readCSV(t, "faq/faq_en.csv", faqHeader)
	zh := readCSV(t, "faq/faq_zh.csv", faqHeader)
	if len(en) < 60 || len(zh) < 60 {
		t.Errorf("FAQ has %d English and %d Chinese entries, want at least 60 each", len(en), len(zh))
	}
	intents := map[string]bool{}
	for _, in := range readIntents(t).Intents {
		intents[in.Name] = true
	}

	enIntents := map[string]string{}
	for _, rec := range en {
		id, question, answer, intentList := rec[0], rec[1], rec[2], rec[5]
		if !faqIDPattern.MatchString(id) {
			t.Errorf("English FAQ id %q does not look like faq-<topic>-<nn>", id)
		}
		if rec[4] != "en" {
			t.Errorf("%s: lang %q in faq_en.csv", id, rec[4])
		}
		// An English answer may quote a Chinese name (翠叶茶庄, 电子普通发票),
		// but must be written in English.
		if hasHan(question) || hanCount(answer)*4 > len(answer) {
			t.Errorf("%s: English entry is not written in English", id)
		}
		enIntents[id] = intentList
	}
	zhIDs := map[string]bool{}
	for _, rec := range zh {
		id, question, answer := rec[0], rec[1], rec[2]
		if rec[4] != "zh" {
			t.Errorf("%s: lang %q in faq_zh.csv", id, rec[4])
		}
		if !hasHan(question) || !hasHan(answer) {
			t.Errorf("%s: Chinese entry has no Chinese text", id)
		}
		base, ok := strings.CutSuffix(id, "-zh")
		if !ok {
			t.Errorf("Chinese FAQ id %q lacks the -zh suffix", id)
			continue
		}
		want, ok := enIntents[base]
		if !ok {
			t.Errorf("Chinese FAQ %s has no English counterpart %s", id, base)
			continue
		}
		if rec[5] != want {
			t.Errorf("%s: intents %q differ from the English entry's %q", id, rec[5], want)
		}
		zhIDs[base] = true
	}
	for id := range enIntents {
		if !zhIDs[id] {
			t.Errorf("English FAQ %s has no Chinese counterpart", id)
		}
	}
	for _, rec := range append(en, zh...) {
		for name := range strings.SplitSeq(rec[5], ";") {
			if !intents[name] {
				t.Errorf("FAQ %s names unknown intent %q", rec[0], name)
			}
		}
		for tag := range strings.SplitSeq(rec[3], ";") {
			if strings.TrimSpace(tag) == "" {
				t.Errorf("FAQ %s has an empty tag in %q", rec[0], rec[3])
			}
		}
	}

	// Entries the product's documentation and other packages' tests refer to.
	questions := map[string]string{}
	for _, rec := range append(en, zh...) {
		questions[rec[0]] = rec[1]
	}
	for id, question := range map[string]string{
		"faq-shipping-01":         "How long does shipping take?",
		"faq-shipping-cost-01-zh": "运费怎么算？",
		"faq-returns-01":          "What is your return policy?",
	} {
		if got := questions[id]; got != question {
			t.Errorf("FAQ %s question = %q, want %q", id, got, question)
		}
	}
	for _, id := range []string{"faq-shipping-cost-01", "faq-returns-01-zh"} {
		if _, ok := questions[id]; !ok {
			t.Errorf("FAQ %s is missing", id)
		}
	}
}

func TestProducts(t *testing.T) {
	en := readCSV(t, "products.csv", productHeader)
	zh := readCSV(t, "products_zh.csv", productHeader)
	if len(en) < 30 {
		t.Errorf("%d products, want at least 30", len(en))
	}
	check := func(file, lang string, rows [][]string) map[string]string {
		prices := map[string]string{}
		for _, rec := range rows {
			sku := rec[0]
			if !skuPattern.MatchString(sku) {
				t.Errorf("%s: SKU %q does not look like JL-XXX-nnn", file, sku)
			}
			if _, dup := prices[sku]; dup {
				t.Errorf("%s: duplicate SKU %s", file, sku)
			}
			prices[sku] = rec[3]
			if !pricePattern.MatchString(rec[3]) {
				t.Errorf("%s %s: price %q is not a plain amount like 268.00", file, sku, rec[3])
			}
			if rec[4] != "CNY" || rec[7] != lang {
				t.Errorf("%s %s: currency %q lang %q, want CNY %s", file, sku, rec[4], rec[7], lang)
			}
			if lang == "zh" && !hasHan(rec[1]+rec[5]) {
				t.Errorf("%s %s: Chinese product has no Chinese text", file, sku)
			}
			if lang == "en" && hasHan(rec[1]+rec[5]) {
				t.Errorf("%s %s: English product contains Chinese characters", file, sku)
			}
		}
		return prices
	}
	enPrices := check("products.csv", "en", en)
	zhPrices := check("products_zh.csv", "zh", zh)
	if diff := cmp.Diff(enPrices, zhPrices); diff != "" {
		t.Errorf("products.csv and products_zh.csv differ in SKUs or prices (-en +zh):\n%s", diff)
	}
}

func TestPages(t *testing.T) {
	tests := []struct {
		dir      string
		audience string
	}{
		{"pages", "public"},
		{"internal", "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			pages := readPages(t, tt.dir)
			if len(pages) == 0 {
				t.Fatalf("no pages in %s", tt.dir)
			}
			byID := map[string]page{}
			for _, p := range pages {
				byID[p.ID] = p
			}
			for _, p := range pages {
				if p.ID == "" || p.Title == "" || len(p.Tags) == 0 {
					t.Errorf("%s: id, title and tags are required, got %q %q %v", p.file, p.ID, p.Title, p.Tags)
				}
				if p.Audience != tt.audience {
					t.Errorf("%s: audience %q, want %q", p.file, p.Audience, tt.audience)
				}
				wantLang := "en"
				if strings.HasSuffix(p.file, ".zh.md") {
					wantLang = "zh"
					base, ok := strings.CutSuffix(p.ID, "-zh")
					if !ok {
						t.Errorf("%s: Chinese page id %q lacks the -zh suffix", p.file, p.ID)
					} else if en, ok := byID[base]; !ok {
						t.Errorf("%s: no English page with id %q", p.file, base)
					} else if strings.TrimSuffix(path.Base(p.file), ".zh.md") != strings.TrimSuffix(path.Base(en.file), ".md") {
						t.Errorf("%s: English counterpart is %s; file names should match", p.file, en.file)
					}
				}
				if p.Lang != wantLang {
					t.Errorf("%s: lang %q, want %q", p.file, p.Lang, wantLang)
				}
				if wantLang == "en" && hasHan(p.Title) {
					t.Errorf("%s: English page title %q contains Chinese characters", p.file, p.Title)
				}
				if wantLang == "zh" && !hasHan(p.body) {
					t.Errorf("%s: Chinese page has no Chinese text", p.file)
				}
				if n := strings.Count("\n"+p.body, "\n## "); n < 2 {
					t.Errorf("%s: %d '## ' sections, want at least 2 for passage splitting", p.file, n)
				}
			}
		})
	}
}

func TestIDsUnique(t *testing.T) {
	seen := map[string]string{}
	add := func(id, where string) {
		if prev, dup := seen[id]; dup {
			t.Errorf("id %q used by both %s and %s", id, prev, where)
		}
		seen[id] = where
	}
	for _, file := range []string{"faq/faq_en.csv", "faq/faq_zh.csv"} {
		for _, rec := range readCSV(t, file, faqHeader) {
			add(rec[0], file)
		}
	}
	for _, dir := range []string{"pages", "internal"} {
		for _, p := range readPages(t, dir) {
			add(p.ID, p.file)
		}
	}
	// The English and Chinese catalogues share SKUs by design; a SKU must not
	// collide with any FAQ or page id.
	for _, rec := range readCSV(t, "products.csv", productHeader) {
		add(rec[0], "products.csv")
	}
}

func TestIntents(t *testing.T) {
	f := readIntents(t)
	if len(f.Intents) < 22 {
		t.Errorf("%d intents, want at least 22", len(f.Intents))
	}
	names := map[string]bool{}
	owner := map[string]string{}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	for _, in := range f.Intents {
		if names[in.Name] {
			t.Errorf("intent %q defined twice", in.Name)
		}
		names[in.Name] = true
		if in.Description == "" {
			t.Errorf("intent %q has no description", in.Name)
		}
		var en, zh int
		for _, ex := range in.Examples {
			if strings.TrimSpace(ex) == "" {
				t.Errorf("intent %q has an empty example", in.Name)
				continue
			}
			if hasHan(ex) {
				zh++
			} else {
				en++
			}
			key := norm(ex)
			if prev, dup := owner[key]; dup {
				t.Errorf("example %q appears under both %q and %q", ex, prev, in.Name)
			}
			owner[key] = in.Name
		}
		min := 15
		if in.Name == "oos" {
			min = 30
		}
		if en < min || zh < min {
			t.Errorf("intent %q has %d English and %d Chinese examples, want at least %d each", in.Name, en, zh, min)
		}
		smallTalk := in.Name == "greeting" || in.Name == "thanks" || in.Name == "goodbye"
		switch {
		case smallTalk && (in.Replies["en"] == "" || !hasHan(in.Replies["zh"])):
			t.Errorf("small-talk intent %q needs en and zh replies, got %v", in.Name, in.Replies)
		case !smallTalk && in.Replies != nil:
			t.Errorf("intent %q has replies; only small talk is answered with fixed text", in.Name)
		}
	}
	for _, name := range requiredIntents {
		if !names[name] {
			t.Errorf("required intent %q is missing", name)
		}
	}
}

func TestSynonyms(t *testing.T) {
	b, err := fs.ReadFile(demo.Content(), "synonyms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Synonyms [][]string `yaml:"synonyms"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("parse synonyms.yaml: %v", err)
	}
	if len(f.Synonyms) < 25 {
		t.Errorf("%d synonym groups, want at least 25", len(f.Synonyms))
	}
	group := map[string]int{}
	for i, g := range f.Synonyms {
		if len(g) < 2 {
			t.Errorf("synonym group %d has fewer than 2 terms: %v", i, g)
		}
		for _, term := range g {
			key := strings.ToLower(strings.TrimSpace(term))
			if prev, dup := group[key]; dup {
				t.Errorf("term %q is in groups %d and %d", term, prev, i)
			}
			group[key] = i
		}
	}
}

// publicText returns everything a customer may be shown: public pages, FAQs,
// products and the intents file (its replies are sent to customers).
func publicText(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"intents.yaml": string(demo.Intents())}
	err := fs.WalkDir(demo.Content(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(name, "internal/") {
			return nil
		}
		b, err := fs.ReadFile(demo.Content(), name)
		if err != nil {
			return err
		}
		out[name] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func internalText(t *testing.T) string {
	t.Helper()
	var sb strings.Builder
	for _, p := range readPages(t, "internal") {
		sb.WriteString(p.body)
	}
	return sb.String()
}

// TestInternalFactsStayInternal checks that facts only staff may know appear in
// the internal wiki and nowhere in public content. Other packages may use these
// markers to test that the internal audience never reaches customers.
func TestInternalFactsStayInternal(t *testing.T) {
	markers := []string{
		"LeafOps", "Chen Jing", "陈静", "Wang Lei", "Zhao Min", "Liu Fang", "刘芳", "Daniel Guo", "Zhou Hao",
		"ext. 8801", "分机8801", "#cs-escalations", "RR-08", "GW-YYMMDD", "CPL-QUA", "STAFF-JL-30", "WS-10",
		"HOLD-QA", "SF-JL-021-7719", "96-0412-7735", "Xinzhen Road", "38%", "Leaf Level 1",
	}
	public := publicText(t)
	internal := internalText(t)
	for _, m := range markers {
		if !strings.Contains(internal, m) {
			t.Errorf("internal marker %q is not in the internal wiki", m)
		}
		for name, text := range public {
			if strings.Contains(text, m) {
				t.Errorf("internal marker %q appears in public file %s", m, name)
			}
		}
	}
}

// TestKeyFactsConsistent checks that the facts customers rely on are stated
// the same way in the English and Chinese versions of the pages and FAQs.
func TestKeyFactsConsistent(t *testing.T) {
	read := func(name string) string {
		b, err := fs.ReadFile(demo.Content(), name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		return string(b)
	}
	faqAnswer := map[string]string{}
	for _, file := range []string{"faq/faq_en.csv", "faq/faq_zh.csv"} {
		for _, rec := range readCSV(t, file, faqHeader) {
			faqAnswer[rec[0]] = rec[2]
		}
	}
	tests := []struct {
		fact  string
		where []string // file names, or FAQ ids prefixed with "faq:"
	}{
		{"¥199", []string{"pages/shipping-and-delivery.md", "pages/shipping-and-delivery.zh.md", "faq:faq-shipping-cost-01", "faq:faq-shipping-cost-01-zh"}},
		{"¥12", []string{"pages/shipping-and-delivery.md", "pages/shipping-and-delivery.zh.md", "faq:faq-shipping-cost-01", "faq:faq-shipping-cost-01-zh"}},
		{"¥1,500", []string{"pages/shipping-and-delivery.md", "pages/shipping-and-delivery.zh.md", "faq:faq-shipping-cost-02", "faq:faq-shipping-cost-02-zh"}},
		{"16:00", []string{"pages/shipping-and-delivery.md", "pages/shipping-and-delivery.zh.md", "faq:faq-shipping-01", "faq:faq-shipping-01-zh"}},
		{"14", []string{"pages/returns-and-refunds.md", "pages/returns-and-refunds.zh.md", "faq:faq-returns-01", "faq:faq-returns-01-zh"}},
		{"10:00–20:00", []string{"pages/visit-our-shop.md", "pages/visit-our-shop.zh.md", "faq:faq-store-02", "faq:faq-store-02-zh"}},
		{"9:00–21:00", []string{"pages/contact-us.md", "pages/contact-us.zh.md", "faq:faq-contact-01", "faq:faq-contact-01-zh"}},
		{"6288 7316", []string{"pages/contact-us.md", "pages/contact-us.zh.md", "pages/visit-our-shop.md", "pages/visit-our-shop.zh.md"}},
		{"service@jadeleaftea.example", []string{"pages/contact-us.md", "pages/contact-us.zh.md", "faq:faq-contact-01", "faq:faq-contact-01-zh"}},
		{"12", []string{"pages/tea-ware-warranty.md", "faq:faq-warranty-02", "faq:faq-warranty-02-zh"}},
		{"48", []string{"pages/tea-ware-warranty.md", "faq:faq-warranty-01", "faq:faq-warranty-01-zh"}},
	}
	for _, tt := range tests {
		for _, w := range tt.where {
			var text string
			if id, ok := strings.CutPrefix(w, "faq:"); ok {
				text = faqAnswer[id]
			} else {
				text = read(w)
			}
			if !strings.Contains(text, tt.fact) {
				t.Errorf("%s does not state %q", w, tt.fact)
			}
		}
	}
	// The shop's address appears in both languages wherever it is given.
	for _, name := range []string{"pages/visit-our-shop.md", "pages/about-us.md", "pages/contact-us.md"} {
		if !strings.Contains(read(name), "218 Yuyuan Road") {
			t.Errorf("%s lacks the shop address", name)
		}
	}
	for _, name := range []string{"pages/visit-our-shop.zh.md", "pages/about-us.zh.md", "pages/contact-us.zh.md"} {
		if !strings.Contains(read(name), "愚园路218号") {
			t.Errorf("%s lacks the shop address", name)
		}
	}
}

func ExampleContent() {
	names, _ := fs.Glob(demo.Content(), "faq/*.csv")
	slices.Sort(names)
	fmt.Println(names)
	// Output: [faq/faq_en.csv faq/faq_zh.csv]
}
