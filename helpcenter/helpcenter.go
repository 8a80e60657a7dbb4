// Package helpcenter serves the knowledge base as a small, fast, bilingual
// web site: the public help center at /kb (the address every source link the
// bot gives points at) and, mounted behind the console's sign-in, the
// employees' view of internal pages at /console/kb.
//
// It is server-rendered HTML with no script of its own (the chat widget,
// /widget.js, is on every public page): a search box that asks the same
// bot.Retriever as the bot, FAQ lists by topic (their tags), product pages
// by category, and article pages whose sections each have an anchor, so
// /kb/<page>#<section> opens the passage a reply cited. Markdown is
// rendered by package markdown, whose HTML is safe to insert as it is. A
// help center never serves a document whose audience it is not given, and
// answers 404 for it exactly as for an unknown id.
package helpcenter

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Entry is one document of the knowledge base as the help center shows it:
// an FAQ entry, a product, or one passage of a page (passages of a page
// share its id up to "#").
type Entry struct {
	ID       string
	Title    string // the question of an FAQ, a product's name, a passage's "<page title> — <section>"
	Kind     string // bot.KindFAQ, bot.KindPage or bot.KindProduct
	Audience bot.Audience
	Lang     string // "en", "zh" or ""
	Tags     []string
	// Body is Markdown: an FAQ's answer, a passage's text, a product's
	// description.
	Body string
	// Section is a passage's heading; empty for the first passage of a
	// page and for other kinds.
	Section string
	// Product columns.
	SKU, Category, Price, Currency string
	Attrs                          map[string]string
	// SourceURL is where an imported page came from, shown on its page.
	SourceURL string
}

// Content is the knowledge base a help center shows.
type Content interface {
	// Entries returns the documents now served, in a stable order, and a
	// version that changes whenever they change. The entries must not be
	// modified by either side afterwards.
	Entries() (version string, entries []Entry)
}

// Options configure a Server.
type Options struct {
	// Content lists the documents. Required.
	Content Content
	// Retriever answers the search box with the bot's own retrieval.
	// Optional: without it the help center has no search.
	Retriever bot.Retriever
	// Base is the path the help center is mounted at: "/kb" (default) or
	// "/console/kb".
	Base string
	// Audiences the help center shows; default public only. Documents of
	// other audiences are never listed, searched or served.
	Audiences []bot.Audience
	// SiteName heads every page; default "Help center".
	SiteName string
	// Widget puts the chat widget (/widget.js) on every page.
	Widget bool
	// Logger receives search failures; nil discards them.
	Logger *slog.Logger
}

// Server is the help center, an http.Handler for Base and everything
// under it. It is safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	aud  map[bot.Audience]bool
	csp  string

	mu   sync.Mutex
	site *site // the site built from the content's current version
}

// New returns a help center, or an error naming a missing option.
func New(o Options) (*Server, error) {
	if o.Content == nil {
		return nil, errors.New("helpcenter: New: Content is required")
	}
	if o.Base == "" {
		o.Base = "/kb"
	}
	o.Base = "/" + strings.Trim(o.Base, "/")
	if len(o.Audiences) == 0 {
		o.Audiences = []bot.Audience{bot.AudiencePublic}
	}
	s := &Server{opts: o, log: o.Logger, aud: map[bot.Audience]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, a := range o.Audiences {
		s.aud[a] = true
	}
	sum := sha256.Sum256([]byte(styleSheet))
	s.csp = "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return s, nil
}

// current returns the site of the content's current version, building it
// when the version changed.
func (s *Server) current() *site {
	version, entries := s.opts.Content.Entries()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.site == nil || s.site.version != version {
		s.site = buildSite(version, entries, s.aud)
	}
	return s.site
}

// ServeHTTP serves the home page (with search, topic and list views) at
// Base, and documents at Base/<id>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if s.opts.Base == "/kb" {
		h.Set("Cache-Control", "public, max-age=60")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	st := s.current()
	lang, explicit := pickLang(r)
	v := &view{s: s, site: st, lang: lang, explicit: explicit, t: texts[lang]}
	rest, ok := strings.CutPrefix(r.URL.Path, s.opts.Base)
	switch {
	case !ok:
		s.notFound(w, v)
		return
	case rest == "" || rest == "/":
		s.home(w, r, v)
	default:
		id := strings.TrimPrefix(rest, "/")
		if it := st.byID[id]; it != nil {
			s.render(w, http.StatusOK, v, it.title(), func(b *strings.Builder) { v.item(b, it) })
		} else {
			s.notFound(w, v)
		}
	}
}

func (s *Server) notFound(w http.ResponseWriter, v *view) {
	s.render(w, http.StatusNotFound, v, v.t.notFound, func(b *strings.Builder) {
		b.WriteString("<h1>" + esc(v.t.notFound) + "</h1><p>" + esc(v.t.notFoundText) + "</p>")
	})
}

// home serves the search results, a topic, a full list, or the overview.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	page := max(atoi(q.Get("page")), 1)
	switch {
	case strings.TrimSpace(q.Get("q")) != "":
		query := strings.TrimSpace(q.Get("q"))
		if len(query) > 500 {
			query = query[:500]
		}
		hits := s.search(r.Context(), query, v.lang)
		s.render(w, http.StatusOK, v, v.t.results, func(b *strings.Builder) { v.results(b, query, hits) })
	case q.Get("topic") != "":
		name := q.Get("topic")
		tp := v.site.topic(name)
		if tp == nil {
			s.notFound(w, v)
			return
		}
		s.render(w, http.StatusOK, v, tp.name, func(b *strings.Builder) { v.topicPage(b, tp, page) })
	case q.Get("list") == "articles" || q.Get("list") == "products":
		kind := q.Get("list")
		s.render(w, http.StatusOK, v, v.t.listTitle[kind], func(b *strings.Builder) { v.listPage(b, kind, page) })
	default:
		s.render(w, http.StatusOK, v, "", v.overview)
	}
}

// search asks the retriever, within the help center's audiences.
func (s *Server) search(ctx context.Context, query, lang string) []bot.Hit {
	if s.opts.Retriever == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	hits, err := s.opts.Retriever.Retrieve(ctx, bot.Query{Text: query, Audiences: s.opts.Audiences, Language: lang, Limit: 10})
	if err != nil {
		s.log.Warn("helpcenter: search failed", "err", err)
		return nil
	}
	out := hits[:0:0]
	for _, h := range hits {
		if s.aud[h.Audience] {
			out = append(out, h)
		}
	}
	return out
}

// pickLang chooses the page language: ?lang=, else the browser's
// Accept-Language. explicit says whether links must carry it.
func pickLang(r *http.Request) (lang string, explicit bool) {
	switch strings.ToLower(r.URL.Query().Get("lang")) {
	case "zh", "zh-cn":
		return "zh", true
	case "en":
		return "en", true
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.Split(part, ";")[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh", false
		case strings.HasPrefix(tag, "en"):
			return "en", false
		}
	}
	return "en", false
}

// link is the help-center address of a document id, "page#section" ids
// pointing at the section's anchor.
func (s *Server) link(id string, v *view) string {
	page, sec, hasSec := strings.Cut(id, "#")
	parts := strings.Split(page, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	u := s.opts.Base + "/" + strings.Join(parts, "/")
	if v != nil && v.explicit {
		u += "?lang=" + v.lang
	}
	if hasSec {
		u += "#" + url.PathEscape(sec)
	}
	return u
}

// site is the help center built from one version of the content.
type site struct {
	version  string
	byID     map[string]*item // pages by page id, FAQs and products by id
	articles []*item          // pages, by title
	faqs     []*item
	products []*item
	topics   []*topic // by name

	memo sync.Map // filtered lists by key, computed once per site (see filtered)
}

// filtered returns items in lang (inLang, or inLangStrict when strict),
// computed once per site and key.
func (st *site) filtered(key string, items []*item, lang string, strict bool) []*item {
	k := key + "\x00" + lang
	if strict {
		k += "\x00strict"
	}
	if v, ok := st.memo.Load(k); ok {
		return v.([]*item)
	}
	var out []*item
	if strict {
		out = inLangStrict(items, lang)
	} else {
		out = inLang(items, lang)
	}
	st.memo.Store(k, out)
	return out
}

// item is one thing with a page of its own.
type item struct {
	id, kind, lang string
	tags           []string
	faq            *Entry   // FAQ
	product        *Entry   // product
	passages       []*Entry // page: the first passage (maybe without Section), then sections
	pageTitle      string
	source         string
}

func (it *item) title() string {
	switch {
	case it.faq != nil:
		return it.faq.Title
	case it.product != nil:
		return it.product.Title
	}
	return it.pageTitle
}

// topic is a tag and what carries it.
type topic struct {
	name  string
	items []*item
}

// buildSite groups the entries the audiences may see.
func buildSite(version string, entries []Entry, aud map[bot.Audience]bool) *site {
	st := &site{version: version, byID: map[string]*item{}}
	topics := map[string]*topic{}
	addTopic := func(it *item) {
		tags := it.tags
		if len(tags) == 0 && it.kind == bot.KindFAQ {
			tags = []string{""}
		}
		for _, tg := range tags {
			key := strings.ToLower(strings.TrimSpace(tg))
			tp := topics[key]
			if tp == nil {
				tp = &topic{name: strings.TrimSpace(tg)}
				topics[key] = tp
			}
			tp.items = append(tp.items, it)
		}
	}
	for i := range entries {
		e := &entries[i]
		if !aud[e.Audience] {
			continue
		}
		switch e.Kind {
		case bot.KindPage:
			pageID, _, _ := strings.Cut(e.ID, "#")
			it := st.byID[pageID]
			if it == nil {
				title := e.Title
				if e.Section != "" {
					title = strings.TrimSuffix(title, " — "+e.Section)
				}
				it = &item{id: pageID, kind: bot.KindPage, lang: e.Lang, tags: e.Tags, pageTitle: title, source: e.SourceURL}
				st.byID[pageID] = it
				st.articles = append(st.articles, it)
				addTopic(it)
			}
			it.passages = append(it.passages, e)
		case bot.KindFAQ:
			if st.byID[e.ID] != nil {
				continue
			}
			it := &item{id: e.ID, kind: bot.KindFAQ, lang: e.Lang, tags: e.Tags, faq: e}
			st.byID[e.ID] = it
			st.faqs = append(st.faqs, it)
			addTopic(it)
		case bot.KindProduct:
			if st.byID[e.ID] != nil {
				continue
			}
			it := &item{id: e.ID, kind: bot.KindProduct, lang: e.Lang, product: e}
			st.byID[e.ID] = it
			st.products = append(st.products, it)
		}
	}
	byTitle := func(l []*item) {
		sort.SliceStable(l, func(i, j int) bool { return strings.ToLower(l[i].title()) < strings.ToLower(l[j].title()) })
	}
	byTitle(st.articles)
	sort.SliceStable(st.products, func(i, j int) bool {
		a, b := st.products[i].product, st.products[j].product
		if a.Category != b.Category {
			return a.Category < b.Category
		}
		return strings.ToLower(a.Title) < strings.ToLower(b.Title)
	})
	for _, tp := range topics {
		st.topics = append(st.topics, tp)
	}
	sort.Slice(st.topics, func(i, j int) bool {
		if (st.topics[i].name == "") != (st.topics[j].name == "") {
			return st.topics[j].name == "" // the untagged last
		}
		return strings.ToLower(st.topics[i].name) < strings.ToLower(st.topics[j].name)
	})
	return st
}

// topic finds a topic by name ("-" for the untagged FAQs).
func (st *site) topic(name string) *topic {
	if name == "-" {
		name = ""
	}
	for _, tp := range st.topics {
		if strings.EqualFold(tp.name, name) {
			return tp
		}
	}
	return nil
}

// inLang returns the items in lang (or of no language); all of them when
// none is.
func inLang(items []*item, lang string) []*item {
	var out []*item
	for _, it := range items {
		if it.lang == lang || it.lang == "" {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return items
	}
	return out
}
