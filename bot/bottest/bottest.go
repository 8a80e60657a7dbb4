// Package bottest holds fakes of the interfaces declared in package bot, for
// tests of any package. The fakes are small, in-memory, deterministic and safe
// for concurrent use; they follow the contracts documented in bot.
package bottest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// Classifier is a fake bot.Classifier. It returns the Classification whose
// key occurs in the text (case-insensitive, longest key first), or Default.
type Classifier struct {
	Rules   map[string]bot.Classification
	Default bot.Classification
	Err     error // returned by every call when set
}

// Classify implements bot.Classifier.
func (c *Classifier) Classify(ctx context.Context, text string) (bot.Classification, error) {
	if c.Err != nil {
		return bot.Classification{}, c.Err
	}
	keys := make([]string, 0, len(c.Rules))
	for k := range c.Rules {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	lower := strings.ToLower(text)
	for _, k := range keys {
		if strings.Contains(lower, strings.ToLower(k)) {
			return c.Rules[k], nil
		}
	}
	d := c.Default
	if d.Intent == "" {
		d.Intent, d.OutOfScope = bot.IntentOutOfScope, true
	}
	if d.Language == "" {
		d.Language = "en"
	}
	return d, nil
}

// Retriever is a fake bot.Retriever over a fixed list of hits. A hit matches
// a query when any of its Keywords occurs in the query text; hits are
// returned in list order, filtered by the query's audiences.
type Retriever struct {
	Docs []Doc
	Err  error

	mu      sync.Mutex
	queries []bot.Query
}

// Doc is one document of the fake Retriever.
type Doc struct {
	Hit      bot.Hit
	Keywords []string
}

// Retrieve implements bot.Retriever.
func (r *Retriever) Retrieve(ctx context.Context, q bot.Query) ([]bot.Hit, error) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	if r.Err != nil {
		return nil, r.Err
	}
	auds := q.Audiences
	if len(auds) == 0 {
		auds = []bot.Audience{bot.AudiencePublic}
	}
	lower := strings.ToLower(q.Text)
	var hits []bot.Hit
	for _, d := range r.Docs {
		if !slices.Contains(auds, d.Hit.Audience) {
			continue
		}
		for _, k := range d.Keywords {
			if strings.Contains(lower, strings.ToLower(k)) {
				hits = append(hits, d.Hit)
				break
			}
		}
	}
	return hits, nil
}

// Queries returns the queries the Retriever has seen.
func (r *Retriever) Queries() []bot.Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.queries)
}

// Store is an in-memory bot.Store that follows the contract of bot.Store,
// including the refusal to store a bot reply in a handed-off conversation.
type Store struct {
	mu            sync.Mutex
	customers     map[string]int64 // channel + "\x00" + external id → customer id
	conversations []bot.Conversation
	messages      []bot.StoredMessage
	escalations   []Escalation
	leads         map[int64]bool
	// FailInbound, when set, is returned by AppendInbound.
	FailInbound error
}

// Escalation is an escalation recorded by the fake Store.
type Escalation struct {
	ID             bot.EscalationID
	ConversationID bot.ConversationID
	bot.Escalation
}

func (s *Store) init() {
	if s.customers == nil {
		s.customers = map[string]int64{}
		s.leads = map[int64]bool{}
	}
}

// AppendInbound implements bot.Store.
func (s *Store) AppendInbound(ctx context.Context, in bot.Inbound) (bot.Conversation, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if s.FailInbound != nil {
		return bot.Conversation{}, 0, s.FailInbound
	}
	key := in.Channel + "\x00" + in.ExternalUserID
	cid, ok := s.customers[key]
	if !ok {
		cid = int64(len(s.customers) + 1)
		s.customers[key] = cid
	}
	conv := -1
	for i := len(s.conversations) - 1; i >= 0; i-- {
		c := s.conversations[i]
		if c.CustomerID == cid && c.Channel == in.Channel && c.Status != bot.StatusResolved {
			conv = i
			break
		}
	}
	if conv < 0 {
		s.conversations = append(s.conversations, bot.Conversation{
			ID: bot.ConversationID(len(s.conversations) + 1), CustomerID: cid, Channel: in.Channel, Status: bot.StatusBot,
		})
		conv = len(s.conversations) - 1
	}
	author := bot.AuthorCustomer
	m := bot.StoredMessage{ID: int64(len(s.messages) + 1), ConversationID: s.conversations[conv].ID,
		Inbound: true, Author: author, Text: in.Text, Time: in.Time}
	s.messages = append(s.messages, m)
	return s.conversations[conv], m.ID, nil
}

// RecentMessages implements bot.Store.
func (s *Store) RecentMessages(ctx context.Context, conversationID bot.ConversationID, n int) ([]bot.StoredMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []bot.StoredMessage
	for _, m := range s.messages {
		if m.ConversationID == conversationID {
			out = append(out, m)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out, nil
}

// AppendOutbound implements bot.Store.
func (s *Store) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if o.ConversationID < 1 || int(o.ConversationID) > len(s.conversations) {
		return bot.Stored{}, bot.Errorf(bot.ENOTFOUND, "conversation %d not found", o.ConversationID)
	}
	conv := &s.conversations[o.ConversationID-1]
	if conv.Status.HandedOff() && o.Action != bot.ActionRelay {
		return bot.Stored{}, bot.Errorf(bot.ECONFLICT, "conversation %d is with a human", conv.ID)
	}
	if o.InboundID >= 1 && int(o.InboundID) <= len(s.messages) {
		in := &s.messages[o.InboundID-1]
		in.Annotation = o.Annotation
	}
	var st bot.Stored
	if o.Text != "" {
		m := bot.StoredMessage{ID: int64(len(s.messages) + 1), ConversationID: conv.ID, Author: bot.AuthorBot,
			Text: o.Text, Annotation: bot.Annotation{Intent: o.Intent, Confidence: o.Confidence, Language: o.Language}, Action: o.Action,
			Sources: slices.Clone(o.Sources), Time: o.Time}
		s.messages = append(s.messages, m)
		st.MessageID = m.ID
	}
	if o.Escalation != nil {
		e := Escalation{ID: bot.EscalationID(len(s.escalations) + 1), ConversationID: conv.ID, Escalation: *o.Escalation}
		s.escalations = append(s.escalations, e)
		st.EscalationID = e.ID
		if o.Escalation.Reason != bot.ReasonLead {
			conv.Status = bot.StatusWaitingHuman
		}
	}
	if o.Lead {
		s.leads[conv.CustomerID] = true
	}
	return st, nil
}

// SetStatus moves a conversation to a status, as an agent would.
func (s *Store) SetStatus(conversationID bot.ConversationID, st bot.ConversationStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conversations[conversationID-1].Status = st
}

// Conversation returns a conversation by id.
func (s *Store) Conversation(id bot.ConversationID) bot.Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conversations[id-1]
}

// Messages returns every stored message in order.
func (s *Store) Messages() []bot.StoredMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// Escalations returns every recorded escalation.
func (s *Store) Escalations() []Escalation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.escalations)
}

// IsLead reports whether the customer was marked as a lead.
func (s *Store) IsLead(customerID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leads[customerID]
}

// Now returns a clock function that starts at t and advances by step on every
// call, for deterministic times in tests.
func Now(t time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := t
		t = t.Add(step)
		return now
	}
}
