package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
)

// annotations is a bot.Store that records the annotation the Engine stores
// with each inbound message.
type annotations struct {
	*bottest.Store
	mu  sync.Mutex
	got map[int64]bot.Annotation // by inbound message id
}

func (a *annotations) AppendOutbound(ctx context.Context, o bot.Outbound) (bot.Stored, error) {
	a.mu.Lock()
	a.got[o.InboundID] = o.Annotation
	a.mu.Unlock()
	return a.Store.AppendOutbound(ctx, o)
}

// TestEngineFlagsWithItsThresholds: the Engine stores its judgement
// (IsComplaint, IsNegative) with every annotated message, made with its own
// ComplaintThreshold and NegativeSentiment, so every reader of the flags
// agrees with the bot; a complaint by intent is one whatever its score, and
// a message relayed during a handoff is judged too.
func TestEngineFlagsWithItsThresholds(t *testing.T) {
	cls := &bottest.Classifier{Rules: map[string]bot.Classification{
		"mild":   {Intent: "order_status", Confidence: 0.8, Language: "en", Complaint: 0.7, Sentiment: -0.5},
		"strong": {Intent: "order_status", Confidence: 0.8, Language: "en", Complaint: 0.95, Sentiment: -0.8},
		// The intent model's complaint intent alone is no complaint: only the
		// detector's score counts (see Engine.isComplaint).
		"by name": {Intent: bot.IntentComplaint, Confidence: 0.9, Language: "en", Complaint: 0.1, Sentiment: 0},
		"calm":    {Intent: "order_status", Confidence: 0.8, Language: "en", Complaint: 0.2, Sentiment: 0.1},
	}}
	type flags struct{ Complaint, Negative bool }
	tests := []struct {
		name string
		opts bot.EngineOptions
		want map[string]flags
	}{
		{"defaults", bot.EngineOptions{}, map[string]flags{
			"mild": {true, true}, "strong": {true, true}, "by name": {false, false}, "calm": {false, false}}},
		{"raised thresholds", bot.EngineOptions{ComplaintThreshold: 0.9, NegativeSentiment: -0.7}, map[string]flags{
			"mild": {false, false}, "strong": {true, true}, "by name": {false, false}, "calm": {false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &annotations{Store: &bottest.Store{}, got: map[int64]bot.Annotation{}}
			opts := tt.opts
			opts.Classifier, opts.Retriever, opts.Store = cls, &bottest.Retriever{}, st
			e, err := bot.NewEngine(opts)
			if err != nil {
				t.Fatal(err)
			}
			for text, want := range tt.want {
				// A conversation of its own, and a second message relayed
				// while it waits for a human when the first escalated.
				user := "u-" + text
				for i := range 2 {
					r, err := e.Handle(context.Background(), bot.Message{Channel: "web", ExternalUserID: user,
						Text: fmt.Sprintf("%s #%d", text, i)})
					if err != nil {
						t.Fatal(err)
					}
					msgs := st.Messages()
					var in int64
					for _, m := range msgs {
						if m.Inbound && m.ConversationID == r.ConversationID {
							in = m.ID
						}
					}
					a, ok := st.got[in]
					if !ok {
						t.Fatalf("%q #%d: no annotation stored", text, i)
					}
					if got := (flags{a.IsComplaint, a.IsNegative}); got != want {
						t.Errorf("%q #%d (action %s): flags %+v, want %+v", text, i, r.Action, got, want)
					}
				}
			}
		})
	}
}
