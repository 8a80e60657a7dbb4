package intents

import "testing"

// TestGrievance checks the shapes grievance reads in both languages, and
// the ordinary questions that share their words but tell of nothing done
// to the sender.
func TestGrievance(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"说好三天修好 这都第九天了 也没人跟我说一声", true},
		{"说好30张精修 只给了18张", true},
		{"约的八点 工人十点半才到", true},
		{"课时明明还剩12节 系统里咋只剩6节了", true},
		{"送修的时候好好的 拿回来后壳多了道裂纹 这咋回事", true},
		{"修完屏幕还在闪 花了我480", true},
		{"换了电池才两周又掉电飞快", true},
		{"空调加完氟一个星期又不制冷了", false}, // no mark of the business's work it names; the lexicons read it
		{"订的是SUV 到店只给我一辆小轿车", true},
		{"说好的上门怎么没人来", true},
		{"那就说好了 周六见", false},
		{"约的时间能改吗", false},
		{"装好会漏水吗", false},
		{"多久才能到", false},
		{"还剩几节课", false},
		{"修好没 什么时候能取", false},
		{"picked up my phone after the screen replacement and it still flickers", true},
		{"we were told the DJ was included and now you're sending a separate invoice", true},
		{"the socket behind the dryer you fixed yesterday is sparking", true},
		{"the dryer drum squeaks louder now than before you came", true},
		{"the trainer cancelled on me again and i was still charged", true},
		{"you cancelled on us the day before the wedding", true},
		{"can i return the cake? guests cancelled on us", false},
		{"our venue just cancelled on us bc of flooding, can we move the date", false},
		{"my sister cancelled on me so i need to change the name on the booking", false},
		{"nobody showed up for the 9am slot", true},
		{"if the laptop cant be fixed do i still pay anything", false},
		{"do you still have the blue one", false},
		{"can you fix a cracked screen", false},
		{"三月就退会了 怎么还在扣月费", true},
		{"踢皮球踢来踢去 没一个人说得清我的预约怎么了", true},
		{"月费每个月几号扣", false},
		{"why am i still being charged a monthly fee after i cancelled in march", true},
		{"i keep getting passed around and nobody can tell me what happened", true},
		{"can the kids run around in the play area", false},
		{"when will the monthly fee be charged", false},
	} {
		if got := grievance(newLexText(c.text).norm); got != c.want {
			t.Errorf("grievance(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// TestSummonsPerson checks the Chinese requests for a person that name
// no transfer ("让维修师傅给我打电话") and the sentences with the same words that
// ask for none.
func TestSummonsPerson(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"让维修师傅直接给我打电话 13912345678", true},
		{"叫你们校长出来", true},
		{"叫上次那个摄影师加我微信", true},
		{"能让人给我打个电话吗", true},
		{"店长在不在 团购的事我要跟他当面谈 让他联系我", true},
		{"能直接联系上门的师傅吗 我想跟他本人说", true},
		{"客服小姐姐在吗 要人工的 别自动回复", true},
		{"我想跟人说 不想跟机器说", true},
		{"喂喂 有活人吗", true},
		{"这服务真让人失望", false},
		{"需要本人到场吗", false},
		{"请问几点开门", false},
		{"老师布置的作业在哪看", false},
		{"可以自动续费吗", false},
		{"talk to a person", false}, // English is person.txt's
	} {
		if got := summonsPerson(newLexText(c.text).norm); got != c.want {
			t.Errorf("summonsPerson(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// TestAsksForService checks that a question about what the business
// offers, after the sender's own situation or a condition, reads as a
// question, and that a complaint followed by "why" or "will I" does not.
func TestAsksForService(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"my printer at home is broken, can you print 50 pages for me today", true},
		{"the lady who used to do my nails left, who else does gel extensions", true},
		{"if the laptop turns out to be beyond repair do i still pay anything", true},
		{"in case it rains, can we move the shoot", true},
		{"the order arrived broken. why does this keep happening", false},
		{"terrible service. will i get a refund", false},
		{"3rd time this month your app crashed on checkout. do u even test it", false},
		{"if you dont refund me by friday", false},
	} {
		if got := asksForService(c.text); got != c.want {
			t.Errorf("asksForService(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// TestAsksForProduct checks that a shopper's wish for a product, however
// punctuated and whatever "not too" it holds, reads as a request, and that
// a demand or a report opened the same way does not.
func TestAsksForProduct(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"something sweet and not too strong for my gf", true},
		{"need a low maintenance plant for my dark office, something that wont die", true},
		{"looking for a gift under 300 for my dad", true},
		{"my mum is 80, any ideas for her birthday", true},
		{"i want a refund", false},
		{"need an answer today, my order is 2 weeks late", false},
		{"something is wrong with the cake i got", false},
		{"i want my money back", false},
		{"want a real person", false},
		{"something not too sweet for the kids", true},
		{"something not arrived yet", false},
		{"想要个不太甜的蛋糕", true},
		{"给我爸买个礼物 他不喝酒", true},
		{"送领导的酒", true},
		{"送错了 我要的是红的", false},
		{"要个好养活的 不容易死的植物", true},
		{"要个说法", false},
		{"想要退款", false},
		{"推荐的什么东西 吃了不舒服", false},
		{"got anything without sulphites? red wine gives me headaches", true},
		{"something without nuts for a school party", true},
		{"you sent something without telling me", false},
		{"something without my permission was charged", false},
		{"baijiu for a friend trying it for the first time, nothing too harsh", true},
		{"nothing works and nobody answers", false},
		{"单位送花圈 要大一点的", true},
		{"要便宜点的", true},
		{"要大一点的赔偿", false},
		{"我要的是大一点的", false},
	} {
		if got := asksForProduct(c.text); got != c.want {
			t.Errorf("asksForProduct(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// TestSomeoneElsesPerson checks that a person the sender talks about (their
// own manager) is not a request for one, and that the business's is.
func TestSomeoneElsesPerson(t *testing.T) {
	d := mustDetector(t)
	for _, c := range []struct {
		text string
		want bool
	}{
		{"do you have corporate memberships? our office manager wants to sign up 12 people", false},
		{"my manager asked me to get an invoice", false},
		{"can I speak to your manager", true},
		{"I want a manager now", true},
		{"给我人工", true},
		{"我要找校长", true},
		{"找你们领导来", true},
		{"我们经理想给全公司办卡", false},
		{"whats the latest i can order and still get it to someone in the old town", false},
		{"is a potted plant ok for someone in hospital", false},
		{"do your staff speak english", false},
		{"店员会说英文吗 我带朋友过来", false},
		{"can I talk to someone about my order", true},
		{"someone at my last hostel had bed bugs, do u have a laundry i can use when i arrive", false},
		{"if someone in our group gets sick before the trip can we swap their name to another person", false},
		{"can someone from your team call me", true},
		{"i need someone at my house today, the pipe burst", true},
	} {
		if got := d.Score(c.text).AsksForPerson; got != c.want {
			t.Errorf("Score(%q).AsksForPerson = %v, want %v", c.text, got, c.want)
		}
	}
}
