package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/knowledge/catalog"
)

// products holds an Index's catalogue, built on first use.
type products struct {
	once sync.Once
	cat  *catalog.Index
	err  error
}

// Answer implements bot.Catalog over the index's product documents (see
// package catalog). The catalogue is built from the stored documents on
// the first call, so an index opened from disk answers the same as a new
// one. Products whose audience q may not see are never used. A question
// about a subject the content never mentions (offTopics) gets no answer.
func (ix *Index) Answer(ctx context.Context, q bot.Query) (bot.CatalogAnswer, error) {
	cat, err := ix.Catalog()
	if err != nil {
		return bot.CatalogAnswer{}, err
	}
	if ix.offTopicAbsent(ctx, q.Text) {
		// "你们招花艺师吗" asks about jobs, whatever product names a florist.
		return bot.CatalogAnswer{}, nil
	}
	return cat.Answer(ctx, q)
}

// Catalog returns the index's product catalogue, building it on first use.
func (ix *Index) Catalog() (*catalog.Index, error) {
	ix.products.once.Do(func() {
		ix.products.cat, ix.products.err = ix.buildCatalog()
	})
	return ix.products.cat, ix.products.err
}

// buildCatalog reads every product document stored in the index.
func (ix *Index) buildCatalog() (*catalog.Index, error) {
	n, err := ix.bi.DocCount()
	if err != nil {
		return nil, fmt.Errorf("knowledge: catalogue: %w", err)
	}
	tq := query.NewTermQuery(bot.KindProduct)
	tq.SetField(fKind)
	req := bleve.NewSearchRequestOptions(tq, int(n), 0, false)
	req.Fields = []string{fStored}
	req.SortBy([]string{"_id"})
	res, err := ix.bi.Search(req)
	if err != nil {
		return nil, fmt.Errorf("knowledge: catalogue: %w", err)
	}
	ps := make([]catalog.Product, 0, len(res.Hits))
	for _, h := range res.Hits {
		raw, _ := h.Fields[fStored].(string)
		var sd storedDoc
		if err := json.Unmarshal([]byte(raw), &sd); err != nil {
			return nil, fmt.Errorf("knowledge: catalogue: stored document %s: %w", h.ID, err)
		}
		if sd.SKU == "" {
			continue
		}
		p := catalog.Product{ID: sd.ID, SKU: sd.SKU, Lang: sd.Lang, Name: sd.Title,
			Audience: bot.Audience(sd.Audience), URL: sd.URL}
		if sp := sd.Product; sp != nil {
			p.Category, p.Description = sp.Category, sp.Description
			p.Price, p.Currency, p.Attrs = sp.Price, sp.Currency, sp.Attrs
			for _, t := range sp.Tags {
				if t != sp.Category { // the loader adds the category to the tags for search
					p.Tags = append(p.Tags, t)
				}
			}
		}
		ps = append(ps, p)
	}
	cat, err := catalog.New(ps, catalog.Options{Elsewhere: ix.mentions})
	if err != nil {
		return nil, fmt.Errorf("knowledge: catalogue: %w", err)
	}
	return cat, nil
}

// mentions reports whether any FAQ entry or page of the index holds every
// term of text (analysed as a search would), so that the catalogue does not
// deny selling what the company's other content talks about.
func (ix *Index) mentions(ctx context.Context, text string) bool {
	an, fields := ix.an.en, []string{fTitleEN, fBodyEN}
	if hasHan(text) {
		an, fields = ix.an.zh, []string{fTitleZH, fBodyZH}
	}
	terms := ix.an.terms(an, text)
	return len(terms) > 0 && ix.oneHolds(ctx, fields, terms, false)
}

// Both knowledge bases answer catalogue questions.
var (
	_ bot.Catalog = (*Index)(nil)
	_ bot.Catalog = (*Live)(nil)
)
