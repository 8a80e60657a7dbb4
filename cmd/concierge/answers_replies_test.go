package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

// TestPrintReplies checks that --failures lists only what the bot got
// wrong and --replies every message, the right ones marked ok.
func TestPrintReplies(t *testing.T) {
	outs := []outcome{
		{labelled: labelled{Kind: kindAnswerable, Lang: "en", Line: 2, Text: "when do you open", Expected: []string{"faq-hours"}},
			Reply: web.MessageResponse{Reply: "9 to 5.", Sources: []bot.Source{{ID: "faq-hours"}}}},
		{labelled: labelled{Kind: kindAnswerable, Lang: "zh", Line: 3, Text: "搬去上海了 能退吗", Expected: []string{"faq-refund"}},
			Reply: web.MessageResponse{Reply: "我们的说明里没有提到上海。", Sources: []bot.Source{{ID: "faq-delivery"}}}},
	}
	var failures, replies bytes.Buffer
	printAnswerFailures(&failures, outs, false)
	printAnswerFailures(&replies, outs, true)
	if f := failures.String(); strings.Contains(f, "when do you open") || !strings.Contains(f, "搬去上海了 能退吗") {
		t.Errorf("failures:\n%s\nwant the wrong reply only", f)
	}
	r := replies.String()
	if !strings.Contains(r, "\nok answerable") || !strings.Contains(r, `"when do you open"`) || !strings.Contains(r, "9 to 5.") {
		t.Errorf("replies:\n%s\nwant the right reply marked ok", r)
	}
	if !strings.Contains(r, "\nanswerable   zh line 3") {
		t.Errorf("replies:\n%s\nwant the wrong reply unmarked", r)
	}
}
