package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

// fakeCustomers holds customer records by id.
type fakeCustomers map[int64]bot.Customer

func (f fakeCustomers) Customer(_ context.Context, id int64) (bot.Customer, error) {
	c, ok := f[id]
	if !ok {
		return bot.Customer{}, errors.New("no such customer")
	}
	return c, nil
}

// An agent's reply reaches a customer who wrote in a Slack Connect channel
// in the thread the bot answered in; one who never wrote since the start is
// written to directly; one without a Slack identity gets ErrNoRecipient.
// Agent names and text are escaped as mrkdwn.
func TestDeliverReachesSlackConnectCustomer(t *testing.T) {
	fs := newFakeSlack(t)
	h := &fakeHandler{}
	customers := fakeCustomers{
		1: {ID: 1, Identities: []bot.Identity{{Channel: bot.ChannelSlack, ExternalID: "T2:U5"}}},
		2: {ID: 2, Identities: []bot.Identity{{Channel: bot.ChannelSlack, ExternalID: "T1:U9"}}},
		3: {ID: 3, Identities: []bot.Identity{{Channel: bot.ChannelWeb, ExternalID: "v1"}}},
	}
	a := testAdapter(t, fs, h, func(o *Options) { o.Customers = customers })
	srv := start(t, a)
	ev := eventBody("Ev1", map[string]any{"type": "app_mention", "channel": "CSHARED", "user": "U5",
		"user_team": "T2", "text": "<@UBOT> my order is late", "ts": "1700000005.000100"}, "is_ext_shared_channel", true)
	if got := send(t, srv, "/slack/events", ev); got != http.StatusOK {
		t.Fatalf("event: %d", got)
	}
	fs.waitFor(t, "the bot's answer", func(f *fakeSlack) bool { return len(f.posts) == 1 })

	if err := a.Deliver(t.Context(), 1, 77, "Alice <@here>", "Sorry about that — it ships *today*."); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(t.Context(), 2, 78, "", "How did we do?"); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(t.Context(), 3, 79, "Bob", "hi"); !errors.Is(err, ErrNoRecipient) {
		t.Fatalf("customer without Slack identity: %v, want ErrNoRecipient", err)
	}
	posts := fs.Posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts, want the answer and two deliveries: %+v", len(posts), posts)
	}
	if p := posts[1]; p.Channel != "CSHARED" || p.ThreadTS != "1700000005.000100" {
		t.Errorf("reply to the Slack Connect customer went to %s/%s, want CSHARED in the bot's thread", p.Channel, p.ThreadTS)
	}
	blocks := blockSummary(posts[1].Blocks)
	if j := strings.Join(blocks, " "); strings.Contains(j, "<@here>") || !strings.Contains(j, "Alice") {
		t.Errorf("agent name not escaped or missing: %v", blocks)
	}
	if p := posts[2]; p.Channel != "U9" || p.ThreadTS != "" {
		t.Errorf("reply to a customer not seen since the start went to %s/%s, want a direct message to U9", p.Channel, p.ThreadTS)
	}
}
