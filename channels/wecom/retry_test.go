package wecom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// slowFirstAck lets the adapter take the first callback but holds its
// answer past WeCom's timeout, as a slow network would: WeCom retries a
// callback the adapter has already taken.
func slowFirstAck(delay time.Duration) func(http.Handler) http.Handler {
	var n atomic.Int32
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || n.Add(1) != 1 {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			time.Sleep(delay)
			w.WriteHeader(rec.Code)
		})
	}
}

// TestRetriedCallbackAnsweredOnce: a callback whose acknowledgement WeCom
// did not see in time is sent again, as the same bytes or re-signed; it is
// answered once either way.
func TestRetriedCallbackAnsweredOnce(t *testing.T) {
	for _, resign := range []bool{false, true} {
		name := "same bytes"
		if resign {
			name = "re-signed"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(s *setup) {
				s.fakeOpts.CallbackTimeout = 150 * time.Millisecond
				s.fakeOpts.ReSignRetries = resign
				s.front = slowFirstAck(400 * time.Millisecond)
			})
			r := h.fake.SendApp(context.Background(), wecomtest.AppMessage{From: "zhangsan", Content: "hello", MsgID: "42"})
			if len(r.Attempts) < 2 || !r.Acked() {
				t.Fatalf("attempts %v: WeCom should have retried once and been acknowledged", r.Attempts)
			}
			waitFor(t, "the answer", func() bool { return len(h.fake.Sent()) >= 1 })
			time.Sleep(600 * time.Millisecond) // the held first request completes
			if n, m := len(h.fake.Sent()), len(h.engine.messages()); n != 1 || m != 1 {
				t.Errorf("retried callback (%d attempts): %d answers, %d engine calls; want 1 and 1", len(r.Attempts), n, m)
			}
		})
	}
}

// TestFullQueueAsksForRetry: when the queue is full the callback is
// answered 503, and WeCom's retry is taken (not mistaken for a replay or a
// duplicate).
func TestFullQueueAsksForRetry(t *testing.T) {
	h := newHarness(t, func(s *setup) {
		s.opts.QueueSize = 1
		s.opts.Workers = 1
		s.noRun = true // nobody drains the queue yet
		s.fakeOpts.Retries = 0
	})
	ctx := context.Background()
	if r := h.fake.SendApp(ctx, wecomtest.AppMessage{From: "a", Content: "one", MsgID: "1"}); !r.Acked() {
		t.Fatalf("first callback %v", r.Attempts)
	}
	cb := h.fake.Seal("/wecom/callback", h.fake.AppText(wecomtest.AppMessage{From: "b", Content: "two", MsgID: "2"}))
	if s := h.fake.PostOnce(ctx, cb); s != http.StatusServiceUnavailable {
		t.Fatalf("callback into a full queue answered %d, want 503", s)
	}
	h.start()
	waitFor(t, "the first answer", func() bool { return len(h.fake.Sent()) == 1 })
	if s := h.fake.PostOnce(ctx, cb); s != http.StatusOK {
		t.Fatalf("the retry answered %d, want 200", s)
	}
	waitFor(t, "both answers", func() bool { return len(h.fake.Sent()) == 2 })
}
