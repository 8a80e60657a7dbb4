package dashboard

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestSiteName: the dashboard's header and title name the company in the
// page's language, escaped.
func TestSiteName(t *testing.T) {
	d, err := New(Options{Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil)), Reports: seeded(t, 3),
		Now: func() time.Time { return demoEnd }, SiteName: map[string]string{"en": "Bob's <Bakery>", "zh": "鲍勃烘焙"}})
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]string{Path + "?lang=en": "Bob&#39;s &lt;Bakery&gt; · Concierge</a>", Path + "?lang=zh": "鲍勃烘焙 · Concierge</a>"} {
		if body := get(t, d, target).Body.String(); !strings.Contains(body, want) || !strings.Contains(body, strings.TrimSuffix(want, "</a>")+"</title>") {
			t.Errorf("%s lacks %q in its header and title", target, want)
		}
	}
}
