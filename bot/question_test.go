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
		"买完三天就降价了 能退差价不":                                                        true,
		"深色的会不会掉色 上次别家洗坏了":                                                      true,
		"我的订单呢":      true,
		"周六发货了没":     true,
		"爱要不要 我不买了":  false,
		"衣服洗坏了 我很不满": false,
		"waited 40 min for my slot and nobody came. why do i even bother booking": false,
		"she laughed at my accent. is that the service you're proud of?":          false,
		"is that the kind of bag that fits a laptop?":                             true,
		"the frame arrived with the glass cracked, box was crushed. what now":     true,
		"在你们那修的车 开回老家路上又坏了 咋弄":                                                    true,
		"违章我自己在12123处理了，你们还从押金里扣了我250，什么意思":                                       false,
		"出血是啥意思 要留几毫米":                                                            true,
		"搬完发现衣柜门装歪了 关都关不上 你们怎么干活的":                                                false,
	} {
		if got := isQuestion(text); got != want {
			t.Errorf("isQuestion(%q) = %v, want %v", text, got, want)
		}
	}
}
