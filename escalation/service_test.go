package escalation_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/channels/slack"
	"github.com/concierge-bot/concierge/escalation"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// clock is a settable clock shared by the store, the Engine and the Service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// deliverer is a fake escalation.Deliverer.
type deliverer struct {
	mu   sync.Mutex
	got  []escalation.Delivery
	fail error
}

func (d *deliverer) Deliver(ctx context.Context, m escalation.Delivery) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return d.fail
	}
	d.got = append(d.got, m)
	return nil
}

func (d *deliverer) all() []escalation.Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.got)
}

type fixture struct {
	db     *sqlite.DB
	clk    *clock
	engine *bot.Engine
	svc    *escalation.Service
	slack  *deliverer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), sqlite.Options{Now: clk.Now, NoSync: true,
		Alerts: alert.Protocol{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"hello":    {Intent: bot.IntentGreeting, Confidence: 0.9, Language: "en"},
		"shipping": {Intent: "shipping_info", Confidence: 0.8, Language: "en"},
		"terrible": {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "en"},
		"太差":       {Intent: bot.IntentComplaint, Confidence: 0.9, Complaint: 0.95, Sentiment: -0.9, Language: "zh"},
	}}
	ret := &bottest.Retriever{Docs: []bottest.Doc{{Keywords: []string{"shipping"},
		Hit: bot.Hit{ID: "faq-shipping", Title: "Shipping", Answer: "2-4 days.", Audience: bot.AudiencePublic, Confidence: 0.8}}}}
	e, err := bot.NewEngine(bot.EngineOptions{Classifier: cls, Retriever: ret, Store: db, Customers: db, Ratings: db,
		Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	slack := &deliverer{}
	svc, err := escalation.New(escalation.Options{Store: db, Deliverers: map[string]escalation.Deliverer{"slack": slack},
		IdleTimeout: time.Hour, SLA: 15 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, clk: clk, engine: e, svc: svc, slack: slack}
}

func (f *fixture) say(t testing.TB, channel, user, text string) bot.Reply {
	t.Helper()
	r, err := f.engine.Handle(context.Background(), bot.Message{Channel: channel, ExternalUserID: user, Text: text})
	if err != nil {
		t.Fatalf("Handle(%q): %v", text, err)
	}
	return r
}

func TestHandoffLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	esc := f.say(t, "slack", "T1:U9", "this is terrible service")
	if !esc.Handoff || esc.EscalationID == 0 {
		t.Fatalf("complaint reply %+v, want a handoff", esc)
	}
	if r := f.say(t, "slack", "T1:U9", "hello?"); r.Action != bot.ActionHold || r.Text == "" {
		t.Errorf("first message while waiting: %+v, want the holding message", r)
	}
	if r := f.say(t, "slack", "T1:U9", "how long does shipping take"); r.Text != "" || !r.Handoff {
		t.Errorf("second message while waiting: %+v, want silence", r)
	}
	if err := f.svc.Acknowledge(ctx, esc.EscalationID, "T1:UBOSS"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.TakeOver(ctx, esc.EscalationID, "T1:UAGENT"); err != nil {
		t.Fatal(err)
	}
	if r := f.svc.AgentReply(ctx, esc.EscalationID, "T1:UAGENT", "Hi, I'm Lin. Sorry about that!"); r != nil {
		t.Fatal(r)
	}
	if r := f.say(t, "slack", "T1:U9", "thanks Lin"); r.Text != "" {
		t.Errorf("bot spoke while an agent owns the conversation: %+v", r)
	}
	f.clk.Add(time.Minute)
	if err := f.svc.Resolve(ctx, esc.EscalationID, "T1:UAGENT"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range f.slack.all() {
		got = append(got, d.Author+": "+d.Text)
	}
	want := []string{"agent: Hi, I'm Lin. Sorry about that!", "system: " + bot.RatingQuestion("en")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	f.clk.Add(time.Minute)
	if r := f.say(t, "slack", "T1:U9", "4"); r.Intent != bot.IntentRating || r.ConversationID == esc.ConversationID {
		t.Errorf("rating reply %+v, want the thanks in a new conversation", r)
	}
	c, _ := f.db.Conversation(ctx, esc.ConversationID)
	if c.CSAT != 4 || c.Status != bot.StatusResolved {
		t.Errorf("conversation after rating: %+v, want resolved with CSAT 4", c)
	}
	if r := f.say(t, "slack", "T1:U9", "how long does shipping take"); r.Action != bot.ActionAnswer {
		t.Errorf("after resolve the bot did not answer: %+v", r)
	}
}

func TestConcurrentTakeovers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	esc := f.say(t, "web", "v1", "terrible")
	const agents = 32
	errs := make([]error, agents)
	var wg sync.WaitGroup
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				errs[i] = f.svc.TakeOver(ctx, esc.EscalationID, fmt.Sprintf("agent-%d", i))
			} else {
				_, errs[i] = f.svc.ReplyToConversation(ctx, esc.ConversationID, fmt.Sprintf("agent-%d", i), "Hello, I'm here.")
			}
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if bot.ErrorCode(err) != bot.ECONFLICT {
			t.Errorf("losing takeover failed with %v, want ECONFLICT", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d agents won, want exactly 1", wins)
	}
	msgs, _ := f.db.Messages(ctx, esc.ConversationID)
	agentMsgs := 0
	for _, m := range msgs {
		if m.Author == bot.AuthorAgent {
			agentMsgs++
		}
	}
	if agentMsgs > 1 {
		t.Errorf("%d agents wrote to the customer, want at most the winner", agentMsgs)
	}
}

func TestServiceBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	esc := f.say(t, "web", "v1", "terrible")
	other := f.say(t, "web", "v2", "terrible")
	if err := f.svc.TakeOver(ctx, other.EscalationID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Resolve(ctx, esc.EscalationID, "bob"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		code string
	}{
		{"unknown escalation", func() error { return f.svc.TakeOver(ctx, 999, "a") }, bot.ENOTFOUND},
		{"zero escalation", func() error { return f.svc.Acknowledge(ctx, 0, "a") }, bot.EINVALID},
		{"negative escalation", func() error { return f.svc.Resolve(ctx, -3, "a") }, bot.EINVALID},
		{"unknown conversation", func() error { return f.svc.TakeOverConversation(ctx, 12345, "a") }, bot.ENOTFOUND},
		{"take over resolved", func() error { return f.svc.TakeOver(ctx, esc.EscalationID, "carol") }, bot.ECONFLICT},
		{"resolve twice", func() error { return f.svc.Resolve(ctx, esc.EscalationID, "bob") }, bot.ECONFLICT},
		{"acknowledge resolved", func() error { return f.svc.Acknowledge(ctx, esc.EscalationID, "bob") }, bot.ECONFLICT},
		{"reply to resolved", func() error { return f.svc.AgentReply(ctx, esc.EscalationID, "bob", "hi") }, bot.ECONFLICT},
		{"reply to another's", func() error { return f.svc.AgentReply(ctx, other.EscalationID, "mallory", "hi") }, bot.ECONFLICT},
		{"empty reply", func() error { return f.svc.AgentReply(ctx, other.EscalationID, "alice", "  ") }, bot.EINVALID},
		{"no agent", func() error { return f.svc.TakeOver(ctx, other.EscalationID, "") }, bot.EINVALID},
		{"bad utf8 note", func() error { _, err := f.svc.AddNote(ctx, other.ConversationID, "alice", "\xff"); return err }, bot.EINVALID},
	}
	for _, tt := range tests {
		if err := tt.do(); bot.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}

func TestDeliveryFailureIsReported(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	esc := f.say(t, "slack", "T1:U1", "terrible")
	f.slack.fail = errors.New("slack down")
	id, err := f.svc.ReplyToConversation(ctx, esc.ConversationID, "alice", "On it.")
	if bot.ErrorCode(err) != bot.EUNAVAILABLE || id == 0 {
		t.Errorf("reply with a failing channel = %d, %v; want a stored id and EUNAVAILABLE", id, err)
	}
	// Resolving still works; the failed rating question is only logged.
	if err := f.svc.ResolveConversation(ctx, esc.ConversationID, "alice"); err != nil {
		t.Errorf("resolve with a failing channel: %v", err)
	}
}

func TestNotesTagsAndQueue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.say(t, "web", "v1", "terrible")
	f.clk.Add(20 * time.Minute)
	b := f.say(t, "web", "v2", "太差了")
	f.clk.Add(time.Minute)
	if err := f.svc.TakeOverConversation(ctx, b.ConversationID, "alice"); err != nil {
		t.Fatal(err)
	}
	q, err := f.svc.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Conv     bot.ConversationID
		Status   bot.ConversationStatus
		Assignee string
		Wait     time.Duration
		Overdue  bool
	}
	var got []row
	for _, it := range q {
		got = append(got, row{it.ConversationID, it.Status, it.Assignee, it.Wait, it.Overdue})
	}
	want := []row{
		{a.ConversationID, bot.StatusWaitingHuman, "", 21 * time.Minute, true},
		{b.ConversationID, bot.StatusHuman, "alice", time.Minute, false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	if _, err := f.svc.AddNote(ctx, a.ConversationID, "alice", "Called back, waiting for photos."); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddTag(ctx, a.ConversationID, "vip", "alice"); err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.Conversation(ctx, a.ConversationID)
	cust, _ := f.db.Customer(ctx, c.CustomerID)
	notes, _ := f.db.Notes(ctx, c.CustomerID)
	if !slices.Contains(cust.Tags, "vip") || len(notes) != 1 || notes[0].ConversationID != a.ConversationID {
		t.Errorf("tags %v, notes %+v", cust.Tags, notes)
	}
	if err := f.svc.RemoveTag(ctx, a.ConversationID, "vip", "alice"); err != nil {
		t.Fatal(err)
	}
	if cust, _ := f.db.Customer(ctx, c.CustomerID); slices.Contains(cust.Tags, "vip") {
		t.Errorf("tags after RemoveTag: %v", cust.Tags)
	}
	events, _ := f.db.Events(ctx, c.CustomerID)
	if last := events[len(events)-1]; last.Kind != bot.EventUntagged || last.Actor != "alice" {
		t.Errorf("last event %+v, want untagged by alice", last)
	}
	if err := f.svc.RemoveTag(ctx, 424242, "vip", "alice"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("RemoveTag of an unknown conversation: %v, want ENOTFOUND", err)
	}
}

// TestReassignIsTheOnlyWayToTakeAConversation: an agent cannot take,
// answer or resolve a conversation another agent holds; a manager's
// Reassign can, and is recorded with the manager as the actor.
func TestReassignIsTheOnlyWayToTakeAConversation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.say(t, "web", "v1", "terrible")
	if err := f.svc.TakeOverConversation(ctx, r.ConversationID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.TakeOverConversation(ctx, r.ConversationID, "bob"); bot.ErrorCode(err) != bot.ECONFLICT ||
		!strings.Contains(err.Error(), "alice") {
		t.Errorf("bob taking alice's conversation: %v, want ECONFLICT naming alice", err)
	}
	if _, err := f.svc.ReplyToConversation(ctx, r.ConversationID, "bob", "Bob here"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("bob replying in alice's conversation: %v, want ECONFLICT", err)
	}
	if err := f.svc.Reassign(ctx, r.ConversationID, "bob", "mgr"); err != nil {
		t.Fatalf("Reassign: %v", err)
	}
	c, _ := f.db.Conversation(ctx, r.ConversationID)
	if c.Status != bot.StatusHuman || c.Assignee != "bob" {
		t.Errorf("after reassign: %+v, want human with bob", c)
	}
	if _, err := f.svc.ReplyToConversation(ctx, r.ConversationID, "bob", "Bob here"); err != nil {
		t.Errorf("bob replying after the reassign: %v", err)
	}
	if _, err := f.svc.ReplyToConversation(ctx, r.ConversationID, "alice", "still me"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("alice replying after the reassign: %v, want ECONFLICT", err)
	}
	if err := f.svc.ResolveConversation(ctx, r.ConversationID, "alice"); bot.ErrorCode(err) != bot.ECONFLICT ||
		!strings.Contains(err.Error(), "bob") {
		t.Errorf("alice resolving bob's conversation: %v, want ECONFLICT naming bob", err)
	}
	if err := f.svc.Resolve(ctx, r.EscalationID, "alice"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("alice resolving bob's escalation (Slack button): %v, want ECONFLICT", err)
	}
	if c, _ := f.db.Conversation(ctx, r.ConversationID); c.Status != bot.StatusHuman {
		t.Fatalf("a refused resolve changed the conversation: %+v", c)
	}
	events, _ := f.db.Events(ctx, c.CustomerID)
	var reassigned []bot.Event
	for _, e := range events {
		if e.Kind == bot.EventReassigned {
			reassigned = append(reassigned, e)
		}
	}
	if len(reassigned) != 1 || reassigned[0].Actor != "mgr" || reassigned[0].ConversationID != r.ConversationID {
		t.Errorf("reassigned events %+v, want one by mgr", reassigned)
	}
	if err := f.svc.Reassign(ctx, 424242, "bob", "mgr"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Reassign of an unknown conversation: %v, want ENOTFOUND", err)
	}
	if err := f.svc.ResolveConversation(ctx, r.ConversationID, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Reassign(ctx, r.ConversationID, "alice", "mgr"); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Errorf("Reassign of a resolved conversation: %v, want ECONFLICT", err)
	}
}

func TestResolveIdle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.say(t, "slack", "T1:U1", "terrible")
	f.clk.Add(50 * time.Minute)
	fresh := f.say(t, "slack", "T1:U2", "terrible")
	f.clk.Add(20 * time.Minute) // old: idle 70 minutes; fresh: 20
	n, err := f.svc.ResolveIdle(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResolveIdle = %d, %v; want 1", n, err)
	}
	for _, tt := range []struct {
		id   bot.ConversationID
		want bot.ConversationStatus
	}{{old.ConversationID, bot.StatusResolved}, {fresh.ConversationID, bot.StatusWaitingHuman}} {
		if c, _ := f.db.Conversation(ctx, tt.id); c.Status != tt.want {
			t.Errorf("conversation %d: %s, want %s", tt.id, c.Status, tt.want)
		}
	}
	if d := f.slack.all(); len(d) != 1 || d[0].ConversationID != old.ConversationID || d[0].Author != bot.AuthorSystem {
		t.Errorf("deliveries %+v, want the rating question of the idle conversation", d)
	}
	if r := f.say(t, "slack", "T1:U1", "hello"); r.Action != bot.ActionSmallTalk {
		t.Errorf("after the idle timeout the bot did not resume: %+v", r)
	}
}

// TestNoBotMessagesDuringHandoff drives many conversations at once through
// complaint → waiting → takeover → resolve, with customers writing all the
// while, and counts what the bot said while a human owned each one.
func TestNoBotMessagesDuringHandoff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const conversations = 60
	texts := []string{"hello?", "how long does shipping take", "this is terrible", "anyone?", "太差了", "hello"}
	var wg sync.WaitGroup
	convs := make([]bot.ConversationID, conversations)
	for i := range conversations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := fmt.Sprintf("c%d", i)
			r, err := f.engine.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: user, Text: "terrible, I want my money back"})
			if err != nil || !r.Handoff {
				t.Errorf("%s: escalation %+v, %v", user, r, err)
				return
			}
			convs[i] = r.ConversationID
			var inner sync.WaitGroup
			inner.Add(2)
			go func() { // the customer keeps writing
				defer inner.Done()
				for _, text := range texts {
					if _, err := f.engine.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: user, Text: text}); err != nil {
						t.Error(err)
					}
				}
			}()
			go func() { // an agent takes over and replies meanwhile
				defer inner.Done()
				if err := f.svc.TakeOver(ctx, r.EscalationID, "agent-"+user); err != nil {
					t.Error(err)
					return
				}
				if err := f.svc.AgentReply(ctx, r.EscalationID, "agent-"+user, "I'm on it."); err != nil {
					t.Error(err)
				}
			}()
			inner.Wait()
			if err := f.svc.Resolve(ctx, r.EscalationID, "agent-"+user); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	botAnswers, holding := 0, 0
	for _, id := range convs {
		msgs, err := f.db.Messages(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		handedOff := false
		held := 0
		for _, m := range msgs {
			switch {
			case m.Author == bot.AuthorBot && m.Action == bot.ActionEscalate:
				handedOff = true
			case handedOff && m.Author == bot.AuthorBot && m.Action == bot.ActionRelay:
				held++
			case handedOff && m.Author == bot.AuthorBot:
				botAnswers++
				t.Errorf("conversation %d: bot said %q during the handoff", id, m.Text)
			}
		}
		if held > 1 {
			t.Errorf("conversation %d: %d holding messages, want at most 1", id, held)
		}
		holding += held
	}
	t.Logf("%d conversations, %d customer messages during handoff: bot answers during waiting_human/human = %d, holding messages = %d",
		conversations, conversations*len(texts), botAnswers, holding)
}

// The Service is what the Slack alert buttons call.
var _ slack.EscalationActions = (*escalation.Service)(nil)

// TestWatchRunsChecksUntilCancelled checks that Watch keeps running its
// checks although one of them fails, and returns once its context is
// cancelled. Each wait has a deadline, so a broken Watch fails the test with
// a sentence instead of hanging it until the test binary's timeout.
func TestWatchRunsChecksUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		escalation.Watch(ctx, time.Millisecond, nil,
			func(context.Context) error {
				select {
				case calls <- struct{}{}:
				default: // never block Watch: it may run more checks before it sees the cancel
				}
				return nil
			},
			func(context.Context) error { return errors.New("store busy") })
		close(done)
	}()
	deadline := time.After(10 * time.Second)
	for i := range 3 {
		select {
		case <-calls:
		case <-deadline:
			t.Fatalf("Watch ran the check %d times in 10 s, want 3 (a failing check must not stop it)", i)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return within 10 s of its context being cancelled")
	}
}

// relayer is a fake escalation.Relayer.
type relayer struct {
	mu  sync.Mutex
	got []string
}

func (r *relayer) Relay(ctx context.Context, m escalation.Relayed) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, fmt.Sprintf("%d:%s", m.ConversationID, m.Text))
	return nil
}

func TestRelayToAgent(t *testing.T) {
	f := newFixture(t)
	rl := &relayer{}
	e, err := bot.NewEngine(bot.EngineOptions{Classifier: &bottest.Classifier{Rules: map[string]bot.Classification{
		"terrible": {Intent: bot.IntentComplaint, Complaint: 0.95, Sentiment: -0.9, Language: "en"}}},
		Retriever: &bottest.Retriever{}, Store: escalation.RelayTo(f.db, rl, nil), Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	var conv bot.ConversationID
	for _, text := range []string{"hello", "terrible!", "are you there?", "order 1234"} {
		r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: "v", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		conv = r.ConversationID
	}
	want := []string{fmt.Sprintf("%d:are you there?", conv), fmt.Sprintf("%d:order 1234", conv)}
	if diff := cmp.Diff(want, rl.got); diff != "" {
		t.Errorf("relayed (-want +got):\n%s", diff)
	}
}
