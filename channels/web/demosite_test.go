package web_test

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/configs/demo"
)

// demoSite is the demo company's site as cmd/concierge gives it to the
// server: read from the embedded configs/demo/concierge.yaml, whose texts
// are all written one per language.
func demoSite(t testing.TB) web.Site {
	t.Helper()
	type texts = map[string]string
	var cfg struct {
		Site struct {
			Name, Welcome texts
			Colors        struct{ Primary, Accent string }
			Languages     []string
			Page          struct {
				Title, Headline, Intro, Notice, Footer texts
				Cards                                  []struct{ Title, Text texts }
				Suggestions                            map[string][]string
			}
		}
	}
	if err := yaml.Unmarshal(demo.Config(), &cfg); err != nil {
		t.Fatalf("the demo's config: %v", err)
	}
	s, p := cfg.Site, cfg.Site.Page
	site := web.Site{Name: s.Name, Welcome: s.Welcome, Primary: s.Colors.Primary, Accent: s.Colors.Accent, Languages: s.Languages,
		Title: p.Title, Headline: p.Headline, Intro: p.Intro, Notice: p.Notice, Footer: p.Footer, Suggestions: p.Suggestions}
	for _, c := range p.Cards {
		site.Cards = append(site.Cards, web.Card{Title: c.Title, Text: c.Text})
	}
	return site
}
