package wecom_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/wecom"
)

// customers is a fake wecom.Customers.
type customers map[int64]bot.Customer

func (c customers) Customer(_ context.Context, id int64) (bot.Customer, error) {
	cu, ok := c[id]
	if !ok {
		return bot.Customer{}, bot.Errorf(bot.ENOTFOUND, "no customer %d", id)
	}
	return cu, nil
}

func kfCustomerKey() string { return kfID + ":" + customer }

func TestKFMessageAnsweredAsCustomer(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	id := h.fake.CustomerWrites(kfID, customer, "退货政策是什么？")
	if r := h.fake.NotifyKF(ctx, kfID); !r.Acked() {
		t.Fatalf("notice attempts %v", r.Attempts)
	}
	waitFor(t, "the kf answer", func() bool { return len(h.sentTo("/cgi-bin/kf/send_msg")) == 1 })
	s := h.fake.Sent()[0]
	if s.ToUser != customer || s.OpenKfID != kfID || s.Text != "echo: 退货政策是什么？" {
		t.Errorf("sent %+v", s)
	}
	m := h.engine.messages()[0]
	if m.Channel != wecom.ChannelKF || m.ExternalUserID != kfCustomerKey() || m.Role != bot.RoleCustomer || m.ProviderMessageID != id {
		t.Errorf("engine got %+v", m)
	}
	// The adapter's own message comes back in the next pull (origin 5): it
	// is not answered.
	h.fake.CustomerWrites(kfID, customer, "谢谢")
	h.fake.NotifyKF(ctx, kfID)
	waitFor(t, "the second answer", func() bool { return len(h.sentTo("/cgi-bin/kf/send_msg")) == 2 })
	time.Sleep(50 * time.Millisecond)
	if n := len(h.engine.messages()); n != 2 {
		t.Errorf("engine saw %d messages, want 2", n)
	}
}

// TestKFNoticesRepeatedAnsweredOnce: WeCom may notify many times for the
// same messages (and retries its notices); each message is answered once.
func TestKFNoticesRepeatedAnsweredOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for i := range 3 {
		h.fake.CustomerWrites(kfID, customer+string(rune('a'+i)), "hi")
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { h.fake.NotifyKF(ctx, kfID) })
	}
	wg.Wait()
	waitFor(t, "three answers", func() bool { return len(h.sentTo("/cgi-bin/kf/send_msg")) == 3 })
	time.Sleep(100 * time.Millisecond)
	if n, m := len(h.sentTo("/cgi-bin/kf/send_msg")), len(h.engine.messages()); n != 3 || m != 3 {
		t.Errorf("5 notices of 3 messages: %d answers, %d engine calls; want 3 and 3", n, m)
	}
}

// TestKFCursorSurvivesRestart: the cursor is kept in the state file; a new
// adapter on it neither replays what was answered nor loses what arrived
// while it was down (it pulls once at start, without a notice).
func TestKFCursorSurvivesRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "wecom-kf.json")
	h := newHarness(t, func(s *setup) { s.opts.StateFile = state })
	ctx := context.Background()
	h.fake.CustomerWrites(kfID, customer, "first")
	h.fake.NotifyKF(ctx, kfID)
	waitFor(t, "the first answer", func() bool { return len(h.fake.Sent()) == 1 })
	h.stop()

	// While down: a new message, no notice reaches us.
	h.fake.CustomerWrites(kfID, customer, "second")

	eng := &fakeEngine{}
	b, err := wecom.New(wecom.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, KFSecret: "kf-secret",
		Handler: eng, APIURL: h.fake.URL, StateFile: state, Now: h.clock.Now, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter = b
	h.start()
	waitFor(t, "the second answer", func() bool { return len(h.fake.Sent()) == 2 })
	time.Sleep(50 * time.Millisecond)
	msgs := eng.messages()
	if len(msgs) != 1 || msgs[0].Text != "second" {
		t.Errorf("after the restart the engine saw %+v, want only \"second\"", msgs)
	}
}

// TestKFWindow: WeChat allows 5 messages within 48 hours of the customer's
// last message. The fifth says so; later agent replies are held, with an
// error the agent sees, and sent when the customer writes again.
func TestKFWindow(t *testing.T) {
	h := newHarness(t, func(s *setup) {
		s.opts.Customers = customers{7: {ID: 7, Identities: []bot.Identity{{Channel: wecom.ChannelKF, ExternalID: kfID + ":" + customer}}}}
	})
	ctx := context.Background()
	h.fake.CustomerWrites(kfID, customer, "I want a person")
	h.fake.NotifyKF(ctx, kfID)
	waitFor(t, "the bot's answer", func() bool { return len(h.fake.Sent()) == 1 })

	deliver := func(text string) error {
		return h.adapter.Deliver(ctx, wecom.Delivery{Channel: wecom.ChannelKF, CustomerID: 7, Text: text})
	}
	for i := 2; i <= 5; i++ {
		if err := deliver("agent message " + string(rune('0'+i))); err != nil {
			t.Fatalf("agent message %d: %v", i, err)
		}
	}
	sent := h.sentTo("/cgi-bin/kf/send_msg")
	if len(sent) != 5 || !strings.Contains(sent[4], "WeChat lets us send no more messages until you write again") {
		t.Fatalf("the fifth message does not say the window is closing: %q", sent[len(sent)-1])
	}
	for _, s := range sent[:4] {
		if strings.Contains(s, "no more messages") {
			t.Errorf("an earlier message carries the notice: %q", s)
		}
	}
	err := deliver("agent message 6")
	if !errors.Is(err, wecom.ErrWindowClosed) || bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("the sixth message: %v (code %s), want ErrWindowClosed, EUNAVAILABLE", err, bot.ErrorCode(err))
	}
	if !strings.Contains(bot.ErrorMessage(err), "sent when they next write") {
		t.Errorf("the agent is told %q", bot.ErrorMessage(err))
	}
	if n := len(h.sentTo("/cgi-bin/kf/send_msg")); n != 5 {
		t.Fatalf("%d messages sent in a 5-message window", n)
	}

	// The customer writes again: the held reply goes first, then the answer.
	h.fake.CustomerWrites(kfID, customer, "hello?")
	h.fake.NotifyKF(ctx, kfID)
	waitFor(t, "the held reply and the answer", func() bool { return len(h.sentTo("/cgi-bin/kf/send_msg")) == 7 })
	sent = h.sentTo("/cgi-bin/kf/send_msg")
	if sent[5] != "agent message 6" || sent[6] != "echo: hello?" {
		t.Errorf("after the customer wrote: %q", sent[5:])
	}

	// 48 hours later nothing may be sent, whatever the count.
	h.clock.Add(48*time.Hour + time.Minute)
	if err := deliver("too late"); !errors.Is(err, wecom.ErrWindowClosed) {
		t.Errorf("a message after 48 hours: %v, want ErrWindowClosed", err)
	}
	if n := len(h.sentTo("/cgi-bin/kf/send_msg")); n != 7 {
		t.Errorf("%d messages sent, want 7", n)
	}
}

// TestKFPageNotAnsweredTwiceAfterACrash: a crash in the middle of a page
// leaves the cursor before the page; the messages of it answered before
// the crash are recorded in the state file and not answered again.
func TestKFPageNotAnsweredTwiceAfterACrash(t *testing.T) {
	state := filepath.Join(t.TempDir(), "wecom-kf.json")
	h := newHarness(t, func(s *setup) { s.opts.StateFile = state; s.noRun = true })
	first := h.fake.CustomerWrites(kfID, customer, "first")
	h.fake.CustomerWrites(kfID, customer, "second")
	// What the state file holds after "first" was answered and before the
	// cursor moved past the page.
	doc := `{"cursors": {"` + kfID + `": ""}, "windows": {}, "done": {"` + kfID + `": ["` + first + `"]}}`
	if err := os.WriteFile(state, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{}
	b, err := wecom.New(wecom.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, KFSecret: "kf-secret",
		Handler: eng, APIURL: h.fake.URL, StateFile: state, Now: h.clock.Now, RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter = b
	h.start()
	waitFor(t, "the answer to the second", func() bool { return len(h.fake.Sent()) == 1 })
	time.Sleep(50 * time.Millisecond)
	if msgs := eng.messages(); len(msgs) != 1 || msgs[0].Text != "second" {
		t.Errorf("after the crash the engine saw %+v, want only \"second\"", msgs)
	}
	h.stop()
	raw, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"done"`) {
		t.Errorf("the done list outlived the page: %s", raw)
	}
}
