package markdown

import (
	"strconv"
	"strings"
)

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
	return d.lines(chatStyle{markup: chatInline(o.base()), width: o.width(60)})
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
	markup
	width int
}

// chatInline is the inline syntax of Doc.Chat; links to site-relative
// targets are made absolute with base.
func chatInline(base string) markup {
	return markup{
		base:     base,
		escape:   chatEscaper,
		code:     chatEscaper.Replace,
		strong:   "**",
		emphasis: "*",
		strike:   "~~",
		link: func(label, href string) string {
			return "[" + chatEscaper.Replace(label) + "](" + chatURLEscaper.Replace(href) + ")"
		},
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
