package markdown

import "strings"

// markup writes inline nodes in a chat markup (Slack mrkdwn, the chat apps'
// Markdown): the walk over the nodes is the same for each, only the syntax
// differs.
type markup struct {
	// base is put before site-relative link targets; without it such links
	// show as their text.
	base string
	// escape makes text literal.
	escape *strings.Replacer
	// code renders an inline code span.
	code func(text string) string
	// strong, emphasis and strike are the marks put around formatted text.
	strong, emphasis, strike string
	// link renders a link whose target is known (see linkParts).
	link func(label, href string) string
}

// plain renders inline nodes as plain text (links as "text (url)").
func (m markup) plain(ns []*Node) string { return textStyle{base: m.base}.inline(ns) }

func (m markup) inline(ns []*Node) string {
	var b strings.Builder
	m.write(&b, ns)
	return b.String()
}

func (m markup) write(b *strings.Builder, ns []*Node) {
	for _, n := range ns {
		switch n.Kind {
		case KindText:
			b.WriteString(m.escape.Replace(n.Text))
		case KindCode:
			b.WriteString(m.code(n.Text))
		case KindBreak:
			b.WriteByte('\n')
		case KindStrong:
			markLines(b, m.strong, m.inline(n.Children))
		case KindEmphasis:
			markLines(b, m.emphasis, m.inline(n.Children))
		case KindStrike:
			markLines(b, m.strike, m.inline(n.Children))
		case KindLink:
			label, href := linkParts(n, m.base)
			if href == "" {
				b.WriteString(m.escape.Replace(label))
			} else {
				b.WriteString(m.link(label, href))
			}
		default:
			m.write(b, n.Children)
		}
	}
}

// linkParts returns what a chat app shows of link n: its text on one line,
// cut to maxLinkText (the target when it has none), and its target, made
// absolute with base; href is "" when the target is site-relative and there
// is no base, so that only the text can be shown.
func linkParts(n *Node, base string) (label, href string) {
	label = truncate(strings.TrimSpace(strings.ReplaceAll(PlainText(n.Children), "\n", " ")), maxLinkText)
	href = n.Href
	if strings.HasPrefix(href, "/") {
		if base == "" {
			return label, ""
		}
		href = base + href
	}
	if label == "" {
		label = href
	}
	return label, href
}

// markLines wraps each line of rendered in a formatting mark, keeping
// spaces outside it (Slack ignores "* bold*", and so do the chat apps).
func markLines(b *strings.Builder, m, rendered string) {
	for i, l := range strings.Split(rendered, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		t := strings.TrimSpace(l)
		if t == "" {
			b.WriteString(l)
			continue
		}
		lead := l[:strings.Index(l, t)]
		b.WriteString(lead + m + t + m + l[len(lead)+len(t):])
	}
}
