package knowledge

import (
	"context"
	"regexp"
	"sync"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/catalog"
)

// offTopic is a subject that customers of any trade ask about and that
// many companies' content never mentions: jobs, franchises, calories,
// recipes, the wifi, a student discount, bringing a dog, where to eat
// nearby, what brand something is. A question about one is answered only
// by content that mentions it: "你们招美容师吗" is not answered by the page
// about the groomers, nor "多少卡路里" by the cake's price, nor "can I open
// a franchise" by the company story. The subjects were chosen from the
// unanswerable questions of the read companies that the bot answered
// (calories, franchise and hiring there; student discounts, dogs in the
// shop and food nearby added in later steps, brands in stop 56); the words
// are general vocabulary.
type offTopic struct {
	asks     *regexp.Regexp // the question is about the subject
	mentions []string       // words whose presence in the content means it may say something
}

var offTopics = []offTopic{
	{regexp.MustCompile(`(?i)\b(hiring|vacanc(y|ies)|recruit\w*|careers?|job openings?|jobs?)\b|招聘|招人|招工|应聘|求职|招.{0,3}(师|员|老师|学徒|店员|人)吗|兼职`),
		// Not "job" ("a job well done") nor "hiring", which the English
		// analyser stems to "hire" (a bike for hire).
		[]string{"vacancy", "vacancies", "recruit", "recruitment", "career", "careers", "招聘", "应聘", "求职", "兼职", "招人"}},
	{regexp.MustCompile(`(?i)\bfranchis\w*|加盟`), []string{"franchise", "franchising", "加盟"}},
	{regexp.MustCompile(`(?i)\b(calories|calorie|kcal)\b|卡路里|热量|大卡`), []string{"calorie", "calories", "kcal", "卡路里", "热量", "大卡"}},
	{regexp.MustCompile(`(?i)\brecipes?\b|配方|食谱`), []string{"recipe", "recipes", "配方", "食谱"}},
	{regexp.MustCompile(`(?i)\bwi-?fi\b|无线网`), []string{"wifi", "wi-fi", "无线网", "无线网络"}},
	{regexp.MustCompile(`(?i)\bstudents?\b.{0,20}\b(discounts?|prices?|offers?|deals?|rates?)\b|\b(discounts?|prices?|offers?|deals?|rates?)\b.{0,20}\bstudents?\b|学生(优惠|价|折|卡|证)`),
		[]string{"student", "students", "学生"}},
	{regexp.MustCompile(`(?i)\b(bring|take)\b.{0,12}\b(dogs?|pets?|pupp(y|ies))\b|\b(dogs?|pets?)\b.{0,10}\ballowed\b|\b(pet|dog)[- ]friendly\b|带.{0,2}(狗|宠物)|(狗|宠物).{0,4}(能进|可以进|让进)`),
		[]string{"dog", "dogs", "pet", "pets", "puppy", "狗", "宠物"}},
	{regexp.MustCompile(`(?i)\b(what|which)\s+(brands?|make)\b|\bbrands?\s+(is|are|of)\b|什么牌子|哪个牌子|啥牌子|什么品牌|哪个品牌`),
		[]string{"brand", "brands", "牌子", "品牌"}},
	{regexp.MustCompile(`(?i)\b(restaurants?|hotpot|places? to eat|somewhere to eat|food|eat)\b.{0,30}\b(near|nearby|around)\b|` +
		`\b(near|nearby|around)\b.{0,30}\b(restaurants?|hotpot)\b|附近.{0,8}(好吃|吃饭|餐厅|饭店|火锅|美食)|(餐厅|饭店|火锅|美食).{0,8}推荐|有什么好吃|有啥好吃`),
		[]string{"restaurant", "restaurants", "hotpot", "餐厅", "饭店", "火锅", "美食"}},
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
	if len(hits) == 0 || !ix.offTopicAbsent(ctx, text) && !ix.soldAbsent(ctx, text) {
		return hits
	}
	for i := range hits {
		hits[i].Confidence *= absentFactor
	}
	return hits
}

// soldAbsent reports whether text asks whether the company sells or has
// something (catalog.SoldSubject) that no document mentions, nor a
// spelling one slip away: "do you sell hearing aids" of an optician's
// content, "有马卡龙卖吗" of a bakery's without macarons. A passage that
// ranks first for such a question is about something else ("Do you sell
// gift cards?").
func (ix *Index) soldAbsent(ctx context.Context, text string) bool {
	subject := catalog.SoldSubject(text)
	if subject == "" {
		return false
	}
	if hasHan(subject) {
		// Any of its character pairs: the run may span words ("周末骑行团"
		// holds "末骑", which no text does), and one that the content
		// uses says it may well speak of it. One character says nothing.
		terms := ix.analysers().analyse(subject, true).terms
		if utf8.RuneCountInString(subject) < 2 || len(terms) == 0 {
			return false
		}
		for _, t := range terms {
			if ix.docFreq(ctx, fTitleZH, t) > 0 || ix.docFreq(ctx, fBodyZH, t) > 0 {
				return false
			}
		}
		return true
	}
	if ix.mentionsAny(ctx, []string{subject}) {
		return false
	}
	for _, t := range ix.analysers().analyse(subject, false).terms {
		if len(ix.spell.correct(ix, t)) > 0 {
			return false
		}
	}
	return true
}
