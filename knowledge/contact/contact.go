// Package contact recognises a customer asking how to reach the business,
// when it is open, or how it serves companies ("what's your phone number",
// "where are you", "你们电话多少", "店在哪", "what time do you open",
// "周末营业吗", "we want 50 boxes for our company, any discount?") and the
// passages of a company's content that state the fact asked for: a
// telephone number, an e-mail address, a street address, opening hours, or
// its terms for companies (corporate, bulk, 团购, 企业).
//
// Every trade's customers ask these, in words that share nothing with the
// passage that answers them: the page headed "Contact us" or "Visit our
// shop" holds the number, and the question's one informative word, "phone",
// also names the account settings FAQ about changing one's own phone
// number. Recognising the question and checking that a passage holds what
// it asks for works on any company's content without knowing its wording.
package contact

import (
	"regexp"
	"strings"
	"unicode"
)

// Kind is the fact a question asks for.
type Kind int

const (
	None     Kind = iota
	Phone         // a telephone number
	Email         // an e-mail address
	Address       // where the business is: a street address
	Hours         // when it is open: a range of times of day
	Business      // how it serves companies: bulk, corporate and office orders
)

// String returns the kind's name, for logs and tests.
func (k Kind) String() string {
	switch k {
	case Phone:
		return "phone"
	case Email:
		return "email"
	case Address:
		return "address"
	case Hours:
		return "hours"
	case Business:
		return "business"
	}
	return "none"
}

// maxWords is the length from which a message is no longer a plain request
// for a contact detail: a long message that mentions a phone is about
// something else ("…I changed my phone and now I can't log in, can you call
// me back?").
const (
	maxWords = 12
	maxHan   = 20
	// maxBusinessWords bounds a company's order, which tells more.
	maxBusinessWords = 50
)

// Asked returns the contact detail text asks for, or None. It reads short
// messages only, and never one about the sender's own details ("I changed
// my phone number", "改一下收货地址", "我的手机号换了"), a delivery or
// return address, or an order or tracking number.
func Asked(text string) Kind {
	lower := strings.ToLower(strings.TrimSpace(text))
	if lower == "" {
		return None
	}
	if strings.ContainsFunc(lower, isHan) {
		return askedZH(lower)
	}
	return askedEN(lower)
}

func askedEN(lower string) Kind {
	words := strings.FieldsFunc(lower, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '#'
	})
	if len(words) == 0 {
		return None
	}
	joined := " " + strings.Join(words, " ") + " "
	// A company's order comes with its story: "HR here - we're looking
	// at weekly sessions at our office for around 20 staff, what would
	// that cost".
	if len(words) <= maxBusinessWords && businessEN.MatchString(joined) && businessAskEN.MatchString(joined) &&
		!containsAny(joined, " fapiao", " invoice", " receipt") {
		return Business
	}
	if len(words) > maxWords {
		return None
	}
	has := make(map[string]bool, len(words))
	for _, w := range words {
		has[strings.TrimSuffix(w, "'s")] = true
	}
	if anyOf(has, senderWords) || has["i"] && anyOf(has, senderChanges) {
		return None
	}
	for _, p := range notContactEN {
		if strings.Contains(joined, p) {
			return None
		}
	}
	// Whose detail: the business's ("your", "you guys", the shop's), or
	// nobody's in a message of a few words ("phone number?").
	theirs := has["your"] || has["ur"] || has["yours"] || has["you"] || has["u"] || has["ya"] || has["yall"] ||
		anyOf(has, placeNounsEN) || len(words) <= 4
	if hoursEN(joined, has) {
		return Hours
	}
	last, prev := words[len(words)-1], ""
	if len(words) > 1 {
		prev = words[len(words)-2]
	}
	switch {
	case has["email"] || has["e-mail"] || strings.Contains(joined, " e mail "):
		if theirs {
			return Email
		}
	case containsAny(joined, phoneEN...) || last == "phone" ||
		last == "number" && (prev == "your" || prev == "ur" || prev == "contact" || prev == "phone"):
		// Whose else but the business's, with no "my" or "me".
		return Phone
	case has["address"] || has["location"] || has["located"] || has["locations"] ||
		strings.Contains(joined, " how many ") && (has["shops"] || has["stores"] || has["branches"] || has["studios"]):
		if theirs {
			return Address
		}
	case has["where"] || has["wheres"]:
		// "where are you", "where r u located", "where's your shop",
		// "where is the store": the business's whereabouts, not "where do
		// you deliver" or "where can I buy…".
		if containsAny(joined, whereEN...) {
			return Address
		}
		if (has["is"] || has["are"] || has["wheres"] || strings.Contains(joined, " where's ")) && anyOf(has, placeNounsEN) {
			return Address
		}
	}
	return None
}

// hoursEN reports whether an English message asks when the business is
// open: "what time do you open", "are u open on sunday", "how late is the
// shop open", "opening hours?". Only with the business as the subject:
// "what time do classes start" and "when does delivery arrive" ask about
// something else.
func hoursEN(joined string, has map[string]bool) bool {
	if containsAny(joined, " opening hours", " opening times", " business hours", " shop hours", " store hours",
		" closing time", " your hours", " ur hours", " open hours") {
		return true
	}
	if !has["open"] && !has["close"] && !has["closed"] && !has["opened"] && !has["shut"] {
		return false
	}
	subject := containsAny(joined, " you ", " u ", " ya ", " yall ", " you guys ") || anyOf(has, placeNounsEN)
	asks := containsAny(joined, " what time ", " when ", " how late ", " how early ", " until what time ", " till what time ",
		" are you open", " r u open", " are u open", " r you open", " is the shop open", " is the store open",
		" open today", " open tomorrow", " open now", " open on ", " open at ", " open till", " open until",
		" closed on ", " close on ", " shut on ", " open during ", " open over ", " open for ")
	return subject && asks
}

// senderWords make a message about the sender's own details ("my new
// number", "call me back", "where is our order").
var senderWords = []string{"my", "mine", "me", "our", "ours"}

// senderChanges, beside "I", make one too: "I changed phones".
var senderChanges = []string{"changed", "change", "lost", "forgot", "forget", "moved", "new", "updated", "got"}

// phoneEN are the phrases that ask for a number to call.
var phoneEN = []string{" phone number", " phone no ", " phone num", " phone # ", " telephone", " tel ", " hotline",
	" landline", " contact number", " number to call", " number i can call", " number to ring", " call you ",
	" call u ", " ring you ", " your number ", " ur number ", " contact you ", " contact u ", " reach you ",
	" reach u ", " get in touch", " contact details ", " contact info", " contact information "}

// notContactEN are phrases that name an address or number other than the
// business's own, or ask something else of one ("can I order over the
// phone", "the driver called and I missed it").
var notContactEN = []string{" delivery address", " shipping address", " billing address", " order number",
	" tracking number", " number of ", " serial number", " account number", " change ", " update ",
	" deliver", " ship ", " send ", " return address", " returns address", " invoice", " fapiao", " ip address",
	" newsletter", " unsubscribe", " wifi", " wi fi", " password", " parking", " nearest ", " near ", " toilet",
	" bathroom", " restroom", " case", " cases", " charger", " screen", " repair", " sell ", " buy ", " order",
	" book", " pay", " sim ", " driver", " courier", " missed"}

// whereEN are the phrases of "where are you".
var whereEN = []string{" where are you ", " where r you ", " where are u ", " where r u ", " where are ya ",
	" where you at ", " where are you guys ", " where r u guys ", " where abouts ", " whereabouts ",
	" find you ", " find u ", " where is you "}

// placeNounsEN name the business's premises.
var placeNounsEN = []string{"shop", "store", "studio", "office", "showroom", "clinic", "salon", "branch",
	"branches", "shops", "stores", "studios", "outlet", "premises", "workshop", "bakery", "cafe", "café", "gym",
	"school", "campus", "centre", "center", "restaurant", "boutique", "garage", "warehouse"}

func anyOf(has map[string]bool, ws []string) bool {
	for _, w := range ws {
		if has[w] {
			return true
		}
	}
	return false
}

func askedZH(lower string) Kind {
	if countHan(lower) <= 2*maxBusinessWords && businessZH.MatchString(lower) && businessAskZH.MatchString(lower) &&
		!containsAny(lower, "发票", "抬头", "开票") {
		return Business
	}
	if countHan(lower) > maxHan {
		return None
	}
	for _, p := range notContactZH {
		if strings.Contains(lower, p) {
			return None
		}
	}
	if containsAny(lower, hoursZH...) && !containsAny(lower, notHoursZH...) {
		return Hours
	}
	switch {
	case containsAny(lower, "邮箱", "电子邮件", "email", "e-mail", "邮件地址"):
		return Email
	case containsAny(lower, "电话", "热线", "座机", "联系方式", "怎么联系", "如何联系", "联系你们", "联系您们", "联系客服"):
		// Asked for, not told of: "验光师一直在打电话 一点都不专业" is a
		// complaint about the phone, not a question for its number.
		if countHan(lower) <= 6 || containsAny(lower, "多少", "号码", "是什么", "是啥", "给", "发", "有没有", "吗", "怎么", "如何",
			"哪", "联系", "能打", "可以打", "?", "？") {
			return Phone
		}
	case containsAny(lower, "号码", "手机号", "手机多少"):
		if containsAny(lower, "你们", "您们", "客服", "店", "老板", "商家", "联系") {
			return Phone
		}
	case containsAny(lower, "地址", "在哪", "在什么地方", "在什么位置", "位置", "怎么走", "怎么去"):
		if containsAny(lower, "下载", "查") {
			return None // "在哪查物流"
		}
		if containsAny(lower, "地址") || containsAny(lower, zhPlaceNouns...) || containsAny(lower, "你们", "您们", "贵") {
			return Address
		}
	}
	return None
}

// notContactZH name the sender's own details or another address, or ask
// something else of a phone or a place: ordering or paying by phone
// ("可以打电话下单吗"), a SIM card, a call the sender missed, which branch
// holds a class ("少儿瑜伽在哪个店上").
var notContactZH = []string{"我的", "我手机", "我电话", "我邮箱", "我地址", "我家", "我换", "换了", "换号", "改", "修改", "更换",
	"绑定", "验证码", "订单号", "单号", "快递", "收货", "配送", "送货", "送到", "寄到", "寄回", "退货", "发货", "发票", "充电",
	"附近", "最近的", "停车", "厕所", "洗手间", "wifi", "密码", "手机壳", "手机膜", "手机号码换", "号码换",
	"电话卡", "手机卡", "下单", "订", "预约", "买", "卖", "付", "没接", "不接", "接电话", "给我", "打我", "司机", "骑手", "快递员", "哪个", "哪家"}

// hoursZH ask when the business is open; notHoursZH ask the hours of
// something else: a class, delivery, customer service, an invoice (开发票).
var (
	hoursZH = []string{"几点开门", "几点关门", "几点营业", "几点开店", "几点关店", "开到几点", "营业到几点", "营业时间", "开门时间",
		"关门时间", "营业吗", "开门吗", "开着吗", "营业不", "开门不", "关门吗", "休息吗", "几点下班", "什么时候开门", "什么时候关门",
		"啥时候开门", "啥时候关门", "上班时间", "开不开门", "营不营业", "开门了吗", "关门了吗", "开门没"}
	notHoursZH = []string{"课", "配送", "送货", "快递", "客服", "发票", "取件", "骑手", "司机", "退款", "开卡", "开通", "打开"}
)

// zhPlaceNouns name the business's premises.
var zhPlaceNouns = []string{"店", "门店", "实体店", "工作室", "公司", "办公室", "展厅", "总部", "分店", "门市", "铺", "馆", "校区", "诊所", "中心"}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func countHan(s string) int {
	n := 0
	for _, r := range s {
		if isHan(r) {
			n++
		}
	}
	return n
}

// Holds reports whether text states a detail of kind k: a telephone number
// (a mainland number with its area code, a mobile, a 400/800 line, or any
// number written with a leading +), an e-mail address, or a street address
// ("No. 186 Tiyuchang Road", "17 Lianhua Lane", "愚园路218号"), or opening
// hours (a range of times of day beside a word of opening: "open 10:00–20:00",
// "营业时间 8:00-21:00").
func Holds(text string, k Kind) bool {
	switch k {
	case Phone:
		for _, m := range phoneLike.FindAllString(text, -1) {
			// The run may take in what follows the number: "0571-8690-2626
			// 9:00" is a number and an hour.
			parts := strings.Fields(m)
			for j := len(parts); j > 0; j-- {
				if isPhone(strings.Join(parts[:j], " ")) {
					return true
				}
			}
		}
	case Email:
		return emailRe.MatchString(text)
	case Address:
		return addressEN.MatchString(text) || addressZH.MatchString(text)
	case Business:
		return servesBusiness.MatchString(text)
	case Hours:
		// A range of times that opens: not a hotline's hours or a
		// delivery slot.
		return hoursRe.MatchString(text) && openCue.MatchString(text)
	}
	return false
}

var (
	phoneLike = regexp.MustCompile(`\+?\d[\d \-]{5,}\d|\(0\d{2,3}\)\s*\d{7,8}`)
	emailRe   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	addressEN = regexp.MustCompile(`(?i)\b(no\.\s*)?\d+[a-z]?(-\d+)?,?\s+([A-Za-z'’\-]+\s+){1,4}` +
		`(road|rd|street|st|lane|ln|avenue|ave|boulevard|blvd|alley|hutong|lu|jie|way|plaza|square)\b`)
	openCue = regexp.MustCompile(`(?i)\b(open|opens|opening|closed?|closes|closing|hours)\b|营业|开门|关门|休息|闭店|店休`)
	hoursRe = regexp.MustCompile(`(?i)\b\d{1,2}(:|：|\.)\d{2}\s*(am|pm)?\s*(-|–|—|~|～|to|至|到)\s*\d{1,2}(:|：|\.)\d{2}|` +
		`\b\d{1,2}\s*(am|pm)\s*(-|–|—|~|to)\s*\d{1,2}\s*(am|pm)`)
	businessEN     = regexp.MustCompile(`\b(our|my) (company|firm|team|staff|employees|engineers|colleagues)\b|\bour office\b|\b(corporate|bulk|wholesale|hr here)\b|\b\d{2,} (staff|employees|people|pcs|pieces|units|boxes)\b|\bfor (our|my) (company|office|team|staff)\b|\b\d{2,}-person\b`)
	businessAskEN  = regexp.MustCompile(`\b(order|orders|buy|buying|purchase|price|prices|pricing|rate|rates|cost|quote|discount|discounts|deal|classes|sessions|lessons|training|how much)\b|\?`)
	businessZH     = regexp.MustCompile(`公司|单位|企业|团购|批量|员工|团建|年会|大宗`)
	businessAskZH  = regexp.MustCompile(`买|订|采购|优惠|价格|收费|多少钱|报价|上课|折扣|便宜|怎么算`)
	servesBusiness = regexp.MustCompile(`(?i)\b(corporate|bulk|wholesale|volume discounts?|business (orders?|purchases?|customers?|accounts?|gifts?)|for companies|team[- ]building|office (orders?|delivery|subscriptions?))\b|企业|团购|批量|大宗|对公|团建|公司(客户|订单|采购|团体|团购)`)
	addressZH      = regexp.MustCompile(`\p{Han}(路|街|道|巷|弄|大道|胡同)\s*\d+\s*(-\s*\d+\s*)?号`)
)

// isPhone reports whether a run of digits, spaces, hyphens and brackets is a
// telephone number rather than a price, a date or a standard's number.
func isPhone(s string) bool {
	var d strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			d.WriteRune(r)
		}
	}
	n := d.Len()
	digits := d.String()
	switch {
	case strings.HasPrefix(s, "+"):
		return n >= 8 && n <= 15
	case strings.HasPrefix(digits, "400") || strings.HasPrefix(digits, "800"):
		return n == 10
	case strings.HasPrefix(digits, "0"):
		return n >= 10 && n <= 12
	case len(digits) == 11 && digits[0] == '1' && digits[1] >= '3':
		return true
	}
	return false
}
