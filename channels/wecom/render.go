package wecom

import (
	"strconv"
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/markdown"
)

// maxTextBytes is the longest text message WeCom takes, in bytes of UTF-8,
// for message/send, appchat/send and kf/send_msg alike.
const maxTextBytes = 2048

// render turns a reply into the plain text of one WeCom text message: the
// Markdown as plain text (package markdown), the "did you mean" choices as
// numbered lines with how to pick one, and the sources with their links.
// The answer is cut to fit, never the choices.
func (a *Adapter) render(r bot.Reply) string {
	zh := r.Language == "zh"
	var tail strings.Builder
	if len(r.Choices) > 0 {
		tail.WriteString("\n")
		for i, c := range r.Choices {
			title := markdown.OneLine(c.Title)
			if title == "" {
				title = markdown.OneLine(c.ID)
			}
			tail.WriteString("\n" + strconv.Itoa(i+1) + ". " + title)
		}
		picks := "1"
		if len(r.Choices) > 1 {
			picks = "1–" + strconv.Itoa(len(r.Choices))
		}
		if zh {
			tail.WriteString("\n（回复数字 " + picks + " 选择）")
		} else {
			tail.WriteString("\n(reply " + picks + " to choose)")
		}
	}
	if len(r.Sources) > 0 {
		if zh {
			tail.WriteString("\n\n来源：")
		} else {
			tail.WriteString("\n\nSources:")
		}
		for _, s := range r.Sources {
			tail.WriteString("\n- " + markdown.OneLine(s.Title))
			if u := a.sourceURL(s.URL); u != "" {
				tail.WriteString(" " + u)
			}
		}
	}
	t := tail.String()
	if len(t) > maxTextBytes/2 {
		t = cutBytes(t, maxTextBytes/2)
	}
	body := markdown.Text(r.Text, markdown.TextOptions{BaseURL: a.publicURL, Width: 60})
	return strings.TrimSpace(cutBytes(body, maxTextBytes-len(t)) + t)
}

// sourceURL is the link of a source as shown: absolute URLs as they are,
// paths under PublicURL, nothing else.
func (a *Adapter) sourceURL(u string) string {
	switch {
	case strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://"):
		return markdown.OneLine(markdown.SafeURL(u))
	case strings.HasPrefix(u, "/") && a.publicURL != "":
		return a.publicURL + markdown.OneLine(u)
	}
	return ""
}

// cutBytes cuts s to at most n bytes at a character boundary, ending with
// "…" when cut.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n < len(ell) {
		return ""
	}
	return strings.TrimRight(ellipsis.Prefix(s, n-len(ell)), " \n") + ell
}

// withChoice fills in a message's Choice when its text picks one of the
// choices last offered to its sender, and returns the offer's key.
func (a *Adapter) withChoice(m *bot.Message) string {
	key := m.Channel + "|" + m.ExternalUserID
	a.offered.Pick(key, m)
	return key
}

// helpText answers a mention with no question.
const helpText = "您好！请在 @ 我之后输入您的问题，例如：“@Concierge 多久能送到？”\n" +
	"Hi! Ask me a question after the mention, for example: “@Concierge how long does delivery take?”"
