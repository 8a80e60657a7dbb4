package helpcenter

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// Page sizes: lists are cut so that every page stays small whatever the
// size of the knowledge base.
const (
	perTopicOnHome = 6
	topicsOnHome   = 12
	articlesOnHome = 12
	productsOnHome = 12
	perPage        = 40
	relatedCount   = 5
)

// text is the help center's wording in one language.
type text struct {
	htmlLang, title, search, searchLabel, searchButton, results, noResults, topics, faqs, articles, products,
	more, allArticles, allProducts, notFound, notFoundText, onThisPage, source, related, price, category,
	general, prev, next, home, langSwitch, chat, internal, noSearch string
	listTitle map[string]string
}

var texts = map[string]text{
	"en": {htmlLang: "en", title: "Help center", search: "Search the help center", searchLabel: "Your question",
		searchButton: "Search", results: "Search results", noResults: "Nothing found. Try other words, or ask in the chat.",
		topics: "Questions by topic", faqs: "Questions", articles: "Articles", products: "Products", more: "All %d questions",
		allArticles: "All %d articles", allProducts: "All %d products", notFound: "Page not found",
		notFoundText: "This page does not exist or has moved. Search the help center, or ask in the chat.",
		onThisPage:   "On this page", source: "Source", related: "Related questions", price: "Price", category: "Category",
		general: "General", prev: "Previous", next: "Next", home: "Help center", langSwitch: "中文", chat: "Ask us",
		internal: "Internal knowledge base", noSearch: "Search is not available.",
		listTitle: map[string]string{"articles": "Articles", "products": "Products"}},
	"zh": {htmlLang: "zh-CN", title: "帮助中心", search: "搜索帮助中心", searchLabel: "您的问题", searchButton: "搜索",
		results: "搜索结果", noResults: "没有找到相关内容。请换个说法，或在在线咨询中提问。", topics: "按主题浏览常见问题",
		faqs: "常见问题", articles: "文章", products: "产品", more: "全部 %d 个问题", allArticles: "全部 %d 篇文章",
		allProducts: "全部 %d 个产品", notFound: "页面不存在", notFoundText: "该页面不存在或已移动。请搜索帮助中心，或在在线咨询中提问。",
		onThisPage: "本页内容", source: "来源", related: "相关问题", price: "价格", category: "类别", general: "其他",
		prev: "上一页", next: "下一页", home: "帮助中心", langSwitch: "English", chat: "在线咨询", internal: "内部知识库",
		noSearch: "暂不支持搜索。", listTitle: map[string]string{"articles": "文章", "products": "产品"}},
}

// styleSheet is the whole style of the help center, inline (allowed by
// its hash in the Content-Security-Policy): one request per page.
const styleSheet = `*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1d2b24;background:#f7f5f0}` +
	`a{color:#24583e}.w{max-width:880px;margin:0 auto;padding:0 16px}header{background:#2f6f4f;color:#fff}header .w{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding:12px 16px}` +
	`header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:19px}form.s{display:flex;gap:8px;margin:20px 0}form.s input{flex:1;min-width:0;padding:10px 12px;font:inherit;border:1px solid #b9c2bc;border-radius:8px}` +
	`form.s button{padding:10px 16px;font:inherit;border:0;border-radius:8px;background:#2f6f4f;color:#fff}h1{font-size:28px;line-height:1.25;margin:20px 0 12px;color:#24583e}h2{font-size:20px;margin:28px 0 8px;color:#24583e}` +
	`main{padding-bottom:96px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:14px}.card{background:#fff;border:1px solid #e2ddd0;border-radius:10px;padding:14px 16px}` +
	`.card h3{margin:0 0 6px;font-size:17px}.card ul,ul.l{margin:0;padding-left:20px}.muted{color:#5b665f;font-size:14px}section.sec{background:#fff;border:1px solid #e2ddd0;border-radius:10px;padding:4px 18px 12px;margin:14px 0}` +
	`section.sec h2{margin-top:14px}section.sec:target{border-color:#c49a3a;box-shadow:0 0 0 3px #f3e3b8}.a{font-size:15px;text-decoration:none;margin-left:6px;color:#8a958e}.md-table{overflow-x:auto}table{border-collapse:collapse;margin:8px 0}` +
	`td,th{border:1px solid #d8d3c6;padding:5px 9px;text-align:left;vertical-align:top}.md-center{text-align:center}.md-right{text-align:right}.hit{margin:0 0 16px}.hit p{margin:2px 0}` +
	`nav.toc{background:#fff;border:1px solid #e2ddd0;border-radius:10px;padding:8px 16px}.pager{display:flex;gap:16px;margin:18px 0}pre{overflow-x:auto;background:#f0ede4;padding:8px}` +
	`@media(max-width:600px){h1{font-size:23px}body{font-size:15px}}`

// view is one request's rendering context.
type view struct {
	s        *Server
	site     *site
	lang     string
	explicit bool
	t        text
}

func esc(s string) string { return html.EscapeString(s) }

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// q adds the language to a help-center query string when it was chosen.
func (v *view) q(params string) string {
	base := v.s.opts.Base
	if v.explicit {
		if params == "" {
			return base + "?lang=" + v.lang
		}
		return base + "?" + params + "&lang=" + v.lang
	}
	if params == "" {
		return base
	}
	return base + "?" + params
}

// render writes a whole page: header with search and language switch,
// the body fn writes, the widget.
func (s *Server) render(w http.ResponseWriter, status int, v *view, title string, body func(b *strings.Builder)) {
	var b strings.Builder
	b.Grow(16 << 10)
	site := s.opts.SiteName
	if site == "" {
		site = v.t.title
	}
	if s.opts.Base != "/kb" {
		site += " · " + v.t.internal
	}
	full := site
	if title != "" {
		full = title + " · " + site
	}
	other := "zh"
	if v.lang == "zh" {
		other = "en"
	}
	b.WriteString(`<!doctype html><html lang="` + v.t.htmlLang + `"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`)
	b.WriteString(`<title>` + esc(full) + `</title><style>` + styleSheet + `</style></head><body>`)
	b.WriteString(`<header><div class="w"><a class="brand" href="` + esc(v.q("")) + `">` + esc(site) + `</a>`)
	b.WriteString(`<a href="` + esc(s.opts.Base+"?lang="+other) + `" lang="` + texts[other].htmlLang + `">` + esc(v.t.langSwitch) + `</a></div></header>`)
	b.WriteString(`<main class="w">`)
	if s.opts.Retriever != nil {
		b.WriteString(`<form class="s" role="search" method="get" action="` + esc(s.opts.Base) + `">`)
		if v.explicit {
			b.WriteString(`<input type="hidden" name="lang" value="` + v.lang + `">`)
		}
		b.WriteString(`<input type="search" name="q" aria-label="` + esc(v.t.searchLabel) + `" placeholder="` + esc(v.t.search) + `" maxlength="500">`)
		b.WriteString(`<button type="submit">` + esc(v.t.searchButton) + `</button></form>`)
	}
	body(&b)
	b.WriteString(`</main>`)
	if s.opts.Widget {
		b.WriteString(`<script src="/widget.js" defer data-lang="` + v.lang + `" data-title="` + esc(v.t.chat) + `"></script>`)
	}
	b.WriteString(`</body></html>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// overview is the home page: topics with their first questions, articles,
// products.
func (v *view) overview(b *strings.Builder) {
	b.WriteString(`<h1>` + esc(v.t.title) + `</h1>`)
	topics := v.site.topics
	var shown []*topic
	for _, tp := range topics {
		if len(v.site.filtered("topic:"+tp.name, tp.items, v.lang, true)) > 0 {
			shown = append(shown, tp)
		}
	}
	if len(shown) == 0 {
		shown = topics
	}
	if len(shown) > 0 {
		b.WriteString(`<h2>` + esc(v.t.topics) + `</h2><div class="grid">`)
		for i, tp := range shown {
			if i == topicsOnHome {
				break
			}
			items := v.site.filtered("topic:"+tp.name, tp.items, v.lang, false)
			b.WriteString(`<div class="card"><h3><a href="` + esc(v.topicLink(tp)) + `">` + esc(v.topicName(tp)) + `</a></h3><ul>`)
			for j, it := range items {
				if j == perTopicOnHome {
					break
				}
				b.WriteString(`<li><a href="` + esc(v.s.link(it.id, v)) + `">` + esc(it.title()) + `</a></li>`)
			}
			b.WriteString(`</ul>`)
			if len(items) > perTopicOnHome {
				b.WriteString(`<p class="muted"><a href="` + esc(v.topicLink(tp)) + `">` + esc(fmt.Sprintf(v.t.more, len(items))) + `</a></p>`)
			}
			b.WriteString(`</div>`)
		}
		b.WriteString(`</div>`)
		if len(shown) > topicsOnHome {
			b.WriteString(`<p class="muted">`)
			for _, tp := range shown[topicsOnHome:] {
				b.WriteString(`<a href="` + esc(v.topicLink(tp)) + `">` + esc(v.topicName(tp)) + `</a> · `)
			}
			b.WriteString(`</p>`)
		}
	}
	v.shortList(b, "articles", v.t.articles, v.t.allArticles, v.site.filtered("articles", v.site.articles, v.lang, false), articlesOnHome)
	v.shortList(b, "products", v.t.products, v.t.allProducts, v.site.filtered("products", v.site.products, v.lang, false), productsOnHome)
}

func inLangStrict(items []*item, lang string) []*item {
	var out []*item
	for _, it := range items {
		if it.lang == lang || it.lang == "" {
			out = append(out, it)
		}
	}
	return out
}

func (v *view) shortList(b *strings.Builder, kind, heading, all string, items []*item, n int) {
	if len(items) == 0 {
		return
	}
	b.WriteString(`<h2>` + esc(heading) + `</h2><ul class="l">`)
	for i, it := range items {
		if i == n {
			break
		}
		v.listItem(b, it)
	}
	b.WriteString(`</ul>`)
	if len(items) > n {
		b.WriteString(`<p class="muted"><a href="` + esc(v.q("list="+kind)) + `">` + esc(fmt.Sprintf(all, len(items))) + `</a></p>`)
	}
}

func (v *view) listItem(b *strings.Builder, it *item) {
	b.WriteString(`<li><a href="` + esc(v.s.link(it.id, v)) + `">` + esc(it.title()) + `</a>`)
	if p := it.product; p != nil && p.Price != "" {
		b.WriteString(` <span class="muted">` + esc(strings.TrimSpace(p.Price+" "+p.Currency)) + `</span>`)
	}
	b.WriteString(`</li>`)
}

func (v *view) topicName(tp *topic) string {
	if tp.name == "" {
		return v.t.general
	}
	return tp.name
}

func (v *view) topicLink(tp *topic) string {
	name := tp.name
	if name == "" {
		name = "-"
	}
	return v.q("topic=" + url.QueryEscape(name))
}

// topicPage lists one topic's questions and articles, a page at a time.
func (v *view) topicPage(b *strings.Builder, tp *topic, page int) {
	b.WriteString(`<h1>` + esc(v.topicName(tp)) + `</h1>`)
	items := v.site.filtered("topic:"+tp.name, tp.items, v.lang, false)
	v.paged(b, items, page, "topic="+url.QueryEscape(tp.name))
}

// listPage lists all articles or all products, a page at a time.
func (v *view) listPage(b *strings.Builder, kind string, page int) {
	b.WriteString(`<h1>` + esc(v.t.listTitle[kind]) + `</h1>`)
	items := v.site.articles
	if kind == "products" {
		items = v.site.products
	}
	v.paged(b, v.site.filtered(kind, items, v.lang, false), page, "list="+kind)
}

func (v *view) paged(b *strings.Builder, items []*item, page int, params string) {
	from := (page - 1) * perPage
	if from >= len(items) {
		from = max(0, (len(items)-1)/perPage*perPage)
		page = from/perPage + 1
	}
	to := min(from+perPage, len(items))
	b.WriteString(`<ul class="l">`)
	cat := ""
	for _, it := range items[from:to] {
		if p := it.product; p != nil && p.Category != cat {
			cat = p.Category
			b.WriteString(`</ul><h2>` + esc(cat) + `</h2><ul class="l">`)
		}
		v.listItem(b, it)
	}
	b.WriteString(`</ul><nav class="pager">`)
	if page > 1 {
		b.WriteString(`<a rel="prev" href="` + esc(v.q(params+"&page="+strconv.Itoa(page-1))) + `">` + esc(v.t.prev) + `</a>`)
	}
	if to < len(items) {
		b.WriteString(`<a rel="next" href="` + esc(v.q(params+"&page="+strconv.Itoa(page+1))) + `">` + esc(v.t.next) + `</a>`)
	}
	b.WriteString(`</nav>`)
}

// results lists search hits, each linking to its page or section.
func (v *view) results(b *strings.Builder, query string, hits []bot.Hit) {
	b.WriteString(`<h1>` + esc(v.t.results) + `</h1><p class="muted">“` + esc(query) + `”</p>`)
	if v.s.opts.Retriever == nil {
		b.WriteString(`<p>` + esc(v.t.noSearch) + `</p>`)
		return
	}
	if len(hits) == 0 {
		b.WriteString(`<p>` + esc(v.t.noResults) + `</p>`)
		return
	}
	for _, h := range hits {
		b.WriteString(`<div class="hit"><a href="` + esc(v.s.link(h.ID, v)) + `">` + esc(h.Title) + `</a>`)
		if h.Snippet != "" {
			b.WriteString(`<p class="muted">` + esc(h.Snippet) + `</p>`)
		}
		b.WriteString(`</div>`)
	}
}

// item renders an FAQ, a product or an article.
func (v *view) item(b *strings.Builder, it *item) {
	switch {
	case it.faq != nil:
		e := it.faq
		b.WriteString(`<h1>` + esc(e.Title) + `</h1><section class="sec" id="answer">` + markdown.HTML(e.Body) + `</section>`)
		v.tagsLine(b, it)
		v.related(b, it)
	case it.product != nil:
		e := it.product
		b.WriteString(`<h1>` + esc(e.Title) + `</h1><section class="sec">`)
		if e.Price != "" {
			b.WriteString(`<p><strong>` + esc(v.t.price) + `:</strong> ` + esc(strings.TrimSpace(e.Price+" "+e.Currency)) + `</p>`)
		}
		if e.Category != "" {
			b.WriteString(`<p><strong>` + esc(v.t.category) + `:</strong> ` + esc(e.Category) + `</p>`)
		}
		b.WriteString(markdown.HTML(e.Body))
		if len(e.Attrs) > 0 {
			keys := make([]string, 0, len(e.Attrs))
			for k := range e.Attrs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			b.WriteString(`<div class="md-table"><table><tbody>`)
			for _, k := range keys {
				b.WriteString(`<tr><th>` + esc(k) + `</th><td>` + esc(e.Attrs[k]) + `</td></tr>`)
			}
			b.WriteString(`</tbody></table></div>`)
		}
		b.WriteString(`<p class="muted">SKU ` + esc(e.SKU) + `</p></section>`)
	default:
		v.article(b, it)
	}
}

// article renders a page: its title, a table of contents, and each
// section with an anchor (the passage id's part after "#").
func (v *view) article(b *strings.Builder, it *item) {
	b.WriteString(`<h1>` + esc(it.pageTitle) + `</h1>`)
	var secs []*Entry
	for _, p := range it.passages {
		if p.Section != "" {
			secs = append(secs, p)
		}
	}
	if len(secs) > 2 {
		b.WriteString(`<nav class="toc" aria-label="` + esc(v.t.onThisPage) + `"><strong>` + esc(v.t.onThisPage) + `</strong><ul class="l">`)
		for _, p := range secs {
			b.WriteString(`<li><a href="#` + esc(anchor(p.ID)) + `">` + esc(p.Section) + `</a></li>`)
		}
		b.WriteString(`</ul></nav>`)
	}
	for _, p := range it.passages {
		if p.Section == "" {
			b.WriteString(`<section class="sec" id="top">` + markdown.HTML(p.Body) + `</section>`)
			continue
		}
		a := esc(anchor(p.ID))
		b.WriteString(`<section class="sec" id="` + a + `"><h2>` + esc(p.Section) + `<a class="a" href="#` + a + `" aria-label="§">#</a></h2>`)
		b.WriteString(markdown.HTML(p.Body) + `</section>`)
	}
	if it.source != "" {
		if u, err := url.Parse(it.source); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			b.WriteString(`<p class="muted">` + esc(v.t.source) + `: <a href="` + esc(u.String()) + `" rel="noopener nofollow">` + esc(u.Host+u.Path) + `</a></p>`)
		}
	}
	v.tagsLine(b, it)
}

// anchor is the section part of a passage id.
func anchor(id string) string {
	_, sec, _ := strings.Cut(id, "#")
	return sec
}

func (v *view) tagsLine(b *strings.Builder, it *item) {
	if len(it.tags) == 0 {
		return
	}
	b.WriteString(`<p class="muted">`)
	for i, tg := range it.tags {
		if i > 0 {
			b.WriteString(` · `)
		}
		b.WriteString(`<a href="` + esc(v.q("topic="+url.QueryEscape(tg))) + `">` + esc(tg) + `</a>`)
	}
	b.WriteString(`</p>`)
}

// related lists other questions of the FAQ's first topic.
func (v *view) related(b *strings.Builder, it *item) {
	name := ""
	if len(it.tags) > 0 {
		name = it.tags[0]
	}
	tp := v.site.topic(name)
	if tp == nil {
		return
	}
	n := 0
	for _, o := range v.site.filtered("topic:"+tp.name, tp.items, it.lang, false) {
		if o == it {
			continue
		}
		if n == 0 {
			b.WriteString(`<h2>` + esc(v.t.related) + `</h2><ul class="l">`)
		}
		b.WriteString(`<li><a href="` + esc(v.s.link(o.id, v)) + `">` + esc(o.title()) + `</a></li>`)
		if n++; n == relatedCount {
			break
		}
	}
	if n > 0 {
		b.WriteString(`</ul>`)
	}
}
