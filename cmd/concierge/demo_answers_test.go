package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// demoQuestion is one question of the demo regression set: how a customer
// or an employee asks it, what must answer it, and what the reply must (or
// must not) say.
type demoQuestion struct {
	text     string
	kind     string   // a kind* constant; "" for an employee's question
	expected []string // acceptable first sources (cut at '#'); none: no source may be cited
	says     string   // a regexp the reply must match, when set
	never    string   // a regexp the reply must not match, when set
}

// demoQuestions are the demo company's questions that issue 14 found
// answered wrong, and their kin, each asked by a new customer or employee
// the way the issue reports them. The demo is where the product is shown,
// not where it is tuned: every fix behind these is general (catalogue,
// coverage check, spelling and sound, section headings) and is measured on
// the held-out companies.
var demoQuestions = []demoQuestion{
	// Products: the catalogue answers questions about itself.
	{text: "How much is the Longjing?", kind: kindProduct, expected: []string{"JL-GRN-001"}, says: `¥268\.00`},
	{text: "龙井多少钱", kind: kindProduct, expected: []string{"JL-GRN-001-zh"}, says: `¥268\.00`},
	{text: "Do you have 龙井 in stock?", kind: kindProduct, expected: []string{"JL-GRN-001", "JL-GRN-001-zh"}, says: `Longjing`},
	{text: "Do you sell oolong?", kind: kindProduct, expected: []string{"JL-OOL-001", "JL-OOL-002", "JL-OOL-003", "JL-OOL-004", "JL-OOL-005", "JL-OOL-006"}, says: `(?i)oolong`, never: `(?i)tea bags`},
	{text: "cheapest green tea", kind: kindProduct, expected: []string{"JL-GRN-003"}, says: `(?i)cheapest`},
	// A FAQ entry sure of "有…便宜的…吗" but naming no green tea ("有比DHL便宜的寄法吗") is no answer.
	{text: "有没有便宜点的绿茶", kind: kindProduct, expected: []string{"JL-GRN-003-zh"}, says: `绿茶`, never: `EMS`},
	{text: "smoky tea as a gift under ¥200", kind: kindProduct, expected: []string{"JL-BLK-004"}, says: `Lapsang`},
	{text: "Do you have a small teapot for one person?", kind: kindProduct, expected: []string{"JL-WAR-002"}, says: `100 ml`},
	// The passage names something else: say what there is, never "Yes".
	{text: "Can I pay with Apple Pay?", kind: kindAnswerable, expected: []string{"payment-and-invoices", "faq-payment-01"}, says: `Alipay`, never: `^Yes`},
	{text: "Can I pay with PayPal?", kind: kindAnswerable, expected: []string{"faq-payment-04", "payment-and-invoices"}, says: `PayPal`},
	// A region the passage spells out as a list of countries covers only
	// those: Beijing is not among "Singapore and other Asian countries",
	// nor Serbia among "Europe: the EU, the UK, Switzerland and Norway";
	// and a list of foreign countries never says a Chinese city is not
	// served.
	{text: "寄到北京几天", kind: kindAnswerable, never: `新加坡|没有提到北京`},
	{text: "寄到塞尔维亚多久", kind: kindAnswerable, expected: []string{"faq-shipping-04-zh"}, says: `没有提到塞尔维亚`},
	{text: "how long does delivery to thailand take", kind: kindAnswerable, expected: []string{"faq-shipping-04", "shipping-policy"}, says: `couldn't find Thailand`},
	{text: "寄到香港要多久", kind: kindAnswerable, expected: []string{"faq-shipping-06-zh"}, says: `3–5个工作日`, never: `欧洲`},
	{text: "Do you ship to Germany?", kind: kindAnswerable, expected: []string{"faq-shipping-04"}, says: `EU`},
	// Informal text: spelling and sound, small talk kept small.
	{text: "whats ur return polcy", kind: kindAnswerable, expected: []string{"returns-policy", "faq-returns-01"}},
	{text: "运废多少钱", kind: kindAnswerable, expected: []string{"faq-shipping-cost-01-zh"}, says: `¥12`},
	{text: "How are you today?", kind: kindUnanswerable, never: `(?i)founde`},
	{text: "what is the weather tomorrow", kind: kindUnanswerable, never: `(?i)water`}, // "weather" is no slip for "water"
	{text: "再见", kind: kindUnanswerable, never: `抱歉|转交`},                               // 见 of 意见 once read as a complaint
	{text: "再见啦", kind: kindUnanswerable, never: `抱歉|转交`},
	{text: "bye", kind: kindUnanswerable, never: `(?i)sorry`},
	{text: "垃圾店，再见", kind: kindComplaint},
	{text: "tell me a joke", kind: kindUnanswerable, never: `(?i)passed|manager`}, // "a joke" once read as "what a joke"
	{text: "给我讲个笑话", kind: kindUnanswerable, never: `转交|经理`},
	{text: "who are you?", kind: kindUnanswerable, says: `virtual assistant`},
	{text: "你是机器人吗", kind: kindUnanswerable, says: `智能助手`},
	// How to reach the shop and when it is open: the passage that states
	// the number, the address or the hours, not the FAQ about changing
	// one's own phone number.
	{text: "what's your phone number", kind: kindAnswerable, expected: []string{"contact-us", "visit-our-shop"}, says: `6288 7316`},
	{text: "where are you", kind: kindAnswerable, expected: []string{"visit-our-shop", "faq-store-01"}, says: `Yuyuan Road`},
	{text: "你们电话多少", kind: kindAnswerable, expected: []string{"contact-us-zh", "about-us-zh", "visit-our-shop-zh"}, says: `6288 7316`},
	{text: "你们地址是啥", kind: kindAnswerable, expected: []string{"faq-store-01-zh", "visit-our-shop-zh", "about-us-zh"}, says: `愚园路218号`},
	{text: "what time do u close tonight", kind: kindAnswerable, expected: []string{"visit-our-shop", "faq-store-02"}, says: `20:00`},
	{text: "周末营业吗", kind: kindAnswerable, expected: []string{"visit-our-shop-zh", "faq-store-02-zh"}, says: `10:00–20:00`},
	// Ordinary service questions are answered, not escalated.
	{text: "Can I change my delivery address?", kind: kindAnswerable, expected: []string{"faq-orders-03"}},
	{text: "I need a company invoice", kind: kindAnswerable, expected: []string{"payment-and-invoices", "faq-payment-05"}, says: `(?i)invoice`},
	// The FAQ entry that restates the question, not a section of the
	// invoice page the confidence preferred (stop 50): corrections, or
	// special VAT invoices for companies.
	{text: "能开发票吗", kind: kindAnswerable, expected: []string{"faq-invoice-01-zh"}, says: `电子普通发票`, never: `红冲`},
	{text: "can I get an invoice", kind: kindAnswerable, expected: []string{"faq-invoice-01"}},
	// A real complaint still reaches a person.
	{text: "My teapot arrived broken and nobody answers my emails, this is unacceptable", kind: kindComplaint},
	{text: "I want to talk to a person", kind: kindHuman},
	// Asking how to complain is answered, with the offer of a person; a
	// complaint that asks it is still handed over.
	{text: "how do i make a complaint", kind: kindAnswerable, expected: []string{"faq-contact-02", "contact-us"}, never: `(?i)^I'm sorry about that`},
	{text: "投诉找谁", kind: kindAnswerable, expected: []string{"faq-contact-02-zh", "contact-us-zh"}},
	{text: "who do i complain to? your courier threw my parcel over the gate and the tin is dented", kind: kindComplaint},
	// A problem told calmly with "what now" gets the procedure, an apology
	// and the offer of a person; judged or demanded, it is handed over.
	{text: "my parcel arrived damaged, the tin is dented and tea spilled everywhere. what now", kind: kindAnswerable,
		expected: []string{"faq-warranty-01", "returns-policy"}, says: `(?s)^I'm sorry.*48 hours.*member of our team`},
	{text: "my parcel arrived damaged AGAIN, third time, this is ridiculous. what now", kind: kindComplaint},
	// A greeting or a thank-you around a request or a grievance is not
	// what it says: once read as thanks ("You're welcome!") or a greeting.
	{text: "human please, thanks!", kind: kindHuman},
	{text: "别让机器人回了 叫个人来 谢谢亲", kind: kindHuman},
	{text: "你好，收到的茶叶罐子是破的，茶叶撒了一箱子 谢谢", kind: kindComplaint, never: `欢迎光临`},
	{text: "hi there! the tea tin arrived dented and half the leaves spilled, thanks a lot", kind: kindComplaint},
	{text: "hello, how much is the longjing? thank you so much", kind: kindProduct, expected: []string{"JL-GRN-001"}, says: `¥268\.00`},
	// Apologising for asking is a courtesy; apologising before a grievance
	// does not hide it.
	{text: "sorry to bother you again: my tea arrived smashed and I want a refund", kind: kindComplaint},
	{text: "不好意思打扰了，收到的茶叶罐子是破的，茶叶撒了一箱子", kind: kindComplaint},
	{text: "sorry if this was asked before, how long does shipping take?", kind: kindAnswerable, expected: []string{"faq-shipping-01"}},
	// A story before the question does not hide the product.
	{text: "first time ordering from you guys, how much is the longjing?", kind: kindProduct, expected: []string{"JL-GRN-001"}, says: `¥268\.00`},
	{text: "昨天在小红书看到你们，龙井多少钱", kind: kindProduct, expected: []string{"JL-GRN-001-zh"}, says: `¥268\.00`},
	// Employees get the internal page, at the section that answers.
	{text: "wholesale price tiers", expected: []string{"internal-wholesale-pricing#price-tiers-per-order-before-shipping"}},
	{text: "how do I close the shop", expected: []string{"internal-opening-closing-checklist#closing-20-00-20-30"}},
	{text: "值班主管的退款权限", expected: []string{"internal-refund-authority-zh"}},
	{text: "how do we handle a complaint", expected: []string{"internal-complaint-handling"}},
	{text: "怎么处理客户投诉", expected: []string{"internal-complaint-handling-zh"}},
	{text: "how do I open the shop in the morning", expected: []string{"internal-opening-closing-checklist#opening-09-30-10-00"}},
	{text: "wifi password", expected: nil}, // nothing internal says: no customer FAQ instead
}

// TestDemoQuestions asks the demo company every demoQuestions question the
// way `concierge answers eval` does (REST API, a new user each; employees
// as `concierge chat --as employee`) and requires each to be answered right.
func TestDemoQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo index")
	}
	var msgs, emps []labelled
	for i, q := range demoQuestions {
		l := labelled{Text: q.text, Kind: q.kind, Expected: q.expected, Lang: langOf(q.text), Line: i}
		if q.kind == "" {
			emps = append(emps, l)
		} else {
			msgs = append(msgs, l)
		}
	}
	e := &env{stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: func(string) string { return "" }}
	_, outs, err := runAnswersEval(context.Background(), e, answersEvalOptions{Content: "../../configs/demo/content",
		Messages: msgs, Employees: emps})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(demoQuestions) {
		t.Fatalf("%d outcomes for %d questions", len(outs), len(demoQuestions))
	}
	for _, o := range outs {
		q := demoQuestions[o.Line]
		r := o.Reply
		got := "(none)"
		if len(r.Sources) > 0 {
			got = r.Sources[0].ID
		}
		switch {
		case q.kind == kindComplaint || q.kind == kindHuman:
			if !r.Handoff {
				t.Errorf("%q: not handed to a person; replied %q", q.text, r.Reply)
			}
		case q.kind == kindUnanswerable || q.expected == nil:
			if len(r.Sources) > 0 || r.Handoff {
				t.Errorf("%q: cited %s (handoff %v), want no source and no handoff", q.text, got, r.Handoff)
			}
		default:
			if r.Handoff {
				t.Errorf("%q: handed off, want an answer", q.text)
			}
			if !rightSource(r.Sources, q.expected) {
				t.Errorf("%q: first source %s, want one of %v; replied %q", q.text, got, q.expected, r.Reply)
			}
		}
		if q.says != "" && !regexp.MustCompile(q.says).MatchString(r.Reply) {
			t.Errorf("%q: reply %q does not match %s", q.text, r.Reply, q.says)
		}
		if q.never != "" && regexp.MustCompile(q.never).MatchString(r.Reply) {
			t.Errorf("%q: reply %q matches %s", q.text, r.Reply, q.never)
		}
	}
}

// rightSource reports whether the first source is acceptable: exactly an
// expected id that names a section, or one cut at '#' otherwise.
func rightSource(srcs []bot.Source, expected []string) bool {
	if len(srcs) == 0 {
		return false
	}
	for _, x := range expected {
		if strings.Contains(x, "#") && srcs[0].ID == x || cutFragment(srcs[0].ID) == x {
			return true
		}
	}
	return false
}

func langOf(s string) string {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return "zh"
		}
	}
	return "en"
}

// TestDemoRepliesReadRight holds the replies issue 14 found reading wrong
// in a conversation: a purchase question gets an answer before "I've also
// let our sales team know", and gibberish after one "not sure" is not met
// with the apology written for complaints.
func TestDemoRepliesReadRight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo index")
	}
	data := t.TempDir()
	code, out, errOut := runCLI(t, "I want to buy a gift set for my boss\n", "chat", "--json", "--data", data, "--user", "buyer")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	r := decodeReplies(t, out)
	if len(r) != 1 || strings.HasPrefix(strings.TrimSpace(r[0].Reply), "I've also") {
		t.Errorf("purchase reply %q: nothing before \"also\"", out)
	}
	code, out, errOut = runCLI(t, "asdkjh qwe zzzz\nxcvb nmmm qqq\nlkjh poiu\n", "chat", "--json", "--data", data, "--user", "typist")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, r := range decodeReplies(t, out) {
		if regexp.MustCompile(`(?i)very sorry about this|不好的体验`).MatchString(r.Reply) {
			t.Errorf("gibberish met with a complaint's apology: %q", r.Reply)
		}
	}
}
