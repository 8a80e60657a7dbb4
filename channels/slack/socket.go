package slack

import (
	"context"
	"net/http"
	"strconv"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocketMode receives events, slash commands and clicks over Socket Mode
// until ctx is done. Slack's own reconnection (with backoff) is handled by
// slack-go; the returned error is a permanent failure (e.g. invalid token).
// A request is acknowledged only once it is queued: when the queue is full,
// Slack redelivers it later.
func (a *Adapter) runSocketMode(ctx context.Context) error {
	smc := socketmode.New(a.api, socketmode.OptionLog(slogOutput{a.log}))
	errc := make(chan error, 1)
	go func() { errc <- smc.RunContext(ctx) }()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-smc.Events:
			a.socketEvent(ctx, smc, evt)
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("slack: socket mode connecting")
	case socketmode.EventTypeConnected:
		a.log.Info("slack: socket mode connected")
	case socketmode.EventTypeConnectionError:
		a.log.Warn("slack: socket mode connection error; retrying", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack: socket mode: invalid app token")
	case socketmode.EventTypeErrorBadMessage, socketmode.EventTypeIncomingError:
		a.log.Warn("slack: socket mode: unreadable message")
	case socketmode.EventTypeDisconnect:
		a.log.Info("slack: socket mode: Slack asked to reconnect")
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		status, _ := a.acceptEventBody(evt.Request.Payload, strconv.Itoa(evt.Request.RetryAttempt))
		if status == http.StatusOK {
			a.ack(ctx, smc, evt.Request, nil)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		if ack, ok := a.acceptCommand(cmd); ok {
			a.ack(ctx, smc, evt.Request, ack)
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if a.acceptInteraction(cb) {
			a.ack(ctx, smc, evt.Request, nil)
		}
	}
}

func (a *Adapter) ack(ctx context.Context, smc *socketmode.Client, req *socketmode.Request, payload any) {
	if err := smc.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		a.log.Warn("slack: socket mode ack failed", "err", err)
	}
}
