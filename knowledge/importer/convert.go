package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/JohannesKaufmann/html-to-markdown/v2/converter"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/base"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/commonmark"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/strikethrough"
	"github.com/JohannesKaufmann/html-to-markdown/v2/plugin/table"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// Format is the kind of a document, which picks its converter.
type Format string

// The formats Convert reads.
const (
	FormatHTML     Format = "html"
	FormatPDF      Format = "pdf"
	FormatDOCX     Format = "docx"
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
)

// Limits of a conversion, so that no input can exhaust memory or time.
const (
	// MaxInputBytes is the largest document Convert reads.
	MaxInputBytes = 20 << 20
	// MaxTextBytes is the most text a converted page may hold.
	MaxTextBytes = 2 << 20
	// ConvertTimeout bounds one conversion.
	ConvertTimeout = 20 * time.Second
	// maxHTMLNodes bounds the elements of an HTML document.
	maxHTMLNodes = 200_000
	// maxReadabilityNodes bounds the documents readability analyses: its
	// scoring is worse than linear, so a larger page is converted from its
	// <main>, <article> or <body> instead.
	maxReadabilityNodes = 15_000
)

// ErrUnsupported is returned (wrapped) for a document of a kind no converter
// reads.
var ErrUnsupported = errors.New("not a supported document type (HTML, PDF, DOCX, Markdown or plain text)")

// FormatOf decides a document's format from its name (file or URL path),
// its Content-Type (may be empty) and its first bytes.
func FormatOf(name, contentType string, head []byte) (Format, error) {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	switch ct {
	case "text/html", "application/xhtml+xml":
		return FormatHTML, nil
	case "application/pdf":
		return FormatPDF, nil
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return FormatDOCX, nil
	case "text/markdown", "text/x-markdown":
		return FormatMarkdown, nil
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return FormatHTML, nil
	case ".pdf":
		return FormatPDF, nil
	case ".docx":
		return FormatDOCX, nil
	case ".md", ".markdown":
		return FormatMarkdown, nil
	case ".txt", ".text":
		return FormatText, nil
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return FormatPDF, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatDOCX, nil
	}
	sniff := http.DetectContentType(head)
	switch {
	case strings.HasPrefix(sniff, "text/html"):
		return FormatHTML, nil
	case strings.HasPrefix(sniff, "text/plain") || ct == "text/plain":
		return FormatText, nil
	}
	return "", ErrUnsupported
}

// convertOptions are what every converter is told.
type convertOptions struct {
	Lang     string // "en", "zh", or "auto"/"" to detect
	Audience string
	BaseURL  *url.URL // the page's address, for relative links; may be nil
	// ContentType is the server's Content-Type, which may name the page's
	// character set.
	ContentType string
}

// Convert turns one document into a Page (ID, SourceURL and SourceFile are
// left to the caller). It never panics and gives up after ConvertTimeout;
// its errors say what is wrong with the document in words a person can act
// on.
func Convert(ctx context.Context, f Format, data []byte, o convertOptions) (p Page, err error) {
	if len(data) > MaxInputBytes {
		return Page{}, fmt.Errorf("document is too large (%d MB; the limit is %d MB)", len(data)>>20, MaxInputBytes>>20)
	}
	ctx, cancel := context.WithTimeout(ctx, ConvertTimeout)
	defer cancel()
	type result struct {
		p   Page
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if v := recover(); v != nil {
				r = result{err: fmt.Errorf("document is malformed and could not be read (%v)", firstLine(fmt.Sprint(v)))}
			}
			done <- r
		}()
		r.p, r.err = convert(ctx, f, data, o)
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return Page{}, r.err
		}
		if len(r.p.Body) > MaxTextBytes {
			return Page{}, fmt.Errorf("document holds too much text (%d MB; the limit is %d MB); split it", len(r.p.Body)>>20, MaxTextBytes>>20)
		}
		r.p.finish(o)
		if strings.TrimSpace(r.p.Body) == "" {
			return Page{}, errors.New("document has no text (a scanned PDF or an image needs OCR first)")
		}
		return r.p, nil
	case <-ctx.Done():
		// The converter goroutine ends on its own: every converter checks
		// ctx between pages, elements or paragraphs.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Page{}, fmt.Errorf("reading the document took longer than %s; it is too large or malformed", ConvertTimeout)
		}
		return Page{}, ctx.Err()
	}
}

func convert(ctx context.Context, f Format, data []byte, o convertOptions) (Page, error) {
	switch f {
	case FormatHTML:
		return fromHTML(ctx, data, o.BaseURL, o.ContentType)
	case FormatPDF:
		return fromPDF(ctx, data)
	case FormatDOCX:
		return fromDOCX(ctx, data)
	case FormatMarkdown:
		return fromMarkdown(data)
	case FormatText:
		return fromText(data)
	}
	return Page{}, ErrUnsupported
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// textOf checks that data is text: valid UTF-8 (a byte-order mark is
// dropped), with no NUL bytes.
func textOf(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return "", errors.New("looks like a binary file, not text")
	}
	if !utf8.Valid(data) {
		return "", errors.New("text is not valid UTF-8; save it as UTF-8")
	}
	return string(data), nil
}

// fromText reads plain text: the first line is the title; a short line
// followed by a line of "=" or "-" is a heading, as in Setext; paragraphs
// are kept.
func fromText(data []byte) (Page, error) {
	s, err := textOf(data)
	if err != nil {
		return Page{}, err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	var p Page
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t\r")
		if p.Title == "" && strings.TrimSpace(l) != "" {
			p.Title = strings.TrimSpace(l)
			if i+1 < len(lines) && isUnderline(lines[i+1]) {
				i++
			}
			continue
		}
		if strings.TrimSpace(l) != "" && i+1 < len(lines) && isUnderline(lines[i+1]) && utf8.RuneCountInString(l) <= 120 {
			b.WriteString("\n## " + strings.TrimSpace(l) + "\n\n")
			i++
			continue
		}
		b.WriteString(mdEscapeLine(l) + "\n")
	}
	p.Body = b.String()
	return p, nil
}

func isUnderline(l string) bool {
	t := strings.TrimSpace(l)
	return len(t) >= 3 && (strings.Trim(t, "=") == "" || strings.Trim(t, "-") == "")
}

// fromMarkdown reads a Markdown file (with or without front matter, which
// is dropped): a leading "# " heading is the title.
func fromMarkdown(data []byte) (Page, error) {
	s, err := textOf(data)
	if err != nil {
		return Page{}, err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var p Page
	if fm, ok := readFrontMatter([]byte(s)); ok {
		p.Title = fm.Title
		_, s, _ = strings.Cut(s[4:], "\n---\n")
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if t, ok := strings.CutPrefix(strings.TrimSpace(l), "# "); ok {
			if p.Title == "" {
				p.Title = strings.TrimSpace(t)
			}
			lines = lines[i+1:]
		}
		break
	}
	p.Body = strings.Join(lines, "\n")
	return p, nil
}

// mdConverter is the HTML → Markdown converter: CommonMark with tables
// and strike-through; images, forms, scripts and page furniture dropped.
func mdConverter() *converter.Converter {
	conv := converter.NewConverter(converter.WithPlugins(
		base.NewBasePlugin(),
		commonmark.NewCommonmarkPlugin(commonmark.WithHeadingStyle(commonmark.HeadingStyleATX)),
		table.NewTablePlugin(table.WithSpanCellBehavior(table.SpanBehaviorMirror), table.WithNewlineBehavior(table.NewlineBehaviorPreserve)),
		strikethrough.NewStrikethroughPlugin(),
	))
	for _, tag := range []string{"img", "picture", "svg", "video", "audio", "iframe", "form", "input", "button",
		"select", "textarea", "nav", "script", "style", "noscript", "template", "object", "embed", "canvas"} {
		conv.Register.TagType(tag, converter.TagTypeRemove, converter.PriorityEarly)
	}
	return conv
}

// fromHTML extracts the main content of an HTML page with readability
// (navigation, headers, footers, sidebars and other boilerplate dropped) and
// converts it to Markdown. When readability finds no article (a short page,
// a table of prices), the page's <main> or <body> is converted instead.
func fromHTML(ctx context.Context, data []byte, baseURL *url.URL, contentType string) (Page, error) {
	if !utf8.Valid(data) {
		if bytes.IndexByte(data, 0) >= 0 {
			return Page{}, errors.New("looks like a binary file, not HTML")
		}
		// A page in another encoding (GBK and Big5 are common for Chinese
		// sites) is decoded by the encoding its server or <meta> declares;
		// what still is not UTF-8 is cleaned rather than refused.
		if enc, name, _ := charset.DetermineEncoding(data, contentType); name != "utf-8" && name != "windows-1252" {
			if dec, err := enc.NewDecoder().Bytes(data); err == nil {
				data = dec
			}
		}
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return Page{}, fmt.Errorf("not readable as HTML: %w", err)
	}
	nodes := countNodes(doc, maxHTMLNodes+1)
	if nodes > maxHTMLNodes {
		return Page{}, fmt.Errorf("page has more than %d HTML elements", maxHTMLNodes)
	}
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	lang := htmlLang(doc)
	fallbackTitle := pageTitle(doc, "title", "h1")
	h1 := pageTitle(doc, "h1")
	var (
		art     readability.Article
		err2    error = errors.New("too large for readability")
		content *html.Node
		title   = fallbackTitle
	)
	if nodes <= maxReadabilityNodes && len(data) <= 2<<20 {
		parser := readability.NewParser()
		parser.CharThresholds = 200
		parser.MaxElemsToParse = maxReadabilityNodes
		art, err2 = parser.ParseDocument(doc, baseURL)
	}
	if err2 == nil && art.Node != nil && textLen(art.Node) >= 40 {
		content = art.Node
		if t := strings.TrimSpace(art.Title()); t != "" {
			title = t
		}
		if art.Language() != "" {
			lang = art.Language()
		}
	} else {
		content = mainOf(doc)
	}
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	if n := textLen(content); n > MaxTextBytes {
		return Page{}, fmt.Errorf("page holds too much text (%d MB; the limit is %d MB); split it", n>>20, MaxTextBytes>>20)
	}
	var opts []converter.ConvertOptionFunc
	opts = append(opts, converter.WithContext(ctx))
	if baseURL != nil {
		opts = append(opts, converter.WithDomain(baseURL.Scheme+"://"+baseURL.Host))
	}
	md, err := mdConverter().ConvertNode(content, opts...)
	if err != nil {
		return Page{}, fmt.Errorf("converting HTML to Markdown: %w", err)
	}
	if h1 != "" && h1 != title && strings.Contains(title, h1) {
		title = h1 // "Shipping | Example Shop": the page's own heading is the title
	}
	body := dropLeadingTitle(string(md), title)
	p := Page{Title: title, Body: body}
	if l := strings.ToLower(lang); strings.HasPrefix(l, "zh") {
		p.Lang = "zh"
	} else if strings.HasPrefix(l, "en") {
		p.Lang = "en"
	}
	return p, nil
}

// dropLeadingTitle removes a first heading that repeats the title.
func dropLeadingTitle(md, title string) string {
	trim := strings.TrimLeft(md, "\n ")
	first, rest, _ := strings.Cut(trim, "\n")
	if m := atxHeading.FindStringSubmatch(first); m != nil && oneLine(m[2]) == oneLine(title) {
		return rest
	}
	return md
}

// countNodes counts the nodes of a tree, stopping at limit.
func countNodes(n *html.Node, limit int) int {
	count := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && count < limit; c = c.NextSibling {
			count++
			walk(c)
		}
	}
	walk(n)
	return count
}

// textLen is the length of the text under n.
func textLen(n *html.Node) int {
	total := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			total += len(strings.TrimSpace(n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return total
}

// find returns the first element named tag under n (depth first).
func find(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

// htmlLang is the lang attribute of the <html> element.
func htmlLang(doc *html.Node) string {
	if h := find(doc, "html"); h != nil {
		for _, a := range h.Attr {
			if a.Key == "lang" {
				return a.Val
			}
		}
	}
	return ""
}

// pageTitle is the text of the first of tags found (e.g. <title>, else
// the first <h1>).
func pageTitle(doc *html.Node, tags ...string) string {
	for _, tag := range tags {
		if t := find(doc, tag); t != nil {
			var b strings.Builder
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.TextNode {
					b.WriteString(n.Data)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(t)
			if s := oneLine(b.String()); s != "" {
				return s
			}
		}
	}
	return ""
}

// mainOf returns the <main> element, else <article>, else <body> with its
// <header>, <footer>, <nav> and <aside> removed.
func mainOf(doc *html.Node) *html.Node {
	for _, tag := range []string{"main", "article"} {
		if m := find(doc, tag); m != nil {
			return m
		}
	}
	body := find(doc, "body")
	if body == nil {
		return doc
	}
	var drop []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				switch c.Data {
				case "header", "footer", "nav", "aside":
					drop = append(drop, c)
					continue
				}
			}
			walk(c)
		}
	}
	walk(body)
	for _, n := range drop {
		n.Parent.RemoveChild(n)
	}
	return body
}
