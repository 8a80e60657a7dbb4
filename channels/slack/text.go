package slack

import (
	"strings"
	"unicode"
)

var (
	mrkdwnEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	mrkdwnUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// escapeMrkdwn escapes the three characters Slack's mrkdwn gives a meaning
// to as control characters (&, <, >), so text from the knowledge base or a
// user is shown as written and can never form a link, mention or @channel.
func escapeMrkdwn(s string) string { return mrkdwnEscaper.Replace(s) }

// plainText turns the text of a Slack message into the plain text a person
// typed: user mentions <@U1> or <@U1|ann> become @U1 or @ann (mentions of
// botUserID are dropped), channel links <#C1|general> become #general,
// special mentions <!here> become @here, links <https://x|label> become
// label (or the URL when there is no label), and &lt; &gt; &amp; are
// unescaped. With dropLeadingMention and botUserID unknown, a user mention
// at the very start is taken for the bot's and dropped (the text of an
// app_mention starts with the bot's mention). The result is trimmed and
// never longer than s.
func plainText(s, botUserID string, dropLeadingMention bool) string {
	var b strings.Builder
	b.Grow(len(s))
	rest := s
	if dropLeadingMention && botUserID == "" {
		t := strings.TrimLeftFunc(rest, unicode.IsSpace)
		if strings.HasPrefix(t, "<@") {
			if end := strings.IndexByte(t, '>'); end >= 0 {
				rest = t[end+1:]
			}
		}
	}
	for {
		open := strings.IndexByte(rest, '<')
		if open < 0 {
			b.WriteString(mrkdwnUnescaper.Replace(rest))
			break
		}
		b.WriteString(mrkdwnUnescaper.Replace(rest[:open]))
		end := strings.IndexByte(rest[open:], '>')
		if end < 0 { // not markup: keep as typed
			b.WriteString(mrkdwnUnescaper.Replace(rest[open:]))
			break
		}
		b.WriteString(mrkdwnUnescaper.Replace(markupText(rest[open+1:open+end], botUserID)))
		rest = rest[open+end+1:]
	}
	return strings.TrimSpace(b.String())
}

// markupText is the plain text of the inside of one <…> markup token.
func markupText(c, botUserID string) string {
	target, label, hasLabel := strings.Cut(c, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		if botUserID != "" && target[1:] == botUserID {
			return ""
		}
		if hasLabel && label != "" {
			return "@" + strings.TrimPrefix(label, "@")
		}
		return target
	case strings.HasPrefix(target, "#"):
		if hasLabel && label != "" {
			return "#" + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		if hasLabel && label != "" {
			return label
		}
		name, _, _ := strings.Cut(target[1:], "^")
		return "@" + name
	}
	if hasLabel && label != "" {
		return label
	}
	return target
}
