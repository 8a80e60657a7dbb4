package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/concierge-bot/concierge/intents"
)

// TestComplaintExamplesTeach checks that complaint_examples reach the
// detector: a trade's way of complaining the built-in examples do not know
// ("my hydrangeas drooped") scores as a complaint once the shop's own
// examples say so, and the shop's ordinary question with the same words
// does not.
func TestComplaintExamplesTeach(t *testing.T) {
	path := filepath.Join(t.TempDir(), "complaints.csv")
	if err := os.WriteFile(path, []byte(`text,label
the tulips drooped before lunch,complaint
my roses drooped the day they came,complaint
bouquet drooped within hours of delivery,complaint
the lilies you sent drooped overnight,complaint
the carnations drooped by the evening,complaint
花送到就蔫了,complaint
how do i stop tulips drooping,other
do peonies droop quickly in a warm room,other
which flowers last longest in a vase,other
can i order hydrangeas for saturday,other
`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	builtin, err := intents.NewComplaintDetector(ctx, intents.ComplaintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	taught, err := complaintDetector(ctx, Config{ComplaintExamples: path})
	if err != nil {
		t.Fatal(err)
	}
	msg := "my hydrangeas drooped"
	before, after := builtin.Score(msg).Complaint, taught.Score(msg).Complaint
	t.Logf("%q: %.2f built in, %.2f with the shop's examples", msg, before, after)
	if before >= intents.ComplaintThreshold || after < intents.ComplaintThreshold {
		t.Errorf("%q scores %.2f built in and %.2f with the shop's examples; want below and at least %.2f",
			msg, before, after, intents.ComplaintThreshold)
	}
	q := "do tulips droop fast in the sun"
	if s := taught.Score(q).Complaint; s >= intents.ComplaintThreshold {
		t.Errorf("%q scores %.2f with the shop's examples, want below %.2f", q, s, intents.ComplaintThreshold)
	}
}
