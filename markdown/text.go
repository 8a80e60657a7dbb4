package markdown

import "strings"

// Text renders Markdown as aligned plain text; see Doc.Text.
func Text(src string, o TextOptions) string { return Parse(src).Text(o) }

// Text renders the document as plain text for a terminal: paragraphs
// separated by blank lines, lists with "- " or "1. " (nested lists
// indented), links as "text (url)", emphasis without markers, code blocks
// indented by four spaces, quotes with "> ", and tables as columns padded
// to their display width (CJK characters count two columns) separated by
// " | ", with a rule under the header. The output holds no control
// characters other than newlines and has no trailing newline.
func (d *Doc) Text(o TextOptions) string {
	return d.lines(textStyle{base: o.base(), width: o.width(100)})
}

type textStyle struct {
	base  string
	width int
}

func (s textStyle) plain(ns []*Node) string { return s.inline(ns) }

func (s textStyle) inline(ns []*Node) string {
	var b strings.Builder
	s.write(&b, ns)
	return strings.ReplaceAll(b.String(), "\t", "    ")
}

func (s textStyle) write(b *strings.Builder, ns []*Node) {
	for _, n := range ns {
		switch n.Kind {
		case KindText, KindCode:
			b.WriteString(n.Text)
		case KindBreak:
			b.WriteByte('\n')
		case KindLink:
			label := PlainText(n.Children)
			b.WriteString(label)
			href := n.Href
			if strings.HasPrefix(href, "/") {
				href = s.base + href
			}
			if label != href && "mailto:"+label != href {
				b.WriteString(" (" + href + ")")
			}
		default:
			s.write(b, n.Children)
		}
	}
}

func (textStyle) heading(l string) string { return l }

func (textStyle) codeBlock(t string) []string {
	lines := strings.Split(strings.ReplaceAll(t, "\t", "    "), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return lines
}

func (s textStyle) table(rows [][]cell) []string {
	plain := func(c cell) string { return c.plain }
	if out := alignedTable(rows, s.width, plain); out != nil {
		return out
	}
	return recordTable(rows, func(h string) string { return h + ":" }, plain)
}

func (textStyle) bullet() string { return "- " }
func (textStyle) quote() string  { return "> " }
