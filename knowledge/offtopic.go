package knowledge

import (
	"context"
	"regexp"
	"sync"

	"github.com/concierge-bot/concierge/bot"
)

// offTopic is a subject that customers of any trade ask about and that a
// company's content may never mention, or mention only in some passages:
// jobs, franchises, calories, recipes, the wifi, a group's discount
// (students, seniors, teachers, soldiers, people with a disability),
// bringing a dog, where to eat nearby, access for a wheelchair, toilets,
// smoking, typhoons and storms. A question about one is answered only by
// content that mentions it, at two levels: when no document mentions it,
// every hit's confidence is capped (offTopicCap: "你们招美容师吗" is not
// answered by the page about the groomers, nor "多少卡路里" by the cake's
// price); and a passage that does not mention it does not cover the
// question (Cover: "do you have a student discount" is not answered by the
// bulk-order discount, "台风天开门吗" not by the opening hours), so the
// Engine looks for one that does or clarifies. The subjects were chosen
// from the unanswerable questions of the read companies that the bot
// answered (calories, franchise and hiring first; then student discounts,
// dogs in the shop and food nearby; the other groups' discounts and
// typhoons in stop 55, with the service topics written earlier beside
// them); the words are general vocabulary.
type offTopic struct {
	asks *regexp.Regexp // the question is about the subject
	// mentions are words whose presence in the content, or in a passage,
	// means it may say something: English ones matched as whole words,
	// Chinese ones anywhere.
	mentions []string
}

// groupDiscount is the offTopic of a group's lower price: en and zh are
// regexp alternatives naming the group in English (whole words) and in
// Chinese; mentions are the words a passage about it names.
func groupDiscount(en, zh string, mentions ...string) offTopic {
	const price = `discounts?|prices?|offers?|deals?|rates?|concessions?|cheaper|tickets?`
	const zhPrice = `优惠|折扣|打折|有折|几折|半价|便宜|免费|减免|价|票`
	return offTopic{regexp.MustCompile(`(?i)\b(` + en + `)\b.{0,20}\b(` + price + `)\b|\b(` + price + `)\b.{0,20}\b(` + en + `)\b|` +
		`(` + zh + `).{0,6}(` + zhPrice + `)|(优惠|折扣|打折).{0,6}(` + zh + `)`), mentions}
}

var offTopics = []offTopic{
	{regexp.MustCompile(`(?i)\b(hiring|vacanc(y|ies)|recruit\w*|careers?|job openings?|jobs?)\b|招聘|招人|招工|应聘|求职|招.{0,3}(师|员|老师|学徒|店员|人)吗|兼职`),
		// Not "job" ("a job well done") nor "hiring", which the English
		// analyser stems to "hire" (a bike for hire).
		[]string{"vacancy", "vacancies", "recruit", "recruitment", "recruiting", "career", "careers",
			"招聘", "应聘", "求职", "兼职", "招人"}},
	{regexp.MustCompile(`(?i)\bfranchis\w*|加盟`), []string{"franchise", "franchising", "franchisee", "加盟"}},
	{regexp.MustCompile(`(?i)\b(calories|calorie|kcal)\b|卡路里|热量|大卡`), []string{"calorie", "calories", "kcal", "卡路里", "热量", "大卡"}},
	{regexp.MustCompile(`(?i)\brecipes?\b|配方|食谱`), []string{"recipe", "recipes", "配方", "食谱"}},
	{regexp.MustCompile(`(?i)\bwi-?fi\b|无线网`), []string{"wifi", "wi-fi", "wireless internet", "无线网", "无线网络"}},
	groupDiscount(`students?|uni|college`, `学生|大学生|在校生`, "student", "students", "学生"),
	groupDiscount(`seniors?|senior citizens?|elderly|pensioners?|retirees?|retired|over (60|65|70)s?`, `老人|老年|长者|退休`,
		"senior", "seniors", "elderly", "pensioner", "pensioners", "retired", "retirees", "老人", "老年", "长者", "退休", "岁以上"),
	groupDiscount(`teachers?`, `教师`, "teacher", "teachers", "教师"),
	groupDiscount(`military|soldiers?|veterans?|armed forces`, `军人|退伍`, "military", "soldier", "soldiers", "veteran", "veterans", "军人", "退伍"),
	groupDiscount(`disabled|disability|disabilities`, `残疾|残障`, "disabled", "disability", "disabilities", "残疾", "残障"),
	{regexp.MustCompile(`(?i)\b(bring|take)\b.{0,12}\b(dogs?|pets?|pupp(y|ies))\b|\b(dogs?|pets?)\b.{0,10}\ballowed\b|\b(pet|dog)[- ]friendly\b|带.{0,2}(狗|宠物)|(狗|宠物).{0,4}(能进|可以进|让进)`),
		[]string{"dog", "dogs", "pet", "pets", "puppy", "pet-friendly", "dog-friendly", "animal", "animals", "狗", "宠物", "动物", "导盲犬"}},
	{regexp.MustCompile(`(?i)\b(restaurants?|hotpot|places? to eat|somewhere to eat|food|eat)\b.{0,30}\b(near|nearby|around)\b|` +
		`\b(near|nearby|around)\b.{0,30}\b(restaurants?|hotpot)\b|附近.{0,8}(好吃|吃饭|餐厅|饭店|火锅|美食)|(餐厅|饭店|火锅|美食).{0,8}推荐|有什么好吃|有啥好吃`),
		[]string{"restaurant", "restaurants", "hotpot", "餐厅", "饭店", "火锅", "美食"}},
	{regexp.MustCompile(`(?i)\b(wheelchairs?|accessible|accessibility|step[- ]free|disabled access|ramp)\b|轮椅|无障碍|残疾人`),
		[]string{"wheelchair", "wheelchairs", "accessible", "accessibility", "step-free", "step free", "disabled access", "ramp",
			"轮椅", "无障碍", "残疾人"}},
	{regexp.MustCompile(`(?i)\b(toilets?|restrooms?|washrooms?)\b|厕所|洗手间|卫生间`),
		[]string{"toilet", "toilets", "restroom", "restrooms", "washroom", "washrooms", "厕所", "洗手间", "卫生间"}},
	{regexp.MustCompile(`(?i)\b(smoke|smoking)\b|抽烟|吸烟`), []string{"smoke", "smoking", "抽烟", "吸烟"}},
	{regexp.MustCompile(`(?i)\b(typhoons?|rainstorms?|snowstorms?|(bad|severe|extreme) weather)\b|台风|暴雨|暴雪|恶劣天气|极端天气`),
		[]string{"typhoon", "typhoons", "rainstorm", "snowstorm", "bad weather", "severe weather", "extreme weather",
			"台风", "暴雨", "暴雪", "恶劣天气", "极端天气"}},
}

// absentTopics remembers, per index, which offTopics its content mentions.
type absentTopics struct {
	once   sync.Once
	absent []bool
}

// offTopicAbsent reports whether text asks about an offTopic that the
// content never mentions.
func (ix *Index) offTopicAbsent(ctx context.Context, text string) bool {
	ix.absent.once.Do(func() {
		// Kept for the index's life: a request cancelled meanwhile must
		// not make every subject look absent.
		bg := context.WithoutCancel(ctx)
		ix.absent.absent = make([]bool, len(offTopics))
		for i, t := range offTopics {
			ix.absent.absent[i] = !ix.mentionsAny(bg, t.mentions)
		}
	})
	for i, t := range offTopics {
		if ix.absent.absent[i] && t.asks.MatchString(text) {
			return true
		}
	}
	return false
}

// mentionsAny reports whether any document's title or body holds one of
// words (all of a word's terms, as the analyser makes them).
func (ix *Index) mentionsAny(ctx context.Context, words []string) bool {
	for _, w := range words {
		zh := hasHan(w)
		fields := []string{fTitleEN, fBodyEN}
		if zh {
			fields = []string{fTitleZH, fBodyZH}
		}
		terms := ix.analysers().analyse(w, zh).terms
		if len(terms) == 0 {
			continue
		}
		for _, f := range fields {
			all := true
			for _, t := range terms {
				if ix.docFreq(ctx, f, t) == 0 {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
	}
	return false
}

// absentFactor scales the confidence of every hit for a question about a
// subject the content never mentions: set by hand so that even a sure hit
// (0.99) falls below the Engine's default answer threshold (0.55) and is
// only offered.
const absentFactor = 0.3

// offTopicCap scales the confidences of hits by absentFactor when text
// asks about an offTopic the content never mentions, and returns hits.
func (ix *Index) offTopicCap(ctx context.Context, text string, hits []bot.Hit) []bot.Hit {
	if len(hits) == 0 || !ix.offTopicAbsent(ctx, text) {
		return hits
	}
	for i := range hits {
		hits[i].Confidence *= absentFactor
	}
	return hits
}
