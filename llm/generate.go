package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/concierge-bot/concierge/bot"
)

// RefusalMarker is what the model is told to reply when the passages do not
// answer the question. A reply containing it becomes Generated.Refused.
const RefusalMarker = "NO_ANSWER"

// Limits on what goes into one prompt.
const (
	maxPassageRunes  = 1500
	maxHistoryRunes  = 500
	maxHistory       = 6
	maxQuestionRunes = bot.MaxMessageRunes
)

type passageData struct {
	N     int
	Title string
	Text  string
}

type turnData struct{ Author, Text string }

type answerData struct {
	Language, LanguageName, Company, Refusal string
	Passages                                 []passageData
	History                                  []turnData
	Question                                 string
}

// Generate implements bot.Generator: it asks the model for an answer grounded
// in req.Passages and checks it. The reply's citations are renumbered to
// match Generated.Cited (the first source cited is [1]). Any error means the
// caller should answer from retrieval: no passages, an internal passage for
// a customer (nothing is sent), a provider failure, a reply that is empty,
// truncated, in the wrong language, or that cites passages it was not given.
func (c *Client) Generate(ctx context.Context, req bot.GenerateRequest) (bot.Generated, error) {
	lang := normLang(req.Language)
	if len(req.Passages) == 0 {
		return bot.Generated{}, ErrNoPassages
	}
	if req.Role != bot.RoleEmployee {
		for i, p := range req.Passages {
			if p.Audience != bot.AudiencePublic {
				c.log.Error("refusing to send a non-public passage for a customer", "passage", p.ID, "index", i, "audience", string(p.Audience))
				c.metrics.answers.WithLabelValues("rejected").Inc()
				return bot.Generated{}, fmt.Errorf("%w: passage %d (%s)", ErrInternalPassage, i+1, p.ID)
			}
		}
	}
	m := newMasker(c.opts.MaskOrderNumbers)
	data := answerData{
		Language: lang, LanguageName: languageName(lang), Company: c.opts.Company, Refusal: RefusalMarker,
		Question: neutralize(m.Mask(clip(req.Question, maxQuestionRunes))),
	}
	for i, p := range req.Passages {
		text := p.Answer
		if strings.TrimSpace(text) == "" {
			text = p.Snippet
		}
		data.Passages = append(data.Passages, passageData{
			N: i + 1, Title: neutralize(m.Mask(oneLine(p.Title))), Text: neutralize(m.Mask(clip(text, maxPassageRunes))),
		})
	}
	data.History = history(req.History, req.Question, m)
	system, err := render(c.prompts.answer, "system", data)
	if err != nil {
		return bot.Generated{}, err
	}
	user, err := render(c.prompts.answer, "user", data)
	if err != nil {
		return bot.Generated{}, err
	}
	text, err := c.chat(ctx, system, user)
	if err != nil {
		return bot.Generated{}, fmt.Errorf("generate: %w", err)
	}
	g, err := c.check(text, lang, len(req.Passages))
	if err != nil {
		c.metrics.answers.WithLabelValues("rejected").Inc()
		c.log.Warn("model reply rejected; answer from retrieval", "err", safeError(err), "reason", err.Error())
		c.log.Debug("rejected model reply", "reply", text)
		return bot.Generated{}, fmt.Errorf("generate: %w", err)
	}
	if g.Refused {
		c.metrics.answers.WithLabelValues("refused").Inc()
		g.Text, err = render(c.prompts.refusal, "text", struct{ Language string }{lang})
		return g, err
	}
	c.metrics.answers.WithLabelValues("answered").Inc()
	g.Text = m.Restore(g.Text)
	return g, nil
}

// history turns the latest stored messages into prompt turns, dropping the
// message being answered (the store already holds it).
func history(msgs []bot.StoredMessage, question string, m *masker) []turnData {
	if n := len(msgs); n > 0 && msgs[n-1].Inbound && strings.TrimSpace(msgs[n-1].Text) == strings.TrimSpace(question) {
		msgs = msgs[:n-1]
	}
	if len(msgs) > maxHistory {
		msgs = msgs[len(msgs)-maxHistory:]
	}
	var out []turnData
	for _, h := range msgs {
		if strings.TrimSpace(h.Text) == "" {
			continue
		}
		out = append(out, turnData{Author: authorName(h), Text: neutralize(m.Mask(oneLine(clip(h.Text, maxHistoryRunes))))})
	}
	return out
}

func authorName(h bot.StoredMessage) string {
	switch h.Author {
	case bot.AuthorBot:
		return "Assistant"
	case bot.AuthorAgent:
		return "Agent"
	case bot.AuthorSystem:
		return "System note"
	}
	if h.Inbound || h.Author == bot.AuthorCustomer {
		return "Customer"
	}
	return "Assistant"
}

// chat sends one system+user exchange and returns the completion text.
func (c *Client) chat(ctx context.Context, system, user string) (string, error) {
	req := openai.ChatCompletionRequest{
		Model: c.opts.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		MaxTokens:   c.opts.MaxTokens,
		Temperature: float32(c.opts.Temperature),
	}
	var text string
	err := c.call(ctx, opChat, func(ctx context.Context) (usage, error) {
		ctx = withLimit(ctx, c.opts.MaxResponseBytes)
		var (
			u      usage
			finish openai.FinishReason
			err    error
		)
		if c.opts.Stream {
			text, finish, u, err = c.chatStream(ctx, req)
		} else {
			text, finish, u, err = c.chatOnce(ctx, req)
		}
		if err != nil {
			return usage{}, err
		}
		if u.prompt+u.completion == 0 { // some servers omit usage: estimate
			u = usage{prompt: (len(system) + len(user)) / 4, completion: len(text) / 4}
		}
		switch {
		case finish == openai.FinishReasonLength:
			return u, badResponse("truncated completion (max_tokens reached)", nil)
		case finish == openai.FinishReasonContentFilter:
			return u, badResponse("completion stopped by the provider's content filter", nil)
		case strings.TrimSpace(text) == "":
			return u, badResponse("empty completion", nil)
		case !utf8.ValidString(text):
			return u, badResponse("completion is not valid UTF-8", nil)
		}
		return u, nil
	})
	return strings.TrimSpace(text), err
}

func (c *Client) chatOnce(ctx context.Context, req openai.ChatCompletionRequest) (string, openai.FinishReason, usage, error) {
	resp, err := c.api.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", "", usage{}, err
	}
	if len(resp.Choices) == 0 {
		return "", "", usage{}, badResponse("no choices in the completion", nil)
	}
	ch := resp.Choices[0]
	return ch.Message.Content, ch.FinishReason, usage{resp.Usage.PromptTokens, resp.Usage.CompletionTokens}, nil
}

func (c *Client) chatStream(ctx context.Context, req openai.ChatCompletionRequest) (string, openai.FinishReason, usage, error) {
	req.Stream = true
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", "", usage{}, err
	}
	defer stream.Close()
	var (
		b      strings.Builder
		finish openai.FinishReason
		u      usage
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return "", "", usage{}, ctx.Err()
			}
			return "", "", usage{}, err
		}
		if chunk.Usage != nil {
			u = usage{chunk.Usage.PromptTokens, chunk.Usage.CompletionTokens}
		}
		if len(chunk.Choices) > 0 {
			b.WriteString(chunk.Choices[0].Delta.Content)
			if r := chunk.Choices[0].FinishReason; r != "" {
				finish = r
			}
		}
	}
	if finish == "" {
		return "", "", u, badResponse("stream ended without a finish reason (truncated)", nil)
	}
	return b.String(), finish, u, nil
}

// citationRE matches a citation such as [1], [1, 3], [1][2] (each bracket
// separately), and full-width 【1】 or ［1］.
var citationRE = regexp.MustCompile(`[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]`)

// leakRE matches prompt scaffolding a reply must never contain.
var leakRE = regexp.MustCompile(`(?i)<\s*/?\s*(passages|customer_message|history)\s*>|nothing in the conversation can change`)

// check validates a completion against the request: a refusal, or a reply
// in lang citing only passages 1..n (at least one). It returns the reply
// with citations renumbered in order of first appearance.
func (c *Client) check(text, lang string, n int) (bot.Generated, error) {
	if strings.Contains(text, RefusalMarker) {
		return bot.Generated{Refused: true}, nil
	}
	if leakRE.MatchString(text) {
		return bot.Generated{}, badResponse("reply echoes the prompt", nil)
	}
	cited, out, err := citations(text, n)
	if err != nil {
		return bot.Generated{}, err
	}
	if !inLanguage(out, lang) {
		return bot.Generated{}, fmt.Errorf("%w: want %s", ErrWrongLanguage, lang)
	}
	return bot.Generated{Text: out, Cited: cited}, nil
}

// citations finds the passage numbers a reply cites, checks each is in
// 1..n, and rewrites them so that the k-th distinct passage cited is [k].
// cited holds 0-based passage indexes in order of first citation.
func citations(text string, n int) (cited []int, out string, err error) {
	pos := map[int]int{} // passage index -> 1-based position in cited
	var bad []string
	out = citationRE.ReplaceAllStringFunc(text, func(m string) string {
		nums := citationRE.FindStringSubmatch(m)[1]
		var b strings.Builder
		for _, f := range strings.FieldsFunc(nums, func(r rune) bool { return r == ',' || r == '，' || r == '、' || unicode.IsSpace(r) }) {
			k, _ := strconv.Atoi(f)
			if k < 1 || k > n {
				bad = append(bad, f)
				continue
			}
			p, ok := pos[k-1]
			if !ok {
				cited = append(cited, k-1)
				p = len(cited)
				pos[k-1] = p
			}
			fmt.Fprintf(&b, "[%d]", p)
		}
		return b.String()
	})
	if len(bad) > 0 {
		return nil, "", fmt.Errorf("%w: cites %s of %d passages", ErrInventedSource, strings.Join(bad, ", "), n)
	}
	if len(cited) == 0 {
		return nil, "", fmt.Errorf("%w: cites no passage", ErrInventedSource)
	}
	return cited, strings.TrimSpace(out), nil
}

// inLanguage reports whether text reads as lang ("en" or "zh"), counting Han
// characters against Latin letters outside citations and placeholders.
func inLanguage(text, lang string) bool {
	text = placeholderRE.ReplaceAllString(citationRE.ReplaceAllString(text, ""), "")
	han, latin := 0, 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			latin++
		}
	}
	if lang == "zh" {
		return han > 0 && han*4 >= latin
	}
	return latin > 0 && han*5 <= latin
}

func normLang(lang string) string {
	if lang == "zh" {
		return "zh"
	}
	return "en"
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// oneLine collapses whitespace, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
