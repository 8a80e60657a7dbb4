// Package sourcelink resolves the link of an answer's source for the
// Markdown of a chat app's message (DingTalk, Feishu), and writes the
// line of sources under an answer.
package sourcelink

import (
	"strings"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/markdown"
)

// parens are escaped so that a URL cannot close the (…) of a Markdown link.
var parens = strings.NewReplacer("(", "%28", ")", "%29")

// Absolute returns raw as an absolute http(s) link safe inside the (…) of
// a Markdown link: a site path (/kb/12) under publicURL, an absolute URL as
// it is. It returns "" for anything else (a path without publicURL,
// mailto:, javascript:, a malformed URL).
func Absolute(publicURL, raw string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		if publicURL == "" {
			return ""
		}
		raw = publicURL + raw
	}
	safe := markdown.SafeURL(raw)
	if !strings.HasPrefix(safe, "http://") && !strings.HasPrefix(safe, "https://") {
		return ""
	}
	return parens.Replace(safe)
}

// Line is the line of sources under an answer in lang ("zh" or another):
// "Sources:" (来源：) and each source as a Markdown link to its page, or its
// title alone when it has no usable link, joined by " · ". A source's
// title is its id when blank, passed through shorten when that is not nil,
// and escaped. Line returns "" when there are no sources.
func Line(publicURL, lang string, sources []bot.Source, shorten func(title string) string) string {
	if len(sources) == 0 {
		return ""
	}
	label := "Sources:"
	if lang == "zh" {
		label = "来源："
	}
	links := make([]string, 0, len(sources))
	for _, s := range sources {
		title := strings.TrimSpace(s.Title)
		if title == "" {
			title = s.ID
		}
		if shorten != nil {
			title = shorten(title)
		}
		title = markdown.EscapeChat(title)
		if u := Absolute(publicURL, s.URL); u != "" {
			title = "[" + title + "](" + u + ")"
		}
		links = append(links, title)
	}
	return label + " " + strings.Join(links, " · ")
}
