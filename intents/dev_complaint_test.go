package intents

import (
	"context"
	"os"
	"testing"
)

func TestDevComplaints(t *testing.T) {
	p := os.Getenv("DEV_COMPLAINTS")
	if p == "" {
		t.Skip()
	}
	d, err := NewComplaintDetector(context.Background(), ComplaintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("weights %v", d.w)
	r, err := EvaluateComplaints(d, loadCSV(t, p))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
}

func TestDevComplaintErrors(t *testing.T) {
	p := os.Getenv("DEV_ERRORS")
	if p == "" {
		t.Skip()
	}
	d, _ := NewComplaintDetector(context.Background(), ComplaintOptions{})
	n := 0
	for _, e := range loadCSV(t, p) {
		s := d.Score(e.Text)
		if (s.Complaint >= ComplaintThreshold) != (e.Label == LabelComplaint) {
			n++
			if n%7 == 0 && n < 7*40 {
				t.Logf("%s %.2f %s", e.Label, s.Complaint, e.Text)
			}
		}
	}
}
