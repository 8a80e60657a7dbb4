// Package dashboard serves the managers' dashboard at /console/dashboard: the
// insights figures per channel (coverage, engagement, bot resolution,
// escalation, conversion, CSAT, response times), top intents, top knowledge
// gaps with a link to write the missing content, and server-side SVG charts
// of conversations and complaints per day per channel and of the resolution
// and CSAT trends; plus the same figures as a CSV download.
//
// The page is server-rendered with html/template (all customer text is
// escaped), needs no script and no network beyond its own stylesheet, reads
// in English or Simplified Chinese (Accept-Language or ?lang=zh) and fits a
// phone's screen. Sign-in is not this package's job: mount the handler
// behind the console's RequireLogin.
package dashboard

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/console/internal/i18n"
	"github.com/concierge-bot/concierge/console/internal/look"
	"github.com/concierge-bot/concierge/insights"
)

// Paths the handler serves.
const (
	// Path is the dashboard page; ?format=csv gives the CSV download.
	Path = "/console/dashboard"
	// CSVPath is the CSV download of the figures on the page.
	CSVPath = "/console/dashboard.csv"
	// CSSPath is the page's stylesheet.
	CSSPath = "/console/dashboard.css"
)

// Ranges are the day ranges a manager may pick; the default is 30.
var Ranges = []int{7, 30, 90}

// defaultDays is the range shown when the request names none.
const defaultDays = 30

// Reporter computes the figures of a range; *insights.Reporter satisfies it.
type Reporter interface {
	Report(ctx context.Context, q insights.Query) (*insights.Report, error)
}

// Options configures New. Reports is required.
type Options struct {
	// Reports computes the figures. Required.
	Reports Reporter
	// ContentEmail, optional, is the address the "write an answer" links of
	// knowledge gaps mail to (a mailto link with the question in the
	// subject). Empty leaves the recipient to the manager's mail program.
	ContentEmail string
	// SiteName is the company's name by language ("en", "zh"), shown in
	// the header beside Concierge. Optional.
	SiteName map[string]string
	// ConsolePath is where the console's queue is, for the navigation.
	// Default "/console".
	ConsolePath string
	// SignedIn, optional, returns the signed-in agent and the session's CSRF
	// token from a request's context (console.AgentFrom, which the console's
	// RequireLogin sets). When it reports one, the page shows a Sign out
	// button that posts the token to LogoutPath, as the console's pages do.
	SignedIn func(ctx context.Context) (agent, csrf string, ok bool)
	// LogoutPath is the console's sign-out endpoint (POST with the form
	// field "csrf"). Default "/console/logout".
	LogoutPath string
	// Logger receives failures at Error level. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Dashboard is the dashboard's http.Handler. It is safe for concurrent use.
type Dashboard struct {
	opts Options
	log  *slog.Logger
	page *template.Template
	css  []byte
}

//go:embed templates/page.html static/dashboard.css
var files embed.FS

// New returns the dashboard handler, or an error when Reports is missing.
func New(opts Options) (*Dashboard, error) {
	if opts.Reports == nil {
		return nil, fmt.Errorf("dashboard: New: Reports is required")
	}
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.ConsolePath = cmp.Or(opts.ConsolePath, "/console")
	opts.LogoutPath = cmp.Or(opts.LogoutPath, "/console/logout")
	page, err := template.New("page.html").Funcs(funcs).ParseFS(files, "templates/page.html")
	if err != nil {
		return nil, fmt.Errorf("dashboard: New: parse template: %w", err)
	}
	css, err := files.ReadFile("static/dashboard.css")
	if err != nil {
		return nil, fmt.Errorf("dashboard: New: %w", err)
	}
	return &Dashboard{opts: opts, log: opts.Logger, page: page, css: look.Stylesheet(css)}, nil
}

// ServeHTTP serves Path (the page, or CSV with ?format=csv), CSVPath and
// CSSPath for GET and HEAD. Bad query parameters are answered 400 with a
// sentence saying what is wrong.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Only GET and HEAD are allowed here.", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case CSSPath:
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(d.css)
		return
	case Path, CSVPath:
	default:
		http.NotFound(w, r)
		return
	}
	p, err := parseParams(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == CSVPath {
		p.format = "csv"
	}
	rep, err := d.opts.Reports.Report(r.Context(), insights.LastDays(d.opts.Now(), p.days, p.channel))
	if err != nil {
		if bot.ErrorCode(err) == bot.EINVALID {
			http.Error(w, bot.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		d.log.Error("dashboard: report", "err", err)
		http.Error(w, t(p.lang, "failed"), http.StatusInternalServerError)
		return
	}
	if p.format == "csv" {
		d.serveCSV(w, rep)
		return
	}
	var buf bytes.Buffer
	v := d.view(rep, p)
	if d.opts.SignedIn != nil {
		if agent, csrf, ok := d.opts.SignedIn(r.Context()); ok {
			v.Agent, v.CSRF, v.Logout = agent, csrf, d.opts.LogoutPath
		}
	}
	if err := d.page.Execute(&buf, v); err != nil {
		d.log.Error("dashboard: render", "err", err)
		http.Error(w, t(p.lang, "failed"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", i18n.Tag(p.lang))
	h.Set("Vary", "Accept-Language")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.Write(buf.Bytes())
}

func (d *Dashboard) serveCSV(w http.ResponseWriter, rep *insights.Report) {
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		d.log.Error("dashboard: CSV", "err", err)
		http.Error(w, "The CSV could not be written.", http.StatusInternalServerError)
		return
	}
	name := "concierge-report-" + rep.Since.Format(time.DateOnly) + "-to-" +
		rep.Until.AddDate(0, 0, -1).Format(time.DateOnly)
	if rep.Channel != "" {
		name += "-" + rep.Channel
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// params are the validated query parameters of a request.
type params struct {
	days    int
	channel string
	lang    string
	format  string // "html" or "csv"
}

// channelName is what a channel name may look like (bot: short, lower-case).
var channelName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,31}$`)

// parseParams reads days, channel, lang and format from r's query. A value
// that is present but not valid is an error with a sentence for the user;
// the language of the sentence is the request's.
func parseParams(r *http.Request) (params, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	lang := pickLang(q.Get("lang"), r.Header.Get("Accept-Language"))
	if err != nil {
		return params{}, fmt.Errorf("%s", t(lang, "bad_query"))
	}
	p := params{days: defaultDays, lang: lang, format: "html"}
	for _, key := range []string{"days", "channel", "lang", "format"} {
		if len(q[key]) > 1 {
			return p, fmt.Errorf(t(lang, "bad_repeat"), key)
		}
	}
	if v, ok := q["days"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || !validDays(n) {
			return p, fmt.Errorf(t(lang, "bad_days"), clip(v[0]))
		}
		p.days = n
	}
	if v := q.Get("channel"); v != "" && v != "all" {
		if !channelName.MatchString(v) {
			return p, fmt.Errorf(t(lang, "bad_channel"), clip(v))
		}
		p.channel = v
	}
	if v, ok := q["lang"]; ok && v[0] != "en" && v[0] != "zh" {
		return p, fmt.Errorf(t(lang, "bad_lang"), clip(v[0]))
	}
	if v, ok := q["format"]; ok {
		if v[0] != "html" && v[0] != "csv" {
			return p, fmt.Errorf(t(lang, "bad_format"), clip(v[0]))
		}
		p.format = v[0]
	}
	return p, nil
}

func validDays(n int) bool {
	for _, d := range Ranges {
		if n == d {
			return true
		}
	}
	return false
}

// clip shortens a bad value quoted back to the user.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// query returns the dashboard URL of p with the changes applied.
func (p params) url(path string, days int, channel, lang string) string {
	v := url.Values{}
	v.Set("days", strconv.Itoa(days))
	if channel != "" {
		v.Set("channel", channel)
	}
	v.Set("lang", lang)
	return path + "?" + v.Encode()
}
