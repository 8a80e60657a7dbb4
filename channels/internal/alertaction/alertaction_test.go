package alertaction

import (
	"context"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

type record []string

func (r *record) Acknowledge(_ context.Context, _ bot.EscalationID, agent string) error {
	*r = append(*r, "ack "+agent)
	return nil
}

func (r *record) TakeOver(_ context.Context, _ bot.EscalationID, agent string) error {
	*r = append(*r, "take "+agent)
	return nil
}

func (r *record) Resolve(_ context.Context, _ bot.EscalationID, agent string) error {
	*r = append(*r, "resolve "+agent)
	return nil
}

func TestDo(t *testing.T) {
	var r record
	for _, k := range []Kind{Acknowledge, TakeOver, Resolve} {
		if err := Do(context.Background(), &r, k, 7, "feishu:ou_1"); err != nil {
			t.Fatal(err)
		}
		if k.Verb() == "" {
			t.Errorf("kind %d has no verb", k)
		}
	}
	if want := (record{"ack feishu:ou_1", "take feishu:ou_1", "resolve feishu:ou_1"}); len(r) != 3 || r[0] != want[0] || r[1] != want[1] || r[2] != want[2] {
		t.Fatalf("calls = %q, want %q", r, want)
	}
	if err := Do(context.Background(), &r, Kind(0), 7, "x"); err == nil {
		t.Fatal("Do of no button succeeded")
	}
}
