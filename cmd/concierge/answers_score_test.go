package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// TestScoreCountsWhatChoicesCost checks the scoring of offered choices: a
// wrong answer whose alternative is acceptable is right or offered, not
// right, and the answers that carry choices are counted (a clarification
// or a hand-off is not an answer).
func TestScoreCountsWhatChoicesCost(t *testing.T) {
	src := func(ids ...string) []bot.Source {
		var out []bot.Source
		for _, id := range ids {
			out = append(out, bot.Source{ID: id})
		}
		return out
	}
	q := func(reply web.MessageResponse) outcome {
		return outcome{labelled: labelled{Kind: kindAnswerable, Expected: []string{"faq-a"}, Lang: "en"}, Reply: reply}
	}
	r := score([]outcome{
		q(web.MessageResponse{Sources: src("faq-a")}),
		q(web.MessageResponse{Sources: src("faq-b"), Choices: src("faq-a#s")}),
		q(web.MessageResponse{Choices: src("faq-a", "faq-c")}),
		q(web.MessageResponse{Sources: src("faq-a"), Handoff: true}),
	}, nil, nil)
	if r.Answerable.All.Right != 1 || r.AnswerableOffered.All.Right != 3 || r.AnswerableHanded.Right != 1 {
		t.Errorf("right %d, right or offered %d, handed %d; want 1, 3, 1", r.Answerable.All.Right, r.AnswerableOffered.All.Right, r.AnswerableHanded.Right)
	}
	if got := r.AnswersWithChoices; got.Right != 1 || got.N != 2 {
		t.Errorf("answers offering choices %d of %d, want 1 of 2", got.Right, got.N)
	}
}

// TestScoreServiceQuestions checks that an ordinary service question is
// right when it is kept and wrong when it is handed to a person, and that
// it counts in no other measure.
func TestScoreServiceQuestions(t *testing.T) {
	q := func(handoff bool) outcome {
		return outcome{labelled: labelled{Kind: kindService, Lang: "en"}, Reply: web.MessageResponse{Handoff: handoff}}
	}
	r := score([]outcome{q(false), q(true), q(false)}, nil, nil)
	if r.Service.Right != 2 || r.Service.N != 3 {
		t.Errorf("service kept %d of %d, want 2 of 3", r.Service.Right, r.Service.N)
	}
	if r.HandOff.N != 0 || r.Unanswerable.N != 0 || r.AnswerableHanded.N != 0 {
		t.Errorf("service questions counted elsewhere: %+v", r)
	}
}

// TestSumAnswersReports checks that the total of several companies counts
// every message alike: the sum of the companies' scores is the score of all
// their messages together, language by language, latencies included.
func TestSumAnswersReports(t *testing.T) {
	o := func(kind, lang, first string, handoff bool, ms int) outcome {
		rep := web.MessageResponse{Handoff: handoff}
		if first != "" {
			rep.Sources = []bot.Source{{ID: first}}
		}
		return outcome{labelled: labelled{Kind: kind, Lang: lang, Expected: []string{"faq-a"}}, Reply: rep,
			Latency: time.Duration(ms) * time.Millisecond}
	}
	emp := func(first string) outcome {
		return outcome{labelled: labelled{Lang: "zh", Expected: []string{"wiki"}},
			Reply: web.MessageResponse{Sources: []bot.Source{{ID: first}}}, Latency: time.Hour}
	}
	a := []outcome{o(kindAnswerable, "en", "faq-a", false, 1), o(kindAnswerable, "zh", "faq-b", false, 2),
		o(kindUnanswerable, "en", "", false, 3), o(kindComplaint, "zh", "", true, 4)}
	b := []outcome{o(kindProduct, "zh", "faq-a", false, 5), o(kindAnswerable, "zh", "faq-a", true, 6),
		o(kindUnanswerable, "zh", "faq-c", false, 7), o(kindService, "en", "", false, 8)}
	ea, eb := []outcome{emp("wiki")}, []outcome{emp("faq-a"), emp("wiki#s")}
	ra, rb := score(a, ea, nil), score(b, eb, nil)
	all := append(append(append(append([]outcome{}, a...), ea...), b...), eb...)
	got := sumAnswersReports([]answersReport{ra, rb}, all)
	want := score(append(append([]outcome{}, a...), b...), append(append([]outcome{}, ea...), eb...), nil)
	want.Company = "total of 2"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("total\n%+v\nwant the score of every message together\n%+v", got, want)
	}
	if got.Answerable.All.Right != 1 || got.Answerable.ZH.N != 2 || got.Employees.All.Right != 2 || got.P99Millis != 8 {
		t.Errorf("answerable %d right, %d in Chinese, employees %d, p99 %.0f ms; want 1, 2, 2, 8 ms (employees have no latency)",
			got.Answerable.All.Right, got.Answerable.ZH.N, got.Employees.All.Right, got.P99Millis)
	}
	if w := got.EmployeesWrong.All; w.Right != 1 || w.N != 3 {
		t.Errorf("employees answered from another page: %d of %d, want 1 of 3 (faq-a)", w.Right, w.N)
	}
	none := score(nil, []outcome{{labelled: labelled{Lang: "en", Expected: []string{"wiki"}}}}, nil)
	if none.EmployeesWrong.All.Right != 0 || none.Employees.All.Right != 0 {
		t.Errorf("a staff question answered with no page: wrong %d, right %d; want neither", none.EmployeesWrong.All.Right, none.Employees.All.Right)
	}
}

// TestKeptSplit checks where a right first retrieval hit is counted: each
// thing the bot can do with it lands in one bucket, a hand-off by its
// reason, and a wrong first hit the bot answered right counts as rescued.
func TestKeptSplit(t *testing.T) {
	want := []string{"faq-a"}
	src := func(ids ...string) []bot.Source {
		var out []bot.Source
		for _, id := range ids {
			out = append(out, bot.Source{ID: id})
		}
		return out
	}
	first, second, none := src("faq-a", "faq-b"), src("faq-b", "faq-a"), src("faq-b", "faq-c")
	var k keptSplit
	k.add(first, web.MessageResponse{Sources: src("faq-a#s")}, want, "")
	k.add(first, web.MessageResponse{Sources: src("faq-b")}, want, "")
	k.add(first, web.MessageResponse{Choices: src("faq-a")}, want, "")
	k.add(first, web.MessageResponse{Choices: src("faq-c")}, want, "")
	k.add(first, web.MessageResponse{Sources: src("faq-a"), Handoff: true}, want, bot.ReasonComplaint)
	k.add(second, web.MessageResponse{Sources: src("faq-a")}, want, "")
	k.add(second, web.MessageResponse{Choices: src("faq-b", "faq-a")}, want, "")
	k.add(second, web.MessageResponse{Sources: src("faq-b")}, want, "")
	k.add(none, web.MessageResponse{}, want, "")
	got := k.plus(keptSplit{N: 1, Handed: 1, HandedBy: map[string]int{bot.ReasonComplaint: 1}})
	wantSplit := keptSplit{N: 6, Answered: 1, Other: 1, Offered: 1, NotSure: 1, Handed: 2,
		HandedBy: map[string]int{bot.ReasonComplaint: 2}, Missed: 4, Rescued: 1, Second: 3, SecondOffered: 2}
	if !reflect.DeepEqual(got, wantSplit) {
		t.Errorf("split %+v, want %+v", got, wantSplit)
	}
}
