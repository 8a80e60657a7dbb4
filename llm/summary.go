package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/concierge-bot/concierge/bot"
)

// summaryLabels are the line prefixes of a three-line summary.
type summaryLabels struct{ Issue, Wants, Sentiment string }

func labelsFor(lang string) summaryLabels {
	if lang == "zh" {
		return summaryLabels{Issue: "问题：", Wants: "诉求：", Sentiment: "情绪："}
	}
	return summaryLabels{Issue: "Issue:", Wants: "Wants:", Sentiment: "Sentiment:"}
}

// Limits of a summary's input.
const (
	maxSummaryMessages = 20
	maxSummaryRunes    = 600
	maxSummaryLine     = 240
)

// Summarize asks the model for a three-line summary of a conversation in
// lang ("en" or "zh", the manager's language): the issue, what the customer
// wants, and the sentiment, each line starting with its label ("Issue:",
// "Wants:", "Sentiment:"; "问题：", "诉求：", "情绪："). Contact data is
// masked on the way out and restored in the summary, which is for staff.
// On any error the caller should use Extractive.
func (c *Client) Summarize(ctx context.Context, msgs []bot.StoredMessage, lang string) (string, error) {
	lang = normLang(lang)
	if len(msgs) == 0 {
		return "", errors.New("llm: summarize: no messages")
	}
	if len(msgs) > maxSummaryMessages {
		msgs = msgs[len(msgs)-maxSummaryMessages:]
	}
	m := newMasker(c.opts.MaskOrderNumbers)
	labels := labelsFor(lang)
	data := struct {
		Language, LanguageName string
		Labels                 summaryLabels
		Messages               []turnData
	}{Language: lang, LanguageName: languageName(lang), Labels: labels}
	for _, msg := range msgs {
		if strings.TrimSpace(msg.Text) == "" {
			continue
		}
		data.Messages = append(data.Messages, turnData{Author: authorName(msg),
			Text: neutralize(m.Mask(oneLine(clip(msg.Text, maxSummaryRunes))))})
	}
	system, err := render(c.prompts.summary, "system", data)
	if err != nil {
		return "", err
	}
	user, err := render(c.prompts.summary, "user", data)
	if err != nil {
		return "", err
	}
	text, err := c.chat(ctx, system, user)
	if err != nil {
		return "", fmt.Errorf("summarize: %w", err)
	}
	out, err := parseSummary(text, labels)
	if err != nil {
		c.log.Warn("model summary rejected; use the extractive summary", "err", safeError(err))
		return "", fmt.Errorf("summarize: %w", err)
	}
	return m.Restore(out), nil
}

// parseSummary finds the three labelled lines in a model's summary, in any
// order and with list markers or either label language, and returns them in
// the canonical shape.
func parseSummary(text string, want summaryLabels) (string, error) {
	alts := [3][]string{
		{"issue", "问题", "problem"},
		{"wants", "诉求", "wants", "want", "request", "需求"},
		{"sentiment", "情绪", "mood", "情感"},
	}
	prefix := [3]string{want.Issue, want.Wants, want.Sentiment}
	var got [3]string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(strings.TrimSpace(line), "-*•0123456789.) ")
		line = strings.Trim(line, "*")
		low := strings.ToLower(line)
	next:
		for i, as := range alts {
			for _, a := range as {
				if !strings.HasPrefix(low, a) {
					continue
				}
				rest := strings.TrimLeft(line[len(a):], "* ")
				if r, size := utf8.DecodeRuneInString(rest); r == ':' || r == '：' {
					rest = strings.TrimSpace(strings.TrimLeft(rest[size:], "* "))
					if rest != "" && got[i] == "" {
						got[i] = clip(rest, maxSummaryLine)
					}
					break next
				}
			}
		}
	}
	var b strings.Builder
	for i, g := range got {
		if g == "" {
			return "", badResponse(fmt.Sprintf("summary lacks the %q line", prefix[i]), nil)
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		sep := " "
		if strings.HasSuffix(prefix[i], "：") {
			sep = ""
		}
		b.WriteString(prefix[i] + sep + g)
	}
	return b.String(), nil
}

// Extractive is the summary without a model, in the same three-line shape
// as Summarize: the issue is the customer's first substantive message, what
// they want is their latest request, and the sentiment comes from the
// classifier scores stored with their messages. Labels and sentiment words
// are in lang ("en" or "zh"); quoted text is the customer's own.
func Extractive(msgs []bot.StoredMessage, lang string) string {
	lang = normLang(lang)
	labels := labelsFor(lang)
	var customer []bot.StoredMessage
	for _, m := range msgs {
		if (m.Inbound || m.Author == bot.AuthorCustomer) && strings.TrimSpace(m.Text) != "" {
			customer = append(customer, m)
		}
	}
	none := map[string]string{"en": "(no customer message)", "zh": "（没有客户消息）"}[lang]
	issue, wants := none, none
	if len(customer) > 0 {
		first := 0
		for i, m := range customer { // skip greetings and thanks
			if !bot.IsSmallTalk(m.Intent) && utf8.RuneCountInString(strings.TrimSpace(m.Text)) > 3 {
				first = i
				break
			}
		}
		issue = quote(customer[first].Text)
		wants = issue
		for i := len(customer) - 1; i > first; i-- {
			if m := customer[i]; !bot.IsSmallTalk(m.Intent) {
				wants = quote(m.Text)
				break
			}
		}
	}
	sent := sentimentWord(customer, lang)
	sp := " "
	if lang == "zh" {
		sp = ""
	}
	return labels.Issue + sp + issue + "\n" + labels.Wants + sp + wants + "\n" + labels.Sentiment + sp + sent
}

func quote(s string) string { return "“" + clip(oneLine(s), 160) + "”" }

// sentimentWord labels the customer's sentiment: the mean of their
// messages' scores (greetings, thanks and goodbyes left out when there is
// anything else, as their politeness says nothing of the customer's mood)
// and the latest one, which matters most to an agent. The leading word is
// the more negative of the two, so that an angry message after a friendly
// "hello" is not summed up as neutral.
func sentimentWord(customer []bot.StoredMessage, lang string) string {
	if len(customer) == 0 {
		return map[string]string{"en": "unknown", "zh": "未知"}[lang]
	}
	sum, n := 0.0, 0
	for _, m := range customer {
		if !bot.IsSmallTalk(m.Intent) {
			sum += m.Sentiment
			n++
		}
	}
	if n == 0 {
		for _, m := range customer {
			sum += m.Sentiment
		}
		n = len(customer)
	}
	mean, last := sum/float64(n), customer[len(customer)-1].Sentiment
	word := func(s float64) string {
		words := map[string][4]string{"en": {"angry", "negative", "neutral", "positive"}, "zh": {"愤怒", "负面", "中性", "正面"}}[lang]
		switch {
		case s <= -0.7:
			return words[0]
		case s <= -0.25:
			return words[1]
		case s < 0.25:
			return words[2]
		}
		return words[3]
	}
	lead := word(min(mean, last))
	if lang == "zh" {
		return fmt.Sprintf("%s（平均 %+.1f，最近一条 %s）", lead, mean, word(last))
	}
	return fmt.Sprintf("%s (mean %+.1f, latest message %s)", lead, mean, word(last))
}
