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
	shop := bot.Hit{Title: "Where are your shops?", Answer: "Our shop is at 12 Zhongshan Road, open 10:00-21:00."}
	cases := []coverCase{
		{"is the zhongshan road shop wheelchair accessible", shop, bot.CoverMissing},
		{"are you hiring part time staff for weekends", shop, bot.CoverMissing},
		{"店里有无障碍通道吗 我坐轮椅", bot.Hit{Title: "门店地址", Answer: "中山路12号，10:00-21:00营业。"}, bot.CoverMissing},
		{"is there a toilet I can use", bot.Hit{Title: "Facilities", Answer: "Restrooms are on the second floor."}, bot.CoverNone},
		{"有厕所吗", bot.Hit{Title: "设施", Answer: "二楼有洗手间和厕所。"}, bot.CoverNone},
		{"where is the zhongshan road shop", shop, bot.CoverNone},
		{"is the ramp on the left", bot.Hit{Title: "Access", Answer: "Step-free access by the ramp on the left."}, bot.CoverNone},
		{"台风天开门吗", bot.Hit{Title: "营业时间", Answer: "每天 10:00–22:00。"}, bot.CoverMissing},
		{"will you be open if theres a typhoon tomorrow", bot.Hit{Title: "Holidays and typhoons", Answer: "When a red typhoon signal is up we close."}, bot.CoverNone},
	}
	checkCover(t, cases)
}

// TestCoverAskedTopics checks that a question asking for a group's
// discount (students, seniors, …) or whether a dog may come is not covered
// by a passage that names nobody of that group, nor any animal, in English
// and Chinese; that a passage saying the group gets nothing extra, or that
// dogs are welcome, covers it; and that naming the group without asking
// for a lower price, or a dog without asking to bring one, or a discount
// without a group, gets no verdict from the rule; and that a toilet is
// asked about as an amenity, not when a phone fell into one.
func TestCoverAskedTopics(t *testing.T) {
	bulk := bot.Hit{Title: "Do you give discounts on bulk orders?", Answer: "Yes. Orders of 60 bottles or more get 10% off."}
	recharge := bot.Hit{Title: "会员卡 — 充值", Answer: "充值1000元送80元，充值2000元送200元。"}
	none := bot.Hit{Title: "Do you have a student discount?", Answer: "We don't have a student discount, but members get 5% off."}
	seniors := bot.Hit{Title: "优惠", Answer: "65岁以上的顾客凭身份证打九折。"}
	cases := []coverCase{
		{"do you have a student discount", bulk, bot.CoverMissing},
		{"any discounts? im a student at xjtu", bulk, bot.CoverMissing},
		{"学生有优惠不", recharge, bot.CoverMissing},
		{"我爸68了 老人有折扣没", recharge, bot.CoverMissing},
		{"is there a military discount", bulk, bot.CoverMissing},
		{"do you have a student discount", none, bot.CoverNone},
		{"我爸68了 老人有折扣没", seniors, bot.CoverNone},
		{"any discount if I buy 60 bottles", bulk, bot.CoverNone},
		{"I'm a student, where is your shop", bot.Hit{Title: "Our shop", Answer: "12 Zhongshan Road."}, bot.CoverNone},
		{"can i bring my dog into the wulin shop", bot.Hit{Title: "Our shops — Wulin", Answer: "88 Wulin Road, open 9:00-21:00."}, bot.CoverMissing},
		{"能带狗进店吗", bot.Hit{Title: "门店", Answer: "武林路88号，9:00-21:00营业。"}, bot.CoverMissing},
		{"can i bring my dog into the wulin shop", bot.Hit{Title: "Visiting", Answer: "Our shops are pet-friendly: dogs on a lead are welcome."}, bot.CoverNone},
		{"can you print my dog's face on a cake", bot.Hit{Title: "Photo cakes", Answer: "Send us any photo; we print it on a sugar sheet."}, bot.CoverNone},
		{"is there a toilet i can use at the wulin shop", bot.Hit{Title: "Our shops — Wulin", Answer: "88 Wulin Road, open 9:00-21:00."}, bot.CoverMissing},
		{"锦江店能借个厕所不", bot.Hit{Title: "门店", Answer: "莲花巷17号，9:00-21:00营业。"}, bot.CoverMissing},
		// A toilet that is no amenity: a phone dropped in one, a cistern.
		{"dropped my phone in the toilet its still on what do i do", bot.Hit{Title: "My phone fell in water", Answer: "Switch it off and bring it in."}, bot.CoverNone},
		{"马桶水箱一直响 卫生间地上都是水", bot.Hit{Title: "马桶维修", Answer: "水箱进水阀坏了，换一个120元。"}, bot.CoverNone},
	}
	checkCover(t, cases)
}

// coverCase is a question, a passage and the verdict Cover must give.
type coverCase struct {
	q    string
	h    bot.Hit
	want bot.CoverVerdict
}

// checkCover checks each case's verdict, and that a missing verdict is
// the topic kind.
func checkCover(t *testing.T, cases []coverCase) {
	t.Helper()
	ix := &Index{}
	for _, c := range cases {
		got := ix.Cover(c.q, c.h, "en")
		if got.Verdict != c.want || (c.want == bot.CoverMissing && got.Kind != bot.CoverKindTopic) {
			t.Errorf("Cover(%q, %q) = %v %q, want %v", c.q, c.h.Title, got.Verdict, got.Kind, c.want)
		}
	}
}

// TestCoverPlacesElsewhere checks the two rules for a passage that cannot
// say an asked place is not served: a place abroad asked of a passage that
// lists the parts of one country (Thailand of China's remote regions), and
// a part of a country asked of a passage that lists only other countries
// (Beijing of the Asian list). Both report the place missing but offer no
// options, so the Engine never says "we don't deliver there, only to …"
// from them. A country asked of a list of countries still gets the list.
func TestCoverPlacesElsewhere(t *testing.T) {
	ix := &Index{}
	remote := bot.Hit{Title: "Do you deliver to Xinjiang, Tibet and other remote regions?",
		Answer: "Yes. Xinjiang, Tibet, Qinghai, Gansu, Ningxia and Inner Mongolia take 5-8 days."}
	asia := bot.Hit{Title: "How long does delivery to Asia take?",
		Answer: "DHL delivers to Singapore, Malaysia, Japan and South Korea in 3-6 business days."}
	cases := []struct {
		q       string
		h       bot.Hit
		options bool
	}{
		{"how long does delivery to thailand take", remote, false},
		{"寄到泰国要多久", remote, false},
		{"how long to beijing", asia, false},
		{"how long does delivery to thailand take", asia, true},
		{"how long to shanghai", remote, true},
	}
	for _, c := range cases {
		got := ix.Cover(c.q, c.h, "en")
		if got.Verdict != bot.CoverMissing || got.Kind != "place" {
			t.Errorf("Cover(%q, %q) = %v %q, want missing place", c.q, c.h.Title, got.Verdict, got.Kind)
			continue
		}
		if (got.Count > 0) != c.options {
			t.Errorf("Cover(%q, %q): options %q (%d), want options: %v", c.q, c.h.Title, got.Options, got.Count, c.options)
		}
	}
}

// TestCoverPlaceInPassing checks that a place the question names is held
// against a passage only when the passage is about places: it lists two or
// more, or its title names one. A refund policy that names the shop's own
// city once does not make "we're moving to Shanghai, can we get a refund"
// a question about Shanghai. A payment method is held against any the
// passage names.
func TestCoverPlaceInPassing(t *testing.T) {
	ix := &Index{}
	refund := bot.Hit{Title: "学期中途可以退费吗？",
		Answer: "12 周的学期在第 8 周结束前可以退，扣 5% 手续费。因病或离开西安能提供证明的，任何时候都可以按剩余课时退。"}
	summer := bot.Hit{Title: "夏天寄酒会不会热坏？",
		Answer: "每年6月到9月，寄往福建省外的葡萄酒走顺丰冷运，每件加¥30。"}
	hk := bot.Hit{Title: "寄到香港要多久？", Answer: "顺丰寄香港，3 个工作日送达，运费 60 元。"}
	remote := bot.Hit{Title: "偏远地区能寄吗？", Answer: "新疆、西藏、青海可以寄，运费另加 15 元，5-8 天到。"}
	chengdu := bot.Hit{Title: "Do you deliver in the city?", Answer: "Yes: anywhere in Chengdu inside the Third Ring Road, ¥20, within 3 hours."}
	alipay := bot.Hit{Title: "Can I pay with Alipay?", Answer: "Yes. Choose Alipay at checkout and scan the code."}
	closing := bot.Hit{Title: "闭店检查", Answer: "关灯、锁门，把微信收款码收好。"}
	for _, c := range []struct {
		q    string
		h    bot.Hit
		want bot.CoverVerdict
	}{
		{"孩子上到第十周了 我们要搬去上海 还能退费吗", refund, bot.CoverNone},
		{"现在八月 寄到武汉 酒会不会热坏啊", summer, bot.CoverNone},
		{"寄到澳门要多久", hk, bot.CoverMissing},      // the title names a place: a passage about it
		{"寄到内蒙古能寄吗", remote, bot.CoverMissing}, // a list of places
		{"im in london, can i send flowers to my girlfriend in chengdu", chengdu, bot.CoverPartial},
		{"Can I pay with PayPal?", alipay, bot.CoverMissing},
		{"闭店的时候现金怎么处理", closing, bot.CoverMissing},
	} {
		if got := ix.Cover(c.q, c.h, "zh"); got.Verdict != c.want {
			t.Errorf("Cover(%q, %q) = %v %q (asked %q, options %q), want %v", c.q, c.h.Title, got.Verdict, got.Kind, got.Asked, got.Options, c.want)
		}
	}
}
