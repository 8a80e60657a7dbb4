package markdown

import (
	"strconv"
	"strings"
)

// ChatOptions shapes the Markdown of chat-app messages (Feishu / Lark
// cards, DingTalk robot messages).
type ChatOptions struct {
	// BaseURL (e.g. https://help.example.com) is put before site-relative
	// link targets; without it such links show as their text.
	BaseURL string
	// Width is the widest a table may be, in columns, before it is shown as
	// one "Header: value" block per row. 0 means 60 (a phone screen).
	Width int
}

// Chat renders Markdown for chat apps; see Doc.Chat.
func Chat(src string, o ChatOptions) string { return Parse(src).Chat(o) }

// Chat renders the document in the Markdown subset that Feishu's card
// markdown and DingTalk's robot markdown share: **bold**, *italic*,
// ~~strike~~, [links](https://…) (http, https and mailto only), "- " and
// "1. " lists, "> " quotes, headings as bold lines, code blocks and tables
// (aligned, in a code block) fenced with ```. Every character of the
// content that either dialect gives a meaning to (* _ ~ ` [ ] ( ) # | \ < >
// &) is written as an HTML character reference, so text from the knowledge
// base or a person can neither format, link, mention (<at>) nor colour
// (<font>) anything; in code blocks, where references would show as typed,
// such text is broken up by invisible zero-width spaces instead (see
// chatCode).
func (d *Doc) Chat(o ChatOptions) string {
	if o.Width <= 0 {
		o.Width = 60
	}
	s := chatStyle{base: strings.TrimRight(o.BaseURL, "/"), width: o.Width}
	return strings.Join(layout(s, d.Blocks, true), "\n")
}

// EscapeChat makes plain text literal in chat-app Markdown (see Doc.Chat).
func EscapeChat(s string) string { return chatEscaper.Replace(s) }

var chatEscaper = func() *strings.Replacer {
	var pairs []string
	for _, r := range "&<>*_~`[]()#|\\" {
		pairs = append(pairs, string(r), "&#"+strconv.Itoa(int(r))+";")
	}
	return strings.NewReplacer(pairs...)
}()

// chatCode keeps text shown in a code block (code blocks and aligned
// tables) inert on a platform that does not honour code blocks (DingTalk's
// robot Markdown has none) or reads tags inside them: a zero-width space
// after "<" and "&", and between "]" and "(" or ":", stops any tag (<at>,
// <font>), character reference or link from forming without changing what
// a reader sees; and the text cannot close the block it is in.
var chatCode = strings.NewReplacer(codeFence, "``\u200b`", "<", "<\u200b", "&", "&\u200b", "](", "]\u200b(", "]:", "]\u200b:")

// chatURLEscaper keeps a link target from ending the (…) around it.
var chatURLEscaper = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")

type chatStyle struct {
	base  string
	width int
}

func (s chatStyle) plain(ns []*Node) string { return textStyle{base: s.base}.inline(ns) }

func (s chatStyle) inline(ns []*Node) string {
	var b strings.Builder
	s.write(&b, ns)
	return b.String()
}

func (s chatStyle) write(b *strings.Builder, ns []*Node) {
	for _, n := range ns {
		switch n.Kind {
		case KindText, KindCode:
			b.WriteString(chatEscaper.Replace(n.Text))
		case KindBreak:
			b.WriteByte('\n')
		case KindStrong:
			s.mark(b, "**", n.Children)
		case KindEmphasis:
			s.mark(b, "*", n.Children)
		case KindStrike:
			s.mark(b, "~~", n.Children)
		case KindLink:
			label, href := linkParts(n, s.base)
			if href == "" {
				b.WriteString(chatEscaper.Replace(label))
				continue
			}
			b.WriteString("[" + chatEscaper.Replace(label) + "](" + chatURLEscaper.Replace(href) + ")")
		default:
			s.write(b, n.Children)
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

func (s chatStyle) mark(b *strings.Builder, m string, ns []*Node) { markLines(b, m, s.inline(ns)) }

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

func (chatStyle) heading(l string) string {
	if strings.TrimSpace(l) == "" {
		return l
	}
	return "**" + strings.TrimSpace(l) + "**"
}

func (chatStyle) codeBlock(t string) []string {
	lines := []string{codeFence}
	for _, l := range strings.Split(strings.ReplaceAll(t, "\t", "    "), "\n") {
		lines = append(lines, chatCode.Replace(l))
	}
	return append(lines, codeFence)
}

func (s chatStyle) table(rows [][]cell) []string {
	if out := alignedTable(rows, s.width, func(c cell) string { return chatCode.Replace(c.plain) }); out != nil {
		return append(append([]string{codeFence}, out...), codeFence)
	}
	return recordTable(rows,
		func(h string) string { return "**" + chatEscaper.Replace(h) + ":**" },
		func(c cell) string { return c.styled })
}

func (chatStyle) bullet() string { return "- " }
func (chatStyle) quote() string  { return "> " }
