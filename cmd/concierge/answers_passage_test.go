package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/knowledge"
)

// TestScoreByPassage checks the passage-level measures: a reply citing a
// labelled page first is right at passage level only when it cites a
// passage labelled as answering (the opening included only when labelled);
// a FAQ entry is judged as before; an unlabelled message keeps the page
// rule; a right passage among the choices counts as offered.
func TestScoreByPassage(t *testing.T) {
	labelledQ := labelled{Kind: kindAnswerable, Lang: "en", Expected: []string{"faq-a", "hours", "hours-zh"},
		PassagesLabelled: true, Passages: []string{"hours#opening-times", "hours-zh#营业时间"}, Pages: []string{"hours", "hours-zh"}}
	plain := labelled{Kind: kindAnswerable, Lang: "en", Expected: []string{"hours"}}
	src := func(ids ...string) []bot.Source {
		var out []bot.Source
		for _, id := range ids {
			out = append(out, bot.Source{ID: id})
		}
		return out
	}
	cases := []struct {
		name          string
		l             labelled
		rep           web.MessageResponse
		page, passage bool // right at page level, at passage level
		offered       bool // right passage or offered
	}{
		{"the labelled section", labelledQ, web.MessageResponse{Sources: src("hours#opening-times")}, true, true, true},
		{"the twin's labelled section", labelledQ, web.MessageResponse{Sources: src("hours-zh#营业时间")}, true, true, true},
		{"another section of the page", labelledQ, web.MessageResponse{Sources: src("hours#parking")}, true, false, false},
		{"the page's opening, not labelled", labelledQ, web.MessageResponse{Sources: src("hours")}, true, false, false},
		{"the FAQ entry", labelledQ, web.MessageResponse{Sources: src("faq-a")}, true, true, true},
		{"another page", labelledQ, web.MessageResponse{Sources: src("prices#hours")}, false, false, false},
		{"the right section handed off", labelledQ, web.MessageResponse{Sources: src("hours#opening-times"), Handoff: true}, false, false, false},
		{"a wrong section, the right one offered", labelledQ, web.MessageResponse{Sources: src("hours#parking"), Choices: src("hours#opening-times")}, true, false, true},
		{"unlabelled: any section of the page", plain, web.MessageResponse{Sources: src("hours#parking")}, true, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := score([]outcome{{labelled: c.l, Reply: c.rep}}, nil, nil)
			if got := r.Answerable.All.Right == 1; got != c.page {
				t.Errorf("right by page %v, want %v", got, c.page)
			}
			if got := r.AnswerablePassage.All.Right == 1; got != c.passage {
				t.Errorf("right by passage %v, want %v", got, c.passage)
			}
			if got := r.AnswerablePassageOffered.All.Right == 1; got != c.offered {
				t.Errorf("right passage or offered %v, want %v", got, c.offered)
			}
		})
	}
}

// TestReadPassageLabels checks that sections.csv lands on the message of
// its line, and that a label that no longer fits its message (edited text,
// an unknown line, a second label) or a file without its columns is an
// error naming the file and line, never a silently wrong label.
func TestReadPassageLabels(t *testing.T) {
	msgs := func() []labelled {
		return []labelled{{Text: "when do you open", Line: 2, Expected: []string{"hours"}}, {Text: "parking?", Line: 3}}
	}
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "sections.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m := msgs()
	if err := readPassageLabels(write("line,text,sections\n2,when do you open,hours#opening-times;hours-zh#营业时间\n3,parking?,\n"), m); err != nil {
		t.Fatal(err)
	}
	if !m[0].PassagesLabelled || !slices.Equal(m[0].Passages, []string{"hours#opening-times", "hours-zh#营业时间"}) {
		t.Errorf("line 2: labelled %v %q", m[0].PassagesLabelled, m[0].Passages)
	}
	if !m[1].PassagesLabelled || len(m[1].Passages) != 0 {
		t.Errorf("line 3 (no passage answers): labelled %v %q, want labelled with none", m[1].PassagesLabelled, m[1].Passages)
	}
	for _, bad := range []struct{ body, want string }{
		{"line,text,sections\n2,when are you open,hours\n", "sections.csv line 2: the text differs from messages.csv line 2"},
		{"line,text,sections\n9,when do you open,hours\n", `sections.csv line 2: "9" is not the line of a message`},
		{"line,text,sections\n2,when do you open,hours\n2,when do you open,hours\n", "messages.csv line 2 is labelled twice"},
		{"line,text\n2,when do you open\n", `the header has no "sections" column`},
		{"line,text,sections\n2,\"when do you open,hours\n", "sections.csv"},
	} {
		err := readPassageLabels(write(bad.body), msgs())
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err %v, want one containing %q", bad.body, err, bad.want)
		}
	}
}

// TestSetPassagePages checks the labels against the content: a passage the
// content does not have, or one of a page the message does not accept, is
// an error; otherwise the message's pages are its acceptable page ids.
func TestSetPassagePages(t *testing.T) {
	passages := map[string]bool{"hours": true, "hours#opening-times": true, "prices": true, "prices#cakes": true}
	m := []labelled{{Line: 2, Expected: []string{"faq-a", "hours"}, PassagesLabelled: true, Passages: []string{"hours#opening-times"}},
		{Line: 3, Expected: []string{"prices"}}}
	if err := setPassagePages(m, passages, pageIDs(passages)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m[0].Pages, []string{"hours"}) || m[1].Pages != nil {
		t.Errorf("pages %q and %q, want [hours] and none (not labelled)", m[0].Pages, m[1].Pages)
	}
	for _, p := range []string{"hours#gone", "prices#cakes"} {
		bad := []labelled{{Line: 2, Expected: []string{"hours"}, PassagesLabelled: true, Passages: []string{p}}}
		if err := setPassagePages(bad, passages, pageIDs(passages)); err == nil || !strings.Contains(err.Error(), "messages.csv line 2") {
			t.Errorf("label %q: err %v, want one naming messages.csv line 2", p, err)
		}
	}
}

// TestCompanyPassageLabels checks every labelled company's sections.csv
// against its messages.csv and content, as answers eval does before it
// sends anything: a renamed heading or an edited message breaks this test,
// not a scored run months later.
func TestCompanyPassageLabels(t *testing.T) {
	files, err := filepath.Glob("../../testdata/companies/*/sections.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/companies/*/sections.csv")
	}
	for _, f := range files {
		dir := filepath.Dir(f)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			msgs, err := readLabelled(filepath.Join(dir, "messages.csv"), true)
			if err != nil {
				t.Fatal(err)
			}
			if err := readPassageLabels(f, msgs); err != nil {
				t.Fatal(err)
			}
			docs, _, err := knowledge.Load(os.DirFS(filepath.Join(dir, "content")))
			if err != nil {
				t.Fatal(err)
			}
			passages := map[string]bool{}
			for _, d := range docs {
				if d.Audience != bot.AudienceInternal && d.Kind == bot.KindPage {
					passages[d.ID] = true
				}
			}
			if err := setPassagePages(msgs, passages, pageIDs(passages)); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range msgs {
				if m.PassagesLabelled {
					n++
					if len(m.Pages) == 0 {
						t.Errorf("messages.csv line %d is labelled by passage but accepts no page", m.Line)
					}
				}
			}
			if n == 0 {
				t.Error("sections.csv labels no message")
			}
		})
	}
}
