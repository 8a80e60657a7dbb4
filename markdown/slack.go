package markdown

import (
	"strings"
	"unicode/utf8"
)

// SlackOptions shapes Slack mrkdwn output.
type SlackOptions struct {
	// BaseURL (e.g. https://help.example.com) makes site-relative link
	// targets absolute; without it such links are shown as their text.
	BaseURL string
	// Limit is the most characters in one piece of output (Slack allows
	// 3000 in a section block). 0 means 3000.
	Limit int
	// Width is the widest a table may be, in monospace columns, before it
	// is shown as one "*Header:* value" block per row instead. 0 means 72.
	Width int
}

// Slack renders Markdown as Slack mrkdwn; see Doc.Slack.
func Slack(src string, o SlackOptions) []string { return Parse(src).Slack(o) }

// A link's text is cut to maxLinkText characters, and a link whose markup
// <url|text> would be longer than maxSlackLink is shown as its text alone,
// so that with a Limit of at least maxSlackLink no link is ever cut across
// pieces.
const (
	maxLinkText  = 300
	maxSlackLink = 1000
)

// Slack renders the document as Slack mrkdwn, split into pieces of at most
// Limit characters (one section block each), each valid on its own: a code
// block or table cut across pieces is closed and reopened, and a line is
// cut inside a link's markup only when the link is longer than Limit. Text is escaped
// (&, < and > as &amp; &lt; &gt;), so content can never form a link, a
// mention or @channel; emphasis becomes *bold*, _italic_ and ~struck~,
// inline code `code`, links <url|text>, lists "• " or "1. ", headings a
// line of bold text, quotes "> ", and tables aligned monospace blocks. A
// document with no text gives no pieces.
func (d *Doc) Slack(o SlackOptions) []string {
	if o.Limit <= 0 {
		o.Limit = 3000
	}
	o.Limit = max(o.Limit, 16)
	if o.Width <= 0 {
		o.Width = 72
	}
	s := slackStyle{markup: slackInline(strings.TrimRight(o.BaseURL, "/")), width: o.Width}
	return chunkLines(layout(s, d.Blocks, true), o.Limit)
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackURLEscaper makes a URL safe inside <url|text>: the characters that
// end or split the markup are percent-encoded, & is escaped as Slack asks.
var slackURLEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "&", "&amp;")

// codeFence is the line that opens and closes a Slack code block.
const codeFence = "```"

// unfence keeps text from closing a code block it is shown in.
var unfence = strings.NewReplacer(codeFence, "``\u200b`")

type slackStyle struct {
	markup
	width int
}

// slackInline is the inline syntax of Doc.Slack; links to site-relative
// targets are made absolute with base.
func slackInline(base string) markup {
	return markup{
		base:   base,
		escape: slackEscaper,
		code: func(t string) string {
			t = strings.ReplaceAll(t, "`", "'")
			if strings.TrimSpace(t) == "" {
				return ""
			}
			return "`" + slackEscaper.Replace(t) + "`"
		},
		strong:   "*",
		emphasis: "_",
		strike:   "~",
		link: func(label, href string) string {
			link := "<" + slackURLEscaper.Replace(href) + "|" + slackEscaper.Replace(label) + ">"
			if utf8.RuneCountInString(link) > maxSlackLink {
				return slackEscaper.Replace(label)
			}
			return link
		},
	}
}

func (slackStyle) heading(l string) string {
	if strings.TrimSpace(l) == "" {
		return l
	}
	return "*" + strings.Trim(strings.TrimSpace(l), "*") + "*"
}

func (slackStyle) codeBlock(t string) []string {
	lines := []string{codeFence}
	for _, l := range strings.Split(t, "\n") {
		lines = append(lines, slackEscaper.Replace(unfence.Replace(l)))
	}
	return append(lines, codeFence)
}

func (s slackStyle) table(rows [][]cell) []string {
	code := func(c cell) string { return slackEscaper.Replace(unfence.Replace(c.plain)) }
	if out := alignedTable(rows, s.width, code); out != nil {
		return append(append([]string{codeFence}, out...), codeFence)
	}
	return recordTable(rows,
		func(h string) string { return "*" + slackEscaper.Replace(strings.ReplaceAll(h, "*", "")) + ":*" },
		func(c cell) string { return c.styled })
}

func (slackStyle) bullet() string { return "• " }
func (slackStyle) quote() string  { return "> " }

// chunkLines joins lines into pieces of at most limit characters, cutting
// between lines (a line longer than limit is cut between words, never
// inside <…> markup or an &…; escape), closing and reopening a code block
// cut across pieces.
func chunkLines(lines []string, limit int) []string {
	const fenceLen = len(codeFence) + 1 // a fence line and its newline
	var chunks []string
	var cur []string
	n := 0          // characters in cur, newlines included
	inCode := false // a code block is open at the end of cur
	flush := func() {
		if inCode && len(cur) > 0 && cur[len(cur)-1] == codeFence {
			cur = cur[:len(cur)-1] // a block opened last: open it in the next piece
		}
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			if inCode {
				cur = append(cur, codeFence)
			}
			if c := strings.Join(cur, "\n"); c != codeFence+"\n"+codeFence {
				chunks = append(chunks, c)
			}
		}
		cur, n = nil, 0
		if inCode {
			cur, n = []string{codeFence}, len(codeFence)
		}
	}
	add := func(l string) {
		if len(cur) > 0 {
			n++
		}
		cur = append(cur, l)
		n += utf8.RuneCountInString(l)
	}
	for _, l := range lines {
		fence := l == codeFence
		reserve := 0 // room kept to close a code block
		if inCode != fence {
			reserve = fenceLen
		}
		if len(cur) > 0 && n+1+utf8.RuneCountInString(l)+reserve > limit {
			flush()
		}
		if (len(cur) == 0 || (inCode && len(cur) == 1)) && strings.TrimSpace(l) == "" {
			continue // no piece starts with a blank line
		}
		for {
			room := limit - n - reserve - 1
			if utf8.RuneCountInString(l) <= room || room <= 0 {
				break
			}
			head, tail := cutLine(l, room)
			add(head)
			flush()
			l = tail
		}
		add(l)
		if fence {
			inCode = !inCode
		}
	}
	inCode = false
	flush()
	return chunks
}

// cutLine cuts s into a head of at most n characters (n > 0) and the rest,
// preferring a space in the second half of the head and never cutting
// inside <…> markup or an &…; escape unless one is longer than n.
func cutLine(s string, n int) (string, string) {
	if utf8.RuneCountInString(s) <= n {
		return s, ""
	}
	hard, safe, space := 0, 0, 0 // byte offsets: n runes, the last safe cut, the last safe space
	inTag, inEsc := false, false
	count := 0
	for i, r := range s {
		if count == n {
			hard = i
			if !inTag && !inEsc {
				safe = i
			}
			break
		}
		if !inTag && !inEsc && i > 0 {
			safe = i
			if r == ' ' && count > n/2 {
				space = i
			}
		}
		switch r {
		case '<':
			inTag = true
		case '>':
			inTag = false
		case '&':
			inEsc = true
		case ';':
			inEsc = false
		}
		count++
	}
	cut := safe
	if space > 0 {
		cut = space
	}
	if cut == 0 {
		cut = hard
	}
	return s[:cut], s[cut:]
}

// truncate cuts s to at most n characters, ending with "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
