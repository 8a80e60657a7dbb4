package catalog

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func TestMarkNegated(t *testing.T) {
	for text, want := range map[string]string{
		"naturally caffeine-free, sweet":      "caffeine",
		"gluten free and vegan":               "gluten",
		"no added sugar, lightly salted":      "sugar",
		"made without any palm oil":           "palm oil",
		"free of artificial colours or sugar": "colours",
		"non-slip mat towel":                  "",
		"wrinkle-free linen shirt":            "",
		"stays put without slipping":          "",
		"i'm allergic to nuts":                "nuts",
		"any biscuits for a nut allergy":      "nut",
		"lactose intolerant, anything":        "lactose",
		"对坚果过敏有什么推荐":                          "坚果",
		"无线降噪耳机":                              "",
		"无痕挂钩":                                "",
		"free shipping on orders":             "",
		"no i want green tea":                 "",
		"天然不含咖啡因，适合晚上饮用":                      "咖啡因",
		"不含咖啡因的茶":                             "咖啡因",
		"无糖配方":                                "糖配方",
		"有没有绿茶":                               "",
		"无论冷热都好喝":                             "",
		"零添加，没有香精和色素":                         "香精",
	} {
		var got []string
		ps := segment(text)
		for _, p := range ps {
			if p.neg {
				got = append(got, p.text)
			}
		}
		sep := " "
		if strings.ContainsFunc(want+text, func(r rune) bool { return r > 0x2e80 }) {
			sep = ""
		}
		if g := strings.Join(got, sep); g != want {
			t.Errorf("%q: negated %q, want %q", text, g, want)
		}
	}
}

// TestNegatedMentionsAreNotWhatIsSold checks that a product whose text
// says it lacks something ("caffeine-free", "不含咖啡因", "nut-free") is
// not offered for that thing, and is found by a question that negates it
// the same way.
func TestNegatedMentionsAreNotWhatIsSold(t *testing.T) {
	p := func(id, sku, lang, name, desc, price string) Product {
		return Product{ID: id, SKU: sku, Lang: lang, Name: name, Category: "Biscuits", Description: desc, Price: price,
			Currency: "CNY", Audience: bot.AudiencePublic, URL: "/kb/" + id}
	}
	tagged := func(pr Product, tags ...string) Product { pr.Tags = tags; return pr }
	ix, err := New([]Product{
		p("OAT", "OAT", "en", "Oat Biscuits", "Crunchy oat biscuits, nut-free and baked daily.", "18"),
		p("ALM", "ALM", "en", "Almond Biscuits", "Crisp biscuits with roasted almonds and other nuts.", "28"),
		p("OAT-zh", "OAT", "zh", "燕麦饼干", "香脆燕麦饼干，不含坚果，每日现烤。", "18"),
		p("ALM-zh", "ALM", "zh", "杏仁饼干", "加入烘烤杏仁和其他坚果的酥脆饼干。", "28"),
		tagged(p("TEA", "TEA", "en", "Chrysanthemum Buds", "Sun-dried buds, naturally caffeine-free.", "48"), "herbal tea", "caffeine-free"),
		tagged(p("TEA-zh", "TEA", "zh", "胎菊", "日晒胎菊，天然不含咖啡因。", "48"), "花草茶", "不含咖啡因"),
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text, lang string
		want, not  string // a source that must come first; one that must not be cited
	}{
		{"do you have biscuits with nuts", "en", "ALM", "OAT"},
		{"nut-free biscuits?", "en", "OAT", ""},
		{"any biscuits for my son, he's allergic to nuts", "en", "OAT", "ALM"},
		{"儿子对坚果过敏 有什么饼干", "zh", "", "ALM-zh"},
		{"卖坚果吗", "zh", "", "OAT-zh"},
		{"有坚果饼干吗", "zh", "ALM-zh", ""},
		{"有不含坚果的饼干吗", "zh", "OAT-zh", ""},
		{"卖咖啡吗", "zh", "", "TEA-zh"},
		{"有没有不含咖啡因的", "zh", "TEA-zh", ""},
		{"不含咖啡因的有吗", "zh", "TEA-zh", ""},
		{"有不含咖啡因的茶吗", "zh", "TEA-zh", ""},
	} {
		a, err := ix.Answer(context.Background(), bot.Query{Text: c.text, Language: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range a.Sources {
			ids = append(ids, s.ID)
		}
		if c.want != "" && (!a.OK || len(ids) == 0 || ids[0] != c.want) {
			t.Errorf("%q: OK %v, sources %v, want %s first; text %q", c.text, a.OK, ids, c.want, a.Text)
		}
		if c.not != "" && a.OK && slices.Contains(ids, c.not) {
			t.Errorf("%q: cites %s, whose text says it has none; sources %v, text %q", c.text, c.not, ids, a.Text)
		}
	}
}

func TestClauses(t *testing.T) {
	for _, tt := range []struct {
		text string
		want []string
	}{
		{"first time ordering from you guys, price of the xm5?", []string{"first time ordering from you guys", "price of the xm5?"}},
		{"just moved here and do you sell croissants", []string{"just moved here", "do you sell croissants"}},
		{"昨天在小红书看到你们，草莓蛋糕8寸多少钱", []string{"昨天在小红书看到你们", "草莓蛋糕8寸多少钱"}},
		{"price of the xm5?", nil},
		{"rock and roll", nil},
		{"a, b, c, d, e", nil}, // no clause of two words
	} {
		got := clauses(tt.text)
		if !slices.Equal(got, tt.want) {
			t.Errorf("clauses(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
