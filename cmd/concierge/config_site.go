package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/configs/demo"
)

// siteLanguages are the languages a site may speak, as written in
// site.languages and as the keys of a Text.
var siteLanguages = []string{"en", "zh"}

// Text is a text of the site, written in the config file as one string for
// every language or as one per language: {en: ..., zh: ...}.
type Text map[string]string

// anyLanguage is the key of a Text written as one string.
const anyLanguage = ""

// UnmarshalYAML reads a Text from a string or a mapping of language to
// string.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*t = Text{anyLanguage: s}
		return nil
	}
	var m map[string]string
	if err := n.Decode(&m); err != nil {
		return err
	}
	*t = m
	return nil
}

// In returns the text in lang: the text of that language, else the one
// written for every language, else the English one, else "".
func (t Text) In(lang string) string {
	for _, k := range []string{lang, anyLanguage, "en"} {
		if s := strings.TrimSpace(t[k]); s != "" {
			return s
		}
	}
	return ""
}

// byLanguage returns the text in each site language, leaving out the
// languages it has no text for; nil when it has none.
func (t Text) byLanguage() map[string]string {
	var out map[string]string
	for _, lang := range siteLanguages {
		if s := t.In(lang); s != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[lang] = s
		}
	}
	return out
}

// SiteConfig is the company's branding: its name and greeting, colours,
// languages and logo, shown on the page at /, in the chat widget, in the
// console's header, in alerts and in the replies that name the company.
// With no content and no site of its own, a config is the demo company's
// (configs/demo/concierge.yaml).
type SiteConfig struct {
	// Name is the company's name, one for all languages or one per
	// language. Replies say it where the intents file writes {name}.
	Name Text `yaml:"name"`
	// Welcome is the widget's greeting when a visitor opens it.
	Welcome Text `yaml:"welcome"`
	// Colors are the page's and the widget's colours, as #rrggbb.
	Colors SiteColors `yaml:"colors"`
	// Languages the page and the widget offer, of en and zh; the first is
	// the default. Default: both.
	Languages []string `yaml:"languages"`
	// LogoURL is an http(s) URL of the logo shown in the page's header.
	LogoURL string `yaml:"logo_url"`
	// Page is the text of the page at /.
	Page SitePage `yaml:"page"`
	// Emergency is what a customer who tells of harm as it happens (an
	// injury, a fire, someone unwell) is told to call before anything else,
	// one for all languages or one per language: "999", {zh: "120或110"}.
	// Default: "your local emergency number" in English, mainland China's
	// 120, 110 and 119 in Chinese.
	Emergency Text `yaml:"emergency"`
}

// SiteColors are the brand colours, each #rgb or #rrggbb.
type SiteColors struct {
	// Primary colours the header, the chat bubble and the visitor's
	// messages.
	Primary string `yaml:"primary"`
	// Accent marks highlights, such as the page's notice.
	Accent string `yaml:"accent"`
}

// SitePage is the text of the page at / around the widget.
type SitePage struct {
	Title    Text       `yaml:"title"`    // the browser tab's title; default: the name
	Headline Text       `yaml:"headline"` // the big line at the top
	Intro    Text       `yaml:"intro"`    // a paragraph under it
	Notice   Text       `yaml:"notice"`   // a highlighted hint, such as "ask in the chat"
	Cards    []SiteCard `yaml:"cards"`    // boxes of facts: opening hours, delivery, ...
	// Suggestions are questions to try, per language ({en: [...], zh: [...]}).
	Suggestions map[string][]string `yaml:"suggestions"`
	Footer      Text                `yaml:"footer"`
}

// SiteCard is one box of the page.
type SiteCard struct {
	Title Text `yaml:"title"`
	Text  Text `yaml:"text"`
}

// empty reports whether no key of the site section is set.
func (s SiteConfig) empty() bool {
	return len(s.Name) == 0 && len(s.Welcome) == 0 && s.Colors == (SiteColors{}) && len(s.Languages) == 0 &&
		s.LogoURL == "" && len(s.Page.Title) == 0 && len(s.Page.Headline) == 0 && len(s.Page.Intro) == 0 &&
		len(s.Page.Notice) == 0 && len(s.Page.Cards) == 0 && len(s.Page.Suggestions) == 0 && len(s.Page.Footer) == 0
}

var hexColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// validate checks the site section; each message names its field.
func (s SiteConfig) validate() error {
	texts := map[string]Text{"site.name": s.Name, "site.welcome": s.Welcome, "site.page.title": s.Page.Title,
		"site.page.headline": s.Page.Headline, "site.page.intro": s.Page.Intro, "site.page.notice": s.Page.Notice,
		"site.page.footer": s.Page.Footer}
	for i, c := range s.Page.Cards {
		texts[fmt.Sprintf("site.page.cards[%d].title", i)] = c.Title
		texts[fmt.Sprintf("site.page.cards[%d].text", i)] = c.Text
	}
	fields := make([]string, 0, len(texts))
	for f := range texts {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		for lang := range texts[f] {
			if lang != anyLanguage && !slices.Contains(siteLanguages, lang) {
				return fmt.Errorf("%s.%s: %q is not a language of the site; write en or zh, or one text for all", f, lang, lang)
			}
		}
	}
	for lang := range s.Page.Suggestions {
		if !slices.Contains(siteLanguages, lang) {
			return fmt.Errorf("site.page.suggestions.%s: %q is not a language of the site; write en or zh", lang, lang)
		}
	}
	if n := s.Name.In("en"); len(n) > 100 {
		return fmt.Errorf("site.name is %d bytes long; a name of at most 100 fits the page, the widget and alerts", len(n))
	}
	for _, c := range []struct{ field, value string }{{"site.colors.primary", s.Colors.Primary}, {"site.colors.accent", s.Colors.Accent}} {
		if c.value != "" && !hexColor.MatchString(c.value) {
			return fmt.Errorf("%s %q must be a colour written #rrggbb (or #rgb), like \"#2f6f4f\"", c.field, c.value)
		}
	}
	seen := map[string]bool{}
	for i, lang := range s.Languages {
		if !slices.Contains(siteLanguages, lang) {
			return fmt.Errorf("site.languages[%d] %q must be en or zh", i, lang)
		}
		if seen[lang] {
			return fmt.Errorf("site.languages[%d] %q is written twice", i, lang)
		}
		seen[lang] = true
	}
	if s.LogoURL != "" {
		if u, ok := hostURL(s.LogoURL, "http", "https"); !ok || u.User != nil {
			return fmt.Errorf("site.logo_url %q must be an http or https URL, like https://www.example.com/logo.png", s.LogoURL)
		}
	}
	return nil
}

// neutralName is what replies call a company that configured no name.
var neutralName = Text{"en": "our shop", "zh": "本店"}

// siteOf returns the site a config runs: its own site section, or, for the
// demo company (no content and no site of its own), the demo's.
func siteOf(cfg Config) (SiteConfig, error) {
	if !cfg.Site.empty() || cfg.Content != "" {
		return cfg.Site, nil
	}
	d, err := ParseConfig(bytes.NewReader(demo.Config()), func(string) string { return "" })
	if err != nil {
		return SiteConfig{}, fmt.Errorf("the demo company's config: %w", err)
	}
	return d.Site, nil
}

// nameIn returns the company's name in lang, or the neutral "our shop"
// when the site has none.
func (s SiteConfig) nameIn(lang string) string {
	if n := s.Name.In(lang); n != "" {
		return n
	}
	return neutralName.In(lang)
}

// brandReplies returns the canned replies with {name} replaced by the
// company's name in the reply's language, so that the demo's intents (and a
// company's own) greet in the company's name.
func brandReplies(replies map[string]map[string]string, site SiteConfig) map[string]map[string]string {
	out := make(map[string]map[string]string, len(replies))
	for intent, byLang := range replies {
		m := make(map[string]string, len(byLang))
		for lang, text := range byLang {
			m[lang] = strings.ReplaceAll(text, "{name}", site.nameIn(lang))
		}
		out[intent] = m
	}
	return out
}

// webSite is the site as package web shows it.
func (s SiteConfig) webSite() web.Site {
	p := s.Page
	ws := web.Site{
		Name: s.Name.byLanguage(), Welcome: s.Welcome.byLanguage(),
		Primary: s.Colors.Primary, Accent: s.Colors.Accent, Languages: s.Languages, LogoURL: s.LogoURL,
		Title: p.Title.byLanguage(), Headline: p.Headline.byLanguage(), Intro: p.Intro.byLanguage(),
		Notice: p.Notice.byLanguage(), Footer: p.Footer.byLanguage(), Suggestions: p.Suggestions,
	}
	for _, c := range p.Cards {
		ws.Cards = append(ws.Cards, web.Card{Title: c.Title.byLanguage(), Text: c.Text.byLanguage()})
	}
	return ws
}
