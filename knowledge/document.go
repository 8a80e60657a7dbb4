// Package knowledge is Concierge's knowledge base: it loads a company's
// content (Markdown pages, FAQ files, product catalogues), indexes it with
// bleve on disk, and answers bot.Query searches with ranked, cited hits.
//
// Retrieval runs in two stages. A bleve query over per-language fields
// (English with stemming and stop words, Chinese with CJK bigrams and
// unigrams) finds candidates; the reader's audience is part of that query, so
// content a reader may not see is never a candidate. The candidates are then
// re-ranked by a small linear model over several signals (question versus
// answer field, term coverage, word-order proximity, fuzzy and exact code
// matches, the classifier's intent) whose weights were learned on development
// data; the same model gives each hit a calibrated Confidence in 0..1.
package knowledge

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/internal/texts"
)

// Document is one unit of knowledge content: an FAQ entry, a product, or one
// passage of a page. Load fills every field it can; ID is unique within one
// content directory.
type Document struct {
	ID    string
	Title string // a page passage's title, an FAQ's question, a product's name
	Body  string // the searchable text besides the title
	Kind  string // bot.KindFAQ, bot.KindPage or bot.KindProduct
	// Audience says who may read the document: bot.AudiencePublic or
	// bot.AudienceInternal.
	Audience bot.Audience
	Lang     string // "en", "zh" or "" (unknown)
	Tags     []string
	// Intents lists the classifier intents this document answers (a ranking
	// hint).
	Intents []string
	// Question and Answer are set for FAQ entries.
	Question, Answer string
	// Paraphrases are other wordings of an FAQ question a company added; they
	// are searched like the question.
	Paraphrases []string
	// SKU is a product's stock-keeping unit; searched as an exact code.
	SKU string
	// Category, Description, Price and Currency are a product's columns of
	// those names, as written in its file (Price is a plain number, or "").
	Category, Description, Price, Currency string
	// Attrs holds every other column a product file declares (size,
	// weight, origin, stock, brand, …), keyed by the lower-case column name;
	// empty values are left out. Nil for FAQ entries and pages.
	Attrs  map[string]string
	Source string // the content file, slash-separated, relative to the content root
	Line   int    // the line in Source where the document starts, for messages
	URL    string // stable link for citations, e.g. /kb/<id> (see DocURL)
	// Section is the heading of a page passage after the page's first one
	// (its title is "<page title> — <Section>"); empty otherwise.
	Section string
	// SourceURL and SourceFile say where an imported page came from (its
	// front matter's source_url or source_file); empty for hand-written
	// content.
	SourceURL, SourceFile string
}

// DocURL is the help-center address of a document: /kb/<id> for public
// documents, /console/kb/<id> (behind the console's sign-in) for internal
// ones. Each slash-separated part of id is path-escaped; a page passage adds
// "#<section slug>" to its page's URL.
func DocURL(id string, aud bot.Audience) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	if aud == bot.AudienceInternal {
		return "/console/kb/" + strings.Join(parts, "/")
	}
	return "/kb/" + strings.Join(parts, "/")
}

// answerText is the reply text of a document when it is the top hit.
func (d Document) answerText() string {
	switch {
	case d.Answer != "":
		return d.Answer
	case d.Body != "":
		return d.Body
	}
	return d.Title
}

// detectLang guesses "zh" when text holds Han characters and "en" when it
// holds Latin letters, else "".
func detectLang(text string) string {
	latin := false
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
		if r < utf8.RuneSelf && unicode.IsLetter(r) {
			latin = true
		}
	}
	if latin {
		return "en"
	}
	return ""
}

// hasHan reports whether s holds any Han character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// normLang maps a language tag to "en", "zh" or "" and reports whether it is
// known.
func normLang(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", true
	case s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_"):
		return "en", true
	case s == "zh" || strings.HasPrefix(s, "zh-") || strings.HasPrefix(s, "zh_"):
		return "zh", true
	}
	return s, false
}

// slug turns a heading into a URL anchor: lower-case letters and digits
// (any script) joined by single hyphens (texts.Slug); "section" when the
// heading has no letter or digit.
func slug(s string) string {
	if sl := texts.Slug(s); sl != "" {
		return sl
	}
	return "section"
}
