package helpcenter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/helpcenter"
	"github.com/concierge-bot/concierge/knowledge"
)

// shop is a small bilingual knowledge base: FAQs by topic in English and
// Chinese, an article with sections and a table, products, and internal
// entries that must never reach the public help center.
var shop = fstest.MapFS{
	"faq.csv": {Data: []byte("id,question,answer,tags,lang\n" +
		"faq-ship,How long does shipping take?,Orders leave the same day; delivery takes **1–4 days**.,shipping,en\n" +
		"faq-free,Is shipping free?,Free from ¥199 in mainland China.,shipping,en\n" +
		"faq-return,How do I return an item?,Write to us within 7 days; see [the returns page](/kb/returns).,returns,en\n" +
		"faq-ship-zh,发货后多久能收到？,当天发货，1–4天送达。,配送,zh\n" +
		"faq-return-zh,怎么退货？,收货7天内联系我们。,退货,zh\n" +
		"faq-hours,When are you open?,Every day 10:00–20:00.,,en\n")},
	"internal/staff.csv": {Data: []byte("id,question,answer,tags,audience\nfaq-discount,What is the staff discount?,30% on everything.,staff,internal\n")},
	"pages/returns.md": {Data: []byte("---\nid: returns\ntitle: Returns and refunds\ntags: [returns]\nlang: en\nsource_url: https://shop.example.com/returns\n---\n" +
		"We take back unused items.\n\n## How to return\n\nWrite to us, then post the parcel.\n\n## Refund times\n\n| Method | Days |\n| --- | --- |\n| Card | 3 |\n| Alipay | 1 |\n\n## Exchanges\n\nExchanges are free.\n")},
	"pages/退换.md":  {Data: []byte("---\nid: returns-zh\ntitle: 退换货说明\nlang: zh\n---\n## 退货流程\n\n联系客服后寄回。\n\n## 退款时间\n\n银行卡3天。\n")},
	"products.csv": {Data: []byte("sku,name,price,category,description,origin\nLJ-100,Longjing green tea 100g,98,Green tea,Spring harvest from Hangzhou.,Zhejiang\nTS-1,Clay teapot,268,Tea-ware,Yixing clay.,Jiangsu\n")},
}

// entries converts knowledge documents as cmd/concierge does.
func entries(docs []knowledge.Document) []helpcenter.Entry {
	var out []helpcenter.Entry
	for _, d := range docs {
		body := d.Body
		switch d.Kind {
		case bot.KindFAQ:
			body = d.Answer
		case bot.KindProduct:
			body = d.Description
		}
		out = append(out, helpcenter.Entry{ID: d.ID, Title: d.Title, Kind: d.Kind, Audience: d.Audience, Lang: d.Lang,
			Tags: d.Tags, Body: body, Section: d.Section, SKU: d.SKU, Category: d.Category, Price: d.Price,
			Currency: d.Currency, Attrs: d.Attrs, SourceURL: d.SourceURL})
	}
	return out
}

type staticContent struct {
	version string
	entries []helpcenter.Entry
}

func (c staticContent) Entries() (string, []helpcenter.Entry) { return c.version, c.entries }

// newShop returns the public and the internal help center of fsys, with
// the knowledge index as their search.
func newShop(t testing.TB, fsys fstest.MapFS) (pub, staff *helpcenter.Server, docs []knowledge.Document) {
	t.Helper()
	docs, probs, err := knowledge.Load(fsys)
	if err != nil || len(probs) > 0 {
		t.Fatalf("load: %v %v", err, probs)
	}
	ix, err := knowledge.Build(context.Background(), filepath.Join(t.TempDir(), "ix"), docs, knowledge.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	content := staticContent{"v1", entries(docs)}
	pub, err = helpcenter.New(helpcenter.Options{Content: content, Retriever: ix, Widget: true, SiteName: "Jade Leaf"})
	if err != nil {
		t.Fatal(err)
	}
	staff, err = helpcenter.New(helpcenter.Options{Content: content, Retriever: ix, Base: "/console/kb",
		Audiences: []bot.Audience{bot.AudiencePublic, bot.AudienceInternal}})
	if err != nil {
		t.Fatal(err)
	}
	return pub, staff, docs
}

func get(t testing.TB, h http.Handler, target string, header ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestPages(t *testing.T) {
	pub, staff, _ := newShop(t, shop)
	cases := []struct {
		name, target string
		status       int
		want, absent []string
	}{
		{"home lists topics, articles, products", "/kb", 200,
			[]string{"<h1>Help center</h1>", `href="/kb?topic=shipping"`, "How long does shipping take?", "Returns and refunds",
				"Longjing green tea 100g", `<script src="/widget.js" defer`, `name="q"`},
			[]string{"staff discount", "发货后多久能收到"}},
		{"home in Chinese by Accept-Language", "/kb", 200, []string{`lang="zh-CN"`, "发货后多久能收到？", "按主题浏览常见问题"}, []string{"How long does shipping take?"}},
		{"faq page renders Markdown safely", "/kb/faq-ship", 200, []string{"<h1>How long does shipping take?</h1>", "<strong>1–4 days</strong>", "Is shipping free?"}, nil},
		{"article has an anchor per section", "/kb/returns", 200,
			[]string{`id="how-to-return"`, `id="refund-times"`, `href="#exchanges"`, "<table>", "shop.example.com/returns"}, nil},
		{"chinese article", "/kb/returns-zh", 200, []string{`id="退货流程"`, "退换货说明"}, nil},
		{"product page", "/kb/LJ-100", 200, []string{"Longjing green tea 100g", "98", "Zhejiang"}, nil},
		{"topic", "/kb?topic=shipping", 200, []string{"Is shipping free?", "How long does shipping take?"}, []string{"How do I return"}},
		{"untagged FAQs", "/kb?topic=-", 200, []string{"When are you open?"}, nil},
		{"search uses the retriever", "/kb?q=how+long+is+delivery", 200, []string{`href="/kb/faq-ship"`}, nil},
		{"search never finds internal", "/kb?q=staff+discount", 200, nil, []string{"faq-discount", "30%"}},
		{"internal page is a 404", "/kb/faq-discount", 404, []string{"Page not found"}, []string{"30%"}},
		{"unknown page is a 404", "/kb/nope", 404, []string{"Page not found"}, nil},
		{"escaping", "/kb?q=%3Cscript%3Ealert(1)%3C/script%3E", 200, []string{"&lt;script&gt;"}, []string{"<script>alert"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if strings.Contains(c.name, "Chinese") {
				hdr = []string{"Accept-Language", "zh-CN,zh;q=0.9"}
			}
			st, body := get(t, pub, c.target, hdr...)
			if st != c.status {
				t.Errorf("GET %s: %d, want %d", c.target, st, c.status)
			}
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", c.target, w)
				}
			}
			for _, a := range c.absent {
				if strings.Contains(body, a) {
					t.Errorf("GET %s has %q", c.target, a)
				}
			}
		})
	}
	if st, body := get(t, staff, "/console/kb/faq-discount"); st != 200 || !strings.Contains(body, "30% on everything") || strings.Contains(body, "widget.js") {
		t.Errorf("internal help center: %d\n%s", st, body)
	}
	if st, body := get(t, staff, "/console/kb?q=staff+discount"); st != 200 || !strings.Contains(body, `href="/console/kb/faq-discount"`) {
		t.Errorf("internal search: %d\n%s", st, body)
	}
	req := httptest.NewRequest("POST", "/kb", nil)
	rec := httptest.NewRecorder()
	pub.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /kb: %d", rec.Code)
	}
	_, _ = get(t, pub, "/kb")
	rec = httptest.NewRecorder()
	pub.ServeHTTP(rec, httptest.NewRequest("GET", "/kb", nil))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
}

// TestContentChanges: a new version of the content is served at once.
func TestContentChanges(t *testing.T) {
	c := &switchable{}
	c.set("v1", []helpcenter.Entry{{ID: "a", Title: "First", Kind: bot.KindFAQ, Audience: bot.AudiencePublic, Body: "One."}})
	s, _ := helpcenter.New(helpcenter.Options{Content: c})
	if st, _ := get(t, s, "/kb/b"); st != 404 {
		t.Fatalf("b before: %d", st)
	}
	c.set("v2", []helpcenter.Entry{{ID: "b", Title: "Second", Kind: bot.KindFAQ, Audience: bot.AudiencePublic, Body: "Two."}})
	if st, body := get(t, s, "/kb/b"); st != 200 || !strings.Contains(body, "Two.") {
		t.Errorf("b after: %d", st)
	}
}

type switchable struct {
	v string
	e []helpcenter.Entry
}

func (s *switchable) set(v string, e []helpcenter.Entry)    { s.v, s.e = v, e }
func (s *switchable) Entries() (string, []helpcenter.Entry) { return s.v, s.e }

// bigShop is a knowledge base of n documents: FAQs in 40 topics, articles
// of four sections, products in 20 categories, half in Chinese.
func bigShop(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	var faq, prod strings.Builder
	faq.WriteString("id,question,answer,tags,lang\n")
	prod.WriteString("sku,name,price,category,description\n")
	for i := 0; i < n/2; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&faq, "faq-%d,How does service %d work for order type %d?,It works in %d simple steps; ask us for details about case %d.,topic-%d,en\n", i, i, i%97, i%7+2, i, i%40)
		} else {
			fmt.Fprintf(&faq, "faq-%d,第%d项服务怎么办理？,共有%d个步骤，详情请咨询客服，编号%d。,主题%d,zh\n", i, i, i%7+2, i, i%40)
		}
	}
	fsys["faq.csv"] = &fstest.MapFile{Data: []byte(faq.String())}
	for i := 0; i < n/4; i++ {
		fmt.Fprintf(&prod, "P-%d,Product number %d,%d,Category %d,A fine product of series %d.\n", i, i, 10+i%300, i%20, i%50)
	}
	fsys["products.csv"] = &fstest.MapFile{Data: []byte(prod.String())}
	for i := 0; i < n/4/4; i++ {
		fsys[fmt.Sprintf("pages/a%d.md", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: Guide %d\ntags: [topic-%d]\n---\nIntro of guide %d.\n\n## Step one\n\nDo the first thing %d.\n\n## Step two\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n## Step three\n\nDone %d.\n", i, i%40, i, i, i))}
	}
	return fsys
}

// TestPageWeight: on a 10,000-document knowledge base every page of the
// help center stays within 60 KB.
func TestPageWeight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-document knowledge base (about 10 s); the full suite runs it")
	}
	pub, _, _ := newShop(t, bigShop(10_000))
	for _, target := range []string{"/kb", "/kb?lang=zh", "/kb?topic=topic-3", "/kb?list=articles", "/kb?list=products&page=3",
		"/kb/pages/a7", "/kb/faq-12", "/kb/P-5", "/kb?q=how+does+service+12+work"} {
		st, body := get(t, pub, target)
		if st != 200 {
			t.Errorf("GET %s: %d", target, st)
		}
		t.Logf("GET %-35s %6d bytes", target, len(body))
		if len(body) > 60<<10 {
			t.Errorf("GET %s is %d bytes, over 60 KB", target, len(body))
		}
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
