package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestAngryChineseComplaintSummary runs angry Chinese complaints through the
// demo as `concierge chat` does (the real classifier, store and summary, no
// model) and checks that the summary an agent reads in the console says the
// customer is angry. It read "Sentiment: neutral" because the summary was
// written before the message that escalated was annotated, so its sentiment
// was still 0; and a friendly "你好" before the complaint pulled the mean to
// neutral.
func TestAngryChineseComplaintSummary(t *testing.T) {
	data := t.TempDir()
	complaints := []struct{ user, input string }{
		{"zh-1", "你们的快递太慢了，我要投诉，太气人了\n"},
		{"zh-2", "等了两个星期还没收到货，客服也不回，太过分了！\n"},
		{"zh-3", "茶叶发霉了，这是什么垃圾质量，我要退款，我要投诉\n"},
		{"zh-4", "你好\n你们怎么回事？订单被取消了也不通知，气死我了，我要投诉\n"},
	}
	for _, c := range complaints {
		if code, out, errOut := runCLI(t, c.input, "chat", "--json", "--data", data, "--user", c.user); code != 0 {
			t.Fatalf("chat %s: exit %d\n%s\n%s", c.user, code, out, errOut)
		}
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "concierge.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	esc, err := db.Escalations(t.Context(), bot.EscalationFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(esc) != len(complaints) {
		t.Fatalf("%d escalations, want one per complaint (%d): %+v", len(esc), len(complaints), esc)
	}
	for _, e := range esc {
		line := ""
		for _, l := range strings.Split(e.Summary, "\n") {
			if strings.HasPrefix(l, "Sentiment:") {
				line = l
			}
		}
		if !strings.HasPrefix(line, "Sentiment: angry") && !strings.HasPrefix(line, "Sentiment: negative") {
			t.Errorf("escalation %d (%s): sentiment line %q, want angry or negative; summary:\n%s", e.ID, e.Reason, line, e.Summary)
		}
		if strings.Contains(line, "latest message neutral") {
			t.Errorf("escalation %d: the complaint itself reads as neutral: %q", e.ID, line)
		}
	}
}
