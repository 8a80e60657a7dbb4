package markdown

import (
	"html"
	"strings"
)

// HTML renders Markdown as safe HTML for the web console; see Doc.HTML.
func HTML(src string) string { return Parse(src).HTML() }

// HTML renders the document as an HTML fragment that is safe to insert in a
// page as it is: every piece of text is escaped, so no element or attribute
// comes from the content. The elements used are p, strong, em, del, code,
// pre, ul, ol, li, blockquote, hr, br, a and table (thead, tbody, tr, th,
// td), a table wrapped in <div class="md-table"> (for scrolling) and cells
// aligned by the classes md-left, md-center and md-right (no style
// attributes, which a strict Content-Security-Policy would block). Links
// open in a new tab with rel="noopener noreferrer nofollow"; their href is
// a URL that SafeURL allowed.
func (d *Doc) HTML() string {
	var b strings.Builder
	for _, n := range d.Blocks {
		htmlNode(&b, n)
	}
	return b.String()
}

var htmlTags = map[Kind]string{
	KindParagraph: "p", KindList: "ul", KindOrdered: "ol", KindItem: "li", KindQuote: "blockquote",
	KindHeaderCell: "th", KindCell: "td", KindRow: "tr",
	KindStrong: "strong", KindEmphasis: "em", KindStrike: "del",
}

func htmlNode(b *strings.Builder, n *Node) {
	switch n.Kind {
	case KindText:
		b.WriteString(html.EscapeString(n.Text))
	case KindBreak:
		b.WriteString("<br>")
	case KindRule:
		b.WriteString("<hr>")
	case KindCode:
		b.WriteString("<code>" + html.EscapeString(n.Text) + "</code>")
	case KindCodeBlock:
		b.WriteString("<pre><code>" + html.EscapeString(n.Text) + "</code></pre>")
	case KindHeading:
		b.WriteString("<p><strong>")
		htmlNodes(b, n.Children)
		b.WriteString("</strong></p>")
	case KindLink:
		b.WriteString(`<a href="` + html.EscapeString(n.Href) + `" rel="noopener noreferrer nofollow" target="_blank">`)
		htmlNodes(b, n.Children)
		b.WriteString("</a>")
	case KindTable:
		b.WriteString(`<div class="md-table"><table>`)
		body := false
		for i, r := range n.Children {
			head := i == 0 && len(r.Children) > 0 && r.Children[0].Kind == KindHeaderCell
			switch {
			case head:
				b.WriteString("<thead>")
			case !body:
				b.WriteString("<tbody>")
				body = true
			}
			htmlNode(b, r)
			if head {
				b.WriteString("</thead>")
			}
		}
		if body {
			b.WriteString("</tbody>")
		}
		b.WriteString("</table></div>")
	case KindOrdered:
		if n.Start > 1 {
			b.WriteString(`<ol start="` + itoa(n.Start) + `">`)
		} else {
			b.WriteString("<ol>")
		}
		htmlNodes(b, n.Children)
		b.WriteString("</ol>")
	default:
		tag, ok := htmlTags[n.Kind]
		if !ok { // not a kind of this package: its content only
			htmlNodes(b, n.Children)
			return
		}
		b.WriteString("<" + tag)
		if n.Align != "" && (n.Kind == KindCell || n.Kind == KindHeaderCell) {
			switch n.Align {
			case "left", "center", "right":
				b.WriteString(` class="md-` + n.Align + `"`)
			}
		}
		b.WriteString(">")
		htmlNodes(b, n.Children)
		b.WriteString("</" + tag + ">")
	}
}

func htmlNodes(b *strings.Builder, ns []*Node) {
	for _, n := range ns {
		htmlNode(b, n)
	}
}
