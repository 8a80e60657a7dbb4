package knowledge

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/catalog"
)

// offTopic is a subject that customers of any trade ask about and that
// many companies' content never mentions: jobs, franchises, calories,
// recipes, the wifi, a student discount, bringing a dog, where to eat
// nearby, what brand something is, what parking or a taxi costs, the
// weather forecast, who owns the business. A question about one is answered only
// by content that mentions it: "你们招美容师吗" is not answered by the page
// about the groomers, nor "多少卡路里" by the cake's price, nor "can I open
// a franchise" by the company story. The subjects were chosen from the
// unanswerable questions of the read companies that the bot answered
// (calories, franchise and hiring there; student discounts, dogs in the
// shop and food nearby added in later steps, brands in stop 56; what
// parking or the journey costs, the weather forecast and who owns the
// shop in stop 57, from questions a helper wrote for the read companies,
// testdata/probe/unans10); the words are general vocabulary.
type offTopic struct {
	asks     *regexp.Regexp // the question is about the subject
	mentions []string       // words whose presence in the content means it may say something
	// together asks that all the terms of a mention stand in one document
	// ("parking fee"), not anywhere in the content ("Jiaozi Park" on one
	// page and "delivery fee" on another).
	together bool
}

var offTopics = []offTopic{
	{regexp.MustCompile(`(?i)\b(hiring|vacanc(y|ies)|recruit\w*|careers?|job openings?|jobs?)\b|招聘|招人|招工|应聘|求职|招.{0,3}(师|师傅|员|老师|学徒|店员|人)吗|兼职`),
		// Not "job" ("a job well done") nor "hiring", which the English
		// analyser stems to "hire" (a bike for hire).
		[]string{"vacancy", "vacancies", "recruit", "recruitment", "career", "careers", "招聘", "应聘", "求职", "兼职", "招人"}, false},
	{regexp.MustCompile(`(?i)\bfranchis\w*|加盟`), []string{"franchise", "franchising", "加盟"}, false},
	{regexp.MustCompile(`(?i)\b(calories|calorie|kcal)\b|卡路里|热量|大卡`), []string{"calorie", "calories", "kcal", "卡路里", "热量", "大卡"}, false},
	{regexp.MustCompile(`(?i)\brecipes?\b|配方|食谱`), []string{"recipe", "recipes", "配方", "食谱"}, false},
	{regexp.MustCompile(`(?i)\bwi-?fi\b|无线网`), []string{"wifi", "wi-fi", "无线网", "无线网络"}, false},
	{regexp.MustCompile(`(?i)\bstudents?\b.{0,20}\b(discounts?|prices?|offers?|deals?|rates?)\b|\b(discounts?|prices?|offers?|deals?|rates?)\b.{0,20}\bstudents?\b|学生(优惠|价|折|卡|证)`),
		[]string{"student", "students", "学生"}, false},
	{regexp.MustCompile(`(?i)\b(bring|take)\b.{0,12}\b(dogs?|pets?|pupp(y|ies))\b|\b(dogs?|pets?)\b.{0,10}\ballowed\b|\b(pet|dog)[- ]friendly\b|带.{0,2}(狗|宠物)|(狗|宠物).{0,4}(能进|可以进|让进)`),
		[]string{"dog", "dogs", "pet", "pets", "puppy", "狗", "宠物"}, false},
	{regexp.MustCompile(`(?i)\b(what|which)\s+(brands?|make)\b|\bbrands?\s+(is|are|of)\b|什么牌子|哪个牌子|啥牌子|什么品牌|哪个品牌`),
		[]string{"brand", "brands", "牌子", "品牌"}, false},
	{regexp.MustCompile(`(?i)\b(restaurants?|hotpot|places? to eat|somewhere to eat|food|eat)\b.{0,30}\b(near|nearby|around)\b|` +
		`\b(near|nearby|around)\b.{0,30}\b(restaurants?|hotpot)\b|附近.{0,8}(好吃|吃饭|餐厅|饭店|火锅|美食)|(餐厅|饭店|火锅|美食).{0,8}推荐|有什么好吃|有啥好吃`),
		[]string{"restaurant", "restaurants", "hotpot", "餐厅", "饭店", "火锅", "美食"}, false},
	// The world around the shop: what parking or the journey to it costs,
	// the weather forecast, who owns the business. Address passages share
	// the place names and are no answer. Each asks narrowly, so that a
	// trade's own services are not caught: a garage's prices, a tour's bus
	// or ferry, a studio's advice for rainy days, "owners of senior dogs".
	{regexp.MustCompile(`(?i)\b(parking|car ?park)\b.{0,40}\b(fees?|cost|costs|charges?|price|rates?|per hour|an hour|how much)\b|` +
		`\b(how much|what do they charge|cost|price|rates?)\b.{0,30}\b(parking|car ?park)\b|停车.{0,12}(多少钱|怎么收费|收费|一小时|每小时|咋收|贵不贵)`),
		[]string{"parking fee", "parking fees", "parking charge", "parking charges", "停车费", "停车收费", "免费停车", "停车免费"}, true},
	{regexp.MustCompile(`(?i)\b(taxi|cab|didi|uber|metro|subway)\b.{0,40}\b(fare|fares|cost|costs|how much|price)\b|` +
		`\bhow much\b.{0,20}\b(taxi|cab|didi|uber|metro|subway)\b|(打车|出租车|滴滴|坐地铁|地铁票).{0,14}(多少钱|要多少|几块|贵不贵)`),
		[]string{"fare", "fares", "车费", "票价", "打车费"}, true},
	{regexp.MustCompile(`(?i)\bforecast\b|\bwill it (rain|snow)\b|\b(is it|it's|its) going to (rain|snow)\b|\b(rain|snow)(ing)? (tomorrow|today|tonight|this weekend)\b|` +
		`\bweather (tomorrow|today|tonight|this weekend)\b|天气预报|(明天|今天|后天|周末|这周|下周).{0,6}(天气怎么样|天气如何|下不下雨|会不会下雨|下雨吗|会下雨)|下不下雨`),
		[]string{"forecast", "天气预报", "weather forecast"}, true},
	{regexp.MustCompile(`(?i)\bwho (owns|is the owner of|runs) (the|this|your) (shop|store|business|company|studio|place)\b|\bwho owns (you|it)\b|` +
		`\bowner of (the|this|your) (shop|store|business|company|studio|place)\b|老板是谁|谁是老板|谁开的|老板叫(什么|啥)`),
		[]string{"founder", "founders", "founded", "owned by", "创始人", "创办"}, true},
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
			if t.together {
				ix.absent.absent[i] = !ix.mentionsInOne(bg, t.mentions)
			} else {
				ix.absent.absent[i] = !ix.mentionsAny(bg, t.mentions)
			}
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
	return ix.anyWord(words, func(fields, terms []string) bool {
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
		return false
	})
}

// mentionsInOne reports whether one document of any kind holds every term
// of one of words, in its title or body (as the analyser makes them).
func (ix *Index) mentionsInOne(ctx context.Context, words []string) bool {
	return ix.anyWord(words, func(fields, terms []string) bool {
		return ix.oneHolds(ctx, fields, terms, true)
	})
}

// anyWord reports whether held is true of one of words: its terms, as the
// analyser of its language makes them, and the title and body fields of
// that language. Words without terms are passed over.
func (ix *Index) anyWord(words []string, held func(fields, terms []string) bool) bool {
	for _, w := range words {
		zh := hasHan(w)
		fields := []string{fTitleEN, fBodyEN}
		if zh {
			fields = []string{fTitleZH, fBodyZH}
		}
		if terms := ix.analysers().analyse(w, zh).terms; len(terms) > 0 && held(fields, terms) {
			return true
		}
	}
	return false
}

// oneHolds reports whether one document holds every one of terms in one
// of fields (not necessarily the same field for each term); a product
// counts only when products is true.
func (ix *Index) oneHolds(ctx context.Context, fields, terms []string, products bool) bool {
	conj := query.NewConjunctionQuery(nil)
	for _, t := range terms {
		either := query.NewDisjunctionQuery(nil)
		for _, f := range fields {
			tq := query.NewTermQuery(t)
			tq.SetField(f)
			either.AddQuery(tq)
		}
		conj.AddQuery(either)
	}
	var q query.Query = conj
	if !products {
		kind := query.NewTermQuery(bot.KindProduct)
		kind.SetField(fKind)
		q = query.NewBooleanQuery([]query.Query{conj}, nil, []query.Query{kind})
	}
	res, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 1, 0, false))
	return err == nil && res.Total > 0
}

// absentFactor scales the confidence of every hit for a question about a
// subject the content never mentions: set by hand so that even a sure hit
// (0.99) falls below the Engine's default answer threshold (0.55) and is
// only offered.
const absentFactor = 0.3

// offTopicCap scales the confidences of hits by absentFactor when text
// asks about an offTopic the content never mentions, and returns hits.
func (ix *Index) offTopicCap(ctx context.Context, text string, hits []bot.Hit) []bot.Hit {
	if len(hits) == 0 || !ix.offTopicAbsent(ctx, text) && !ix.soldAbsent(ctx, text) && !ix.serviceAbsent(ctx, text) {
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
		return ix.hanAbsent(ctx, subject)
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

// serviceAsks find what a question asks whether the company does, offers
// or lets the customer do (the object, group 1): "can you install solar
// panels", "do you offer a pet taxi", "can i do a hearing test at your
// store", "能做CT吗", "能打HPV疫苗吗", "能装太阳能板不".
var serviceAsks = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(?:can|could|do|does|will|would) (?:you|u|ya|y'all|you guys|your (?:shop|store|clinic|team|company))\s+` +
		`(?:also |even |still )?(?:do|offer|provide|install|fit|fix|repair|treat|service|clean|handle|perform|supply|arrange|organi[sz]e|run|host)\s+` +
		`(?:an? |any |the |some |my |our )?([a-z0-9][a-z0-9' -]{1,40}?)(?:\s+(?:for|at|in|on|to|from|with|here|there|too|as well|please|pls|or|and|if|when|near)\b|[?.!,;]|$)`),
	regexp.MustCompile(`(?i)\b(?:can|could|may) (?:i|we)\s+(?:get|do|have|book|adopt|rent|take|try)\s+` +
		`(?:an? |any |the |some |my |our )?([a-z0-9][a-z0-9' -]{1,40}?)\s+(?:at|in|from|with|here|there|for|to|on)\b`),
	regexp.MustCompile(`(?:能|可以|会|能不能|可不可以)(?:做|装|打|治|拍|办|验|测|查|配)(?:个|一下|一个|下)?([\p{Han}A-Za-z0-9]{1,8}?)(?:吗|不|么|嘛|没|呢|\?|？|$)`),
}

// serviceAbsent reports whether text asks whether the company does
// something (serviceAsks) whose object the content never mentions: an
// acronym or other Latin word of it that no document holds, nor a spelling
// one slip away ("CT", "HPV", "solar"), or, for a Chinese object without
// one, none of its character pairs ("太阳能板"). "能装太阳能板不" of an
// appliance-repair firm's content is not answered "能装。" by its water
// heater installation entry, nor "can i do a hearing test at your store"
// by a store's address.
func (ix *Index) serviceAbsent(ctx context.Context, text string) bool {
	for _, re := range serviceAsks {
		m := re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		if ix.objectAbsent(ctx, strings.TrimSpace(m[1])) {
			return true
		}
	}
	return false
}

// objectAbsent reports whether the content never mentions obj (see
// serviceAbsent).
func (ix *Index) objectAbsent(ctx context.Context, obj string) bool {
	if obj == "" {
		return false
	}
	latin := strings.FieldsFunc(strings.ToLower(obj), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
	named, absent := 0, 0
	for _, w := range latin {
		if len(w) < 2 || objectFillers[w] {
			continue
		}
		switch ix.wordPresence(ctx, w) {
		case wordHeld:
			named++
		case wordMissing:
			named++
			absent++
			if isAcronym(obj, w) {
				return true // "CT", "HPV": the name of the thing itself
			}
		}
	}
	if len(latin) > 0 {
		return named > 0 && absent == named
	}
	return hasHan(obj) && ix.hanAbsent(ctx, obj)
}

// hanAbsent reports whether no Chinese title or body holds any character
// pair of the Chinese run s: the run may span words ("周末骑行团" holds
// "末骑", which no text does), and one pair that the content uses says it
// may well speak of it. One character says nothing.
func (ix *Index) hanAbsent(ctx context.Context, s string) bool {
	terms := ix.analysers().analyse(s, true).terms
	if utf8.RuneCountInString(s) < 2 || len(terms) == 0 {
		return false
	}
	for _, t := range terms {
		if ix.docFreq(ctx, fTitleZH, t) > 0 || ix.docFreq(ctx, fBodyZH, t) > 0 {
			return false
		}
	}
	return true
}

// wordPresence is whether the content holds a word (Index.wordPresence).
type wordPresence uint8

const (
	wordEmpty   wordPresence = iota // a stop word: no terms, nothing said
	wordHeld                        // some document holds it
	wordMissing                     // none does, nor a spelling one slip away
)

// isAcronym reports whether the lower-case word w stands in text in
// capitals, two to five letters long: "CT", "HPV", "MRI".
func isAcronym(text, w string) bool {
	up := strings.ToUpper(w)
	return len(w) >= 2 && len(w) <= 5 && up != w && strings.Contains(text, up)
}

// wordPresence reports whether a document holds the Latin word w, in
// English or Chinese text, as the analysers make it, or a spelling one slip
// away (wordHeld), none does (wordMissing), or w is a stop word (wordEmpty).
func (ix *Index) wordPresence(ctx context.Context, w string) wordPresence {
	seen := false
	for _, zh := range []bool{false, true} {
		fields := []string{fTitleEN, fBodyEN}
		if zh {
			fields = []string{fTitleZH, fBodyZH}
		}
		for _, t := range ix.analysers().analyse(w, zh).terms {
			seen = true
			for _, f := range fields {
				if ix.docFreq(ctx, f, t) > 0 {
					return wordHeld
				}
			}
			if !zh && len(ix.spell.correct(ix, t)) > 0 {
				return wordHeld
			}
		}
	}
	if !seen {
		return wordEmpty
	}
	return wordMissing
}

// objectFillers stand in a service question's object without naming a
// thing: "can you do it cheaper", "could you fix this one today".
var objectFillers = map[string]bool{"it": true, "this": true, "that": true, "them": true, "these": true, "those": true,
	"one": true, "ones": true, "something": true, "anything": true, "stuff": true, "me": true, "us": true,
	"cheaper": true, "faster": true, "sooner": true, "quicker": true, "better": true, "more": true, "less": true,
	"today": true, "tomorrow": true, "tonight": true, "now": true, "asap": true, "again": true, "same": true}
