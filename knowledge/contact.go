package knowledge

import (
	"context"
	"fmt"
	"slices"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/contact"
)

// contactConfidence is the confidence of a passage that states the contact
// detail a question asks for ("what's your phone number" and a passage
// holding one): set by hand, above the default answer threshold, so that
// it is answered, and below the Engine's sure answer, so that the
// question's other hits are offered beside it.
const contactConfidence = 0.8

// contactQueries are what the content is searched for when none of a
// contact question's own hits states the detail: the words a contact or
// shop page is headed with.
var contactQueries = map[contact.Kind][2]string{
	contact.Phone:    {"contact us phone number call customer service", "联系我们 客服 电话"},
	contact.Email:    {"contact us email", "联系我们 邮箱"},
	contact.Address:  {"visit our shop address location", "门店 地址 位置 交通"},
	contact.Hours:    {"opening hours shop open every day", "门店 营业时间 每天"},
	contact.Business: {"corporate orders for companies bulk discount", "企业 团购 批量 公司订单 对公"},
}

// contactFirst puts first, for a question that asks how to reach the
// business, when it is open or how it serves companies (contact.Asked),
// the best passage that states the detail asked for: the question's best
// hit when it holds the detail and is confident (contactConfidence or
// more), else the first passage that holds it in a search for the words of
// a contact page in the reader's language, else the first of hits that
// holds it. A passage so found has at least contactConfidence. hits are
// returned as they are for any other question, for a reader who may see
// internal pages (staff), for a company's question whose best hit is a
// product, or when no passage holds the detail. "What's your phone number"
// otherwise finds the FAQ about changing one's own phone number, and
// "where are you" nothing at all: every word of it is a stop word.
func (ix *Index) contactFirst(ctx context.Context, q bot.Query, text string, hits []bot.Hit) ([]bot.Hit, error) {
	kind := contact.Asked(text)
	if kind == contact.None || containsAud(q.Audiences, bot.AudienceInternal) {
		// Staff asking for "the manager's number" want the internal page
		// that has it, not the shop's public hotline.
		return hits, nil
	}
	if kind == contact.Business && len(hits) > 0 && hits[0].Kind == bot.KindProduct {
		// A company asking for a product ("an office afternoon tea box for
		// 20") wants the product.
		return hits, nil
	}
	holds := func(h bot.Hit) bool { return stateDetail(h, kind) }
	if len(hits) > 0 && holds(hits[0]) && hits[0].Confidence >= contactConfidence {
		return hits, nil
	}
	zh := q.Language == "zh" || q.Language == "" && detectLang(text) == "zh"
	pick, err := ix.contactPassage(ctx, kind, zh, q.Audiences)
	if err != nil {
		return nil, err
	}
	var best bot.Hit
	if pick.ok {
		best = pick.hit
	} else if i := slices.IndexFunc(hits, holds); i >= 0 {
		best = hits[i]
	} else {
		return hits, nil
	}
	best.Confidence = max(best.Confidence, contactConfidence)
	out := make([]bot.Hit, 0, len(hits)+1)
	out = append(out, best)
	for _, h := range hits {
		if h.ID != best.ID {
			out = append(out, h)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	return out[:min(len(out), limit)], nil
}

// contactKey and contactPick are the key and value of Index.contacts.
type (
	contactKey struct {
		kind      contact.Kind
		zh        bool
		audiences string
	}
	contactPick struct {
		hit bot.Hit
		ok  bool
	}
)

// contactPassage returns the first passage that states a detail of kind in
// a search for the words of a contact page in one language, as readers of
// audiences see it (ok false when none does). The index never changes, so
// each is searched for once and kept.
func (ix *Index) contactPassage(ctx context.Context, kind contact.Kind, zh bool, auds []bot.Audience) (contactPick, error) {
	key := contactKey{kind: kind, zh: zh, audiences: fmt.Sprint(auds)}
	if v, ok := ix.contacts.Load(key); ok {
		return v.(contactPick), nil
	}
	q := bot.Query{Text: contactQueries[kind][0], Audiences: auds, Language: "en", Limit: 10}
	if zh {
		q.Text, q.Language = contactQueries[kind][1], "zh"
	}
	hits, err := ix.search(ctx, q, AllSignals)
	if err != nil {
		return contactPick{}, err
	}
	var pick contactPick
	if i := slices.IndexFunc(hits, func(h bot.Hit) bool { return stateDetail(h, kind) }); i >= 0 {
		pick = contactPick{hit: hits[i], ok: true}
	}
	ix.contacts.Store(key, pick)
	return pick, nil
}

// stateDetail reports whether h, a passage and not a product, states a
// detail of kind.
func stateDetail(h bot.Hit, kind contact.Kind) bool {
	return h.Kind != bot.KindProduct && contact.Holds(h.Answer, kind)
}
