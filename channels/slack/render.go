package slack

import (
	"net/url"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
	"github.com/concierge-bot/concierge/markdown"
)

// Action ids of the buttons the adapter renders or answers. The escalation
// ids are the contract with the Slack alert sink: its alert message carries
// buttons with these action ids and the escalation id as their value.
const (
	ActionFeedbackHelpful    = "feedback_helpful"
	ActionFeedbackNotHelpful = "feedback_not_helpful"
	ActionEscalationAck      = "escalation_ack"
	ActionEscalationTake     = "escalation_take"
	ActionEscalationResolve  = "escalation_resolve"
	// ActionChoicePrefix starts the action ids of "did you mean" choice
	// buttons: choice_1, choice_2, … in the order offered. A button's value
	// is the offered document's id.
	ActionChoicePrefix = "choice_"
)

// choicesBlockPrefix starts the block id of the choice buttons, which
// records who may pick and with which audience:
// "choices:<c|e>:<team_id>:<user_id>" (c: customer, e: employee). Block ids
// of our own messages come back signed by Slack with every click.
const choicesBlockPrefix = "choices:"

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxSectionChars  = 3000 // text of a section block
	maxBlocks        = 50   // blocks in one message
	maxContextItems  = 10   // elements of a context block
	maxFallbackChars = 3000 // the notification text we send with blocks
)

// replyBlocks renders a Reply to asker's message as Block Kit: the text's
// Markdown as mrkdwn sections (package markdown: escaped, tables as aligned
// monospace blocks, lists, *bold*, <url|text> links), the choices it
// offers as buttons only asker may use (right below the text that
// introduces them), the sources as links in a context block, and helpful / not helpful buttons carrying the stored message id when
// feedback is recorded. It also returns the plain fallback text Slack shows
// in notifications.
func (a *Adapter) replyBlocks(r bot.Reply, asker bot.Message) ([]slackapi.Block, string) {
	var blocks []slackapi.Block
	chunks := markdown.Slack(r.Text, markdown.SlackOptions{BaseURL: a.publicURL, Limit: maxSectionChars})
	if room := maxBlocks - 3; len(chunks) > room {
		chunks = chunks[:room] // replies are far shorter; this only bounds the message
	}
	for _, c := range chunks {
		blocks = append(blocks, slackapi.NewSectionBlock(
			slackapi.NewTextBlockObject(slackapi.MarkdownType, c, false, false), nil, nil))
	}
	if b := choiceButtons(r.Choices, asker); b != nil {
		blocks = append(blocks, b)
	}
	if len(r.Sources) > 0 {
		label := "Sources:"
		if r.Language == "zh" {
			label = "来源："
		}
		elems := []slackapi.MixedElement{slackapi.NewTextBlockObject(slackapi.MarkdownType, "*"+label+"*", false, false)}
		for _, s := range r.Sources {
			if len(elems) == maxContextItems {
				break
			}
			elems = append(elems, slackapi.NewTextBlockObject(slackapi.MarkdownType, a.sourceLink(s), false, true))
		}
		blocks = append(blocks, slackapi.NewContextBlock("sources", elems...))
	}
	if r.MessageID > 0 && a.opts.Feedback != nil {
		blocks = append(blocks, feedbackButtons(r.MessageID, r.Language))
	}
	plain := markdown.Text(r.Text, markdown.TextOptions{BaseURL: a.publicURL})
	return blocks, escapeMrkdwn(ellipsis.Runes(plain, maxFallbackChars))
}

// Block Kit limits of a button.
const (
	maxButtonText  = 75
	maxButtonValue = 2000
	maxBlockID     = 255
)

// choiceButtons is the actions block of the choices a reply offers, or nil
// when it offers none (or asker cannot be recorded in a block id).
func choiceButtons(choices []bot.Source, asker bot.Message) *slackapi.ActionBlock {
	role := "e"
	if asker.Role != bot.RoleEmployee {
		role = "c"
	}
	blockID := choicesBlockPrefix + role + ":" + asker.ExternalUserID
	if asker.ExternalUserID == "" || len(blockID) > maxBlockID {
		return nil
	}
	var buttons []slackapi.BlockElement
	for _, c := range choices {
		if len(buttons) == bot.MaxChoices {
			break
		}
		if c.ID == "" || len(c.ID) > maxButtonValue {
			continue
		}
		title := strings.TrimSpace(c.Title)
		if title == "" {
			title = c.ID
		}
		buttons = append(buttons, slackapi.NewButtonBlockElement(ActionChoicePrefix+strconv.Itoa(len(buttons)+1), c.ID,
			slackapi.NewTextBlockObject(slackapi.PlainTextType, ellipsis.Runes(title, maxButtonText), false, false)))
	}
	if len(buttons) == 0 {
		return nil
	}
	return slackapi.NewActionBlock(blockID, buttons...)
}

// parseChoicesBlock reads the block id of choice buttons.
func parseChoicesBlock(id string) (role bot.Role, asker string, ok bool) {
	rest, found := strings.CutPrefix(id, choicesBlockPrefix)
	if !found {
		return "", "", false
	}
	r, asker, found := strings.Cut(rest, ":")
	switch {
	case !found || asker == "":
		return "", "", false
	case r == "e":
		return bot.RoleEmployee, asker, true
	case r == "c":
		return bot.RoleCustomer, asker, true
	}
	return "", "", false
}

// feedbackButtons is the actions block with the helpful / not helpful
// buttons for a stored bot message.
func feedbackButtons(messageID int64, lang string) *slackapi.ActionBlock {
	yes, no := "Helpful", "Not helpful"
	if lang == "zh" {
		yes, no = "有帮助", "没有帮助"
	}
	id := strconv.FormatInt(messageID, 10)
	return slackapi.NewActionBlock("feedback",
		slackapi.NewButtonBlockElement(ActionFeedbackHelpful, id,
			slackapi.NewTextBlockObject(slackapi.PlainTextType, "👍 "+yes, true, false)),
		slackapi.NewButtonBlockElement(ActionFeedbackNotHelpful, id,
			slackapi.NewTextBlockObject(slackapi.PlainTextType, "👎 "+no, true, false)),
	)
}

// sourceLink renders a source as a mrkdwn link to its page, or as its title
// alone when it has no usable URL. Relative URLs (/kb/<id>) are made absolute
// with Options.PublicURL; only http and https links are rendered.
func (a *Adapter) sourceLink(s bot.Source) string {
	title := s.Title
	if strings.TrimSpace(title) == "" {
		title = s.ID
	}
	title = escapeMrkdwn(ellipsis.Runes(title, 200))
	link := a.absoluteURL(s.URL)
	if link == "" {
		return title
	}
	return "<" + link + "|" + title + ">"
}

// urlEscaper makes a URL safe inside <url|label>: the characters that end or
// split the markup are percent-encoded, & is escaped as Slack asks.
var urlEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "&", "&amp;")

func (a *Adapter) absoluteURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.ContainsAny(raw, "\x00\r\n\t") {
		return ""
	}
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		if a.publicURL == "" {
			return ""
		}
		raw = a.publicURL + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return urlEscaper.Replace(u.String())
}

// textBlocks renders a short message of ours (help, errors, confirmations):
// one section of escaped text.
func textBlocks(text string) []slackapi.Block {
	return []slackapi.Block{slackapi.NewSectionBlock(
		slackapi.NewTextBlockObject(slackapi.MarkdownType, escapeMrkdwn(ellipsis.Runes(text, maxSectionChars/5)), false, false), nil, nil)}
}
