package intents

import (
	"fmt"
	"testing"
)

// TestLeftBehindIsNoComplaint checks that a report of something the
// sender left at the business, asked or not, is neither a complaint nor a
// safety incident, while a person or an animal left somewhere, or a thing
// the business's people left, is not read as lost property.
func TestLeftBehindIsNoComplaint(t *testing.T) {
	checkComplaints(t, map[string]bool{
		"left my jacket at the wanda branch on sunday :(":       false,
		"i think i left my umbrella at siming yesterday":        false,
		"手机落在宽窄巷子店了 昨天晚上":                                       false,
		"昨天充电宝落在你们车上了":                                          false,
		"昨天把伞落店里了":                                              false,
		"your driver left my parcel in the rain and its ruined": true,
		"导游把我们丢在服务区就走了":                                         true,
	})
	d := mustDetector(t)
	for _, c := range []struct {
		text   string
		danger bool
	}{
		{"老外朋友护照落在桂林酒店了 我们已经到码头了", false},
		{"昨天充电宝落在你们车上了", false},
		{"孩子落在车上了 车锁了", true},
	} {
		if s := d.Score(c.text); s.Danger != c.danger {
			t.Errorf("%q: danger %v (escalation words %v), want %v", c.text, s.Danger, s.EscalationWords, c.danger)
		}
	}
	for text, want := range map[string]bool{
		"i left my dog in the car":        false,
		"孩子落在车上了":                         false,
		"快递员把包裹丢在门口就走了":                   false,
		"left my bag on the bus":          true,
		"手机忘在出租车上了":                       true,
		"上次落了个航空箱在武昌店 还在不":                true,
		"i forgot my scarf in the studio": true,
	} {
		if got := leftBehind(newLexText(text).norm); got != want {
			t.Errorf("leftBehind(%q) = %v, want %v", text, got, want)
		}
	}
}

// TestHowToComplainIsBarelyAComplaint checks that asking how, where or to
// whom to complain scores procedureComplaint (just over the threshold, so
// that the Engine answers it from a confident passage and offers a
// person), while a complaint that asks the same stays a strong one.
func TestHowToComplainIsBarelyAComplaint(t *testing.T) {
	checkScores(t, map[string]bool{
		"how do i file a complaint about a repair":                  true,
		"whats the process to make a complaint, do i email someone": true,
		"投诉找谁":                                                     true,
		"对维修不满意要去哪投诉":                                              true,
		"投诉电话是多少":                                                  true,
		"who do i complain to, your staff were so rude":            false,
		"i want to make a complaint, your technician broke my tap": false,
		"我要投诉 你们师傅态度太差 去哪投诉":                                       false,
	}, "procedure", func(s ComplaintScore) (bool, string) {
		return s.Complaint <= procedureComplaint, fmt.Sprintf("%.2f", s.Complaint)
	})
}
