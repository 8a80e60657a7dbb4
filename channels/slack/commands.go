package slack

import (
	"context"
	"fmt"

	slackapi "github.com/slack-go/slack"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/internal/ellipsis"
)

// commandAck is the immediate answer to a slash command.
type commandAck struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

const (
	textUsage   = "Ask a question, for example: `/ask how long does delivery take?` 用法：`/ask 您的问题`"
	textOnIt    = "On it — I'll answer in a thread. 正在查询，稍后在消息串中回复。"
	maxAskChars = 300 // of the question echoed in the channel
)

// acceptCommand takes a slash command whose origin is already authenticated:
// it queues the question and returns the ephemeral acknowledgement. ok is
// false only when the queue is full.
func (a *Adapter) acceptCommand(cmd slackapi.SlashCommand) (ack commandAck, ok bool) {
	self, _ := a.identity()
	text := plainText(cmd.Text, self, false)
	if text == "" {
		return commandAck{ResponseType: slackapi.ResponseTypeEphemeral, Text: textUsage}, true
	}
	if err := bot.ValidateText(text); err != nil {
		return commandAck{ResponseType: slackapi.ResponseTypeEphemeral, Text: escapeMrkdwn(bot.ErrorMessage(err))}, true
	}
	if !a.jobs.EnqueueFor("command", cmd.TeamID+":"+cmd.UserID, func(ctx context.Context) { a.answerCommand(ctx, cmd, text) }) {
		a.log.Warn("slack: queue full; slash command refused", "queue", a.opts.QueueSize)
		return commandAck{}, false
	}
	return commandAck{ResponseType: slackapi.ResponseTypeEphemeral, Text: textOnIt}, true
}

// answerCommand asks the Engine, posts the question in the channel and the
// answer in its thread (followed from then on). Where the bot cannot post
// (a channel it is not in, someone else's DM), the answer goes to the asker
// only, through the command's response_url.
func (a *Adapter) answerCommand(ctx context.Context, cmd slackapi.SlashCommand, text string) {
	team := cmd.TeamID
	msg := bot.Message{
		Channel: bot.ChannelSlack, ExternalUserID: team + ":" + cmd.UserID, Text: text,
		Time: a.opts.Now(), Role: a.role(cmd.ChannelID, false),
	}
	a.log.Debug("slack: slash command", "channel", cmd.ChannelID, "command", cmd.Command, "text", text)
	reply, err := a.opts.Handler.Handle(ctx, msg)

	question := fmt.Sprintf("%s asked: %s", mentionUser(cmd.UserID), escapeMrkdwn(ellipsis.Runes(text, maxAskChars)))
	qBlocks := []slackapi.Block{slackapi.NewSectionBlock(
		slackapi.NewTextBlockObject(slackapi.MarkdownType, question, false, false), nil, nil)}
	ts, perr := a.post(ctx, cmd.ChannelID, "", qBlocks, question)
	if perr == nil {
		a.threads.Set(threadKey(cmd.ChannelID, ts), struct{}{})
		a.postReply(ctx, cmd.ChannelID, ts, msg, reply, err)
		return
	}
	a.log.Info("slack: cannot post in channel; answering privately", "channel", cmd.ChannelID, "err", perr)
	var blocks []slackapi.Block
	fallback := ""
	switch {
	case err != nil:
		blocks = textBlocks(bot.ErrorMessage(err))
		fallback = escapeMrkdwn(bot.ErrorMessage(err))
	case reply.Action == bot.ActionRelay || reply.Text == "":
		return
	default:
		blocks, fallback = a.replyBlocks(reply, msg)
	}
	out := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: fallback,
		Blocks: &slackapi.Blocks{BlockSet: append(qBlocks, blocks...)}}
	if err := a.respond(ctx, cmd.ResponseURL, out); err != nil {
		a.log.Error("slack: answering slash command", "channel", cmd.ChannelID, "err", err)
	}
}
