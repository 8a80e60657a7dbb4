package entity

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gaz is built once for all tests: New is pure and the result immutable.
var gaz = sync.OnceValue(New)

// brief renders mentions as "id:span", with "!" for Negated and "~" for
// Outside, so that tables stay readable.
func brief(text string, ms []Mention) []string {
	var out []string
	for _, m := range ms {
		s := m.ID + ":" + text[m.Start:m.End]
		if m.Negated {
			s = "!" + s
		}
		if m.Outside {
			s = "~" + s
		}
		out = append(out, s)
	}
	return out
}

func TestFind(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// Payment methods: names, variants, typos, abbreviations.
		{"Can I pay with Apple Pay?", []string{"apple_pay:Apple Pay"}},
		{"can i pay with applepay", []string{"apple_pay:applepay"}},
		{"apple-pay ok?", []string{"apple_pay:apple-pay"}},
		{"Apple  Pay", []string{"apple_pay:Apple  Pay"}},
		{"Do you take AMEX or amex?", []string{"amex:AMEX", "amex:amex"}},
		{"wechatpay / weixin / zfb", []string{"wechat_pay:wechatpay", "wechat_pay:weixin", "alipay:zfb"}},
		{"WeChat Pay or just WeChat", []string{"wechat_pay:WeChat Pay", "wechat_pay:WeChat"}},
		{"paypall pls", []string{"paypal:paypall"}},
		{"ＰａｙＰａｌ？", []string{"paypal:ＰａｙＰａｌ"}},
		{"Master Card and Mastercard", []string{"mastercard:Master Card", "mastercard:Mastercard"}},
		{"Is cash on delivery possible?", []string{"cod:cash on delivery"}},
		{"COD?", []string{"cod:COD"}},
		{"cod and chips", nil},
		{"We accept all major credit cards", []string{"credit_card:major credit cards"}},
		{"Visa and Mastercard", []string{"visa:Visa", "mastercard:Mastercard"}},
		{"Do I need a travel visa?", nil},
		{"I'll get cash back", nil},
		{"Alipay+ partner wallets", []string{"alipay:Alipay+"}},
		{"可以用花呗吗", []string{"huabei:花呗"}},
		{"支持微信支付吗", []string{"wechat_pay:微信支付"}},
		{"微信 支付可以吗", []string{"wechat_pay:微信 支付"}},
		{"加微信聊", nil},
		{"美国运通卡可以用吗", []string{"amex:美国运通卡"}},
		{"中国银联和京东白条", []string{"unionpay:中国银联", "jd_baitiao:京东白条"}},
		{"用Apple Pay付款", []string{"apple_pay:Apple Pay"}},
		{"运费到付吗", nil},
		{"数字人民币", []string{"e_cny:数字人民币"}},
		{"对公转账", []string{"corporate_transfer:对公转账"}},

		// Places: overlaps, aliases, case rules.
		{"Do you ship to Hong Kong?", []string{"HK:Hong Kong"}},
		{"King Kong", nil},
		{"hongkong or HK", []string{"HK:hongkong", "HK:HK"}},
		{"Do you ship to the EU?", []string{"region:eu:the EU"}},
		{"Germany, germany, GERMANY, Germnay", []string{"DE:Germany", "DE:germany", "DE:GERMANY", "DE:Germnay"}},
		{"Germany-based shops and Canada's", []string{"DE:Germany", "CA:Canada"}},
		{"ship to the US", []string{"US:the US"}},
		{"send it to us", nil},
		{"USA and U.S.", []string{"US:USA", "US:U.S."}},
		{"Britain, England, Scotland", []string{"GB:Britain", "GB-ENG:England", "GB-SCT:Scotland"}},
		{"Northern Ireland or Ireland", []string{"GB-NIR:Northern Ireland", "IE:Ireland"}},
		{"South Korea, Korea, North Korea", []string{"KR:South Korea", "KR:Korea", "KP:North Korea"}},
		{"Türkiye / Turkey", []string{"TR:Türkiye", "TR:Turkey"}},
		{"roast turkey with turkey gravy", nil},
		{"Roast Turkey", nil},
		{"Jordan", []string{"JO:Jordan"}},
		{"my Air Jordan sneakers", nil},
		{"Georgia", []string{"GE:Georgia"}},
		{"Georgia, USA", []string{"US-GA:Georgia, USA"}},
		{"Atlanta, Georgia", []string{"city:atlanta:Atlanta, Georgia"}},
		{"a bone china cup, fine china and China tea", nil},
		{"do u ship to china", []string{"CN:china"}},
		{"Made in China, from Bank of China", nil},
		{"Chinatown", nil},
		{"Guinea-Bissau, Papua New Guinea, Equatorial Guinea", []string{"GW:Guinea-Bissau", "PG:Papua New Guinea", "GQ:Equatorial Guinea"}},
		{"a guinea pig", nil},
		{"Côte d'Ivoire and Cote d’Ivoire", []string{"CI:Côte d'Ivoire", "CI:Cote d’Ivoire"}},
		{"Xi'an and Zürich", []string{"city:xian:Xi'an", "city:zurich:Zürich"}},
		{"Nanjing Road in Shanghai", []string{"CN-SH:Shanghai"}},
		{"Chengdu, Sichuan", []string{"city:chengdu:Chengdu", "CN-SC:Sichuan"}},
		{"Sichuan pepper", nil},
		{"outside mainland China", []string{"~region:cn_mainland:mainland China"}},
		{"Hong Kong, Macau and Taiwan go by SF Express", []string{"region:hmt:Hong Kong, Macau and Taiwan"}},
		{"Inner Mongolia and Mongolia", []string{"CN-NM:Inner Mongolia", "MN:Mongolia"}},
		{"Orders paid by 16:00 Beijing time", nil},
		{"New York City, New York, York", []string{"city:nyc:New York City", "US-NY:New York"}},
		{"寄到香港要多久", []string{"HK:香港"}},
		{"中国香港", []string{"HK:中国香港"}},
		{"能寄到港澳台吗", []string{"region:hmt:港澳台"}},
		{"四川省成都市", []string{"CN-SC:四川省", "city:chengdu:成都市"}},
		{"内蒙古和蒙古国", []string{"CN-NM:内蒙古", "MN:蒙古国"}},
		{"上海市南京路", []string{"CN-SH:上海市"}},
		{"罗马尼亚和罗马", []string{"RO:罗马尼亚", "city:rome:罗马"}},
		{"印度尼西亚和印度", []string{"ID:印度尼西亚", "IN:印度"}},
		{"北爱尔兰", []string{"GB-NIR:北爱尔兰"}},
		{"北海道", []string{"JP-01:北海道"}},
		{"把东西藏在哪里", nil},
		{"江浙沪包邮吗", []string{"region:jzh:江浙沪"}},
		{"江西安徽", []string{"CN-JX:江西", "CN-AH:安徽"}},
		{"中国大陆和国内", []string{"region:cn_mainland:中国大陆", "region:cn_mainland:国内"}},
		{"刚果（金）", []string{"CD:刚果（金）"}},
		{"大理石茶盘", nil},
		{"北京时间16:00前", nil},
		{"中国茶和中国", []string{"CN:中国"}},
		{"中 国 大 陆", []string{"region:cn_mainland:中 国 大 陆"}},
		{"寄往德国、法国", []string{"DE:德国", "FR:法国"}},
	}
	g := gaz()
	for _, tt := range tests {
		got := brief(tt.text, g.Find(tt.text))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestFindCues(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"We don't offer cash on delivery.", []string{"!cod:cash on delivery"}},
		{"We do not accept PayPal, Apple Pay or cheques.", []string{"!paypal:PayPal", "!apple_pay:Apple Pay", "!cheque:cheques"}},
		{"PayPal is not accepted.", []string{"!paypal:PayPal"}},
		{"Apple Pay is currently unavailable", []string{"!apple_pay:Apple Pay"}},
		{"We don't charge extra for Alipay.", []string{"alipay:Alipay"}},
		{"We no longer accept Amex", []string{"!amex:Amex"}},
		{"We accept Alipay, not PayPal", []string{"alipay:Alipay", "!paypal:PayPal"}},
		{"不支持货到付款，网上订单需在结账时付款。", []string{"!cod:货到付款"}},
		{"不支持货到付款、信用卡", []string{"!cod:货到付款", "!credit_card:信用卡"}},
		{"货到付款和信用卡暂不支持", []string{"!cod:货到付款", "!credit_card:信用卡"}},
		{"无法使用花呗", []string{"!huabei:花呗"}},
		{"除了支付宝，还支持微信支付", []string{"alipay:支付宝", "wechat_pay:微信支付"}},
		{"偏远地区及港澳台除外", []string{"!region:hmt:港澳台"}},
		{"除港澳台以外都包邮", []string{"!region:hmt:港澳台"}},
		{"新疆不发货", []string{"!CN-XJ:新疆"}},
		{"We ship everywhere except Russia", []string{"!RU:Russia"}},
		{"PayPal is available for orders delivered outside mainland China.", []string{"paypal:PayPal", "~region:cn_mainland:mainland China"}},
		{"outside of the EU", []string{"~region:eu:the EU"}},
		{"non-EU countries", []string{"~region:eu:EU"}},
		{"We don't ship outside the EU", []string{"region:eu:the EU"}},
		{"寄往中国大陆以外的订单还可使用PayPal", []string{"~region:cn_mainland:中国大陆", "paypal:PayPal"}},
		{"非欧盟国家", []string{"~region:eu:欧盟国家"}},
		{"中国大陆地区以外", []string{"~region:cn_mainland:中国大陆"}},
		{"Is Apple Pay ok?", []string{"apple_pay:Apple Pay"}},
	}
	g := gaz()
	for _, tt := range tests {
		got := brief(tt.text, g.Find(tt.text))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Find(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

// m makes a mention of id for Covers tables.
func m(t *testing.T, id string, flags ...string) Mention {
	t.Helper()
	k, ok := gaz().KindOf(id)
	if !ok {
		t.Fatalf("unknown id %s", id)
	}
	x := Mention{Kind: k, ID: id}
	for _, f := range flags {
		switch f {
		case "neg":
			x.Negated = true
		case "out":
			x.Outside = true
		}
	}
	return x
}

func TestCovers(t *testing.T) {
	g := gaz()
	tests := []struct {
		name    string
		asked   Mention
		passage []Mention
		want    bool
	}{
		{"Germany in the EU", m(t, "DE"), []Mention{m(t, "region:eu")}, true},
		{"Germany in Europe", m(t, "DE"), []Mention{m(t, "region:europe")}, true},
		{"Europe not covered by Germany", m(t, "region:europe"), []Mention{m(t, "DE")}, false},
		{"成都 in mainland China", m(t, "city:chengdu"), []Mention{m(t, "region:cn_mainland")}, true},
		{"成都 in 四川", m(t, "city:chengdu"), []Mention{m(t, "CN-SC")}, true},
		{"成都 in China", m(t, "city:chengdu"), []Mention{m(t, "CN")}, true},
		{"成都 in 西南", m(t, "city:chengdu"), []Mention{m(t, "region:cn_southwest")}, true},
		{"China not covered by mainland", m(t, "CN"), []Mention{m(t, "region:cn_mainland")}, false},
		{"mainland in China", m(t, "region:cn_mainland"), []Mention{m(t, "CN")}, true},
		{"Hong Kong not in China (shop usage)", m(t, "HK"), []Mention{m(t, "CN")}, false},
		{"Hong Kong in 港澳台", m(t, "HK"), []Mention{m(t, "region:hmt")}, true},
		{"Taiwan in 港澳台", m(t, "TW"), []Mention{m(t, "region:hmt")}, true},
		{"Shanghai in 江浙沪", m(t, "CN-SH"), []Mention{m(t, "region:jzh")}, true},
		{"Scotland in the UK", m(t, "GB-SCT"), []Mention{m(t, "GB")}, true},
		{"UK not in the EU", m(t, "GB"), []Mention{m(t, "region:eu")}, false},
		{"Germany worldwide", m(t, "DE"), []Mention{m(t, "region:world")}, true},
		{"Georgia the state in the US", m(t, "US-GA"), []Mention{m(t, "US")}, true},
		{"Georgia the country not in the US", m(t, "GE"), []Mention{m(t, "US")}, false},
		{"Turkey not in Europe", m(t, "TR"), []Mention{m(t, "region:europe")}, false},
		{"Egypt in the Middle East and Africa", m(t, "EG"), []Mention{m(t, "region:middle_east")}, true},
		{"Germany against a negated EU: the passage answers", m(t, "DE"), []Mention{m(t, "region:eu", "neg")}, true},
		{"Hong Kong outside mainland China", m(t, "HK"), []Mention{m(t, "region:cn_mainland", "out")}, true},
		{"Germany outside mainland China", m(t, "DE"), []Mention{m(t, "region:cn_mainland", "out")}, true},
		{"成都 not outside mainland China", m(t, "city:chengdu"), []Mention{m(t, "region:cn_mainland", "out")}, false},
		{"China not outside mainland China", m(t, "CN"), []Mention{m(t, "region:cn_mainland", "out")}, false},
		{"asked outside China, passage outside mainland: part only", m(t, "region:cn_mainland", "out"), []Mention{m(t, "CN", "out")}, false},
		{"asked outside mainland, passage outside China", m(t, "CN", "out"), []Mention{m(t, "region:cn_mainland", "out")}, true},
		{"Visa is a credit card", m(t, "visa"), []Mention{m(t, "credit_card")}, true},
		{"credit card answered by Visa", m(t, "credit_card"), []Mention{m(t, "visa"), m(t, "mastercard")}, true},
		{"credit card not answered by a negated Visa", m(t, "credit_card"), []Mention{m(t, "visa", "neg")}, false},
		{"Apple Pay is not a credit card", m(t, "apple_pay"), []Mention{m(t, "credit_card")}, false},
		{"Huabei is not Alipay", m(t, "huabei"), []Mention{m(t, "alipay")}, false},
		{"Huabei is an instalment plan", m(t, "huabei"), []Mention{m(t, "instalments")}, true},
		{"card answered by UnionPay", m(t, "card"), []Mention{m(t, "unionpay")}, true},
		{"company transfer is a bank transfer", m(t, "corporate_transfer"), []Mention{m(t, "bank_transfer")}, true},
		{"bank transfer not answered by company transfer", m(t, "bank_transfer"), []Mention{m(t, "corporate_transfer")}, false},
		{"cash is not cash on delivery", m(t, "cod"), []Mention{m(t, "cash")}, false},
		{"no passage mentions", m(t, "DE"), nil, false},
		{"unknown ids cover nothing", Mention{Kind: Place, ID: "XX"}, []Mention{{Kind: Place, ID: "XX"}}, false},
		{"kinds do not mix", m(t, "DE"), []Mention{{Kind: PaymentMethod, ID: "region:eu"}}, false},
	}
	for _, tt := range tests {
		if got := g.Covers(tt.asked, tt.passage); got != tt.want {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Passages from the demo company's FAQ, as the customer reads them.
const (
	faqPayment01 = "Which payment methods do you accept? Online we accept Alipay, WeChat Pay, UnionPay, Visa, Mastercard, JCB and American Express; PayPal is available for orders delivered outside mainland China. Bank transfer is available for orders of ¥2,000 or more and for wholesale accounts. In our shop you can pay by cash, Alipay, WeChat Pay, UnionPay, Visa or Mastercard."
	faqPayment02 = "Can I pay with Alipay? Yes. Choose Alipay at checkout and scan the QR code or confirm in the Alipay app; Alipay accounts registered outside mainland China, such as Alipay+ partner wallets, work too. In our shop you can pay with Alipay at the counter."
	faqPayment04 = "Do you accept PayPal? Yes, for orders delivered outside mainland China. You pay in Chinese yuan (CNY) and PayPal converts the amount to your currency at its own rate. Refunds go back to your PayPal account within 3–5 business days."
	pagePayment  = "We don't offer cash on delivery. In our shop you can pay by cash, Alipay, WeChat Pay, UnionPay, Visa or Mastercard."
	faqShip01    = "How long does shipping take? Orders paid by 16:00 Beijing time, Monday to Saturday, leave our Shanghai warehouse the same day. Within mainland China, SF Express delivers in 1–2 days to Shanghai, Jiangsu, Zhejiang and Anhui and in 2–4 days elsewhere; remote regions take 5–8 days by EMS. International DHL Express orders arrive in 3–9 business days depending on the country."
	faqShip03    = "When will my order be dispatched? Orders paid by 16:00 Beijing time from Monday to Saturday are packed and handed to the courier the same day."
	faqShip04    = "Do you ship internationally? Yes. We ship to Hong Kong, Macau and Taiwan, Singapore, Malaysia, Japan, South Korea, the EU, the UK, Switzerland, Norway, the US, Canada, Australia and New Zealand. For any other country, email service@jadeleaftea.example with your address and we will send you a quote within 1 business day."
	faqDeliv05   = "Do you deliver to Xinjiang, Tibet and other remote regions? Yes. Orders to Xinjiang, Tibet, Qinghai, Gansu, Ningxia and Inner Mongolia go by EMS and take 5–8 days."

	faqPayment02ZH = "可以用支付宝付款吗？可以。结账时选择支付宝，扫码或在支付宝App中确认即可；境外注册的支付宝账户和Alipay+合作钱包同样可用。门店收银台也支持支付宝付款。"
	faqPayment08ZH = "可以货到付款吗？不支持货到付款，网上订单需在结账时付款。如想用现金支付，可以直接到愚园路218号门店购买。"
	faqShip01ZH    = "发货后多久能收到？北京时间周一至周六16:00前付款的订单当天从上海仓库发出。中国大陆顺丰速运：江浙沪皖1–2天送达，其他地区2–4天；偏远地区走EMS，约5–8天。国际订单使用DHL快递，视国家不同3–9个工作日送达。"
	faqShip06ZH    = "能寄到港澳台吗？可以，使用顺丰速运，3–5个工作日送达。运费¥60，订单满¥800免运费。如产生进口税费，由收件人支付。"
	faqDeliv03ZH   = "寄到新加坡等亚洲国家要多久？DHL快递寄往新加坡、马来西亚、日本和韩国，发货后约3–6个工作日送达。寄往澳大利亚和新西兰约5–9个工作日。"
	faqDeliv03     = "How long does delivery to Singapore and the rest of Asia take? DHL Express delivers to Singapore, Malaysia, Japan and South Korea in 3–6 business days after dispatch. Australia and New Zealand take 5–9 business days."
	faqDeliv01ZH   = "寄到欧洲或英国要多久？DHL快递寄往欧盟、英国、瑞士和挪威，发货后约5–8个工作日送达（含清关时间）。EMS国际经济型约需10–25个工作日。"
)

// finding renders a finding as "id verdict by=[…] options=[…]".
func finding(f Finding) string {
	ids := func(ms []Mention) string {
		var s []string
		for _, m := range ms {
			id := m.ID
			if m.Outside {
				id = "~" + id
			}
			if m.Negated {
				id = "!" + id
			}
			s = append(s, id)
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	out := f.Asked.ID + " " + f.Verdict.String()
	if f.Negated {
		out += " negated"
	}
	return out + " by=" + ids(f.By) + " options=" + ids(f.Options)
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, question, passage string
		want                    []string
		verdict                 Verdict
	}{
		{"Apple Pay against the Alipay answer", "Can I pay with Apple Pay?", faqPayment02,
			[]string{"apple_pay not_covered by=[] options=[alipay]"}, NotCovered},
		{"PayPal against the Alipay answer", "Can I pay with PayPal?", faqPayment02,
			[]string{"paypal not_covered by=[] options=[alipay]"}, NotCovered},
		{"Apple Pay against the list of methods", "Can I pay with Apple Pay?", faqPayment01,
			[]string{"apple_pay not_covered by=[] options=[alipay wechat_pay unionpay visa mastercard jcb amex paypal bank_transfer cash]"}, NotCovered},
		{"PayPal against the list of methods", "Can I pay with PayPal?", faqPayment01,
			[]string{"paypal covered by=[paypal] options=[alipay wechat_pay unionpay visa mastercard jcb amex bank_transfer cash]"}, Covered},
		{"typo and lower case", "can i pay w paypall", faqPayment04,
			[]string{"paypal covered by=[paypal] options=[]"}, Covered},
		{"credit card answered by the card brands", "Can I pay by credit card?", faqPayment01,
			[]string{"credit_card covered by=[unionpay visa mastercard jcb amex] options=[alipay wechat_pay paypal bank_transfer cash]"}, Covered},
		{"cash on delivery: covered, with a no", "Do you offer cash on delivery?", pagePayment,
			[]string{"cod covered negated by=[!cod] options=[cash alipay wechat_pay unionpay visa mastercard]"}, Covered},
		{"货到付款: covered, with a no", "可以货到付款吗", faqPayment08ZH,
			[]string{"cod covered negated by=[cod] options=[cash]"}, Covered},
		{"花呗 against the Alipay answer: related only", "能用花呗吗", faqPayment02ZH,
			[]string{"huabei partial by=[alipay] options=[]"}, Partial},
		{"香港 against the Europe times", "寄到香港要多久", faqDeliv01ZH,
			[]string{"HK not_covered by=[] options=[GB region:eu CH NO]"}, NotCovered},
		{"Serbia against Europe spelled out as the EU, the UK, Switzerland and Norway", "寄到塞尔维亚要多久", faqDeliv01ZH,
			[]string{"RS not_covered by=[] options=[GB region:eu CH NO]"}, NotCovered},
		{"北京 against Asia spelled out as four countries", "寄到北京几天", faqDeliv03ZH,
			[]string{"CN-BJ not_covered by=[] options=[SG MY JP KR AU NZ]"}, NotCovered},
		{"Thailand against Asia spelled out", "How long to Thailand?", faqDeliv03,
			[]string{"TH not_covered by=[] options=[SG MY region:jpkr region:anz]"}, NotCovered},
		{"Japan against Asia spelled out: the list names it", "How long to Japan?", faqDeliv03,
			[]string{"JP covered by=[region:jpkr] options=[SG MY region:anz]"}, Covered},
		{"Asia against Asia spelled out: the list is part of it", "Do you ship to Asia?", faqDeliv03,
			[]string{"region:asia partial by=[SG MY region:jpkr] options=[region:anz]"}, Partial},
		{"worldwide is never spelled out", "Do you ship to Peru?", "We ship worldwide: the US and Canada in 5 days, Japan and Korea in 3 days, everywhere else in 7–14 days.",
			[]string{"PE covered by=[region:world] options=[US CA region:jpkr]"}, Covered},
		{"one Asian country named is an example, not a list", "Do you ship to Thailand?", "We ship across Asia, for example to Japan, in 3–6 days.",
			[]string{"TH covered by=[region:asia] options=[JP]"}, Covered},
		{"香港 against 港澳台", "寄到香港要多久", faqShip06ZH,
			[]string{"HK covered by=[region:hmt] options=[]"}, Covered},
		{"香港 against the mainland times", "寄到香港要多久", faqShip01ZH,
			[]string{"HK not_covered by=[] options=[CN-SH region:cn_mainland region:yrd]"}, NotCovered},
		{"Germany against the EU", "Do you ship to Germany?", faqShip04,
			[]string{"DE covered by=[region:eu] options=[region:hmt SG MY JP KR GB CH NO US CA region:anz]"}, Covered},
		{"成都 against mainland China", "寄到成都要几天", faqShip01ZH,
			[]string{"city:chengdu covered by=[region:cn_mainland] options=[CN-SH region:yrd]"}, Covered},
		{"Chengdu against mainland China", "how long to chengdu", faqShip01,
			[]string{"city:chengdu covered by=[region:cn_mainland] options=[CN-SH CN-JS CN-ZJ CN-AH]"}, Covered},
		{"Xinjiang is the content's remote region", "Do you ship to Xinjiang?", faqDeliv05,
			[]string{"CN-XJ covered by=[CN-XJ] options=[CN-XZ CN-QH CN-GS CN-NX CN-NM]"}, Covered},
		{"a passage that names no place gives no judgement", "Do you ship to Germany?", faqShip03,
			[]string{"DE no_judgement by=[] options=[]"}, NoJudgement},
		{"Europe against Germany and France: part of it", "Do you ship to Europe?", "We ship to Germany and France.",
			[]string{"region:europe partial by=[DE FR] options=[]"}, Partial},
		{"China against mainland China: part of it", "Do you ship to China?", faqShip01,
			[]string{"CN partial by=[CN-SH region:cn_mainland CN-JS CN-ZJ CN-AH] options=[]"}, Partial},
		{"Hong Kong and PayPal", "I'm in Hong Kong, can I use PayPal?", faqPayment04,
			[]string{"HK covered by=[~region:cn_mainland] options=[]", "paypal covered by=[paypal] options=[]"}, Covered},
		{"Chengdu and PayPal: excluded", "I live in Chengdu, can I pay with PayPal?", faqPayment04,
			[]string{"city:chengdu not_covered by=[] options=[~region:cn_mainland]", "paypal covered by=[paypal] options=[]"}, NotCovered},
		{"two kinds, one judged", "Can I pay with Apple Pay when shipping to Germany?", faqShip04,
			[]string{"apple_pay no_judgement by=[] options=[]", "DE covered by=[region:eu] options=[region:hmt SG MY JP KR GB CH NO US CA region:anz]"}, Covered},
		{"a question that names nothing", "How much is the Longjing?", faqShip04, nil, NoJudgement},
		{"asked twice, judged once", "Germany? germany?", faqShip04,
			[]string{"DE covered by=[region:eu] options=[region:hmt SG MY JP KR GB CH NO US CA region:anz]"}, Covered},
	}
	g := gaz()
	for _, tt := range tests {
		r := g.Check(tt.question, tt.passage)
		var got []string
		for _, f := range r.Findings {
			got = append(got, finding(f))
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Check(%q) (-want +got):\n%s", tt.name, tt.question, diff)
		}
		if v := r.Verdict(); v != tt.verdict {
			t.Errorf("%s: Verdict() = %v, want %v", tt.name, v, tt.verdict)
		}
	}
}

// TestCheckCompose shows how the Engine composes "we accept …" from a report.
func TestCheckCompose(t *testing.T) {
	g := gaz()
	f := g.Check("Can I pay with Apple Pay?", faqPayment01).Findings[0]
	want := "Alipay, WeChat Pay, UnionPay, Visa, Mastercard, JCB, American Express, PayPal, bank transfer and cash"
	if got := g.List(f.Options, "en"); got != want {
		t.Errorf("List(en) = %q, want %q", got, want)
	}
	f = g.Check("可以用Apple Pay吗", "网店支持支付宝、微信支付、银联；寄往中国大陆以外的订单还可使用PayPal。").Findings[0]
	if got, want := g.List(f.Options, "zh"), "支付宝、微信支付、银联和PayPal"; got != want {
		t.Errorf("List(zh) = %q, want %q", got, want)
	}
	f = g.Check("I live in Chengdu, can I pay with PayPal?", faqPayment04).Findings[0]
	if got, want := g.List(f.Options, "en"), "outside mainland China"; got != want {
		t.Errorf("List(outside) = %q, want %q", got, want)
	}
	if got, want := g.List(f.Options, "zh"), "中国大陆以外"; got != want {
		t.Errorf("List(outside, zh) = %q, want %q", got, want)
	}
}

func TestNames(t *testing.T) {
	g := gaz()
	tests := []struct{ id, lang, want string }{
		{"DE", "en", "Germany"},
		{"DE", "zh", "德国"},
		{"DE", "zh-CN", "德国"},
		{"region:eu", "en", "the EU"},
		{"region:hmt", "en", "Hong Kong, Macau and Taiwan"},
		{"region:hmt", "zh", "港澳台"},
		{"region:cn_mainland", "en", "mainland China"},
		{"region:cn_mainland", "zh", "中国大陆"},
		{"city:chengdu", "zh", "成都"},
		{"CN-SC", "en", "Sichuan"},
		{"apple_pay", "en", "Apple Pay"},
		{"apple_pay", "zh", "Apple Pay"},
		{"wechat_pay", "zh", "微信支付"},
		{"credit_card", "en", "credit cards"},
		{"venmo", "zh", "Venmo"},
		{"TR", "en", "Türkiye"},
		{"JO", "en", "Jordan"},
		{"nope", "en", ""},
	}
	for _, tt := range tests {
		if got := g.Names(tt.id, tt.lang); got != tt.want {
			t.Errorf("Names(%q, %q) = %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
}

func TestWithin(t *testing.T) {
	g := gaz()
	chains := [][]string{
		{"DE", "region:eu", "region:europe", "region:world"},
		{"city:chengdu", "CN-SC", "region:cn_southwest", "region:cn_mainland", "CN", "region:east_asia", "region:asia", "region:world"},
		{"HK", "region:hkmo", "region:hmt", "region:east_asia"},
		{"visa", "credit_card", "card"},
		{"huabei", "instalments"},
	}
	for _, c := range chains {
		for i := range c {
			for j := range c {
				if got, want := g.Within(c[i], c[j]), i <= j; got != want {
					t.Errorf("Within(%s, %s) = %v, want %v", c[i], c[j], got, want)
				}
			}
		}
	}
	for _, p := range [][2]string{{"HK", "CN"}, {"TW", "region:cn_mainland"}, {"apple_pay", "credit_card"}, {"huabei", "alipay"}, {"GB", "region:eu"}, {"nope", "CN"}} {
		if g.Within(p[0], p[1]) {
			t.Errorf("Within(%s, %s) = true, want false", p[0], p[1])
		}
	}
}

// TestGazetteer checks the tables' coverage and consistency.
func TestGazetteer(t *testing.T) {
	g := gaz()
	pay, place := g.Stats(PaymentMethod), g.Stats(Place)
	t.Logf("payment methods: %+v", pay)
	t.Logf("places: %+v", place)
	if pay.Entities < 45 || place.Entities < 450 {
		t.Errorf("too few entities: %d payment methods, %d places", pay.Entities, place.Entities)
	}
	countries, provinces, cnCities := 0, 0, 0
	iso := regexp.MustCompile(`^[A-Z]{2}$`)
	for _, e := range g.ents {
		if e.en == "" {
			t.Errorf("%s has no English name", e.id)
		}
		if e.kind == Place && e.zh == "" {
			t.Errorf("%s has no Chinese name", e.id)
		}
		switch {
		case iso.MatchString(e.id):
			countries++
			if !g.Within(e.id, "region:world") {
				t.Errorf("%s is in no continent", e.id)
			}
		case strings.HasPrefix(e.id, "CN-"):
			provinces++
		case strings.HasPrefix(e.id, "city:") && g.Within(e.id, "region:cn_mainland"):
			cnCities++
		}
	}
	t.Logf("countries and territories %d, Chinese provinces %d, Chinese cities %d", countries, provinces, cnCities)
	if countries < 190 || provinces != 31 || cnCities < 100 {
		t.Errorf("coverage: countries %d (want ≥190), provinces %d (want 31), Chinese cities %d (want ≥100)", countries, provinces, cnCities)
	}
	eu := 0
	for _, e := range g.ents {
		if iso.MatchString(e.id) && g.Within(e.id, "region:eu") {
			eu++
		}
	}
	if eu != 27 {
		t.Errorf("EU has %d members, want 27", eu)
	}
	// Every entity finds itself by each of its display names.
	for _, e := range g.ents {
		for _, name := range []string{e.en, e.zh} {
			if name == "" {
				continue
			}
			ms := g.Find(name)
			if len(ms) != 1 || ms[0].ID != e.id || ms[0].Start != 0 || ms[0].End != len(name) {
				t.Errorf("Find(%q) = %v, want %s over the whole name", name, brief(name, ms), e.id)
			}
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{PaymentMethod: "payment_method", Place: "place", 0: "kind(0)", 12: "kind(12)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestAppendFindReusesBuffer(t *testing.T) {
	g := gaz()
	buf := make([]Mention, 0, 8)
	text := "Do you ship to Germany? Can I pay with PayPal?"
	allocs := testing.AllocsPerRun(100, func() {
		buf = g.AppendFind(buf[:0], text)
	})
	if allocs != 0 {
		t.Errorf("AppendFind with a reused buffer: %v allocations, want 0", allocs)
	}
	if got := brief(text, buf); !cmp.Equal(got, []string{"DE:Germany", "paypal:PayPal"}) {
		t.Errorf("AppendFind = %v", got)
	}
}

func TestFindQuestion(t *testing.T) {
	g := gaz()
	text := "Do you accept PayPal? Yes, PayPal works. 可以用支付宝吗？可以用支付宝。"
	var got []bool
	for _, m := range g.Find(text) {
		got = append(got, m.Question)
	}
	if want := []bool{true, false, true, false}; !cmp.Equal(got, want) {
		t.Errorf("Question flags = %v, want %v", got, want)
	}
}

// TestConcurrent shares one Gazetteer between goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	g := gaz()
	want := brief(benchEN, g.Find(benchEN))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if got := brief(benchEN, g.Find(benchEN)); !cmp.Equal(got, want) {
					t.Errorf("concurrent Find = %v, want %v", got, want)
					return
				}
				g.Check("寄到香港要多久", faqShip06ZH)
			}
		})
	}
	wg.Wait()
}
