package catalog

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

// garden is a small catalogue of a trade none of the evaluation companies
// share, in both languages, with its own columns (material, stock,
// voltage) and one internal product.
func garden() []Product {
	p := func(id, sku, lang, name, cat, price, desc, tags string, attrs map[string]string) Product {
		return Product{ID: id, SKU: sku, Lang: lang, Name: name, Category: cat, Price: price, Currency: "EUR",
			Description: desc, Tags: texts.SplitList(tags), Attrs: attrs, Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	ps := []Product{
		p("POT-10", "POT-10", "en", "Terracotta Pot, 10 cm", "Pots & planters", "4.50", "Classic unglazed clay pot with a drainage hole, for herbs and cuttings.", "terracotta;clay pot", map[string]string{"material": "terracotta", "size": "10 cm", "weight": "300 g", "stock": "40"}),
		p("POT-30", "POT-30", "en", "Terracotta Pot, 30 cm", "Pots & planters", "19.00", "Large unglazed clay pot for shrubs and small trees.", "terracotta;clay pot;large", map[string]string{"material": "terracotta", "size": "30 cm", "weight": "4.2 kg", "stock": "0"}),
		p("PLN-01", "PLN-01", "en", "Self-Watering Planter", "Pots & planters", "29.00", "Plastic planter with a water reservoir that keeps roots moist for up to two weeks.", "planter;self watering", map[string]string{"material": "recycled plastic", "size": "40 x 20 cm", "weight": "1.1 kg", "stock": "12"}),
		p("TL-01", "TL-01", "en", "Stainless Hand Trowel", "Tools", "12.00", "Hand trowel with an ash handle for planting bulbs and seedlings.", "trowel;hand tool", map[string]string{"material": "stainless steel, ash", "weight": "250 g", "stock": "25"}),
		p("TL-02", "TL-02", "en", "Bypass Secateurs", "Tools", "24.00", "Bypass pruning shears for clean cuts on live stems up to 20 mm.", "secateurs;pruning shears;pruner", map[string]string{"material": "carbon steel", "weight": "220 g", "stock": "8"}),
		p("TL-03", "TL-03", "en", "Cordless Hedge Trimmer", "Tools", "89.00", "18 V cordless hedge trimmer with a 50 cm blade; battery sold separately.", "hedge trimmer;cordless;power tool", map[string]string{"material": "steel, ABS", "weight": "2.6 kg", "stock": "3", "voltage": "18 V", "battery_life": "30 min", "compatibility": "Greenline 18 V batteries"}),
		p("TL-04", "TL-04", "en", "Cordless Leaf Blower", "Tools", "79.00", "Light 18 V leaf blower for paths and patios.", "leaf blower;cordless;power tool", map[string]string{"material": "ABS", "weight": "1.9 kg", "stock": "6", "voltage": "18 V", "battery_life": "45 min", "compatibility": "Greenline 18 V batteries"}),
		p("SL-01", "SL-01", "en", "Peat-Free Compost, 40 L", "Soil & compost", "8.00", "Peat-free multi-purpose compost for pots, beds and seed sowing.", "compost;peat free;soil", map[string]string{"weight": "15 kg", "stock": "60"}),
		p("CAM-1", "CAM-1", "en", "Trailcam Vlog Camera", "Cameras & Action Cams", "499.00", "Compact vlog camera with a flip screen for recording your garden through the seasons.", "vlog camera;camera", map[string]string{"stock": "4"}),
		p("CAM-2", "CAM-2", "en", "Snap Mini 12", "Cameras & Action Cams", "99.00", "Prints credit-card-size photos of your blooms on the spot.", "instant camera;gift", map[string]string{"stock": "9"}),
		p("CAM-1-zh", "CAM-1", "zh", "Trailcam Vlog 相机", "相机与运动相机", "499.00", "带翻转屏的小巧 Vlog 相机，记录花园四季。", "vlog相机;相机", map[string]string{"stock": "4"}),
		p("CAM-2-zh", "CAM-2", "zh", "Snap Mini 12 拍立得", "相机与运动相机", "99.00", "即拍即得，当场打印信用卡大小的花朵照片。", "拍立得;送礼", map[string]string{"stock": "9"}),
		p("POT-10-zh", "POT-10", "zh", "赤陶花盆 10厘米", "花盆", "4.50", "经典无釉陶土花盆，底部有排水孔，适合香草和扦插。", "陶盆;花盆", map[string]string{"material": "赤陶", "size": "10厘米", "weight": "300克", "stock": "40"}),
		p("POT-30-zh", "POT-30", "zh", "赤陶花盆 30厘米", "花盆", "19.00", "大号无釉陶土花盆，适合灌木和小树。", "陶盆;花盆;大号", map[string]string{"material": "赤陶", "size": "30厘米", "weight": "4.2公斤", "stock": "0"}),
		p("TL-02-zh", "TL-02", "zh", "旁通式修枝剪", "工具", "24.00", "旁通式修枝剪，可干净剪断直径20毫米以内的活枝。", "修枝剪;剪刀", map[string]string{"material": "碳钢", "weight": "220克", "stock": "8"}),
	}
	staff := p("TL-99", "TL-99", "en", "Staff Demo Chainsaw", "Tools", "0", "Demonstration chainsaw for staff training only.", "chainsaw", map[string]string{"stock": "1"})
	staff.Audience = bot.AudienceInternal
	return append(ps, staff)
}

// newGarden builds the garden catalogue; Elsewhere knows "delivery" and
// "gift wrapping", as a company's FAQ would.
func newGarden(t testing.TB) *Index {
	t.Helper()
	ix, err := New(garden(), Options{Elsewhere: func(_ context.Context, s string) bool {
		return strings.Contains(s, "wrapping") || strings.Contains(s, "delivery")
	}})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestAnswer(t *testing.T) {
	ix := newGarden(t)
	tests := []struct {
		name, text, lang string
		employee         bool
		ok               bool
		sources          []string // the first sources, in order
		anyOrder         bool     // sources in any order
		choices          []string
		asks             bool     // Text only asks which of choices (AsksWhich)
		contains         []string // in the reply text
		absent           []string // not in the reply text
	}{
		{name: "price", text: "how much are the secateurs", ok: true, sources: []string{"TL-02"}, contains: []string{"€24.00"}},
		{name: "bare name, as a search box is typed", text: "secateurs", ok: true, sources: []string{"TL-02"}},
		{name: "bare category", text: "tools", ok: true, anyOrder: true, sources: []string{"TL-01", "TL-02", "TL-03", "TL-04"}},
		{name: "bare name zh", text: "修枝剪", lang: "zh", ok: true, sources: []string{"TL-02-zh"}},
		{name: "bare words only a description holds", text: "clean cuts", ok: false},
		{name: "where something is, the knowledge base's", text: "修枝剪在哪", lang: "zh", ok: false},
		{name: "price typo", text: "price of the secatuers?", ok: true, sources: []string{"TL-02"}},
		{name: "price by SKU", text: "TL-03 price", ok: true, sources: []string{"TL-03"}, contains: []string{"€89.00"}},
		{name: "price zh", text: "修枝剪多少钱", lang: "zh", ok: true, sources: []string{"TL-02-zh"}, contains: []string{"售价 €24.00"}},
		{name: "reply language follows the query", text: "how much are the secateurs", lang: "zh", ok: true, sources: []string{"TL-02-zh"}, contains: []string{"旁通式修枝剪"}},
		{name: "stock from the column", text: "is the 30 cm terracotta pot in stock", ok: true, sources: []string{"POT-30"}, contains: []string{"out of stock"}},
		{name: "stock zh", text: "10厘米的陶盆有货吗", lang: "zh", ok: true, sources: []string{"POT-10-zh"}, contains: []string{"有现货"}},
		{name: "declared column", text: "what is the hedge trimmer made of", ok: true, sources: []string{"TL-03"}, contains: []string{"Material: steel, ABS"}},
		{name: "column named in the message", text: "what voltage is the hedge trimmer", ok: true, sources: []string{"TL-03"}, contains: []string{"18 V"}},
		{name: "column synonym zh", text: "修枝剪什么材质", lang: "zh", ok: true, sources: []string{"TL-02-zh"}, contains: []string{"材质：碳钢"}},
		{name: "a value asked shows its column", text: "do you have the terracotta pot in 30 cm?", ok: true, sources: []string{"POT-30"}, contains: []string{"Yes — **Terracotta Pot, 30 cm**, €19.00. It is out of stock", "- Size: 30 cm"}},
		{name: "weight", text: "how heavy is the self watering planter", ok: true, sources: []string{"PLN-01"}, contains: []string{"1.1 kg"}},
		{name: "do you sell a category", text: "do you sell tools?", ok: true, sources: []string{"TL-01", "TL-02", "TL-03", "TL-04"}, anyOrder: true, contains: []string{"4 in our **Tools** category"}},
		{name: "superlative on a declared column", text: "which cordless tool has the longest battery life", ok: true, sources: []string{"TL-04"}, contains: []string{"45 min"}},
		{name: "column named by another form of its word", text: "is the hedge trimmer compatible with other batteries", ok: true, sources: []string{"TL-03"}, contains: []string{"Compatibility: Greenline"}},
		{name: "a kind, in the plural", text: "how much are your terracotta pots", ok: true, sources: []string{"POT-10", "POT-30"}, anyOrder: true},
		{name: "cheapest of a kind", text: "cheapest pot", ok: true, sources: []string{"POT-10"}},
		{name: "most expensive tool", text: "most expensive tool you have", ok: true, sources: []string{"TL-03"}},
		{name: "lightest of a kind", text: "lightest cordless tool", ok: true, sources: []string{"TL-04"}, absent: []string{"category"}},
		{name: "a whole category, customers' part of it", text: "what's your cheapest tool", ok: true, sources: []string{"TL-01"}, contains: []string{"in our **Tools** category"}},
		{name: "a whole category speaks for it", text: "most expensive tool", ok: true, sources: []string{"TL-03"}, contains: []string{"in our **Tools** category"}},
		{name: "the head stands before a preposition", text: "cheapest pot for herbs", ok: true, sources: []string{"POT-10"}},
		{name: "a kind named by a tag", text: "cheapest camera", ok: true, sources: []string{"CAM-2"}, absent: []string{"category"}},
		{name: "the head names every kind of the category", text: "最便宜的相机", lang: "zh", ok: true, sources: []string{"CAM-2-zh"}, contains: []string{"「相机与运动相机」类里"}},
		{name: "heaviest", text: "heaviest pot", ok: true, sources: []string{"POT-30"}},
		{name: "under a price", text: "any tools under €20?", ok: true, sources: []string{"TL-01"}},
		{name: "under a price zh", text: "20欧以内的花盆", lang: "zh", ok: true, sources: []string{"POT-10-zh", "POT-30-zh"}},
		{name: "over a price", text: "tools over 50 euros", ok: true, sources: []string{"TL-03"}},
		{name: "nothing in range", text: "any terracotta pots under 2 euros", ok: true, sources: []string{"POT-10"}, contains: []string{"closest"}},
		{name: "compare", text: "difference between the 10 cm and the 30 cm terracotta pot", ok: true, sources: []string{"POT-10", "POT-30"}, contains: []string{"| Weight | 300 g | 4.2 kg |"}},
		{name: "ambiguous asks which", text: "what colour is the cordless one", ok: true, sources: []string{"TL-03", "TL-04"}, anyOrder: true, choices: []string{"TL-03", "TL-04"}, asks: true, contains: []string{"which one do you mean"}},
		{name: "ambiguous, asked what each line shows: each", text: "how much is the cordless one", ok: true, sources: []string{"TL-03", "TL-04"}, anyOrder: true, choices: []string{"TL-03", "TL-04"}, contains: []string{"here is each", "€89.00", "€79.00", "Pick one for more"}},
		{name: "ambiguous, a column each has: each", text: "what is the cordless one made of", ok: true, sources: []string{"TL-03", "TL-04"}, anyOrder: true, choices: []string{"TL-03", "TL-04"}, contains: []string{"Material: steel, ABS", "Material: ABS"}},
		{name: "ambiguous, a column none has: asks which", text: "how big is the cordless one", ok: true, sources: []string{"TL-03", "TL-04"}, anyOrder: true, choices: []string{"TL-03", "TL-04"}, asks: true},
		{name: "versions of one product: each", text: "how much is the terracotta pot", ok: true, sources: []string{"POT-10", "POT-30"}, contains: []string{"2 versions", "€4.50", "€19.00"}},
		{name: "versions of one product zh", text: "赤陶花盆多少钱", lang: "zh", ok: true, sources: []string{"POT-10-zh", "POT-30-zh"}, contains: []string{"2 种规格", "€4.50", "€19.00"}},
		{name: "versions: what was asked of each", text: "how heavy is the terracotta pot", ok: true, sources: []string{"POT-10", "POT-30"}, contains: []string{"Weight: 300 g", "Weight: 4.2 kg"}},
		{name: "what kinds there are", text: "what kinds of cordless tools do you have", ok: true, sources: []string{"TL-03", "TL-04"}, anyOrder: true, absent: []string{"which one"}},
		{name: "what kinds there are zh", text: "花盆有哪几种", lang: "zh", ok: true, sources: []string{"POT-10-zh", "POT-30-zh"}, anyOrder: true, absent: []string{"哪一款"}},
		{name: "a gift in budget for an occasion no product names", text: "gift for a housewarming under 10 euros, any ideas?", ok: true, sources: []string{"POT-10", "SL-01"}, contains: []string{"up to €10"}},
		{name: "a gift in budget for an occasion zh", text: "乔迁礼物 10欧以内有啥推荐", lang: "zh", ok: true, sources: []string{"POT-10-zh"}, contains: []string{"€10以内"}},
		{name: "an occasion and a budget, no gift asked", text: "housewarming under 10 euros", ok: false},
		{name: "quantity picks one", text: "price of the 30cm terracotta pot", ok: true, sources: []string{"POT-30"}},
		{name: "the whole catalogue", text: "what's the cheapest thing you sell", ok: true, sources: []string{"POT-10"}},
		{name: "anything in budget", text: "anything under 5 euros?", ok: true, sources: []string{"POT-10"}},
		{name: "comparative", text: "secateurs or trowel, which is lighter?", ok: true, sources: []string{"TL-02", "TL-01"}, contains: []string{"| Weight | 220 g | 250 g |"}},
		{name: "two things asked", text: "how much are the planter and the trowel", ok: true, sources: []string{"PLN-01", "TL-01"}, contains: []string{"€29.00", "€12.00"}},
		{name: "we don't sell", text: "do you sell lawnmowers?", ok: true, sources: nil, contains: []string{"don't sell lawnmowers", "Tools"}},
		{name: "a service the content knows", text: "do you sell gift wrapping?", ok: false},
		{name: "shipping is not the catalogue's", text: "how much is delivery for a hedge trimmer", ok: false},
		{name: "returns are not the catalogue's", text: "can I return the secateurs", ok: false},
		{name: "a person, not a product", text: "can I talk to a real person", ok: false},
		{name: "unrelated", text: "what time do you open on sunday", ok: false},
		{name: "internal product hidden from customers", text: "how much is the staff demo chainsaw", ok: false},
		{name: "internal product for employees", text: "how much is the staff demo chainsaw", employee: true, ok: true, sources: []string{"TL-99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := bot.Query{Text: tt.text, Language: tt.lang}
			if tt.employee {
				q.Audiences = []bot.Audience{bot.AudiencePublic, bot.AudienceInternal}
			}
			a, err := ix.Answer(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if a.OK != tt.ok {
				t.Fatalf("OK = %v, want %v (confidence %.2f); text:\n%s", a.OK, tt.ok, a.Confidence, a.Text)
			}
			if !a.OK {
				return
			}
			var got []string
			for _, s := range a.Sources {
				got = append(got, s.ID)
			}
			if len(got) > len(tt.sources) {
				got = got[:len(tt.sources)]
			}
			var opts []cmp.Option
			if tt.anyOrder {
				opts = append(opts, cmpopts.SortSlices(func(a, b string) bool { return a < b }))
			}
			if diff := cmp.Diff(tt.sources, got, opts...); diff != "" {
				t.Errorf("sources (-want +got):\n%s\ntext:\n%s", diff, a.Text)
			}
			var choices []string
			for _, c := range a.Choices {
				choices = append(choices, c.ID)
			}
			if diff := cmp.Diff(tt.choices, choices); diff != "" {
				t.Errorf("choices (-want +got):\n%s", diff)
			}
			if a.AsksWhich != tt.asks {
				t.Errorf("AsksWhich = %v, want %v; text:\n%s", a.AsksWhich, tt.asks, a.Text)
			}
			for _, c := range tt.contains {
				if !strings.Contains(a.Text, c) {
					t.Errorf("text lacks %q:\n%s", c, a.Text)
				}
			}
			for _, c := range tt.absent {
				if strings.Contains(a.Text, c) {
					t.Errorf("text has %q:\n%s", c, a.Text)
				}
			}
			if a.Confidence < MinConfidence || a.Confidence > 1 {
				t.Errorf("confidence %.3f out of [%.1f, 1]", a.Confidence, MinConfidence)
			}
		})
	}
}

func TestAnswerCitesTitleAndURL(t *testing.T) {
	ix := newGarden(t)
	a, err := ix.Answer(context.Background(), bot.Query{Text: "修枝剪多少钱", Language: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.Source{{ID: "TL-02-zh", Title: "旁通式修枝剪", URL: "/kb/TL-02-zh"}}
	if diff := cmp.Diff(want, a.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestAnswerMentions checks that an answer names the words of the question
// that name its product, for the Engine to tell a FAQ entry about them from
// one about something else.
func TestAnswerMentions(t *testing.T) {
	ix := newGarden(t)
	for text, want := range map[string][]string{
		"修枝剪多少钱":                     {"修枝剪"},
		"how much are the secateurs": {"secateurs"},
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || !slices.Equal(a.Mentions, want) {
			t.Errorf("Answer(%q): OK %v, mentions %q, want %q", text, a.OK, a.Mentions, want)
		}
	}
}

func TestAnswerDoneContext(t *testing.T) {
	ix := newGarden(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Answer(ctx, bot.Query{Text: "price of the secateurs"}); err == nil {
		t.Error("Answer with a done context: no error")
	}
}

func TestParse(t *testing.T) {
	nan := math.NaN()
	type got struct {
		Lang                                   string
		Price, Stock, Sell, Compare, Recommend bool
		Attrs                                  []string
		Super                                  string
		SuperDir                               int
		Service                                []string
		Min, Max                               float64
		Quantities                             []quantity
		Subject                                string
	}
	tests := []struct {
		text string
		want got
	}{
		{"How much is the Longjing?", got{Lang: "en", Price: true, Min: nan, Max: nan, Subject: "how much is the longjing"}},
		{"龙井多少钱", got{Lang: "zh", Price: true, Min: nan, Max: nan, Subject: "龙井多少钱"}},
		{"smoky tea as a gift under ¥200", got{Lang: "en", Recommend: true, Min: nan, Max: 200, Subject: "smoky tea as a gift"}},
		{"200元以内的茶", got{Lang: "zh", Min: nan, Max: 200, Subject: "的茶"}},
		{"不超过300块的茶壶", got{Lang: "zh", Min: nan, Max: 300, Subject: "的茶壶"}},
		{"tools over 50 euros", got{Lang: "en", Min: 50, Max: nan, Subject: "tools"}},
		{"between 100 and 300 rmb", got{Lang: "en", Min: 100, Max: 300, Subject: ""}},
		{"预算4000左右", got{Lang: "zh", Min: nan, Max: 4000, Subject: ""}},
		{"the urban 25 plus", got{Lang: "en", Min: nan, Max: nan, Subject: "the urban 25 plus"}},
		{"cheapest green tea", got{Lang: "en", Super: "price", SuperDir: -1, Min: nan, Max: nan, Subject: "cheapest green tea"}},
		{"最贵的狗粮", got{Lang: "zh", Super: "price", SuperDir: 1, Min: nan, Max: nan, Subject: "最贵的狗粮"}},
		{"lightest helmet", got{Lang: "en", Super: "weight", SuperDir: -1, Min: nan, Max: nan, Subject: "lightest helmet"}},
		{"difference between metro 3 and metro 7", got{Lang: "en", Compare: true, Min: nan, Max: nan, Subject: "difference between metro 3 | metro 7"}},
		{"A和B有什么区别", got{Lang: "zh", Compare: true, Min: nan, Max: nan, Subject: "a | b 有什么区别"}},
		{"is it in stock", got{Lang: "en", Stock: true, Min: nan, Max: nan, Subject: "is it in stock"}},
		{"有没有龙井", got{Lang: "zh", Sell: true, Min: nan, Max: nan, Subject: "有没有龙井"}},
		{"kong size for a 25kg dog", got{Lang: "en", Attrs: []string{"size"}, Min: nan, Max: nan,
			Quantities: []quantity{{dim: "mass", lo: 25000, hi: 25000}}, Subject: "kong size for a 25 dog"}},
		{"teapot for one person", got{Lang: "en", Min: nan, Max: nan, Quantities: []quantity{{dim: "people", lo: 1, hi: 1}}, Subject: "teapot for"}},
		{"bike for my 8 year old", got{Lang: "en", Min: nan, Max: nan, Quantities: []quantity{{dim: "age", lo: 8, hi: 8}}, Subject: "bike for my 8"}},
		{"两岁半的孩子", got{Lang: "zh", Attrs: nil, Min: nan, Max: nan, Quantities: []quantity{{dim: "age", lo: 2.5, hi: 2.5}}, Subject: "的孩子"}},
		{"how long is the warranty", got{Lang: "en", Attrs: []string{"warranty"}, Min: nan, Max: nan, Subject: "how long is the warranty"}},
		{"can I return it", got{Lang: "en", Service: []string{"return"}, Min: nan, Max: nan, Subject: "can i return it"}},
		{"", got{Lang: "en", Min: nan, Max: nan}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			q := Parse(tt.text)
			g := got{q.Lang, q.Price, q.Stock, q.Sell, q.Compare, q.Recommend, q.Attrs, q.Super, q.SuperDir, q.Service,
				q.MinPrice, q.MaxPrice, q.Quantities, q.Subject()}
			opts := []cmp.Option{cmp.AllowUnexported(quantity{}), cmp.Comparer(func(a, b float64) bool {
				return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9
			})}
			if diff := cmp.Diff(tt.want, g, opts...); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestQuantities(t *testing.T) {
	tests := []struct {
		text string
		want []quantity
	}{
		{"14.5 kg", []quantity{{"mass", 14500, 14500}}},
		{"for dogs of 7–16 kg", []quantity{{"mass", 7000, 16000}}},
		{"for tanks up to 50 L", []quantity{{"volume", 0, 50000}}},
		{"47 / 50 / 53 cm", []quantity{{"length", 470, 470}, {"length", 500, 500}, {"length", 530, 530}}},
		{"ideal for 1–2 people", []quantity{{"people", 1, 2}}},
		{"身高150-175厘米", []quantity{{"length", 1500, 1750}}},
		{"适合8公斤以下", []quantity{{"mass", 0, 8000}}},
		{"Ages 3 to 5.", []quantity{{"age", 3, 5}}},
		{"Ages 18 months to 4 years", []quantity{{"age", 1.5, 1.5}, {"age", 4, 4}}},
		{"Frame 5 years; components 1 year", []quantity{{"time", 5 * hoursPerYear, 5 * hoursPerYear}, {"time", hoursPerYear, hoursPerYear}}},
		{"适合4-7岁", []quantity{{"age", 4, 7}}},
		{"no numbers here", nil},
	}
	for _, tt := range tests {
		got := quantities(tt.text)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(quantity{})); diff != "" {
			t.Errorf("quantities(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestMoney(t *testing.T) {
	tests := []struct{ price, currency, want string }{
		{"1599.00", "CNY", "¥1,599.00"},
		{"12.5", "USD", "$12.50"},
		{"30", "GBP", "£30"},
		{"1280.00", "SEK", "1,280.00 SEK"},
		{"99", "", "99"},
	}
	for _, tt := range tests {
		if got := money(tt.price, tt.currency); got != tt.want {
			t.Errorf("money(%q, %q) = %q, want %q", tt.price, tt.currency, got, tt.want)
		}
	}
}

// TestSuperlativeOverCategoriesNamedAlike checks that "the cheapest cake"
// ranges over every category whose name ends in cake, in both languages,
// not over the best-matching product's category only.
func TestSuperlativeOverCategoriesNamedAlike(t *testing.T) {
	p := func(sku, lang, name, cat, price string) Product {
		id := sku
		if lang == "zh" {
			id += "-zh"
		}
		return Product{ID: id, SKU: sku, Lang: lang, Name: name, Category: cat, Price: price, Currency: "CNY",
			Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	ix, err := New([]Product{
		p("CC-1", "en", "Custom Design Cake 6-inch", "Custom Cakes", "298"),
		p("CC-2", "en", "Photo Print Cake 8-inch", "Custom Cakes", "328"),
		p("CK-1", "en", "Strawberry Chiffon Cake 4-inch", "Classic Cakes", "98"),
		p("CK-2", "en", "Mango Cream Cake 6-inch", "Classic Cakes", "188"),
		p("BR-1", "en", "Sourdough Loaf", "Bread", "38"),
		p("CC-1", "zh", "定制裱花蛋糕 6 寸", "定制蛋糕", "298"),
		p("CC-2", "zh", "照片蛋糕 8 寸", "定制蛋糕", "328"),
		p("CK-1", "zh", "草莓戚风蛋糕 4 寸", "经典蛋糕", "98"),
		p("CK-2", "zh", "芒果奶油蛋糕 6 寸", "经典蛋糕", "188"),
		p("BR-1", "zh", "乡村酸种面包", "面包", "38"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"whats ur cheapest cake": "CK-1",
		"最便宜的蛋糕多少钱啊":             "CK-1-zh",
		"most expensive cake":    "CC-2",
		"cheapest custom cake":   "CC-1",
		"定制蛋糕最便宜的多少钱":            "CC-1-zh",
	} {
		lang := "en"
		if strings.ContainsFunc(text, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			lang = "zh"
		}
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: lang, Audiences: []bot.Audience{bot.AudiencePublic}})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s first (text %q)", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

// TestCheapestOfAKind checks that a superlative ranges over what its head
// noun names ("the cheapest yoga mat" is a mat, not a mat class or a mat
// towel), unless the noun names the category itself ("the cheapest sofa"
// is the loveseat of Sofas too).
func TestCheapestOfAKind(t *testing.T) {
	p := func(id, sku, lang, name, cat, price string) Product {
		return Product{ID: id, SKU: sku, Lang: lang, Name: name, Category: cat, Price: price, Currency: "CNY",
			Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	mats := func(pr Product) Product { pr.Tags = []string{"垫子", "瑜伽垫"}; return pr }
	ix, err := New([]Product{
		p("CLS", "CLS", "en", "Drop-in Mat Class", "Memberships", "168.00"),
		p("TWL", "TWL", "en", "Non-slip Mat Towel", "Mats & Props", "150.00"),
		p("TPE", "TPE", "en", "TPE Beginner Mat 6 mm", "Mats & Props", "168.00"),
		p("RUB", "RUB", "en", "Lotus Natural Rubber Yoga Mat 4 mm", "Mats & Props", "580.00"),
		p("SPR-zh", "SPR", "zh", "茶树瑜伽垫清洁喷雾 250 ml", "水杯与配件", "68.00"),
		mats(p("TPE-zh", "TPE", "zh", "TPE 入门瑜伽垫 6 mm", "瑜伽垫与辅具", "168.00")),
		mats(p("RUB-zh", "RUB", "zh", "莲花天然橡胶瑜伽垫 4 mm", "瑜伽垫与辅具", "580.00")),
		p("SOF", "SOF", "en", "Cloud 3-Seater Sofa", "Sofas", "3000.00"),
		p("LOV", "LOV", "en", "Nook Loveseat", "Sofas", "2000.00"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"cheapest yoga mat you sell?": "TPE",
		"最便宜的垫子多少钱":                   "TPE-zh",
		"cheapest sofa":               "LOV",
	} {
		lang := "en"
		if strings.ContainsAny(text, "最便宜") {
			lang = "zh"
		}
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s first; text %q", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

// TestModelCodes checks that a model code's letters and digits together
// ("xm4") tell a product from its successor whose code shares the letters
// ("WH-1000XM5"), in either order of the catalogue.
func TestModelCodes(t *testing.T) {
	p := func(id, name, price string) Product {
		return Product{ID: id, SKU: id, Lang: "en", Name: name, Category: "Headphones", Price: price, Currency: "CNY",
			Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	ix, err := New([]Product{
		p("HP-5", "Sony WH-1000XM5 Wireless Headphones", "2299.00"),
		p("HP-4", "Sony WH-1000XM4 Wireless Headphones", "1599.00"),
		p("CAM", "Sony ZV-1 II Camera", "4999.00"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"do you have the sony xm4 in stock": "HP-4",
		"how much is the xm5":               "HP-5",
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) != 1 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s alone; text %q", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

// TestBiggestBattery checks that a battery's size is its capacity, not
// its bulk: the biggest power bank holds the most mAh, whatever its length.
func TestBiggestBattery(t *testing.T) {
	p := func(id, name, desc string) Product {
		return Product{ID: id, SKU: id, Lang: "en", Name: name, Category: "Power Banks", Price: "199.00", Currency: "CNY",
			Description: desc, Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	ix, err := New([]Product{
		p("SLIM", "Slim Power Bank 20000mAh", "A long, thin bank, 15 cm long."),
		p("CUBE", "Cube Power Bank 24000mAh", "A compact cube, 11 cm long."),
		p("MINI", "Mini Power Bank 5000mAh", "Fits a pocket, 9 cm long."),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{
		"what's your biggest power bank":  "CUBE",
		"smallest power bank you have":    "MINI",
		"which power bank is the longest": "SLIM",
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s first; text %q", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

func TestFamilyName(t *testing.T) {
	same := [][2]string{
		{"Maple Chestnut Cake 6-inch", "Maple Chestnut Cake 8-inch"},
		{"Orijen Original Dog Food 2 kg", "Orijen Original Dog Food 11.4 kg"},
		{"核心床 5 次卡", "核心床 10 次卡"},
		{"渴望原味全犬粮 2kg", "渴望原味全犬粮 11.4kg"},
	}
	differ := [][2]string{
		{"Mat 10-Class Pack", "Reformer 10-Class Pack"},
		{"私教 5 节课包", "双人私教 5 节课包"},
		{"Cordless Hedge Trimmer", "Cordless Leaf Blower"},
		{"12", "34"}, // nothing but numbers names no product
	}
	for _, p := range same {
		if a, b := familyName(p[0]), familyName(p[1]); a != b || a == "" {
			t.Errorf("familyName(%q) = %q, familyName(%q) = %q; want the same", p[0], a, p[1], b)
		}
	}
	for _, p := range differ {
		if a, b := familyName(p[0]), familyName(p[1]); a == b && a != "" {
			t.Errorf("familyName(%q) = familyName(%q) = %q; want different", p[0], p[1], a)
		}
	}
}

// TestVariantsShareTheirDescription checks that a question about versions
// of one product that no column answers is answered from the description
// they share when it has every word asked, and asked back otherwise.
func TestVariantsShareTheirDescription(t *testing.T) {
	cake := func(id, size, price string) Product {
		return Product{ID: id, SKU: id, Lang: "en", Name: "Maple Chestnut Cake " + size, Category: "Cakes", Price: price,
			Currency: "CNY", Description: "Chestnut cream and maple sponge with a walnut praline crunch.", Audience: bot.AudiencePublic}
	}
	ix, err := New([]Product{cake("CK-121", "6-inch", "218"), cake("CK-122", "8-inch", "298"),
		{ID: "BR-1", SKU: "BR-1", Lang: "en", Name: "Sourdough Loaf", Category: "Bread", Price: "38", Currency: "CNY",
			Description: "Slow-fermented country loaf.", Audience: bot.AudiencePublic}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := ix.Answer(context.Background(), bot.Query{Text: "does the maple chestnut cake contain walnut"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.OK || a.AsksWhich || len(a.Sources) != 2 || !strings.Contains(a.Text, "walnut praline") || !strings.Contains(a.Text, "2 versions") {
		t.Errorf("walnut: OK %v, asks %v, sources %v; text:\n%s", a.OK, a.AsksWhich, a.Sources, a.Text)
	}
	a, err = ix.Answer(context.Background(), bot.Query{Text: "how many calories in the maple chestnut cake"})
	if err != nil {
		t.Fatal(err)
	}
	if a.OK && !a.AsksWhich {
		t.Errorf("calories, which no description names: answered %v; text:\n%s", a.Sources, a.Text)
	}
}

// TestNameSaidMoreComesFirst checks that of two products a message matches
// equally, the one whose name it says more of comes first: "月卡" is the
// plain monthly card, not the all-access one.
func TestNameSaidMoreComesFirst(t *testing.T) {
	p := func(id, sku, lang, name, price string) Product {
		return Product{ID: id, SKU: sku, Lang: lang, Name: name, Category: "会员卡", Price: price, Currency: "CNY",
			Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	ix, err := New([]Product{
		p("ALL-zh", "ALL", "zh", "全能月卡", "1880.00"),
		p("UNL-zh", "UNL", "zh", "月卡（不限次）", "1080.00"),
		p("Q-zh", "Q", "zh", "季卡（不限次）", "2880.00"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := ix.Answer(context.Background(), bot.Query{Text: "月卡多少钱一个月", Language: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != "UNL-zh" {
		t.Errorf("OK %v, sources %v, want UNL-zh first; text %q", a.OK, a.Sources, a.Text)
	}
}

// TestWordsRunTogether checks that two words of a name typed as one
// ("16promax", "airfryer") find that product, not its neighbour.
func TestWordsRunTogether(t *testing.T) {
	p := func(sku, name, price string) Product {
		return Product{ID: sku, SKU: sku, Lang: "en", Name: name, Category: "Gadgets", Price: price, Currency: "CNY",
			Audience: bot.AudiencePublic, URL: "/kb/" + sku}
	}
	ix, err := New([]Product{
		p("CS-1", "Clear Case for iPhone 16 Pro", "79"),
		p("CS-2", "Clear Case for iPhone 16 Pro Max", "89"),
		p("AF-1", "Kitchen Air Fryer 5 L", "399"),
		p("AP-1", "Air Purifier Mini", "599"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"16promax clear case": "CS-2", "airfryer how much": "AF-1"} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s first; text %q", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

// TestKindNamedByItsModifier checks that "the cheapest red" ranges over
// the whole Red wine category, not over the two reds tagged "light red"
// whose tag happens to end in the customer's word.
func TestKindNamedByItsModifier(t *testing.T) {
	p := func(sku, name, cat, price, tags string) Product {
		return Product{ID: sku, SKU: sku, Lang: "en", Name: name, Category: cat, Price: price, Currency: "CNY",
			Tags: strings.Split(tags, ";"), Audience: bot.AudiencePublic, URL: "/kb/" + sku}
	}
	ix, err := New([]Product{
		p("RW-1", "Gamay Nature 2023", "Red wine", "188", "light red;red wine"),
		p("RW-2", "Bourgogne Pinot Noir 2021", "Red wine", "328", "light red;red wine"),
		p("RW-3", "Carmenère Reserva 2022", "Red wine", "98", "red wine;value"),
		p("RW-4", "Saint-Émilion Grand Cru 2018", "Red wine", "680", "red wine"),
		p("WW-1", "Sauvignon Blanc 2023", "White wine", "78", "white wine"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"whats your cheapest red": "RW-3", "most expensive red": "RW-4",
		"cheapest white": "WW-1"} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: text, Language: "en", Audiences: []bot.Audience{bot.AudiencePublic}})
		if err != nil {
			t.Fatal(err)
		}
		if !a.OK || len(a.Sources) == 0 || a.Sources[0].ID != want {
			t.Errorf("%q: OK %v, sources %v, want %s first (text %q)", text, a.OK, a.Sources, want, a.Text)
		}
	}
}

// TestSellNeedsTheThingAsked checks that "do you sell X" is not answered
// "yes" with a product that explains only what qualifies X: a sourdough
// loaf is not a sourdough starter, an English textbook is not a Cantonese
// class. The product asked for by its own kind is still sold.
func TestSellNeedsTheThingAsked(t *testing.T) {
	p := func(sku, lang, name, cat, price, tags string) Product {
		return Product{ID: sku, SKU: sku, Lang: lang, Name: name, Category: cat, Price: price, Currency: "CNY",
			Tags: strings.Split(tags, ";"), Audience: bot.AudiencePublic, URL: "/kb/" + sku}
	}
	ix, err := New([]Product{
		p("BR-1", "en", "Country Sourdough Loaf", "Bread", "38", "sourdough;bread"),
		p("CK-1", "en", "Basque Burnt Cheesecake 6-inch", "Cakes", "168", "cheesecake"),
		p("BK-1", "zh", "英语课本和练习册", "教材", "168", "课本;英语"),
		p("SF-1", "zh", "小户型双人沙发", "沙发", "2999", "沙发;小户型"),
		p("NB-1", "en", "Newborn session", "Newborn & maternity", "1280", "newborn;baby"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text, lang string
		want       string // the first source, or "" for no catalogue answer
	}{
		{"do you sell your sourdough starter", "en", ""},
		{"can i get the recipe for your basque cheesecake pls", "en", ""},
		{"有粤语课吗", "zh", ""},
		{"do you sell sourdough bread", "en", "BR-1"},
		{"do you have a sourdough loaf", "en", "BR-1"},
		{"有没有小一点的沙发 我家电梯很小", "zh", "SF-1"},
		{"有英语课本吗", "zh", "BK-1"},
		{"do you do newborn shoots", "en", "NB-1"}, // a shoot is what any session is
		{"有粤语课卖吗", "zh", ""},
		{"小户型沙发有卖吗", "zh", "SF-1"},
	}
	for _, c := range cases {
		a, err := ix.Answer(context.Background(), bot.Query{Text: c.text, Language: c.lang, Audiences: []bot.Audience{bot.AudiencePublic}})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if a.OK && len(a.Sources) > 0 {
			got = a.Sources[0].ID
		}
		if got != c.want {
			t.Errorf("%q: first source %q, want %q (text %q)", c.text, got, c.want, a.Text)
		}
	}
}

// TestSoldSubject checks the head of what a message asks whether the shop
// sells or has, and that other questions name none.
func TestSoldSubject(t *testing.T) {
	for text, want := range map[string]string{
		"do you sell hearing aids":                  "aids",
		"do you have a sourdough starter?":          "starter",
		"do you have reading glasses off the shelf": "glasses",
		"有没有冥想课 颂钵那种":                               "冥想课",
		"有没有小一点的沙发":                                 "沙发",
		"how many locations do you have in sz":      "",
		"is there a first timer deal":               "",
		"any good hotpot nearby":                    "",
		"how much is the sourdough loaf":            "",
		"有马卡龙卖吗":                                    "马卡龙",
		"深圳一共几家店 宝安有没有":                             "",
	} {
		if got := SoldSubject(text); got != want {
			t.Errorf("SoldSubject(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestMayAskSoldKeepsEveryCue checks that the cheap filter before Parse
// lets through every cue SoldSubject accepts, so it never changes an
// answer.
func TestMayAskSoldKeepsEveryCue(t *testing.T) {
	for _, cues := range []map[string]bool{explicitSell, haveCues} {
		for c := range cues {
			if !mayAskSold(c) || !mayAskSold(strings.ToUpper(c)) {
				t.Errorf("cue %q is filtered out", c)
			}
		}
	}
	if mayAskSold("how long does shipping take") {
		t.Error("a message with no cue word passes the filter")
	}
}

// TestSameReplyEveryBuild checks that a word two columns hold alike
// ("online" as a format and as a campus) is shown from the same column
// whichever catalogue is built: the columns were once read in map order,
// so one run said "Campus: online" and the next "Format: online".
func TestSameReplyEveryBuild(t *testing.T) {
	var first string
	for i := range 30 {
		ix, err := New([]Product{{ID: "HSK-MOCK", SKU: "HSK-MOCK", Lang: "en", Name: "HSK mock test", Category: "Exams",
			Price: "120.00", Currency: "CNY", Description: "A timed computer-based HSK mock test (levels 1-5).",
			Tags:     []string{"hsk", "exam", "practice test"},
			Attrs:    map[string]string{"format": "online", "campus": "online", "level": "HSK 1-5", "hours": "2", "class_size": "1", "age": "16+"},
			Audience: bot.AudiencePublic, URL: "/kb/HSK-MOCK"},
			{ID: "GE-GRP", SKU: "GE-GRP", Lang: "en", Name: "General English group course", Category: "Courses",
				Price: "4680.00", Currency: "CNY", Description: "A 12-week group course.", Tags: []string{"english"},
				Attrs:    map[string]string{"format": "in person", "campus": "Xiaozhai", "level": "A1-C1", "hours": "48", "class_size": "8", "age": "16+"},
				Audience: bot.AudiencePublic, URL: "/kb/GE-GRP"}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := ix.Answer(context.Background(), bot.Query{Text: "do you have an hsk practice test online", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if !strings.Contains(a.Text, ": online") {
				t.Fatalf("reply %q shows no column holding online", a.Text)
			}
			first = a.Text
			continue
		}
		if a.Text != first {
			t.Fatalf("build %d replied %q, the first %q", i, a.Text, first)
		}
	}
}
