package bot

import "context"

// Catalog answers questions about the company's products from its
// catalogue: price, attributes (size, weight, origin, stock, …), whether a
// product or kind of product is sold, which products are under or over a
// price, the cheapest and the most expensive, and the difference between
// two products. It knows only the company's product files, in any trade.
// Implementations must be safe for concurrent use and must never use a
// product whose audience is not in Query.Audiences.
type Catalog interface {
	// Answer returns the catalogue's answer to q, or an answer with OK
	// false when q is not a question the catalogue can answer.
	Answer(ctx context.Context, q Query) (CatalogAnswer, error)
}

// CatalogAnswer is a reply composed from the catalogue.
type CatalogAnswer struct {
	// OK is true when the question is about products of the catalogue and
	// Text answers it (or, with AsksWhich, asks which product is meant).
	OK bool
	// Text is the reply in Query.Language: Markdown, composed from the
	// catalogue's own data.
	Text string
	// Sources are the products the reply names, best first.
	Sources []Source
	// Choices, when the product asked about is ambiguous, are the products
	// it may be (at most MaxChoices), offered to pick one.
	Choices []Source
	// AsksWhich is true when Text only asks which of Choices is meant and
	// answers nothing yet; false when Text answers for each of them (the
	// price of each) and Choices only offer more about one.
	AsksWhich bool
	// Confidence in 0..1 that the reply answers the question.
	Confidence float64
	// Mentions are the words of the question, lower-case as written, that
	// name the products or the category the reply is about ("绿茶",
	// "teapot"): a FAQ entry or page that names none of them answers
	// something else.
	Mentions []string
	// LastClause is true when the reply answers the message's last clause
	// alone, the rest of it being a story around the question ("first time
	// ordering from you, price of the XM5?"): a passage confident on the
	// whole message answers instead.
	LastClause bool
}
