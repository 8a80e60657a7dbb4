package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// TestAnswersEvalTeach runs `concierge answers eval --teach`: the agent's
// verdicts on the first messages, given through the store as the console
// gives them, change how the bot treats the later ones in the same words.
func TestAnswersEvalTeach(t *testing.T) {
	path := filepath.Join(t.TempDir(), "messages.csv")
	if err := os.WriteFile(path, []byte(`text,kind,expected,lang
"I changed my phone number and now I can't get the login code",service,,en
"Got a new phone number and now I can't get the login code",service,,en
"the poster prints came out much darker than the file i sent, the faces are almost black",complaint,,en
"the prints came out much darker than the file I sent, the faces are almost black!",complaint,,en
`), 0o600); err != nil {
		t.Fatal(err)
	}
	company := filepath.Join("..", "..", "testdata", "companies", "bakery")
	eval := func(args ...string) answersReport {
		t.Helper()
		return answersEvalJSON(t, company, path, args...)
	}
	plain := eval()
	if plain.Taught != nil || plain.Service.N != 2 || plain.Service.Right != 0 || plain.HandOff.N != 2 || plain.HandOff.Right != 0 {
		t.Fatalf("without --teach: service kept %d/%d, complaints handed %d/%d; the test needs the bot wrong on all four",
			plain.Service.Right, plain.Service.N, plain.HandOff.Right, plain.HandOff.N)
	}
	// Both complaints were kept: the review page lists the one scoring 0.32,
	// at least half the threshold (the other scores 0.30, on the edge, and
	// may be listed too), and neither ordinary question.
	if plain.MissedOnReview.N != 2 || plain.MissedOnReview.Right < 1 || plain.OrdinaryOnReview.N != 0 {
		t.Errorf("review page: missed complaints listed %d/%d, ordinary kept %d; want at least 1/2 and 0 (both were handed off)",
			plain.MissedOnReview.Right, plain.MissedOnReview.N, plain.OrdinaryOnReview.N)
	}
	taught := eval("--teach")
	if taught.Taught == nil || *taught.Taught != 2 {
		t.Fatalf("--teach gave %v verdicts, want 2 (one false alarm, one missed complaint)", taught.Taught)
	}
	if taught.Service.N != 1 || taught.Service.Right != 1 || taught.HandOff.N != 1 || taught.HandOff.Right != 1 {
		t.Errorf("after the verdicts: service kept %d/%d, complaints handed %d/%d; want both right",
			taught.Service.Right, taught.Service.N, taught.HandOff.Right, taught.HandOff.N)
	}
}

// TestAnswersEvalNotAmong checks the split of unanswerable questions
// answered from a source: a question naming a payment method the content's
// list lacks is answered "not among the options" and counted so; one about
// something the content has no list of is not.
func TestAnswersEvalNotAmong(t *testing.T) {
	path := filepath.Join(t.TempDir(), "messages.csv")
	if err := os.WriteFile(path, []byte(`text,kind,expected,lang
"can I pay with bitcoin",unanswerable,,en
"能用比特币付款吗",unanswerable,,zh
"what brand of washing machines do you use",unanswerable,,en
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := answersEvalJSON(t, filepath.Join("..", "..", "testdata", "companies", "laundry"), path)
	if r.Unanswerable.N != 3 || r.NotAmong.Right != 2 || r.NotAmong.N != 3-r.Unanswerable.Right {
		t.Errorf("unanswerable right %d of %d, answered not among the options %d of %d; want both bitcoin questions not among the options",
			r.Unanswerable.Right, r.Unanswerable.N, r.NotAmong.Right, r.NotAmong.N)
	}
}

// answersEvalJSON runs `concierge answers eval COMPANY --json --messages
// PATH ARGS...` and returns its report.
func answersEvalJSON(t *testing.T, company, path string, args ...string) answersReport {
	t.Helper()
	var stdout, stderr syncBuffer
	code := run(context.Background(), append([]string{"answers", "eval", company, "--json", "--messages", path}, args...),
		strings.NewReader(""), &stdout, &stderr, envOf(nil))
	var r answersReport
	if err := json.Unmarshal([]byte(stdout.String()), &r); code != 0 || err != nil {
		t.Fatalf("answers eval %v: exit %d, %v: %s", args, code, err, stderr.String())
	}
	return r
}
