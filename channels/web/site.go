package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

// Site is the company that the page at /, the chat widget (its title,
// greeting and colours) are branded for. Texts are by language, "en" and
// "zh"; a text missing in one language falls back to English, then to the
// other. Everything is plain text: the page escapes it for HTML, and the
// widget gets it as JSON and shows it with textContent. The zero Site is a
// neutral one ("Customer service", the default colours, both languages).
type Site struct {
	// Name is the company's name: the page's brand and the widget's title.
	Name map[string]string
	// Welcome is the widget's greeting. Default: a neutral "Hello! How can
	// I help you today?".
	Welcome map[string]string
	// Title is the page's <title>. Default: Name.
	Title map[string]string
	// Headline, Intro and Notice open the page; Notice is highlighted.
	// Default headline: Name; default notice: where to find the chat.
	Headline, Intro, Notice map[string]string
	// Cards are boxes of facts under them.
	Cards []Card
	// Suggestions are questions to try, per language.
	Suggestions map[string][]string
	// Footer is the page's last line.
	Footer map[string]string
	// Primary and Accent are colours written #rgb or #rrggbb. Primary
	// colours the header, the chat bubble and the visitor's messages (its
	// text is white or dark, whichever reads better); Accent the notice.
	// Default: green #2f6f4f and gold #c49a3a.
	Primary, Accent string
	// Languages are the languages offered, of "en" and "zh"; the first is
	// the page's default and the widget's when the page's language is not
	// offered. Default: both, English first.
	Languages []string
	// LogoURL, optional, is the http(s) URL of a logo for the page's
	// header; the page's Content-Security-Policy admits its origin.
	LogoURL string
}

// Card is one box of facts on the page.
type Card struct{ Title, Text map[string]string }

const (
	defaultPrimary = "#2f6f4f"
	defaultAccent  = "#c49a3a"
)

var (
	siteColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	// siteHost is what a logo's host may be: a name or address, a port.
	siteHost = regexp.MustCompile(`^[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$`)
)

// siteTexts are the page's own labels.
var siteTexts = map[string]map[string]string{
	"en": {"name": "Customer service", "nav": "Language", "notice": "Open the chat in the corner and ask a question.",
		"ask": "Try asking", "powered": "Answers by Concierge"},
	"zh": {"name": "在线客服", "nav": "语言", "notice": "打开右下角的在线咨询，提出您的问题吧。",
		"ask": "试着问问", "powered": "由 Concierge 提供解答"},
}

// withDefaults checks s and fills its defaults; the error names the field.
func (s Site) withDefaults() (Site, error) {
	if s.Primary == "" {
		s.Primary = defaultPrimary
	}
	if s.Accent == "" {
		s.Accent = defaultAccent
	}
	for _, c := range []struct{ field, value string }{{"Primary", s.Primary}, {"Accent", s.Accent}} {
		if !siteColor.MatchString(c.value) {
			return s, fmt.Errorf("Site.%s %q is not a colour written #rgb or #rrggbb", c.field, c.value)
		}
	}
	if len(s.Languages) == 0 {
		s.Languages = []string{"en", "zh"}
	}
	for _, l := range s.Languages {
		if l != "en" && l != "zh" {
			return s, fmt.Errorf("Site.Languages: %q is not en or zh", l)
		}
	}
	if s.LogoURL != "" {
		if _, err := logoOrigin(s.LogoURL); err != nil {
			return s, err
		}
	}
	return s, nil
}

// logoOrigin returns scheme://host of an http(s) logo URL, for the page's
// Content-Security-Policy.
func logoOrigin(logo string) (string, error) {
	u, err := url.Parse(logo)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || !siteHost.MatchString(u.Host) {
		return "", errors.New("Site.LogoURL must be an http or https URL, like https://www.example.com/logo.png")
	}
	return u.Scheme + "://" + u.Host, nil
}

// text returns m in lang, else in English, else in any language (the
// languages in order), else "".
func text(m map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "zh"} {
		if s := strings.TrimSpace(m[l]); s != "" {
			return s
		}
	}
	return ""
}

// brand checks the site, fills its defaults, and renders what shows it:
// the page at / and the widget's script and the page's style sheet (the
// assets must be loaded).
func (s *Server) brand(site Site) error {
	site, err := site.withDefaults()
	if err != nil {
		return err
	}
	if err := brandAssets(s.assets, site); err != nil {
		return err
	}
	s.site, err = newSitePage(site)
	return err
}

// sitePage is the page at / rendered for each language, with its policy.
type sitePage struct {
	langs []string          // offered, the default first
	pages map[string][]byte // by language
	csp   string
}

// pageView is what static/demo.html is executed with.
type pageView struct {
	Lang     string // the page's lang attribute: en or zh-CN
	Langs    []pageLang
	Name     string
	Logo     string
	Title    string
	Headline string
	Intro    string
	Notice   string
	Cards    []pageCard
	AskTitle string
	Ask      []string
	Footer   string
	Powered  string
	NavLabel string
}

type pageLang struct {
	Code, Attr, Label string
	Current           bool
}

type pageCard struct{ Title, Text string }

// newSitePage renders the page of site (with its defaults filled) once per
// language.
func newSitePage(site Site) (*sitePage, error) {
	tmpl, err := template.ParseFS(static, "static/demo.html")
	if err != nil {
		return nil, fmt.Errorf("site page: %w", err)
	}
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	if site.LogoURL != "" {
		origin, _ := logoOrigin(site.LogoURL) // checked by withDefaults
		csp = strings.Replace(csp, "img-src 'self' data:", "img-src 'self' data: "+origin, 1)
	}
	p := &sitePage{langs: site.Languages, pages: map[string][]byte{}, csp: csp}
	for _, lang := range site.Languages {
		labels := siteTexts[lang]
		v := pageView{Lang: htmlLang(lang), Name: text(site.Name, lang), Logo: site.LogoURL, Intro: text(site.Intro, lang),
			AskTitle: labels["ask"], Ask: site.Suggestions[lang], Footer: text(site.Footer, lang),
			Powered: labels["powered"], NavLabel: labels["nav"]}
		if v.Name == "" {
			v.Name = labels["name"]
		}
		if v.Title = text(site.Title, lang); v.Title == "" {
			v.Title = v.Name
		}
		if v.Headline = text(site.Headline, lang); v.Headline == "" {
			v.Headline = v.Name
		}
		if v.Notice = text(site.Notice, lang); v.Notice == "" {
			v.Notice = labels["notice"]
		}
		for _, c := range site.Cards {
			v.Cards = append(v.Cards, pageCard{Title: text(c.Title, lang), Text: text(c.Text, lang)})
		}
		if len(site.Languages) > 1 {
			for _, l := range site.Languages {
				v.Langs = append(v.Langs, pageLang{Code: l, Attr: htmlLang(l), Label: map[string]string{"en": "English", "zh": "中文"}[l], Current: l == lang})
			}
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, v); err != nil {
			return nil, fmt.Errorf("site page %s: %w", lang, err)
		}
		p.pages[lang] = buf.Bytes()
	}
	return p, nil
}

// htmlLang is the lang attribute of a site language.
func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return lang
}

// handleSite serves the company's page with the widget on it: in the
// language of ?lang= when the site offers it, else the browser's preferred
// one (Accept-Language) when offered, else the site's first language.
func (s *Server) handleSite(w http.ResponseWriter, r *http.Request) {
	p := s.site
	lang := p.langs[0]
	q := r.URL.Query().Get("lang")
	want := ""
	switch {
	case strings.HasPrefix(q, "zh"):
		want = "zh"
	case q == "en":
		want = "en"
	case q == "" && r.Header.Get("Accept-Language") != "":
		want = bot.PreferredLanguage(r.Header.Get("Accept-Language"))
	}
	if slices.Contains(p.langs, want) {
		lang = want
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Language")
	_, _ = w.Write(p.pages[lang])
}

// widgetSite is the site as the widget gets it, in front of its script.
type widgetSite struct {
	Name      map[string]string `json:"name,omitempty"`
	Welcome   map[string]string `json:"welcome,omitempty"`
	Languages []string          `json:"languages"`
	Colors    map[string]string `json:"colors"`
}

// widgetSiteMarker is the line of static/widget.js that brandAssets
// replaces with the site.
const widgetSiteMarker = "var SITE = {}; // the server's site: name, welcome, languages, colors"

// brandAssets puts the site into the widget's script (as JSON) and its
// colours into the page's style sheet, recomputing their ETags.
func brandAssets(assets map[string]asset, site Site) error {
	primary := fullHex(site.Primary)
	colors := map[string]string{"primary": primary, "primaryDark": shade(primary, 0.8), "onPrimary": onColor(primary),
		"accent": fullHex(site.Accent)}
	heading := colors["primaryDark"] // headings on the light page: the brand's, unless too light to read
	if colors["onPrimary"] != "#ffffff" {
		heading = "#1d2b24"
	}
	ws := widgetSite{Languages: site.Languages, Colors: colors}
	for _, lang := range site.Languages {
		if n := text(site.Name, lang); n != "" {
			if ws.Name == nil {
				ws.Name = map[string]string{}
			}
			ws.Name[lang] = n
		}
		if g := text(site.Welcome, lang); g != "" {
			if ws.Welcome == nil {
				ws.Welcome = map[string]string{}
			}
			ws.Welcome[lang] = g
		}
	}
	// encoding/json escapes <, >, &, U+2028 and U+2029: the JSON is a safe
	// JavaScript expression whatever the texts hold.
	j, err := json.Marshal(ws)
	if err != nil {
		return fmt.Errorf("widget site: %w", err)
	}
	js := assets["/widget.js"]
	if !bytes.Contains(js.body, []byte(widgetSiteMarker)) {
		return errors.New("widget.js lacks the line that receives the site")
	}
	assets["/widget.js"] = withBody(js, bytes.Replace(js.body, []byte(widgetSiteMarker), []byte("var SITE = "+string(j)+";"), 1))
	css := assets["/demo.css"]
	vars := fmt.Sprintf(":root{--primary:%s;--heading:%s;--on-primary:%s;--accent:%s}\n",
		colors["primary"], heading, colors["onPrimary"], colors["accent"])
	assets["/demo.css"] = withBody(css, append([]byte(vars), css.body...))
	return nil
}

// withBody returns a with body b and its ETag.
func withBody(a asset, b []byte) asset {
	sum := sha256.Sum256(b)
	a.body, a.etag = b, `"`+hex.EncodeToString(sum[:8])+`"`
	return a
}

// fullHex writes a checked colour as #rrggbb, lower case.
func fullHex(c string) string {
	c = strings.ToLower(c)
	if len(c) == 4 {
		return "#" + string([]byte{c[1], c[1], c[2], c[2], c[3], c[3]})
	}
	return c
}

// rgb returns the channels of #rrggbb.
func rgb(c string) (r, g, b float64) {
	n, _ := strconv.ParseUint(c[1:], 16, 32)
	return float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)
}

// shade darkens #rrggbb by factor f (0..1), for hover states.
func shade(c string, f float64) string {
	r, g, b := rgb(c)
	return fmt.Sprintf("#%02x%02x%02x", int(r*f), int(g*f), int(b*f))
}

// onColor returns the text colour that reads best on background c: white,
// unless c is so light that dark text contrasts more (WCAG luminance).
func onColor(c string) string {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	r, g, b := rgb(c)
	l := 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	const darkL = 0.0253 // luminance of #1d2b24
	if (1.05)/(l+0.05) >= (l+0.05)/(darkL+0.05) {
		return "#ffffff"
	}
	return "#1d2b24"
}
