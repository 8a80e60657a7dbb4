package wecom_test

import (
	"context"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// TestAccessToken: one gettoken serves many calls; a token WeCom calls
// expired (42001) or invalid (40014) is fetched again once and the call
// goes through; a token near its expiry is refreshed before it is used.
func TestAccessToken(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	waitFor(t, "agent/get", func() bool { return h.fake.Calls("/cgi-bin/agent/get") == 1 })
	send := func(id string) {
		t.Helper()
		before := len(h.fake.Sent())
		h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: id})
		waitFor(t, "answer "+id, func() bool { return len(h.fake.Sent()) == before+1 })
	}
	for _, id := range []string{"1", "2", "3"} {
		send(id)
	}
	if n := h.fake.Calls("/cgi-bin/gettoken"); n != 1 {
		t.Errorf("4 calls made %d gettoken calls, want 1", n)
	}
	h.fake.ExpireTokens()
	send("4")
	if n := h.fake.Calls("/cgi-bin/gettoken"); n != 2 {
		t.Errorf("after WeCom expired the token: %d gettoken calls, want 2", n)
	}
	h.fake.FailNext(wecomtest.CodeInvalidToken)
	send("5")
	if n := h.fake.Calls("/cgi-bin/gettoken"); n != 3 {
		t.Errorf("after 40014: %d gettoken calls, want 3", n)
	}
	// Two hours on, the cached token is due: it is refreshed before use,
	// without a refused call first.
	sends := h.fake.Calls("/cgi-bin/message/send")
	h.clock.Add(2*time.Hour - time.Minute)
	send("6")
	if n, s := h.fake.Calls("/cgi-bin/gettoken"), h.fake.Calls("/cgi-bin/message/send"); n != 4 || s != sends+1 {
		t.Errorf("near expiry: %d gettoken, %d sends; want 4 and %d", n, s, sends+1)
	}
}

// TestBackOff: 45009 (and the other rate-limit answers, and HTTP 429) are
// retried after a pause until they pass; a limit that does not lift makes
// the adapter give up after MaxAttempts, not loop.
func TestBackOff(t *testing.T) {
	h := newHarness(t, func(s *setup) { s.opts.MaxAttempts = 4 })
	ctx := context.Background()
	waitFor(t, "agent/get", func() bool { return h.fake.Calls("/cgi-bin/agent/get") == 1 })

	h.fake.FailNext(wecomtest.CodeFreqLimit, 45033, -1)
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: "1"})
	waitFor(t, "the answer after three refusals", func() bool { return len(h.fake.Sent()) == 1 })
	if n := h.fake.Calls("/cgi-bin/message/send"); n != 4 {
		t.Errorf("45009, 45033, -1 then ok: %d calls, want 4", n)
	}

	h.fake.Fail429(2)
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: "2"})
	waitFor(t, "the answer after two 429s", func() bool { return len(h.fake.Sent()) == 2 })

	h.fake.SetRateLimit(1) // one call a minute: the next message's send is refused
	calls := h.fake.Calls("/cgi-bin/message/send")
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: "3"})
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: "4"})
	waitFor(t, "the attempts", func() bool { return h.fake.Calls("/cgi-bin/message/send") >= calls+5 })
	time.Sleep(100 * time.Millisecond)
	if n := h.fake.Calls("/cgi-bin/message/send") - calls; n != 5 {
		t.Errorf("one allowed call and one refused 4 times: %d calls, want 5", n)
	}
	if n := len(h.fake.Sent()); n != 3 {
		t.Errorf("%d answers sent, want 3", n)
	}
	// A minute later the limit has lifted.
	h.clock.Add(time.Minute)
	h.fake.SendApp(ctx, wecomtest.AppMessage{From: "u", Content: "q", MsgID: "5"})
	waitFor(t, "the answer after the limit lifted", func() bool { return len(h.fake.Sent()) == 4 })
}
