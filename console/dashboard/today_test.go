package dashboard

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/insights"
)

// fixedReports answers every query with one report.
type fixedReports struct{ rep *insights.Report }

func (f fixedReports) Report(ctx context.Context, q insights.Query) (*insights.Report, error) {
	return f.rep, nil
}

// fixedReportsFunc answers every query with the report fn returns then.
type fixedReportsFunc func() *insights.Report

func (f fixedReportsFunc) Report(ctx context.Context, q insights.Query) (*insights.Report, error) {
	return f(), nil
}

// weekEndingToday is a week of figures whose last day, 2026-03-20, is
// "today" at todayNow: six full days at 70 % bot resolution and a CSAT of
// 4.5, then today with closed conversations, bot-resolved ones and ratings
// so far as given.
func weekEndingToday(closed, botResolved, ratings int64) *insights.Report {
	rep := &insights.Report{Since: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC),
		Overall: insights.Figures{Conversations: 300}, Channels: []insights.Figures{{Channel: "web", Conversations: 300}}}
	for i := range 7 {
		day := rep.Since.AddDate(0, 0, i).Format(time.DateOnly)
		d := insights.DayFigures{Day: day, Conversations: 50, Closed: 40, BotResolved: 28, CSATN: 10}
		if i == 6 {
			d = insights.DayFigures{Day: day, Conversations: 20, Closed: closed, BotResolved: botResolved, CSATN: ratings}
		}
		d.BotResolutionRate = ratioF(d.BotResolved, d.Closed)
		if d.CSATN > 0 {
			v := 4.5
			d.CSAT = &v
		}
		rep.Days = append(rep.Days, d)
		web := d
		web.Channel = "web"
		rep.Days = append(rep.Days, web)
	}
	return rep
}

func ratioF(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

// todayNow is mid-afternoon of the last day of weekEndingToday.
var todayNow = time.Date(2026, 3, 20, 15, 0, 0, 0, time.UTC)

func pageAt(t *testing.T, rep *insights.Report, now time.Time, query string) string {
	t.Helper()
	d, err := New(Options{Reports: fixedReports{rep}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := get(t, d, Path+"?days=7"+query)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// figure returns the HTML of the chart with the given id.
func figure(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<figure class="chart" id="chart-` + id + `">.*?</figure>`).FindString(page)
	if m == "" {
		t.Fatalf("no chart %s", id)
	}
	return m
}

// TestTodayIsPartial: today's resolution rate is drawn from the day so far
// only when enough conversations have closed, and then as a hollow point on
// a dashed segment labelled "today so far"; with two closed conversations
// (both resolved by agents, so 0 %) it is left out with a note saying why,
// instead of diving to 0 %. A range that ends before today has no partial
// point.
func TestTodayIsPartial(t *testing.T) {
	// Early in the day: 2 closed, none by the bot.
	page := pageAt(t, weekEndingToday(2, 0, 1), todayNow, "")
	res := figure(t, page, "resolution")
	if strings.Contains(res, `class="today"`) {
		t.Errorf("today's 0 %% of 2 closed conversations is drawn:\n%s", res)
	}
	if !strings.Contains(res, `id="note-resolution"`) || !strings.Contains(res, "Today is left out: 2 of today&#39;s conversations have closed so far") {
		t.Errorf("the resolution chart does not say why today is left out:\n%s", res)
	}
	if strings.Contains(res, `,194.0`) { // y of 0 % (chartH - padBottom)
		t.Errorf("the resolution line reaches 0 %%:\n%s", res)
	}
	if sat := figure(t, page, "csat"); !strings.Contains(sat, `id="note-csat"`) || strings.Contains(sat, `class="today"`) {
		t.Errorf("today's single rating is drawn or not explained:\n%s", sat)
	}
	// Today's conversations so far are counted, marked as partial.
	conv := figure(t, page, "conversations")
	if !strings.Contains(conv, `class="today"`) || !strings.Contains(conv, `class="today-line"`) || !strings.Contains(conv, ">today so far<") {
		t.Errorf("today's conversations so far are not marked partial:\n%s", conv)
	}

	// Later: 30 closed, 20 by the bot (66.7 %): drawn, hollow, dashed.
	page = pageAt(t, weekEndingToday(30, 20, 8), todayNow, "")
	res = figure(t, page, "resolution")
	circle := regexp.MustCompile(`<circle class="today" cx="([0-9.]+)" cy="([0-9.]+)" r="4" fill="#fff"`).FindStringSubmatch(res)
	if circle == nil || !strings.Contains(res, `stroke-dasharray="4 3"`) || !strings.Contains(res, ">today so far<") || strings.Contains(res, "note-resolution") {
		t.Fatalf("today's rate is not drawn as a hollow, dashed, labelled point:\n%s", res)
	}
	// 66.7 % on a 0..100 axis from y=194 (0 %) to y=12 (100 %).
	if cy := parse(circle[2]); cy < 71 || cy > 74 {
		t.Errorf("today's point at y=%s, want about 72.7 (66.7 %%)", circle[2])
	}
	// The solid line stops the day before.
	for _, pts := range regexp.MustCompile(`<polyline points="([^"]+)"`).FindAllStringSubmatch(res, -1) {
		if strings.Contains(pts[1], circle[1]+",") {
			t.Errorf("the solid line runs through today's point: %s", pts[1])
		}
	}
	if zh := figure(t, pageAt(t, weekEndingToday(30, 20, 8), todayNow, "&lang=zh"), "resolution"); !strings.Contains(zh, ">今天（截至目前）<") {
		t.Errorf("no Chinese label for today:\n%s", zh)
	}
	if zh := figure(t, pageAt(t, weekEndingToday(2, 0, 1), todayNow, "&lang=zh"), "resolution"); !strings.Contains(zh, "今天目前只有 2 个会话已结束") {
		t.Errorf("no Chinese note for today:\n%s", zh)
	}

	// The next morning the week is complete: no partial point, no note.
	page = pageAt(t, weekEndingToday(2, 0, 1), todayNow.Add(12*time.Hour), "")
	if strings.Contains(page, `class="today"`) || strings.Contains(page, "today so far") || strings.Contains(page, "note-") {
		t.Errorf("a finished day is drawn as partial")
	}
}
