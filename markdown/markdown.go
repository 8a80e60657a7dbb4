// Package markdown renders the Markdown of bot answers (FAQ answers, page
// passages, product replies) safely for each place they are shown: HTML for
// the web console, a sanitised node tree for the chat widget, Slack mrkdwn,
// and aligned plain text for the terminal.
//
// Parse reads CommonMark with the GitHub extensions an answer uses (tables,
// strikethrough, bare URLs turned into links) into a Doc: a small tree of
// Nodes whose kinds are a closed set. All policy is applied once, there:
//
//   - nothing in the content is trusted as markup: raw HTML (blocks and inline
//     tags) becomes literal text, which each renderer escapes;
//   - a link keeps its target only when it is http(s), mailto or a
//     site-relative path ("/kb/returns", not "//host"); otherwise only its
//     text is kept;
//   - images are never shown: their alt text is kept as text;
//   - input is cut to MaxInputBytes, invalid UTF-8 is replaced with U+FFFD,
//     and control characters other than tab and newline are dropped (so no
//     terminal escape sequence ever reaches a terminal);
//   - nesting deeper than MaxDepth is flattened into the deepest level.
//
// A newline inside a paragraph is kept as a line break, as in chat messages
// (answers were written to be shown as typed).
//
// The renderers (Doc.HTML, Doc.Slack, Doc.Text) are pure functions of the
// Doc, never panic, and always return valid UTF-8. The package is built on
// github.com/yuin/goldmark (CommonMark-compliant, GFM extensions, no
// dependencies) for parsing and github.com/mattn/go-runewidth for the
// display width of CJK text in aligned tables.
package markdown

import (
	"bytes"
	"html"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// MaxInputBytes is the longest Markdown Parse reads; longer input is cut at
// the last line break before the limit and followed by a paragraph "…". Answers are far
// shorter; the bound keeps the parser's worst cases (goldmark takes time
// quadratic in the length of some inputs, such as 8,000 "a_" in a row) to
// about 0.2 s of one core; ordinary answers take well under a millisecond.
const MaxInputBytes = 16 << 10

// MaxDepth bounds the nesting of a Doc. Lists, quotes and emphasis nested
// deeper are flattened into the node at that depth, so that no tree is more
// than MaxDepth+2 nodes deep (the text in the deepest paragraph) and every
// renderer and the widget walk a bounded tree.
const MaxDepth = 12

// Kind is the kind of a Node: a closed set, which is also the tag name the
// widget maps to an element (JSON key "tag").
type Kind string

// The kinds of nodes. Block kinds hold other nodes; Text, Code and CodeBlock
// hold text.
const (
	KindText       Kind = ""           // literal text in Text
	KindParagraph  Kind = "p"          // inline children
	KindHeading    Kind = "h"          // a heading of any level, shown as a line of bold text
	KindList       Kind = "ul"         // children are KindItem
	KindOrdered    Kind = "ol"         // children are KindItem; Start is the first number
	KindItem       Kind = "li"         // inline children, then block children (nested lists)
	KindTable      Kind = "table"      // children are KindRow; the first row holds the header cells
	KindRow        Kind = "tr"         // children are KindHeaderCell or KindCell
	KindHeaderCell Kind = "th"         // inline children; Align
	KindCell       Kind = "td"         // inline children; Align
	KindQuote      Kind = "blockquote" // block children
	KindCodeBlock  Kind = "pre"        // preformatted text in Text
	KindRule       Kind = "hr"         // a thematic break
	KindStrong     Kind = "strong"     // inline children
	KindEmphasis   Kind = "em"         // inline children
	KindStrike     Kind = "del"        // inline children
	KindCode       Kind = "code"       // inline code in Text
	KindLink       Kind = "a"          // inline children; Href is a safe URL
	KindBreak      Kind = "br"         // a line break
)

// Node is one element of a parsed answer. Its JSON form is what the chat
// widget receives and turns into DOM elements with createElement and
// textContent: {"tag","text","href","align","start","children"}, with empty
// fields left out (a text node is {"text":"…"}).
type Node struct {
	Kind Kind   `json:"tag,omitempty"`
	Text string `json:"text,omitempty"`
	// Href is the target of a link: an absolute http(s) or mailto URL, or a
	// path starting with a single "/" (relative to the site).
	Href string `json:"href,omitempty"`
	// Align is "left", "center" or "right" for a table cell, or empty.
	Align string `json:"align,omitempty"`
	// Start is the number of the first item of an ordered list (1 when 0).
	Start    int     `json:"start,omitempty"`
	Children []*Node `json:"children,omitempty"`
}

// Kinds returns every kind of element node (all kinds but KindText), for
// documents and clients that must know the closed set.
func Kinds() []Kind {
	return []Kind{KindParagraph, KindHeading, KindList, KindOrdered, KindItem, KindTable, KindRow, KindHeaderCell,
		KindCell, KindQuote, KindCodeBlock, KindRule, KindStrong, KindEmphasis, KindStrike, KindCode, KindLink, KindBreak}
}

// isBlock reports whether a node of kind k is a block (laid out on lines of
// its own) rather than inline.
func isBlock(k Kind) bool {
	switch k {
	case KindParagraph, KindHeading, KindList, KindOrdered, KindItem, KindTable, KindRow,
		KindHeaderCell, KindCell, KindQuote, KindCodeBlock, KindRule:
		return true
	}
	return false
}

// Doc is a parsed answer: a sequence of block nodes.
type Doc struct {
	Blocks []*Node
}

var parser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify)).Parser()

// Parse reads answer Markdown into a Doc, applying the package's policy
// (see the package documentation). It never fails: any input is some Doc.
func Parse(src string) *Doc {
	src = clean(src)
	source := []byte(src)
	root := parser.Parse(text.NewReader(source))
	c := converter{src: source}
	return &Doc{Blocks: c.blocks(root, 0)}
}

// clean bounds the input and makes it valid, control-free UTF-8.
func clean(s string) string {
	if len(s) > MaxInputBytes {
		cut := MaxInputBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
		if i := strings.LastIndexByte(s, '\n'); i > len(s)/2 {
			s = s[:i] + "\n\n…" // a paragraph of its own, after whole lines
		} else {
			s += "…"
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0:
			return '\uFFFD'
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return -1
		}
		return r
	}, s)
}

// converter turns goldmark's tree into Nodes.
type converter struct {
	src []byte
}

// literal is the text a Markdown text segment stands for: backslash escapes
// and entity references resolved, as goldmark's HTML renderer does, without
// the HTML escaping.
func literal(b []byte) string {
	var buf bytes.Buffer
	w := bufWriter{&buf}
	ghtml.DefaultWriter.Write(w, b)
	return html.UnescapeString(buf.String())
}

// blocks converts the block children of n at depth.
func (c *converter) blocks(n gast.Node, depth int) []*Node {
	var out []*Node
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		out = append(out, c.block(ch, depth)...)
	}
	return out
}

// block converts one block node; a container past MaxDepth gives its
// children instead of itself.
func (c *converter) block(n gast.Node, depth int) []*Node {
	deep := depth >= MaxDepth-1
	switch n := n.(type) {
	case *gast.Paragraph:
		return nonEmpty(&Node{Kind: KindParagraph, Children: c.inlines(n, depth+1)})
	case *gast.TextBlock: // the text of a tight list item
		return nonEmpty(&Node{Kind: KindParagraph, Children: c.inlines(n, depth+1)})
	case *gast.Heading:
		return nonEmpty(&Node{Kind: KindHeading, Children: c.inlines(n, depth+1)})
	case *gast.ThematicBreak:
		return []*Node{{Kind: KindRule}}
	case *gast.CodeBlock, *gast.FencedCodeBlock:
		return []*Node{{Kind: KindCodeBlock, Text: strings.TrimRight(c.lines(n), "\n")}}
	case *gast.HTMLBlock:
		// Raw HTML is never trusted: it is shown as the text it is.
		t := c.lines(n)
		if n.HasClosure() {
			t += string(n.ClosureLine.Value(c.src))
		}
		return nonEmpty(paragraphOf(strings.TrimRight(t, "\n")))
	case *gast.Blockquote:
		kids := c.blocks(n, depth+1)
		if deep {
			return kids
		}
		return []*Node{{Kind: KindQuote, Children: kids}}
	case *gast.List:
		var items []*Node
		for it := n.FirstChild(); it != nil; it = it.NextSibling() {
			kids := c.item(it, depth+2)
			if deep {
				items = append(items, asBlocks(kids)...)
				continue
			}
			items = append(items, &Node{Kind: KindItem, Children: kids})
		}
		if deep {
			return items
		}
		if n.IsOrdered() {
			start := n.Start
			if start == 1 {
				start = 0
			}
			return []*Node{{Kind: KindOrdered, Start: start, Children: items}}
		}
		return []*Node{{Kind: KindList, Children: items}}
	case *east.Table:
		return c.table(n, depth)
	}
	// Anything else a future goldmark may add: its text, if any.
	if n.Type() == gast.TypeBlock {
		return c.blocks(n, depth)
	}
	return nonEmpty(&Node{Kind: KindParagraph, Children: c.inline(n, depth+1)})
}

// item converts a list item's children: the text of a tight item is
// inline, the rest are blocks.
func (c *converter) item(it gast.Node, depth int) []*Node {
	var out []*Node
	for ch := it.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if tb, ok := ch.(*gast.TextBlock); ok {
			if len(out) > 0 {
				out = append(out, &Node{Kind: KindBreak})
			}
			out = append(out, c.inlines(tb, depth)...)
			continue
		}
		out = append(out, c.block(ch, depth)...)
	}
	return out
}

func (c *converter) table(t *east.Table, depth int) []*Node {
	var rows []*Node
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		cellKind := KindCell
		if _, ok := r.(*east.TableHeader); ok {
			cellKind = KindHeaderCell
		}
		row := &Node{Kind: KindRow}
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			n := &Node{Kind: cellKind, Children: c.inlines(cell, depth+3)}
			if tc, ok := cell.(*east.TableCell); ok {
				switch tc.Alignment {
				case east.AlignLeft, east.AlignRight, east.AlignCenter:
					n.Align = tc.Alignment.String()
				}
			}
			row.Children = append(row.Children, n)
		}
		rows = append(rows, row)
	}
	if depth >= MaxDepth-3 {
		// Too deep for a table: one paragraph per row, cells joined.
		var out []*Node
		for _, r := range rows {
			p := &Node{Kind: KindParagraph}
			for i, cell := range r.Children {
				if i > 0 {
					p.Children = append(p.Children, &Node{Text: " | "})
				}
				p.Children = append(p.Children, cell.Children...)
			}
			out = append(out, p)
		}
		return out
	}
	return []*Node{{Kind: KindTable, Children: rows}}
}

// lines is the raw text of a block's lines (code, HTML blocks).
func (c *converter) lines(n gast.Node) string {
	var b strings.Builder
	ls := n.Lines()
	for i := range ls.Len() {
		seg := ls.At(i)
		b.Write(seg.Value(c.src))
	}
	return b.String()
}

// inlines converts the inline children of n.
func (c *converter) inlines(n gast.Node, depth int) []*Node {
	var out []*Node
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		out = append(out, c.inline(ch, depth)...)
	}
	return mergeText(out)
}

// inline converts one inline node; formatting past MaxDepth gives its
// children instead of itself.
func (c *converter) inline(n gast.Node, depth int) []*Node {
	deep := depth >= MaxDepth
	wrap := func(k Kind, kids []*Node) []*Node {
		if deep || len(kids) == 0 {
			return kids
		}
		return []*Node{{Kind: k, Children: kids}}
	}
	switch n := n.(type) {
	case *gast.Text:
		var t string
		if n.IsRaw() {
			t = string(n.Segment.Value(c.src))
		} else {
			t = literal(n.Segment.Value(c.src))
		}
		out := []*Node{{Text: t}}
		if n.HardLineBreak() || n.SoftLineBreak() {
			out = append(out, &Node{Kind: KindBreak})
		}
		return out
	case *gast.String:
		if n.IsRaw() || n.IsCode() {
			return []*Node{{Text: string(n.Value)}}
		}
		return []*Node{{Text: literal(n.Value)}}
	case *gast.CodeSpan:
		var b strings.Builder
		for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
			switch t := ch.(type) {
			case *gast.Text:
				b.Write(t.Segment.Value(c.src))
			case *gast.String:
				b.Write(t.Value)
			}
		}
		code := strings.ReplaceAll(b.String(), "\n", " ")
		if code == "" {
			return nil
		}
		return []*Node{{Kind: KindCode, Text: code}}
	case *gast.Emphasis:
		k := KindEmphasis
		if n.Level >= 2 {
			k = KindStrong
		}
		return wrap(k, c.inlines(n, depth+1))
	case *east.Strikethrough:
		return wrap(KindStrike, c.inlines(n, depth+1))
	case *gast.Link:
		kids := c.inlines(n, depth+1)
		href := SafeURL(literal(n.Destination))
		if href == "" || deep {
			return kids
		}
		if len(kids) == 0 {
			kids = []*Node{{Text: href}}
		}
		return []*Node{{Kind: KindLink, Href: href, Children: kids}}
	case *gast.AutoLink:
		label := string(n.Label(c.src))
		target := string(n.URL(c.src))
		if n.AutoLinkType == gast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(target), "mailto:") {
			target = "mailto:" + target
		}
		href := SafeURL(target)
		if href == "" || deep {
			return []*Node{{Text: label}}
		}
		return []*Node{{Kind: KindLink, Href: href, Children: []*Node{{Text: label}}}}
	case *gast.Image:
		// No images: their alt text stands in.
		return c.inlines(n, depth)
	case *gast.RawHTML:
		// Inline HTML is never trusted: it is shown as the text it is.
		var b strings.Builder
		for i := range n.Segments.Len() {
			seg := n.Segments.At(i)
			b.Write(seg.Value(c.src))
		}
		return []*Node{{Text: b.String()}}
	}
	return c.inlines(n, depth)
}

// SafeURL returns raw as the href of a link when it is allowed: an absolute
// http or https URL with a host, a mailto URL, or a site-relative path
// starting with a single "/". Otherwise (javascript:, data:, //host,
// relative paths, URLs with spaces, control characters or backslashes) it
// returns "". The result is normalised by net/url (percent-encoded).
func SafeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2048 || strings.ContainsAny(raw, " \\\t\r\n\"'<>`") {
		return ""
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" || u.User != nil {
			return ""
		}
	case "mailto":
		if u.Opaque == "" || strings.HasPrefix(u.Opaque, "/") {
			return ""
		}
	case "":
		if !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || u.Host != "" {
			return ""
		}
	default:
		return ""
	}
	return u.String()
}

// OneLine makes s (a title or an id, not Markdown) safe to show on one
// line of plain text, a chat's text message or a terminal: invalid UTF-8
// becomes U+FFFD, C0 and C1 control characters (line breaks and escape
// sequences included) become spaces, and runs of white space are folded
// into one space, with none left at either end.
func OneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))), " ")
}

// paragraphOf is a paragraph of literal text whose newlines are breaks.
func paragraphOf(t string) *Node {
	p := &Node{Kind: KindParagraph}
	for i, line := range strings.Split(t, "\n") {
		if i > 0 {
			p.Children = append(p.Children, &Node{Kind: KindBreak})
		}
		if line != "" {
			p.Children = append(p.Children, &Node{Text: line})
		}
	}
	return p
}

// asBlocks wraps each run of inline nodes in a paragraph, so that nodes of
// a flattened list item can stand where blocks are expected.
func asBlocks(ns []*Node) []*Node {
	var out []*Node
	var run *Node
	for _, n := range ns {
		if isBlock(n.Kind) {
			run = nil
			out = append(out, n)
			continue
		}
		if run == nil {
			run = &Node{Kind: KindParagraph}
			out = append(out, run)
		}
		run.Children = append(run.Children, n)
	}
	for _, p := range out {
		if p.Kind == KindParagraph {
			p.Children = mergeText(p.Children)
		}
	}
	return out
}

// nonEmpty drops a block with no children.
func nonEmpty(n *Node) []*Node {
	if len(n.Children) == 0 && n.Text == "" {
		return nil
	}
	return []*Node{n}
}

// mergeText joins adjacent text nodes and drops empty ones and trailing
// breaks.
func mergeText(ns []*Node) []*Node {
	out := ns[:0]
	for _, n := range ns {
		if n.Kind == KindText {
			if n.Text == "" {
				continue
			}
			if len(out) > 0 && out[len(out)-1].Kind == KindText {
				out[len(out)-1] = &Node{Text: out[len(out)-1].Text + n.Text}
				continue
			}
		}
		out = append(out, n)
	}
	for len(out) > 0 && out[len(out)-1].Kind == KindBreak {
		out = out[:len(out)-1]
	}
	return out
}

// bufWriter adapts a bytes.Buffer to goldmark's util.BufWriter.
type bufWriter struct{ *bytes.Buffer }

func (bufWriter) Available() int { return 1 << 20 }
func (bufWriter) Buffered() int  { return 0 }
func (bufWriter) Flush() error   { return nil }

// PlainText is the text of inline nodes without formatting: links as their
// text, breaks as newlines.
func PlainText(ns []*Node) string {
	var b strings.Builder
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			switch n.Kind {
			case KindText, KindCode, KindCodeBlock:
				b.WriteString(n.Text)
			case KindBreak:
				b.WriteByte('\n')
			default:
				walk(n.Children)
			}
		}
	}
	walk(ns)
	return b.String()
}

// itoa is strconv.Itoa, for the renderers.
func itoa(i int) string { return strconv.Itoa(i) }
