// Package escalation is the human side of a handoff: what agents do with a
// conversation the bot handed over (take it over, reply, add notes and tags,
// resolve it and ask the customer for a rating), the SLA watcher that sends
// an unacknowledged escalation up the chain, and the early-warning detector
// that raises one grouped alert when complaints spike.
//
// The Engine (package bot) decides when to hand off and stays silent while a
// human owns the conversation; the store enforces it. This package acts on
// the store for people: the Slack alert buttons (channels/slack's
// EscalationActions), the agent console, and the periodic checks run by
// Watch.
package escalation

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Store is what the Service needs of the database; *storage.DB satisfies it.
type Store interface {
	Escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error)
	Conversation(ctx context.Context, id bot.ConversationID) (bot.ConversationInfo, error)
	Customer(ctx context.Context, id int64) (bot.Customer, error)
	AcknowledgeEscalation(ctx context.Context, id bot.EscalationID, who string) error
	Claim(ctx context.Context, conversationID bot.ConversationID, agent string) error
	Reassign(ctx context.Context, conversationID bot.ConversationID, to, by string) error
	AppendAgentMessage(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error)
	Resolve(ctx context.Context, conversationID bot.ConversationID, actor string) error
	RequestRating(ctx context.Context, conversationID bot.ConversationID, question string) (int64, error)
	HandoffQueue(ctx context.Context, limit int) ([]bot.HandoffEntry, error)
	IdleHandoffs(ctx context.Context, t time.Time, limit int) ([]bot.ConversationID, error)
	ResolveIfIdle(ctx context.Context, conversationID bot.ConversationID, t time.Time, actor string) (bool, error)
	AddNote(ctx context.Context, customerID int64, conversationID bot.ConversationID, author, text string) (int64, error)
	AddTag(ctx context.Context, id int64, tag, actor string) error
	RemoveTag(ctx context.Context, id int64, tag, actor string) error
	EscalationDeliveries(ctx context.Context, escalationID bot.EscalationID) ([]bot.OutboxItem, error)
}

// Delivery is a message from a person (an agent) or from the system (the
// rating question) to the customer of a conversation. It is already stored
// when it is delivered.
type Delivery struct {
	ConversationID bot.ConversationID
	CustomerID     int64
	Channel        string
	MessageID      int64
	Author         string // bot.AuthorAgent or bot.AuthorSystem
	Agent          string // the agent's name for bot.AuthorAgent
	Text           string
}

// Deliverer sends a stored message to the customer on one channel (for
// Slack: a post in the customer's DM or shared channel). Deliver must return
// only once the channel accepted the message and must honour ctx. Channels
// whose clients read new messages from the store (the web widget, REST
// polling) need no Deliverer.
type Deliverer interface {
	Deliver(ctx context.Context, d Delivery) error
}

// Options configures a Service. Store is required.
type Options struct {
	Store Store
	// Deliverers send agent replies and rating questions, by channel name.
	// A channel without one reads them from the store.
	Deliverers map[string]Deliverer
	// IdleTimeout resolves a conversation with a human, or waiting for one,
	// whose last message is older than this (ResolveIdle). Default 24h.
	IdleTimeout time.Duration
	// SLA is the time to acknowledge; the queue marks entries waiting longer
	// as overdue. Default 15 minutes.
	SLA time.Duration
	// RatingQuestion is the question sent after a resolve, by language
	// ("en", "zh"); missing languages use bot.RatingQuestion. An entry set to
	// "-" turns the question off for that language.
	RatingQuestion map[string]string
	Logger         *slog.Logger     // default: discard; customer text only at Debug
	Now            func() time.Time // default: time.Now
}

// Service carries out what agents do with handed-off conversations, and
// implements channels/slack's EscalationActions. It is safe for concurrent use.
type Service struct {
	opts Options
	log  *slog.Logger
}

// New returns a Service, or an error when the Store is missing.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("escalation: New: Store is required")
	}
	bot.SetDefault(&opts.IdleTimeout, 24*time.Hour)
	bot.SetDefault(&opts.SLA, 15*time.Minute)
	opts.Logger = cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts, log: opts.Logger}, nil
}

// Actor recorded when the Service resolves an idle conversation.
const ActorIdleTimeout = "system:idle-timeout"

// escalation loads an escalation and its conversation.
func (s *Service) escalation(ctx context.Context, id bot.EscalationID) (bot.EscalationInfo, error) {
	if id <= 0 {
		return bot.EscalationInfo{}, bot.Errorf(bot.EINVALID, "Escalation ids are positive numbers.")
	}
	e, err := s.opts.Store.Escalation(ctx, id)
	if err != nil {
		return e, fmt.Errorf("escalation %d: %w", id, err)
	}
	return e, nil
}

// Acknowledge records that agent saw escalation id, which stops it climbing
// the SLA chain. Acknowledging twice is not an error; a resolved escalation
// is ECONFLICT, an unknown one ENOTFOUND.
func (s *Service) Acknowledge(ctx context.Context, escalationID bot.EscalationID, agent string) error {
	agent = strings.TrimSpace(agent)
	if agent == "" {
		return bot.Errorf(bot.EINVALID, "Acknowledging needs the agent's name.")
	}
	e, err := s.escalation(ctx, escalationID)
	if err != nil {
		return err
	}
	if e.Status == bot.EscalationResolved {
		return bot.Errorf(bot.ECONFLICT, "Escalation %d is already resolved.", escalationID)
	}
	if err := s.opts.Store.AcknowledgeEscalation(ctx, escalationID, agent); err != nil {
		return fmt.Errorf("acknowledge escalation %d: %w", escalationID, err)
	}
	s.log.Info("escalation acknowledged", "escalation", escalationID, "agent", agent)
	return nil
}

// TakeOver gives the conversation of escalation id to agent (see
// TakeOverConversation).
func (s *Service) TakeOver(ctx context.Context, escalationID bot.EscalationID, agent string) error {
	e, err := s.escalation(ctx, escalationID)
	if err != nil {
		return err
	}
	return s.TakeOverConversation(ctx, e.ConversationID, agent)
}

// Resolve resolves the conversation of escalation id (see
// ResolveConversation).
func (s *Service) Resolve(ctx context.Context, escalationID bot.EscalationID, agent string) error {
	e, err := s.escalation(ctx, escalationID)
	if err != nil {
		return err
	}
	return s.ResolveConversation(ctx, e.ConversationID, agent)
}

// AgentReply sends agent's text to the customer of escalation id (see
// ReplyToConversation).
func (s *Service) AgentReply(ctx context.Context, escalationID bot.EscalationID, agent, text string) error {
	e, err := s.escalation(ctx, escalationID)
	if err != nil {
		return err
	}
	_, err = s.ReplyToConversation(ctx, e.ConversationID, agent, text)
	return err
}

// TakeOverConversation gives a conversation to agent: from then on the bot
// stays silent in it and no other agent can take it. Of many agents taking
// the same conversation at once exactly one succeeds; the others get
// ECONFLICT naming the winner. Taking over one's own conversation again is
// not an error; a resolved conversation is ECONFLICT, an unknown one
// ENOTFOUND.
func (s *Service) TakeOverConversation(ctx context.Context, conversationID bot.ConversationID, agent string) error {
	if err := s.opts.Store.Claim(ctx, conversationID, agent); err != nil {
		return fmt.Errorf("take over conversation %d: %w", conversationID, err)
	}
	s.log.Info("conversation taken over", "conversation", conversationID, "agent", agent)
	return nil
}

// Reassign gives a conversation to agent to on the say of manager, whoever
// holds it: the one way to take a conversation from another agent, recorded
// as a reassigned event with the manager as the actor and logged. Whether
// manager may do so is the caller's decision (the console lets agents with
// the manager role). A resolved conversation is ECONFLICT, an unknown one
// ENOTFOUND.
func (s *Service) Reassign(ctx context.Context, conversationID bot.ConversationID, to, manager string) error {
	if err := s.opts.Store.Reassign(ctx, conversationID, to, manager); err != nil {
		return fmt.Errorf("reassign conversation %d: %w", conversationID, err)
	}
	s.log.Info("conversation reassigned", "conversation", conversationID, "to", to, "by", manager)
	return nil
}

// ReplyToConversation stores agent's message to the customer and delivers it
// on the conversation's channel. An agent replying to a conversation nobody
// has taken takes it; one taken by another agent is ECONFLICT. When the
// message is stored but its channel's Deliverer fails, the error is
// EUNAVAILABLE and says so; the message id is returned either way.
func (s *Service) ReplyToConversation(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error) {
	if err := bot.ValidateText(text); err != nil {
		return 0, err
	}
	conv, err := s.opts.Store.Conversation(ctx, conversationID)
	if err != nil {
		return 0, fmt.Errorf("agent reply: %w", err)
	}
	if err := s.opts.Store.Claim(ctx, conversationID, agent); err != nil {
		return 0, fmt.Errorf("agent reply to conversation %d: %w", conversationID, err)
	}
	id, err := s.opts.Store.AppendAgentMessage(ctx, conversationID, agent, text)
	if err != nil {
		return 0, fmt.Errorf("agent reply to conversation %d: %w", conversationID, err)
	}
	s.log.Debug("agent reply", "conversation", conversationID, "agent", agent, "text", text)
	err = s.deliver(ctx, Delivery{ConversationID: conversationID, CustomerID: conv.CustomerID, Channel: conv.Channel,
		MessageID: id, Author: bot.AuthorAgent, Agent: strings.TrimSpace(agent), Text: text})
	return id, err
}

// deliver sends d through its channel's Deliverer, if any.
func (s *Service) deliver(ctx context.Context, d Delivery) error {
	dv := s.opts.Deliverers[d.Channel]
	if dv == nil {
		return nil
	}
	if err := dv.Deliver(ctx, d); err != nil {
		s.log.Warn("delivery to customer failed", "channel", d.Channel, "conversation", d.ConversationID,
			"message", d.MessageID, "err", err)
		return fmt.Errorf("deliver message %d on %s: %w", d.MessageID, d.Channel,
			bot.Errorf(bot.EUNAVAILABLE, "The message was saved but could not be delivered on %s yet; the customer sees it when they next open the conversation.", d.Channel))
	}
	return nil
}

// ResolveConversation closes a conversation: its escalations are resolved,
// the bot answers the customer's next message (in a new conversation), and
// the customer is asked to rate the help from 1 to 5 in their language. A
// conversation already resolved is ECONFLICT, an unknown one ENOTFOUND, and
// so is one another agent holds, naming them: only its holder ends it (a
// manager reassigns it first). Failing to deliver the rating question is
// logged, not returned: the conversation is resolved.
func (s *Service) ResolveConversation(ctx context.Context, conversationID bot.ConversationID, agent string) error {
	agent = strings.TrimSpace(agent)
	if agent == "" {
		return bot.Errorf(bot.EINVALID, "Resolving needs the agent's name.")
	}
	conv, err := s.opts.Store.Conversation(ctx, conversationID)
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	if conv.Status == bot.StatusResolved {
		return bot.Errorf(bot.ECONFLICT, "Conversation %d is already resolved.", conversationID)
	}
	if conv.Status == bot.StatusHuman && conv.Assignee != "" && conv.Assignee != agent {
		return bot.Errorf(bot.ECONFLICT, "Conversation %d is already taken over by %s.", conversationID, conv.Assignee)
	}
	if err := s.opts.Store.Resolve(ctx, conversationID, agent); err != nil {
		return fmt.Errorf("resolve conversation %d: %w", conversationID, err)
	}
	s.log.Info("conversation resolved", "conversation", conversationID, "agent", agent)
	s.askRating(ctx, conv)
	return nil
}

// askRating stores and delivers the rating question of a resolved
// conversation; failures are logged.
func (s *Service) askRating(ctx context.Context, conv bot.ConversationInfo) {
	lang := "en"
	if c, err := s.opts.Store.Customer(ctx, conv.CustomerID); err == nil && c.Language == "zh" {
		lang = "zh"
	}
	q := s.opts.RatingQuestion[lang]
	if q == "" {
		q = bot.RatingQuestion(lang)
	}
	if q == "-" {
		return
	}
	id, err := s.opts.Store.RequestRating(ctx, conv.ID, q)
	if err != nil {
		s.log.Warn("asking for a rating", "conversation", conv.ID, "err", err)
		return
	}
	if id == 0 {
		return // asked before
	}
	_ = s.deliver(ctx, Delivery{ConversationID: conv.ID, CustomerID: conv.CustomerID, Channel: conv.Channel,
		MessageID: id, Author: bot.AuthorSystem, Text: q})
}

// ResolveIdle resolves every conversation with a human, or waiting for one,
// whose last message is older than IdleTimeout (checked again atomically
// when resolving, so a customer who just wrote is not cut off), and asks its
// customer for a rating. It returns how many it resolved.
func (s *Service) ResolveIdle(ctx context.Context) (int, error) {
	before := s.opts.Now().Add(-s.opts.IdleTimeout)
	ids, err := s.opts.Store.IdleHandoffs(ctx, before, 100)
	if err != nil {
		return 0, fmt.Errorf("escalation: idle conversations: %w", err)
	}
	n := 0
	for _, id := range ids {
		done, err := s.opts.Store.ResolveIfIdle(ctx, id, before, ActorIdleTimeout)
		if err != nil {
			return n, fmt.Errorf("escalation: resolve idle conversation %d: %w", id, err)
		}
		if !done {
			continue
		}
		n++
		s.log.Info("idle conversation resolved", "conversation", id, "idle_timeout", s.opts.IdleTimeout)
		conv, err := s.opts.Store.Conversation(ctx, id)
		if err != nil {
			s.log.Warn("asking for a rating", "conversation", id, "err", err)
			continue
		}
		s.askRating(ctx, conv)
	}
	return n, nil
}

// Queue returns the conversations with a human or waiting for one, the
// longest waiting first, for the agent console.
func (s *Service) Queue(ctx context.Context) ([]bot.QueueItem, error) {
	entries, err := s.opts.Store.HandoffQueue(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("escalation: queue: %w", err)
	}
	now := s.opts.Now()
	out := make([]bot.QueueItem, 0, len(entries))
	for _, e := range entries {
		wait := max(now.Sub(e.Since), 0)
		out = append(out, bot.QueueItem{HandoffEntry: e, Wait: wait,
			Overdue: e.Status == bot.StatusWaitingHuman && e.Acknowledged.IsZero() && wait > s.opts.SLA})
	}
	return out, nil
}

// AddNote stores agent's private note about a conversation, on its
// customer's record, and returns the note's id.
func (s *Service) AddNote(ctx context.Context, conversationID bot.ConversationID, agent, text string) (int64, error) {
	conv, err := s.opts.Store.Conversation(ctx, conversationID)
	if err != nil {
		return 0, fmt.Errorf("add note: %w", err)
	}
	id, err := s.opts.Store.AddNote(ctx, conv.CustomerID, conversationID, agent, text)
	if err != nil {
		return 0, fmt.Errorf("add note to conversation %d: %w", conversationID, err)
	}
	return id, nil
}

// AddTag tags the customer of a conversation (the VIP tag makes them a VIP).
func (s *Service) AddTag(ctx context.Context, conversationID bot.ConversationID, tag, agent string) error {
	return s.tag(ctx, conversationID, tag, agent, true)
}

// RemoveTag removes a tag from the customer of a conversation.
func (s *Service) RemoveTag(ctx context.Context, conversationID bot.ConversationID, tag, agent string) error {
	return s.tag(ctx, conversationID, tag, agent, false)
}

// tag adds (add true) or removes a tag of the customer of a conversation.
func (s *Service) tag(ctx context.Context, conversationID bot.ConversationID, tag, agent string, add bool) error {
	op, verb, change := "remove tag", "untag", s.opts.Store.RemoveTag
	if add {
		op, verb, change = "add tag", "tag", s.opts.Store.AddTag
	}
	conv, err := s.opts.Store.Conversation(ctx, conversationID)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := change(ctx, conv.CustomerID, tag, agent); err != nil {
		return fmt.Errorf("%s customer of conversation %d: %w", verb, conversationID, err)
	}
	return nil
}

// AlertDelivery is one delivery of an escalation's alert to one sink.
type AlertDelivery struct {
	Key       string // the alert's idempotency key
	Level     int    // 0 for the first alert, n for the n-th re-alert
	Sink      string // empty when the alert had one route and was sent directly
	Created   time.Time
	Delivered time.Time // zero while pending
	Attempts  int
	LastError string
	Dead      bool // given up
}

// History is the record of one escalation: when it was opened, acknowledged
// and resolved, and every delivery of its alerts.
type History struct {
	bot.EscalationInfo
	Deliveries []AlertDelivery
}

// History returns the record of escalation id: its times and each alert
// delivery (first alert and re-alerts, per sink), by level then sink. An item that was fanned out
// to several sinks is listed through its per-sink deliveries only.
func (s *Service) History(ctx context.Context, escalationID bot.EscalationID) (History, error) {
	e, err := s.escalation(ctx, escalationID)
	if err != nil {
		return History{}, err
	}
	items, err := s.opts.Store.EscalationDeliveries(ctx, escalationID)
	if err != nil {
		return History{}, fmt.Errorf("escalation %d history: %w", escalationID, err)
	}
	fanned := map[string]bool{}
	for _, it := range items {
		if k, _, ok := strings.Cut(it.Key, "|"); ok {
			fanned[k] = true
		}
	}
	h := History{EscalationInfo: e}
	for _, it := range items {
		key, sink, _ := strings.Cut(it.Key, "|")
		if sink == "" && fanned[key] {
			continue
		}
		level := 0
		if _, l, ok := strings.Cut(key, ":level:"); ok {
			fmt.Sscan(l, &level)
		}
		h.Deliveries = append(h.Deliveries, AlertDelivery{Key: key, Level: level, Sink: sink, Created: it.Created,
			Delivered: it.Delivered, Attempts: it.Attempts, LastError: it.LastError, Dead: it.Dead})
	}
	slices.SortStableFunc(h.Deliveries, func(a, b AlertDelivery) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), strings.Compare(a.Sink, b.Sink))
	})
	return h, nil
}
