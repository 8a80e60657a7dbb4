package insights_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/bot/bottest"
	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// TestOneComplaintThreshold: the Engine's complaint threshold
// (bot.complaint_threshold) is the only one. Whatever it is set to, the
// bot's decision, the customer's segment and complaint count, the count the
// spike warning reads and the report's rollups agree on which messages are
// complaints.
func TestOneComplaintThreshold(t *testing.T) {
	now := time.Date(2026, 4, 14, 12, 0, 0, 0, time.UTC)
	scores := []float64{0.7, 0.95}
	for _, tt := range []struct {
		threshold float64 // 0: the default, 0.6
		complaint []bool  // per score: is it a complaint
	}{
		{0, []bool{true, true}},
		{0.9, []bool{false, true}},
	} {
		t.Run(fmt.Sprintf("threshold=%v", tt.threshold), func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{Now: func() time.Time { return now },
				NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			// Neither message is a complaint by intent or negative by
			// sentiment: only the score decides.
			rules := map[string]bot.Classification{}
			for _, s := range scores {
				rules[fmt.Sprintf("score %v", s)] = bot.Classification{Intent: "order_status", Confidence: 0.8,
					Language: "en", Complaint: s}
			}
			e, err := bot.NewEngine(bot.EngineOptions{Classifier: &bottest.Classifier{Rules: rules},
				Retriever: &bottest.Retriever{}, Store: db, Customers: db, ComplaintThreshold: tt.threshold,
				Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for i, s := range scores {
				r, err := e.Handle(ctx, bot.Message{Channel: bot.ChannelWeb, ExternalUserID: fmt.Sprintf("u%d", i),
					Text: fmt.Sprintf("score %v", s), Time: now})
				if err != nil {
					t.Fatal(err)
				}
				isComplaint := tt.complaint[i]
				if isComplaint {
					want++
				}
				// The Engine.
				if escalated := r.Action == bot.ActionEscalate; escalated != isComplaint {
					t.Errorf("score %v: the bot escalated = %v, want %v", s, escalated, isComplaint)
				}
				// Segments and the customer's complaint count.
				conv, err := db.Conversation(ctx, r.ConversationID)
				if err != nil {
					t.Fatal(err)
				}
				c, err := db.Customer(ctx, conv.CustomerID)
				if err != nil {
					t.Fatal(err)
				}
				if atRisk := c.Segment == bot.SegmentAtRisk; atRisk != isComplaint || (c.Complaints == 1) != isComplaint {
					t.Errorf("score %v: segment %q with %d complaints, want at risk = %v", s, c.Segment, c.Complaints,
						isComplaint)
				}
			}
			// What the spike warning counts.
			n, err := db.CountComplaints(ctx, now.Add(-time.Hour), now.Add(time.Hour))
			if err != nil || n != want {
				t.Errorf("CountComplaints = %d, %v; want %d", n, err, want)
			}
			msgs, err := db.Complaints(ctx, now.Add(-time.Hour), now.Add(time.Hour), 0)
			if err != nil || len(msgs) != want {
				t.Errorf("Complaints = %+v, %v; want %d", msgs, err, want)
			}
			// The report's rollups.
			rep, err := reporter(t, db, now).Report(ctx, insights.Query{Since: now, Until: now})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Overall.Complaints != int64(want) {
				t.Errorf("report: %d complaints, want %d", rep.Overall.Complaints, want)
			}
			if len(rep.ComplaintsByDay) != 1 || rep.ComplaintsByDay[0].Count != int64(want) {
				t.Errorf("report: complaints by day %+v, want %d today", rep.ComplaintsByDay, want)
			}
		})
	}
}
