package bot

import "testing"

func TestIsQuestion(t *testing.T) {
	for text, want := range map[string]bool{
		"my refund still isn't on my card after 5 days, how long does it take?": true,
		"送超时了运费退不退吗":                                                            true,
		"changed my phone number and now i cant get the code to log in":         false,
		"刚买的电动车骑了三天就不走了，什么质量啊，我要退货":                                             false,
		"什么质量啊？？能退吗":                                                            true,
		"what kind of service is this? i waited 2 hours":                        false,
		"are you kidding me? the box was empty":                                 false,
		"买的罐头好几罐都是胀的，你们怎么卖这种东西":                                                 false,
		"is that normal, it was fine before":                                    true,
		"can you tell me what the fee is for a late pickup?":                    true,
	} {
		if got := isQuestion(text); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}
