package contact

import "testing"

func TestAsked(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Kind
	}{
		{"what's your phone number", Phone},
		{"whats ur number", Phone},
		{"phone number?", Phone},
		{"how can i call you", Phone},
		{"is there a number i can call instead of the mini program", Phone},
		{"how do I get in touch with you", Phone},
		{"do you have an email", Email},
		{"email?", Email},
		{"where are you", Address},
		{"where r u guys located", Address},
		{"where's your shop", Address},
		{"whats ur address", Address},
		{"how many locations do you have in sz", Address},
		{"how many shops do you have", Address},
		{"你们电话多少", Phone},
		{"客服电话", Phone},
		{"联系方式发一下", Phone},
		{"你们手机号多少", Phone},
		{"你们邮箱是什么", Email},
		{"店在哪", Address},
		{"你们地址是啥", Address},
		{"你们在哪里", Address},
		{"what time do you open", Hours},
		{"are u open on sunday", Hours},
		{"what time do u close tonight", Hours},
		{"opening hours?", Hours},
		{"how late is the shop open", Hours},
		{"几点关门", Hours},
		{"周末营业吗", Hours},
		{"你们几点开门", Hours},
		{"国庆节你们开不开门", Hours},
		{"we want to buy 50 tins of tea for our company, any discount?", Business},
		{"i want to buy 10 boxes for my office", Business},
		{"HR here - we're looking at weekly yoga sessions at our office for around 20 staff. How does it work and what would it cost?", Business},
		{"公司想买50个充电宝 有优惠吗", Business},
		{"我们公司想请老师来公司给员工上英语课 怎么收费", Business},
		{"need a fapiao with my company name on it", None},
		{"公司抬头的发票怎么开", None},
		{"can my kid do classes at the gaoxin campus? its closer to my office", None},
		{"what time do classes start", None},
		{"when does the delivery come", None},
		{"can I open the box before paying", None},
		{"客服几点上班", None},
		{"周六的课几点开始", None},
		{"能开发票吗", None},
		{"到了收花人不接电话 我该咋办", None},
		{"验光师验光的时候一直在打电话 一点都不专业", None},
		{"有没有电话能直接打的 我不太会用小程序", Phone},
		{"听说晚上面包打折 几点开始啊", None},

		// The sender's own details, another address, something else.
		{"I changed my phone number and now I can't get the login code", None},
		{"i got a new phone, how do i log in", None},
		{"can you call me back", None},
		{"can I change the delivery address", None},
		{"what's the tracking number", None},
		{"do you sell phone cases", None},
		{"where do you deliver", None},
		{"where can I buy your tea", None},
		{"where is my order", None},
		{"how many people can the cake serve", None},
		{"whats the minimum number", None},
		{"what's the wifi password at the shop", None},
		{"is there parking near your shop", None},
		{"我的手机号换了 收不到验证码", None},
		{"改一下收货地址", None},
		{"能寄到上海吗", None},
		{"退货地址是哪里", None},
		{"你们的酒在哪能买到", None},
		{"去机场怎么走", None},
		{"附近有停车场吗", None},
		{"", None},
		{"这个蛋糕多少钱，能不能写字，周六要，还有你们电话多少，我想问问能不能加急做，谢谢", None},
	} {
		if got := Asked(tc.text); got != tc.want {
			t.Errorf("Asked(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestHolds(t *testing.T) {
	for _, tc := range []struct {
		text string
		kind Kind
		want bool
	}{
		{"Call us on 0571-8690-2626 (9:00-21:00).", Phone, true},
		{"打电话 0755-8632-5108（每天 9:00–21:00）", Phone, true},
		{"Hotline 400-029-6688", Phone, true},
		{"WeChat or mobile 138-0571-6620", Phone, true},
		{"+86 21 6288 7316", Phone, true},
		{"Phone: 13905713388", Phone, true},
		{"All our e-bikes meet GB 17761-2018.", Phone, false},
		{"Orders placed on 2026-12-05 ship the next day.", Phone, false},
		{"A 10-class pack costs ¥1,280 and lasts 180 days.", Phone, false},
		{"Write to hello@lotusline.cn.", Email, true},
		{"Reply @ us on Weibo", Email, false},
		{"1F, No. 186 Tiyuchang Road, Gongshu District", Address, true},
		{"17 Lianhua Lane, Jinjiang District", Address, true},
		{"上海市静安区愚园路218号", Address, true},
		{"拱墅区体育场路 186 号 1 楼", Address, true},
		{"We deliver across Hangzhou within 3 hours.", Address, false},
		{"6 roses in a box", Address, false},
		{"Wulin flagship: open 7:30–21:30 every day.", Hours, true},
		{"Customer hotline 027-8488-6620 (every day 8:00-21:00)", Hours, false},
		{"营业时间：周一至周五 7:00–22:00", Hours, true},
		{"Open 10am - 8pm daily", Hours, true},
		{"every day 11:00-22:30; closed on Tuesdays", Hours, true},
		{"A 10-class pack costs ¥1,280.", Hours, false},
		{"Orders before 14:00 ship the same day.", Hours, false},
		{"For 10 or more of the same item, business customers get volume discounts.", Business, true},
		{"企业团购请联系我们", Business, true},
		{"Our company was founded in 2016.", Business, false},
	} {
		if got := Holds(tc.text, tc.kind); got != tc.want {
			t.Errorf("Holds(%q, %v) = %v, want %v", tc.text, tc.kind, got, tc.want)
		}
	}
}

func FuzzContact(f *testing.F) {
	for _, s := range []string{"what's your phone number", "你们电话多少", "No. 186 Tiyuchang Road", "0571-8690-2626", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Asked(s)
		if k < None || k > Business {
			t.Fatalf("Asked(%q) = %d", s, k)
		}
		for _, k := range []Kind{None, Phone, Email, Address, Hours, Business} {
			_ = Holds(s, k)
		}
	})
}

func TestAskedElse(t *testing.T) {
	// Questions about ordering, paying or booking by phone, about a call the
	// sender missed, a SIM card or which branch holds a class are answered
	// by what they ask, not by the contact page.
	for _, text := range []string{"can I order over the phone", "可以打电话下单吗", "能办电话卡吗", "司机打电话我没接到 酒现在在哪",
		"少儿瑜伽在哪个店上 周几", "你们家在哪下单啊 小程序叫啥", "the driver called but i missed it"} {
		if got := Asked(text); got != None {
			t.Errorf("Asked(%q) = %v, want none", text, got)
		}
	}
}
