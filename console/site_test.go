package console_test

import (
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/console"
)

// TestSiteName: the company's name heads every page beside Concierge, in
// the page's language, escaped; without one the header is Concierge alone.
func TestSiteName(t *testing.T) {
	e := newEnv(t, func(o *console.Options) {
		o.SiteName = map[string]string{"en": "Bob's <b>Bakery</b>", "zh": "鲍勃烘焙"}
	})
	a := e.client()
	for lang, want := range map[string]string{"en": `<span class="site" id="site">Bob&#39;s &lt;b&gt;Bakery&lt;/b&gt;</span> · Concierge`,
		"zh": `<span class="site" id="site">鲍勃烘焙</span> · Concierge`} {
		_, body, _ := a.get("/console/login?lang=" + lang)
		if !strings.Contains(body, want) {
			t.Errorf("%s login page lacks %q:\n%s", lang, want, body)
		}
	}
	a.login("alice")
	if _, body, _ := a.get("/console?lang=en"); !strings.Contains(body, "Bob&#39;s &lt;b&gt;Bakery&lt;/b&gt;") {
		t.Errorf("the queue does not name the company:\n%s", body)
	}

	plain := newEnv(t, nil).client()
	if _, body, _ := plain.get("/console/login"); strings.Contains(body, `id="site"`) || !strings.Contains(body, `class="brand" href="/console">Concierge</a>`) {
		t.Errorf("without a site name the header is not Concierge alone:\n%s", body)
	}
}
