// Package sourcelink resolves the link of an answer's source for the
// Markdown of a chat app's message (DingTalk, Feishu).
package sourcelink

import (
	"strings"

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
