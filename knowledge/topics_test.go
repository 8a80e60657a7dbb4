package knowledge

import (
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// TestCoverServiceTopics checks that a passage naming none of the words of
// a service topic the question names (a wheelchair, jobs, the wifi) does
// not cover the question, that a word of the same topic does ("toilet" and
// "restrooms"), in English and Chinese, and that a question naming no topic
// gets no verdict from them.
func TestCoverServiceTopics(t *testing.T) {
	ix := &Index{}
	shop := bot.Hit{Title: "Where are your shops?", Answer: "Our shop is at 12 Zhongshan Road, open 10:00-21:00."}
	cases := []struct {
		q    string
		h    bot.Hit
		want bot.CoverVerdict
	}{
		{"is the zhongshan road shop wheelchair accessible", shop, bot.CoverMissing},
		{"are you hiring part time staff for weekends", shop, bot.CoverMissing},
		{"店里有无障碍通道吗 我坐轮椅", bot.Hit{Title: "门店地址", Answer: "中山路12号，10:00-21:00营业。"}, bot.CoverMissing},
		{"is there a toilet I can use", bot.Hit{Title: "Facilities", Answer: "Restrooms are on the second floor."}, bot.CoverNone},
		{"有厕所吗", bot.Hit{Title: "设施", Answer: "二楼有洗手间和厕所。"}, bot.CoverNone},
		{"where is the zhongshan road shop", shop, bot.CoverNone},
		{"is the ramp on the left", bot.Hit{Title: "Access", Answer: "Step-free access by the ramp on the left."}, bot.CoverNone},
	}
	for _, c := range cases {
		got := ix.Cover(c.q, c.h, "en")
		if got.Verdict != c.want || (c.want == bot.CoverMissing && got.Kind != bot.CoverKindTopic) {
			t.Errorf("Cover(%q, %q) = %v %q, want %v", c.q, c.h.Title, got.Verdict, got.Kind, c.want)
		}
	}
}
