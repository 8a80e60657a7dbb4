package bot

import "context"

// Query is one knowledge-base search.
type Query struct {
	Text string
	// Audiences the reader may see; empty means public only. The Retriever
	// must enforce this in the index query itself.
	Audiences []Audience
	Language  string // the reader's language, a ranking hint: "en", "zh" or ""
	Intent    string // the classifier's intent, a ranking hint; may be empty
	// OutOfScope is the classifier's verdict that the message matches none
	// of the company's intents: a hint for the retriever's confidence.
	OutOfScope bool
	Limit      int // at most this many hits; <= 0 means a default (5)
}

// Document kinds.
const (
	KindFAQ     = "faq"
	KindPage    = "page"
	KindProduct = "product"
)

// Hit is one ranked search result.
type Hit struct {
	ID       string
	Title    string
	URL      string // stable link or anchor for citation; may be empty
	Kind     string // KindFAQ, KindPage or KindProduct
	Audience Audience
	Language string
	// Answer is the text to give as the reply: an FAQ's answer, a page's best
	// passage, a product's summary.
	Answer  string
	Snippet string  // a short excerpt for listings, plain text
	Score   float64 // the raw ranking score, only comparable within one query
	// Confidence is how sure the retriever is that this hit answers the query,
	// in 0..1. The Engine answers only above its threshold.
	Confidence float64
}

// Source returns the citation of a hit.
func (h Hit) Source() Source { return Source{ID: h.ID, Title: h.Title, URL: h.URL} }

// Retriever searches the knowledge base. Implementations must be safe for
// concurrent use and must never return a hit whose audience is not in
// Query.Audiences.
type Retriever interface {
	Retrieve(ctx context.Context, q Query) ([]Hit, error)
}

// Coverage checks that a passage covers what a question names — a payment
// method, a country or city — before the bot answers with it, so that "Can
// I pay with Apple Pay?" is never answered "Yes. Choose Alipay…". The
// Retriever may implement it.
type Coverage interface {
	// Cover reports whether h covers what question names, with the names
	// in lang ("en" or "zh").
	Cover(question string, h Hit, lang string) CoverCheck
}

// CoverKindTopic is the CoverCheck.Kind of a service topic the question
// names and the passage does not (a wheelchair, jobs, the wifi): there are
// no options to list, so the Engine answers from a passage that names it or
// clarifies.
const CoverKindTopic = "topic"

// CoverVerdict is the outcome of a coverage check.
type CoverVerdict int

// Coverage verdicts, from no judgement to the passage lacking what was
// asked.
const (
	CoverNone    CoverVerdict = iota // the question names nothing the checker knows, or the passage names nothing of its kind
	CoverFull                        // the passage names what was asked, or something that contains it
	CoverPartial                     // the passage names part of it: answer with what it names, never a plain yes
	CoverMissing                     // the passage names other things of the kind, not what was asked
)

// CoverCheck is the outcome of Coverage.Cover.
type CoverCheck struct {
	Verdict CoverVerdict
	// Kind is what was asked, for CoverMissing: "payment_method", "place"
	// or CoverKindTopic.
	Kind string
	// Asked names what the passage lacks, and Options what it offers
	// instead, as display text in the reader's language ("PayPal";
	// "Alipay, WeChat Pay and UnionPay"), for CoverMissing; Count is how
	// many options that is.
	Asked, Options string
	Count          int
}
