package web_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/channels/web"
)

// TestSiteBranding checks that the site's texts reach the page at / and the
// widget's script escaped for each (HTML, JavaScript/JSON), that its colours
// reach both style sheets, that its logo's origin alone is admitted by the
// page's policy, and that the page offers only the site's languages.
func TestSiteBranding(t *testing.T) {
	hostile := "Bob's \u2028" + `"Bakes" </script><script>alert(1)</script> & <b>co</b>`
	e := newWidgetEnv(t, func(o *web.Options) {
		o.Site = web.Site{
			Name:      map[string]string{"en": hostile, "zh": "鲍勃烘焙"},
			Welcome:   map[string]string{"en": "Hi from " + hostile, "zh": "您好！"},
			Intro:     map[string]string{"en": hostile},
			Cards:     []web.Card{{Title: map[string]string{"en": "Hours"}, Text: map[string]string{"en": hostile}}},
			Primary:   "#fd0",
			Languages: []string{"zh", "en"},
			LogoURL:   "https://cdn.example.com/logo.png?a=1&b=2",
		}
	})
	page := get(t, e.ts.URL+"/?lang=en")
	for _, bad := range []string{"<script>alert", "<b>co</b>", `"Bakes" </script>`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "Bob&#39;s \u2028&#34;Bakes&#34; &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;") {
		t.Errorf("the page does not show the name as text:\n%s", page)
	}
	if !strings.Contains(page, `<img class="logo" src="https://cdn.example.com/logo.png?a=1&amp;b=2" alt="">`) {
		t.Errorf("the page lacks the logo:\n%s", page)
	}
	resp := call(t, "GET", e.ts.URL+"/", "", nil, nil, nil)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://cdn.example.com;") {
		t.Errorf("CSP %q does not admit the logo's origin", csp)
	}
	// The first language is the default; both are offered.
	if zh := get(t, e.ts.URL+"/"); !strings.Contains(zh, `<html lang="zh-CN">`) || !strings.Contains(zh, "鲍勃烘焙") || !strings.Contains(zh, `href="?lang=en"`) {
		t.Errorf("the default page is not the Chinese one with a link to English:\n%s", zh)
	}

	// The widget gets the site as one JSON value, nothing in it able to end
	// the script or the statement.
	js := get(t, e.ts.URL+"/widget.js")
	m := regexp.MustCompile(`var SITE = (\{.*?\});\n`).FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("widget.js has no site")
	}
	for _, bad := range []string{"</script>", "<b>", "\u2028"} {
		if strings.Contains(m[1], bad) {
			t.Errorf("the widget's site holds %q unescaped: %s", bad, m[1])
		}
	}
	var site struct {
		Name, Welcome map[string]string
		Languages     []string
		Colors        map[string]string
	}
	if err := json.Unmarshal([]byte(m[1]), &site); err != nil {
		t.Fatal(err)
	}
	if site.Name["en"] != hostile || site.Welcome["zh"] != "您好！" || strings.Join(site.Languages, ",") != "zh,en" {
		t.Errorf("widget site = %+v", site)
	}
	// A light primary colour gets dark text.
	if site.Colors["primary"] != "#ffdd00" || site.Colors["onPrimary"] != "#1d2b24" {
		t.Errorf("colors = %v", site.Colors)
	}
	if css := get(t, e.ts.URL+"/demo.css"); !strings.HasPrefix(css, ":root{--primary:#ffdd00;") {
		t.Errorf("the page's style sheet does not start with the site's colours: %.80s", css)
	}
}

// TestSiteOnlyOneLanguage: a site in Chinese only serves its page in
// Chinese, whatever the browser asks, with no language switch.
func TestSiteOnlyOneLanguage(t *testing.T) {
	e := newWidgetEnv(t, func(o *web.Options) {
		o.Site = web.Site{Name: map[string]string{"zh": "港湾面包坊"}, Languages: []string{"zh"}}
	})
	page := get(t, e.ts.URL+"/?lang=en")
	if !strings.Contains(page, `<html lang="zh-CN">`) || strings.Contains(page, "?lang=") || !strings.Contains(page, "港湾面包坊") {
		t.Errorf("page:\n%s", page)
	}
}

// TestSiteRefused: New refuses colours and logos that are not what they
// claim to be, naming the field.
func TestSiteRefused(t *testing.T) {
	eng, _ := demoEngine(t)
	for _, tt := range []struct {
		site  web.Site
		field string
	}{
		{web.Site{Primary: "red;background:url(x)"}, "Primary"},
		{web.Site{Accent: "#12345"}, "Accent"},
		{web.Site{LogoURL: "javascript:alert(1)"}, "LogoURL"},
		{web.Site{LogoURL: "https://a.example.com;script-src *"}, "LogoURL"},
		{web.Site{LogoURL: "//cdn.example.com/logo.png"}, "LogoURL"},
		{web.Site{Languages: []string{"fr"}}, "Languages"},
	} {
		if _, err := web.New(web.Options{Engine: eng, Site: tt.site}); err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%+v: err = %v, want it to name %s", tt.site, err, tt.field)
		}
	}
}
