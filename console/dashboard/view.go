package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/insights"
)

// dash is what a missing figure shows as.
const dash = "—"

// view is the data of the page template.
type view struct {
	Lang, OtherLang, Toggle, Console, CSV string
	Site                                  string // the company's name in Lang; empty: none
	Days                                  int
	Channel                               string
	Range                                 string
	Ranges                                []option
	Channels                              []option
	Overall                               row
	Rows                                  []row
	Intents                               []bar
	Reasons                               []bar
	Gaps                                  []gap
	Charts                                []*chart
	Peak                                  string
	Unacknowledged                        string
	Empty                                 bool

	// Agent, CSRF and Logout are the signed-in agent, the session's CSRF
	// token and the sign-out endpoint; empty when Options.SignedIn is unset.
	Agent, CSRF, Logout string
}

type option struct {
	Value, Label string
	Selected     bool
}

// row is one line of the channel comparison, formatted.
type row struct {
	Key, Name, Color                                                     string
	Conversations, Customers, NewCustomers, Messages                     string
	Resolution, Escalation, Conversion, CSAT, FirstResponse, TimeToHuman string
	Complaints                                                           string
}

type bar struct {
	Label string
	Count int64
	Max   int64
}

type gap struct {
	Question string
	Count    int64
	Mailto   template.URL
}

// rowArgs carries a table row and the page language into the "row" template.
type rowArgs struct {
	Lang string
	Row  row
}

// funcs are the template's helpers; none of them touches customer text.
var funcs = template.FuncMap{
	"t":       t,
	"sub":     func(a, b int) int { return a - b },
	"half":    func(a int) int { return a / 2 },
	"rowArgs": func(lang string, r row) rowArgs { return rowArgs{Lang: lang, Row: r} },
}

func (d *Dashboard) view(rep *insights.Report, p params) *view {
	l := p.lang
	other := langZH
	if l == langZH {
		other = langEN
	}
	v := &view{
		Lang: l, OtherLang: other, Days: p.days, Channel: p.channel, Console: d.opts.ConsolePath, Site: siteName(d.opts.SiteName, l),
		Toggle: p.url(Path, p.days, p.channel, other),
		CSV:    p.url(CSVPath, p.days, p.channel, l),
		Range: fmt.Sprintf(t(l, "range"), rep.Since.Format(time.DateOnly),
			rep.Until.AddDate(0, 0, -1).Format(time.DateOnly)),
		Overall: figuresRow("all", t(l, "all"), "", rep.Overall),
		Empty:   rep.Overall.Conversations == 0,
	}
	for _, n := range Ranges {
		v.Ranges = append(v.Ranges, option{Value: strconv.Itoa(n), Label: fmt.Sprintf(t(l, "days_n"), n), Selected: n == p.days})
	}
	v.Channels = append(v.Channels, option{Value: "", Label: t(l, "all"), Selected: p.channel == ""})
	for i, f := range rep.Channels {
		v.Rows = append(v.Rows, figuresRow(f.Channel, f.Channel, color(i), f))
		if p.channel == "" {
			v.Channels = append(v.Channels, option{Value: f.Channel, Label: f.Channel})
		}
	}
	if p.channel != "" {
		v.Channels = append(v.Channels, option{Value: p.channel, Label: p.channel, Selected: true})
	}
	v.Intents = bars(len(rep.Intents), func(i int) (string, int64) { return rep.Intents[i].Intent, rep.Intents[i].Count }, 10)
	v.Reasons = bars(len(rep.EscalationReasons), func(i int) (string, int64) {
		return rep.EscalationReasons[i].Reason, rep.EscalationReasons[i].Count
	}, 10)
	for _, g := range rep.Gaps {
		v.Gaps = append(v.Gaps, gap{Question: g.Question, Count: g.Count, Mailto: d.mailto(l, g)})
	}
	var peak insights.DayCount
	for _, c := range rep.ComplaintsByDay {
		if c.Count > peak.Count {
			peak = c
		}
	}
	if peak.Count > 0 {
		v.Peak = fmt.Sprintf(t(l, "peak"), peak.Day, peak.Count)
	}
	if rep.UnacknowledgedEscalations > 0 {
		v.Unacknowledged = fmt.Sprintf(t(l, "unacknowledged"), rep.UnacknowledgedEscalations)
	}
	v.Charts = charts(rep, l, d.opts.Now().UTC().Format(time.DateOnly))
	return v
}

// mailto returns the "write the answer" link of a knowledge gap: a mail to
// ContentEmail with the question in the subject and body.
func (d *Dashboard) mailto(lang string, g insights.GapCount) template.URL {
	q := insights.OneLine(g.Question)
	subject := fmt.Sprintf(t(lang, "gap_subject"), clipRunes(q, 80))
	body := fmt.Sprintf(t(lang, "gap_body"), g.Count, q)
	// url.PathEscape keeps spaces as %20, which mail programs expect.
	s := "mailto:" + url.PathEscape(d.opts.ContentEmail) + "?subject=" + url.PathEscape(subject) + "&body=" + url.PathEscape(body)
	return template.URL(s) // every part is escaped above; the scheme is fixed
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func bars(n int, at func(int) (string, int64), limit int) []bar {
	var out []bar
	var top int64
	for i := 0; i < n && i < limit; i++ {
		label, c := at(i)
		top = max(top, c)
		out = append(out, bar{Label: label, Count: c})
	}
	for i := range out {
		out[i].Max = top
	}
	return out
}

func figuresRow(key, name, color string, f insights.Figures) row {
	return row{
		Key: key, Name: name, Color: color,
		Conversations: count(f.Conversations), Customers: count(f.Customers), NewCustomers: count(f.NewCustomers),
		Messages: count(f.Messages), Resolution: percent(f.BotResolutionRate), Escalation: percent(f.EscalationRate),
		Conversion: percent(f.ConversionRate), CSAT: csat(f.CSAT, f.CSATN), FirstResponse: millis(f.FirstResponseP50Ms),
		TimeToHuman: secs(f.TimeToHumanP50S), Complaints: count(f.Complaints),
	}
}

// count formats a count.
func count(n int64) string { return strconv.FormatInt(n, 10) }

// finite reports whether v holds a number that can be shown.
func finite(v *float64) bool { return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) }

// percent formats a rate in 0..1 as a percentage with one decimal, or "—".
func percent(v *float64) string {
	if !finite(v) {
		return dash
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}

// csat formats an average rating with its count, or "—".
func csat(v *float64, n int64) string {
	if !finite(v) {
		return dash
	}
	return strconv.FormatFloat(*v, 'f', 2, 64) + " (" + count(n) + ")"
}

// millis formats a duration in milliseconds for people, or "—".
func millis(v *int64) string {
	if v == nil {
		return dash
	}
	return insights.FormatDuration(time.Duration(*v) * time.Millisecond)
}

// secs formats a duration in seconds for people, or "—".
func secs(v *float64) string {
	if !finite(v) {
		return dash
	}
	return insights.FormatDuration(time.Duration(*v * float64(time.Second)))
}

// siteName returns the company's name in lang, else in English, else in
// Chinese; "" when it has none.
func siteName(names map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "zh"} {
		if n := strings.TrimSpace(names[l]); n != "" {
			return n
		}
	}
	return ""
}
