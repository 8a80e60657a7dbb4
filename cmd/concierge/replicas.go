package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/slack"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/console"
	"github.com/concierge-bot/concierge/storage/postgres"
)

// What several `concierge serve` replicas on one PostgreSQL database share,
// wired from the store into the adapters. With SQLite none of it is used.

// slackOnce answers each Slack message once across replicas: Slack retries
// an event it thinks was not received, and a retry may reach another
// replica. The key is Slack's id of the message — the sender and the
// message's ts, which bot.Message carries as its Time — claimed in the
// database before the Engine sees the message; a message already claimed
// gets a silent reply, so the adapter posts nothing.
type slackOnce struct {
	next  slack.Handler
	db    *postgres.DB
	lease time.Duration
	log   *slog.Logger
}

func (h slackOnce) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	if m.Channel != bot.ChannelSlack || m.Time.IsZero() {
		return h.next.Handle(ctx, m)
	}
	key := "slack:" + m.ExternalUserID + ":" + m.Time.UTC().Format("20060102T150405.000000")
	o, err := h.db.ClaimRequest(ctx, key, h.lease, 0)
	switch {
	case errors.Is(err, postgres.ErrRequestBusy), err == nil && o != nil:
		h.log.Debug("slack: message already answered or being answered by a replica; staying silent")
		return bot.Reply{Action: bot.ActionRelay}, nil
	case err != nil:
		return bot.Reply{}, err
	}
	reply, err := h.next.Handle(postgres.WithRequestKey(ctx, key), m)
	if err != nil {
		_ = h.db.AbandonRequest(context.WithoutCancel(ctx), key)
		return reply, err
	}
	if err := h.db.FinishRequest(context.WithoutCancel(ctx), key, 200, nil); err != nil {
		h.log.Warn("slack: answered, but the answer was not recorded", "err", err)
	}
	return reply, nil
}

// socketLease is the name of the lease that one replica holds while it
// keeps the Slack Socket Mode connection.
const socketLease = "slack-socket-mode"

// runSocketModeLeader keeps one Socket Mode connection across all replicas:
// every ttl/3 each replica tries to take or renew the lease; the holder runs
// a Socket Mode adapter made by newAdapter until it loses the lease or ctx
// ends, and releases it on the way out, so another replica takes over
// within ttl of a crash and at once after a clean stop.
func runSocketModeLeader(ctx context.Context, db *postgres.DB, ttl time.Duration, log *slog.Logger,
	newAdapter func() (*slack.Adapter, error)) {
	tick := time.NewTicker(ttl / 3)
	defer tick.Stop()
	type running struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	var cur *running
	release := func() {
		if cur == nil {
			return
		}
		cur.cancel()
		<-cur.done
		cur = nil
		_ = db.ReleaseLease(context.WithoutCancel(ctx), socketLease)
		log.Info("slack: socket mode connection handed back")
	}
	defer release()
	for {
		held, err := db.AcquireLease(ctx, socketLease, ttl)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			// Without the database we cannot know we still hold it: stop,
			// rather than risk two connections.
			log.Warn("slack: socket mode lease unknown; disconnecting", "err", err)
			release()
		case !held:
			release()
		case cur == nil:
			a, err := newAdapter()
			if err != nil {
				log.Error("slack: socket mode adapter", "err", err)
				break
			}
			runCtx, cancel := context.WithCancel(ctx)
			cur = &running{cancel: cancel, done: make(chan struct{})}
			log.Info("slack: this replica holds the socket mode connection", "holder", db.Holder())
			go func(done chan struct{}) {
				defer close(done)
				if err := a.Run(runCtx); err != nil && runCtx.Err() == nil {
					log.Error("slack: socket mode stopped", "err", err)
				}
			}(cur.done)
		}
		var stopped chan struct{}
		if cur != nil {
			stopped = cur.done
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-stopped: // the adapter stopped by itself: let the lease go
			release()
		}
	}
}

// signIns keeps the console's sign-in limits in the database. It fails
// closed: when the database does not answer, sign-ins are refused. (Sign-outs
// are the store's with either engine: console.Options.SignOuts.)
type signIns struct {
	db  *postgres.DB
	log *slog.Logger
}

var _ console.SignIns = signIns{}

func (s signIns) Limiter(scope string, rate float64, burst int) console.Limiter {
	return dbLimiter{s: s, scope: scope, rate: rate, burst: burst}
}

func (s signIns) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 3*time.Second)
}

type dbLimiter struct {
	s     signIns
	scope string
	rate  float64
	burst int
}

func (l dbLimiter) Allow(key string) (bool, time.Duration) {
	return l.bucket(key, l.s.db.TakeToken, false)
}

func (l dbLimiter) Wait(key string) (bool, time.Duration) {
	return l.bucket(key, l.s.db.PeekTokens, true)
}

// bucket asks the database about key's bucket with query (TakeToken or
// PeekTokens) and returns its answer. When the database does not answer it
// fails closed: it logs that and returns refuse, the answer that refuses a
// sign-in, with a minute's wait.
func (l dbLimiter) bucket(key string, query func(ctx context.Context, scope, key string, rate float64, burst int) (bool, time.Duration, error), refuse bool) (bool, time.Duration) {
	ctx, cancel := l.s.ctx()
	defer cancel()
	ok, wait, err := query(ctx, l.scope, key, l.rate, l.burst)
	if err != nil {
		l.s.log.Warn("console: sign-in limit unavailable; refusing", "err", err)
		return refuse, time.Minute
	}
	return ok, wait
}

func (l dbLimiter) Used(key string) int {
	ctx, cancel := l.s.ctx()
	defer cancel()
	n, err := l.s.db.UsedTokens(ctx, l.scope, key, l.rate, l.burst)
	if err != nil {
		return l.burst // as slow as it gets
	}
	return n
}

func (l dbLimiter) Reset(key string) {
	ctx, cancel := l.s.ctx()
	defer cancel()
	if err := l.s.db.ResetTokens(ctx, l.scope, key); err != nil {
		l.s.log.Warn("console: sign-in failures not reset", "err", err)
	}
}

// wakeWidgets wakes, on this replica, the widget long-polls of visitors for
// whom any replica stored an agent's or the system's message (LISTEN/NOTIFY
// carries the conversation and message ids only). After a lost connection
// it wakes every waiter, since notices may have been missed; waiters also
// re-read on a timer, so a lost notice costs latency, never a message.
func wakeWidgets(ctx context.Context, db *postgres.DB, site *web.Server, log *slog.Logger) {
	err := db.ListenMessages(ctx, func(n postgres.MessageNotice) {
		channel, visitor, err := db.ConversationIdentity(ctx, n.ConversationID)
		if err != nil {
			log.Debug("wake-up: conversation not found", "conversation", n.ConversationID, "err", err)
			site.WakeAll()
			return
		}
		if channel == bot.ChannelWeb && visitor != "" {
			site.Wake(visitor)
		}
	}, site.WakeAll)
	if err != nil && ctx.Err() == nil {
		log.Warn("widget wake-ups stopped; long-polls fall back to re-reading every second", "err", err)
	}
}
