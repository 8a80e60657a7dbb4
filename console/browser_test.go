package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/concierge-bot/concierge/browsertest"

	"github.com/concierge-bot/concierge/bot"
)

// TestBrowserAgentFlow signs in, finds the waiting conversation, takes it
// over, replies and resolves it in a real browser, and checks that markup in
// customer text is shown as text and never runs.
func TestBrowserAgentFlow(t *testing.T) {
	tab := browser(t)
	e := newEnv(t, nil)
	e.opts.Verdicts, e.opts.Review = e.db, e.db // the buttons that teach the complaint detector, the review page
	e.restart()
	e.clock.Set(time.Time{}) // the real clock: the page's own timers run on it
	now := time.Now()
	ctx := context.Background()
	// An earlier conversation on the API channel, resolved, then a complaint
	// on the web whose text holds markup.
	apiConv, in, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "api", ExternalUserID: "app-1",
		Text: "Do you ship to Shenzhen?", Time: now.Add(-26 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: apiConv.ID, InboundID: in, Action: bot.ActionAnswer,
		Text: "Yes, to all of mainland China within 3 days.", Time: now.Add(-26 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	evil := `My order arrived broken <img src=x onerror="document.title='pwned'">`
	id := e.escalate("web", "visitor-42", evil, now.Add(-17*time.Minute), bot.ReasonComplaint, "high")
	if err := e.db.Merge(ctx, e.conversation(id).CustomerID, apiConv.CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AddTag(ctx, apiConv.CustomerID, "repeat-buyer", "test"); err != nil {
		t.Fatal(err)
	}
	e.escalate("slack", "U123", "Can someone call me about an invoice?", now.Add(-4*time.Minute), bot.ReasonRequestedHuman, "normal")
	// A message the bot answered that may have been a complaint.
	doubt, din, err := e.db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "visitor-7",
		Text: "the tea tasted of nothing this time", Time: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.AppendOutbound(ctx, bot.Outbound{ConversationID: doubt.ID, InboundID: din, Action: bot.ActionAnswer,
		Text: "Try 3 g per cup.", Time: now.Add(-time.Hour), Annotation: bot.Annotation{Complaint: 0.42}}); err != nil {
		t.Fatal(err)
	}

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		return value(t, tab, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
	}
	convPath := convPath(id)
	run("sign in",
		chromedp.Navigate(e.srv.URL+"/console"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), passwords["alice"]),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS("#queue .card")),
	)
	queueText := text("#queue")
	if !strings.Contains(queueText, "17 min") || !strings.Contains(queueText, "4 min") ||
		strings.Index(queueText, "17 min") > strings.Index(queueText, "4 min") {
		t.Errorf("queue does not list the oldest first with wait times:\n%s", queueText)
	}
	run("open and take over",
		chromedp.Click(chromedp.CSS(`#queue a[href="`+convPath+`"]`)),
		chromedp.WaitVisible(chromedp.ID("takeover")),
		chromedp.Click(chromedp.ID("takeover")),
		chromedp.WaitVisible(chromedp.ID("mine")),
	)
	if status := text("#status"); status != "with an agent" {
		t.Errorf("status after take over %q", status)
	}
	// Each form posts and loads a new page: wait for what only the new page
	// shows before typing again, or the keys land in the page being left.
	run("reply",
		chromedp.SendKeys(chromedp.ID("reply-text"), "I'm sorry! A replacement ships today."),
		chromedp.Click(chromedp.ID("send")),
	)
	browsertest.WaitFor(t, tab, "reply shown", `document.readyState === 'complete' && !!document.querySelector('#mine') &&
		document.querySelector('#archive').textContent.includes('A replacement ships today')`, 20*time.Second)
	run("note",
		chromedp.SendKeys(chromedp.ID("note-text"), "Offered a replacement; check the courier."),
		chromedp.Click(chromedp.ID("add-note")),
		chromedp.WaitVisible(chromedp.CSS(".notes li:not(.empty)")),
	)
	// The agent tells the bot the customer's first message was a complaint.
	first := msgs0(t, e, id)
	run("mark a complaint",
		chromedp.Click(chromedp.ID("mark-"+first)),
		chromedp.WaitVisible(chromedp.CSS(".msg.in .verdict")),
	)
	if v := text(".msg.in.this .verdict, .msg.in:not(.other) .verdict"); v != "marked a complaint by alice" {
		t.Errorf("verdict shown %q", v)
	}
	if got, err := e.db.ComplaintLabels(ctx, 0); err != nil || len(got) != 1 || !got[0].Complaint || got[0].Agent != "alice" {
		t.Errorf("stored verdicts %+v, %v", got, err)
	}
	archiveText := text("#archive")
	imgs := value(t, tab, "count images", chromedp.Evaluate[int](`document.querySelectorAll('#archive img, aside img, #queue img').length`))
	title := value(t, tab, "title", chromedp.Title())
	for _, s := range []string{"Do you ship to Shenzhen?", `<img src=x onerror="document.title='pwned'">`, "I'm sorry! A replacement ships today.", "Taken over by alice"} {
		if !strings.Contains(archiveText, s) {
			t.Errorf("archive lacks %q:\n%s", s, archiveText)
		}
	}
	if strings.Index(archiveText, "Do you ship") > strings.Index(archiveText, "My order arrived") {
		t.Errorf("archive is not in time order:\n%s", archiveText)
	}
	if imgs != 0 || strings.Contains(title, "pwned") {
		t.Errorf("customer markup became elements (%d img) or ran (title %q)", imgs, title)
	}
	msgs, _ := e.db.Messages(ctx, id)
	if last := msgs[len(msgs)-1]; last.Author != bot.AuthorAgent || last.Text != "I'm sorry! A replacement ships today." {
		t.Errorf("stored reply %+v", last)
	}

	png := value(t, tab, "screenshot", chromedp.FullScreenshot(100))
	shot := filepath.Join(t.TempDir(), "console.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	// The review page lists the doubtful answer; "It was a complaint" takes
	// it off the list and is kept.
	dinText := strconv.FormatInt(din, 10)
	run("review",
		chromedp.Click(chromedp.ID("nav-review")),
		chromedp.WaitVisible(chromedp.ID("complaint-"+dinText)),
	)
	if txt := text("#review"); !strings.Contains(txt, "the tea tasted of nothing this time") || !strings.Contains(txt, "complaint score 0.42") {
		t.Errorf("review page:\n%s", txt)
	}
	run("review verdict",
		chromedp.Click(chromedp.ID("complaint-"+dinText)),
		chromedp.WaitVisible(chromedp.CSS("main p.empty")),
	)
	if got, _ := e.db.ComplaintLabels(ctx, 0); len(got) != 2 || got[0].MessageID != din || !got[0].Complaint {
		t.Errorf("stored verdicts after the review %+v", got)
	}
	run("back to the conversation", chromedp.Navigate(e.srv.URL+convPath), chromedp.WaitVisible(chromedp.ID("send")))

	// Usable on a phone: nothing wider than the screen.
	run("phone width",
		chromedp.EmulateViewport(390, 844),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("send")),
	)
	if value(t, tab, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)) {
		t.Error("the conversation page is wider than a phone screen")
	}
	run("desktop width", chromedp.EmulateViewport(1200, 860))

	run("resolve",
		chromedp.Click(chromedp.ID("resolve")),
		chromedp.WaitVisible(chromedp.ID("queue")),
	)
	queueAfter := text("#queue")
	if c := e.conversation(id); c.Status != bot.StatusResolved {
		t.Errorf("conversation after resolve: %s", c.Status)
	}
	if strings.Contains(queueAfter, "My order arrived") || !strings.Contains(queueAfter, "invoice") {
		t.Errorf("queue after resolve:\n%s", queueAfter)
	}

	// The queue refreshes itself: a new escalation shows up without a reload.
	e.escalate("web", "visitor-77", "Refund please, this is the third time", time.Now(), bot.ReasonComplaint, "high")
	value(t, tab, "auto refresh", chromedp.Poll[chromedp.Void](
		`document.querySelector('#queue').textContent.includes('third time')`,
		chromedp.WithPollingTimeout(15*time.Second)))
}

// value runs one browser action that returns a value, within 20 seconds.
func value[T any](t *testing.T, tab context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(tab, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// browser starts a headless Chromium with a fresh profile and returns a tab.
func browser(t *testing.T) context.Context { return browsertest.Browser(t, 1200, 860) }

// msgs0 returns the id of the customer's first message of a conversation.
func msgs0(t *testing.T, e *env, id bot.ConversationID) string {
	t.Helper()
	msgs, err := e.db.Messages(context.Background(), id)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("Messages(%d): %v", id, err)
	}
	return strconv.FormatInt(msgs[0].ID, 10)
}
