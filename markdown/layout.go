package markdown

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// Options shapes the output of the renderers that lay a document out as
// one string of lines: Doc.Text and Doc.Chat, whose names for it are
// TextOptions and ChatOptions.
type Options struct {
	// BaseURL (e.g. https://help.example.com) is put before site-relative
	// link targets; without it Text shows such links as paths and Chat as
	// their text.
	BaseURL string
	// Width is the widest a table may be, in columns, before it is shown as
	// one "Header: value" block per row instead. 0 means the renderer's
	// default: 100 (terminal columns) for Text, 60 (a phone screen) for
	// Chat.
	Width int
}

// TextOptions shapes plain-text output; see Doc.Text.
type TextOptions = Options

// ChatOptions shapes the Markdown of chat-app messages (Feishu / Lark
// cards, DingTalk robot messages); see Doc.Chat.
type ChatOptions = Options

// base is BaseURL without trailing slashes, to put before a path.
func (o Options) base() string { return strings.TrimRight(o.BaseURL, "/") }

// width is Width, or def when Width is not positive.
func (o Options) width(def int) int {
	if o.Width <= 0 {
		return def
	}
	return o.Width
}

// lines lays the document out in s and joins the lines with "\n".
func (d *Doc) lines(s style) string { return strings.Join(layout(s, d.Blocks, true), "\n") }

// style is what differs between the line-based renderers (plain text and
// Slack mrkdwn); layout does the rest.
type style interface {
	// inline renders inline nodes; "\n" separates lines.
	inline(ns []*Node) string
	// plain renders inline nodes as plain text (links as "text (url)"),
	// for table cells.
	plain(ns []*Node) string
	heading(s string) string
	codeBlock(text string) []string
	table(rows [][]cell) []string
	bullet() string
	quote() string
}

// cell is a table cell reduced to one line.
type cell struct {
	plain  string // shown text, for widths (and for plain-text output)
	styled string // rendered inline content (mrkdwn for Slack)
	align  string
	header bool
}

// layout renders blocks as lines. Top-level blocks and the blocks of a
// quote are separated by a blank line; the parts of a list item are not.
func layout(s style, blocks []*Node, separate bool) []string {
	var out []string
	for i, n := range blocks {
		if separate && i > 0 && len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, layoutBlock(s, n)...)
	}
	return out
}

func layoutBlock(s style, n *Node) []string {
	switch n.Kind {
	case KindParagraph:
		return splitLines(s.inline(n.Children))
	case KindHeading:
		var out []string
		for _, l := range splitLines(s.inline(n.Children)) {
			out = append(out, s.heading(l))
		}
		return out
	case KindRule:
		return []string{"———"}
	case KindCodeBlock:
		return s.codeBlock(n.Text)
	case KindQuote:
		var out []string
		for _, l := range layout(s, n.Children, true) {
			out = append(out, strings.TrimRight(s.quote()+l, " "))
		}
		return out
	case KindList, KindOrdered:
		var out []string
		for i, it := range n.Children {
			marker := s.bullet()
			if n.Kind == KindOrdered {
				marker = itoa(max(n.Start, 1)+i) + ". "
			}
			pad := strings.Repeat(" ", runewidth.StringWidth(marker))
			for j, l := range layoutItem(s, it) {
				switch {
				case j == 0:
					out = append(out, strings.TrimRight(marker+l, " "))
				case l == "":
					out = append(out, "")
				default:
					out = append(out, pad+l)
				}
			}
		}
		return out
	case KindTable:
		return s.table(tableCells(s, n))
	case KindItem:
		return layoutItem(s, n)
	}
	if len(n.Children) > 0 {
		return layout(s, n.Children, false)
	}
	return splitLines(s.inline([]*Node{n}))
}

// layoutItem renders a list item's inline text and nested blocks as lines.
func layoutItem(s style, it *Node) []string {
	var out []string
	var run []*Node
	flush := func() {
		if len(run) > 0 {
			out = append(out, splitLines(s.inline(run))...)
			run = nil
		}
	}
	for _, ch := range it.Children {
		if isBlock(ch.Kind) {
			flush()
			out = append(out, layoutBlock(s, ch)...)
			continue
		}
		run = append(run, ch)
	}
	flush()
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// tableCells reduces a table to rows of one-line cells.
func tableCells(s style, t *Node) [][]cell {
	var rows [][]cell
	for _, r := range t.Children {
		var row []cell
		for _, c := range r.Children {
			row = append(row, cell{
				plain:  oneLine(s.plain(c.Children)),
				styled: oneLine(s.inline(c.Children)),
				align:  c.Align,
				header: c.Kind == KindHeaderCell,
			})
		}
		rows = append(rows, row)
	}
	return rows
}

// oneLine turns breaks and tabs into spaces.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\n", " ", "\t", " ").Replace(s))
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// width is the display width of s in a terminal or monospace font: CJK
// characters count two columns. East Asian ambiguous characters count one
// whatever the locale, so that output does not depend on the environment.
func width(s string) int { return widthCond.StringWidth(s) }

var widthCond = func() *runewidth.Condition {
	c := runewidth.NewCondition()
	c.EastAsianWidth = false
	return c
}()

// alignedTable lays out rows as columns padded to their display width,
// separated by " | ", with a rule under a header row. text gives the shown
// text of a cell. It returns nil when the table is wider than maxWidth (0:
// no limit).
func alignedTable(rows [][]cell, maxWidth int, text func(cell) string) []string {
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	w := make([]int, cols)
	align := make([]string, cols)
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], width(c.plain))
			if align[i] == "" {
				align[i] = c.align
			}
		}
	}
	total := 3 * (cols - 1)
	for _, x := range w {
		total += x
	}
	if maxWidth > 0 && total > maxWidth {
		return nil
	}
	var out []string
	for ri, r := range rows {
		var b strings.Builder
		for i := range cols {
			var c cell
			if i < len(r) {
				c = r[i]
			}
			if i > 0 {
				b.WriteString(" | ")
			}
			gap := w[i] - width(c.plain)
			left := 0
			switch align[i] {
			case "right":
				left = gap
			case "center":
				left = gap / 2
			}
			b.WriteString(strings.Repeat(" ", left))
			b.WriteString(text(c))
			b.WriteString(strings.Repeat(" ", gap-left))
		}
		out = append(out, strings.TrimRight(b.String(), " "))
		if ri == 0 && len(r) > 0 && r[0].header {
			var rule strings.Builder
			for i := range cols {
				if i > 0 {
					rule.WriteString("-+-")
				}
				rule.WriteString(strings.Repeat("-", max(w[i], 1)))
			}
			out = append(out, rule.String())
		}
	}
	return out
}

// recordTable lays out a table too wide for columns as one block of
// "Header: value" lines per row, rows separated by blank lines. label
// renders a header's text, value a cell's.
func recordTable(rows [][]cell, label func(string) string, value func(cell) string) []string {
	var head []cell
	body := rows
	if len(rows) > 0 && len(rows[0]) > 0 && rows[0][0].header {
		head, body = rows[0], rows[1:]
	}
	var out []string
	for ri, r := range body {
		if ri > 0 {
			out = append(out, "")
		}
		for i, c := range r {
			if c.plain == "" {
				continue
			}
			if i < len(head) && head[i].plain != "" {
				out = append(out, label(head[i].plain)+" "+value(c))
			} else {
				out = append(out, value(c))
			}
		}
	}
	return out
}
