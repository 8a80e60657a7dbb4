package dashboard

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/insights"
)

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW, chartH                           = 640, 220
	padLeft, padRight, padTop, padBottom int = 44, 12, 12, 26
)

// palette colours series by channel position; "all" is the dark ink.
var palette = []string{"#2457d6", "#e09b00", "#1c6b34", "#c62828", "#7b3fb5", "#00838f", "#6d4c41", "#7b8794"}

const inkColor = "#1d2330"

func color(i int) string { return palette[i%len(palette)] }

// chart is one server-side SVG line chart.
type chart struct {
	ID, Title   string
	W, H        int
	X0, X1      int // plot area, horizontally
	Y0, Y1      int // plot area, vertically (Y0 top)
	Series      []series
	YTicks      []tick
	XTicks      []tick
	Empty       bool
	EmptyText   string
	Description string // the figures in words, for screen readers
	// Partial marks today's point, drawn from the data so far: X is its x,
	// Label the words beside it ("today so far"); nil when the range ends
	// before today or today is left out. Note says why today is left out of
	// a rate chart (too few conversations closed so far), else empty.
	Partial *partialMark
	Note    string
}

// partialMark is the label of today's unfinished day on a chart, at (X, Y).
type partialMark struct {
	X, Y, Label string
}

// series is one line: polyline segments (broken where a value is missing)
// and lone points that have no neighbour to join, then today's point so far
// (Today, drawn hollow) with the dashed segment that leads to it (TodayFrom,
// nil when the day before has no value).
type series struct {
	Name, Color string
	Segments    []string
	Dots        []point
	Today       *point
	TodayFrom   *point
}

type point struct{ X, Y string }

type tick struct {
	Pos   string // x or y in user units
	Label string
	// Anchor is the x tick label's text-anchor: "end" for the last day,
	// whose label would otherwise run off the chart's right edge.
	Anchor string
}

// datum is one day's figure, or missing.
type datum struct {
	v  float64
	ok bool
}

// Today's figures are partial: a rate is drawn for today only when enough
// of today's conversations have closed (or been rated) for it to mean
// something. Earlier in the day the closed conversations are few and
// skewed (escalations an agent resolved close before the bot's quiet
// conversations do), so the line would dive towards 0 % for no reason.
const (
	minTodayClosed  = 10
	minTodayRatings = 5
)

// charts builds the four charts of a report. today is the current UTC day
// (time.DateOnly); when it is the last day of the report, its points are
// drawn as partial ("today so far") and left out of the rate charts while
// too few conversations have closed.
func charts(rep *insights.Report, lang, today string) []*chart {
	var days []string
	byDay := map[string][]insights.DayFigures{}
	for _, d := range rep.Days {
		if _, seen := byDay[d.Day]; !seen {
			days = append(days, d.Day)
		}
		byDay[d.Day] = append(byDay[d.Day], d)
	}
	pick := func(channel string, fn func(insights.DayFigures) datum) []datum {
		out := make([]datum, len(days))
		for i, day := range days {
			for _, d := range byDay[day] {
				if d.Channel == channel {
					out[i] = fn(d)
				}
			}
		}
		return out
	}
	perChannel := func(fn func(insights.DayFigures) datum) (names, colors []string, vals [][]datum) {
		for i, f := range rep.Channels {
			names = append(names, f.Channel)
			colors = append(colors, color(i))
			vals = append(vals, pick(f.Channel, fn))
		}
		return
	}
	conv := func(d insights.DayFigures) datum { return datum{float64(d.Conversations), true} }
	compl := func(d insights.DayFigures) datum { return datum{float64(d.Complaints), true} }
	res := func(d insights.DayFigures) datum {
		if !finite(d.BotResolutionRate) {
			return datum{}
		}
		return datum{*d.BotResolutionRate * 100, true}
	}
	sat := func(d insights.DayFigures) datum {
		if !finite(d.CSAT) {
			return datum{}
		}
		return datum{*d.CSAT, true}
	}
	all := t(lang, "all")
	if rep.Channel != "" {
		all = rep.Channel
	}
	partial := len(days) > 0 && days[len(days)-1] == today
	var todayAll insights.DayFigures
	if partial {
		for _, d := range byDay[today] {
			if d.Channel == "" {
				todayAll = d
			}
		}
	}
	n1, c1, v1 := perChannel(conv)
	n2, c2, v2 := perChannel(compl)
	resVals, satVals := pick("", res), pick("", sat)
	var resNote, satNote string
	if partial && todayAll.Closed < minTodayClosed {
		resVals[len(resVals)-1] = datum{}
		resNote = fmt.Sprintf(t(lang, "today_left_out"), todayAll.Closed, minTodayClosed)
	}
	if partial && todayAll.CSATN < minTodayRatings {
		satVals[len(satVals)-1] = datum{}
		satNote = fmt.Sprintf(t(lang, "today_left_out_csat"), todayAll.CSATN, minTodayRatings)
	}
	resolution := lineChart("resolution", t(lang, "chart_resolution"), days, []string{all}, []string{inkColor},
		[][]datum{resVals}, 0, 100, "%", lang, partial)
	resolution.Note = resNote
	csat := lineChart("csat", t(lang, "chart_csat"), days, []string{all}, []string{inkColor},
		[][]datum{satVals}, 1, 5, "", lang, partial)
	csat.Note = satNote
	return []*chart{
		lineChart("conversations", t(lang, "chart_conversations"), days, n1, c1, v1, 0, 0, "", lang, partial),
		lineChart("complaints", t(lang, "chart_complaints"), days, n2, c2, v2, 0, 0, "", lang, partial),
		resolution,
		csat,
	}
}

// lineChart lays out a line chart of one or more series over days. With
// lo == hi the y axis runs from 0 to a round number above the largest value.
// With partial, the last day is today, unfinished: its points are drawn
// apart (hollow, joined by a dashed segment), labelled "today so far", and
// left out of the average in the description.
func lineChart(id, title string, days, names, colors []string, vals [][]datum, lo, hi float64, unit, lang string, partial bool) *chart {
	c := &chart{ID: id, Title: title, W: chartW, H: chartH, X0: padLeft, X1: chartW - padRight,
		Y0: padTop, Y1: chartH - padBottom, EmptyText: t(lang, "no_data")}
	top := 0.0
	any := false
	for _, s := range vals {
		for _, v := range s {
			if v.ok {
				any = true
				top = max(top, v.v)
			}
		}
	}
	if lo == hi {
		lo, hi = 0, niceCeil(top)
	}
	c.Empty = !any || len(days) == 0
	x := func(i int) float64 {
		if len(days) == 1 {
			return float64(c.X0+c.X1) / 2
		}
		return float64(c.X0) + float64(i)*float64(c.X1-c.X0)/float64(len(days)-1)
	}
	y := func(v float64) float64 {
		v = min(max(v, lo), hi)
		return float64(c.Y1) - (v-lo)/(hi-lo)*float64(c.Y1-c.Y0)
	}
	for k := 0; k <= 4; k++ {
		v := lo + (hi-lo)*float64(k)/4
		c.YTicks = append(c.YTicks, tick{Pos: num(y(v)), Label: label(v) + unit})
	}
	if n := len(days); n > 0 {
		step := max(1, (n+5)/6)
		for i := 0; i < n; i += step {
			anchor := "middle"
			if i == n-1 && n > 1 {
				anchor = "end"
			}
			c.XTicks = append(c.XTicks, tick{Pos: num(x(i)), Label: days[i][5:], Anchor: anchor})
		}
	}
	var desc []string
	for si, s := range vals {
		se := series{Name: names[si], Color: colors[si]}
		var seg []string
		flush := func() {
			if len(seg) == 1 {
				xy := strings.SplitN(seg[0], ",", 2)
				se.Dots = append(se.Dots, point{X: xy[0], Y: xy[1]})
			} else if len(seg) > 1 {
				se.Segments = append(se.Segments, strings.Join(seg, " "))
			}
			seg = seg[:0]
		}
		var sum float64
		var n int
		last := len(s)
		if partial && last > 0 {
			last--
			if v := s[last]; v.ok {
				se.Today = &point{X: num(x(last)), Y: num(y(v.v))}
				if last > 0 && s[last-1].ok {
					se.TodayFrom = &point{X: num(x(last - 1)), Y: num(y(s[last-1].v))}
				}
				if py := y(v.v); c.Partial == nil || py < parse(c.Partial.Y) {
					// The label sits above the highest of today's points, or
					// below it when there is no room above.
					ly := py - 8
					if ly < float64(c.Y0)+10 {
						ly = py + 18
					}
					c.Partial = &partialMark{X: num(x(last)), Y: num(ly), Label: t(lang, "today_so_far")}
				}
			}
		}
		for i, v := range s[:last] {
			if !v.ok {
				flush()
				continue
			}
			sum += v.v
			n++
			seg = append(seg, num(x(i))+","+num(y(v.v)))
		}
		flush()
		if n > 0 {
			desc = append(desc, names[si]+": "+label(sum/float64(n))+unit+" avg")
		}
		c.Series = append(c.Series, se)
	}
	c.Description = title + ". " + strings.Join(desc, "; ")
	return c
}

// niceCeil returns a round number (1, 2 or 5 times a power of ten) at or
// above v, at least 4 so that four ticks stay whole numbers.
func niceCeil(v float64) float64 {
	if v <= 4 {
		return 4
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 4, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// parse reads a coordinate num wrote.
func parse(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// num formats a coordinate with one decimal.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// label formats an axis value without needless decimals.
func label(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
