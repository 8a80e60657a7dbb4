package jsonapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func retrier(retries int) *Retrier {
	return &Retrier{Name: "test", HTTP: http.DefaultClient, Log: slog.New(slog.DiscardHandler), Retries: retries, MaxBackoff: time.Millisecond}
}

func TestDoRetriesWhatTheVerdictRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != "application/json; charset=utf-8" || r.Header.Get("X-Token") != "t" || string(body) != `{"a":1}` {
			t.Errorf("request: %v %q", r.Header, body)
		}
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	req := Request{Method: http.MethodPost, URL: srv.URL + "/x?secret=s", Path: "/x", Body: []byte(`{"a":1}`), Header: http.Header{"X-Token": {"t"}}}
	verdict := func(r *Reply) (bool, time.Duration) { return r.Status == http.StatusTooManyRequests, time.Hour }

	reply, err := retrier(3).Do(context.Background(), req, verdict)
	if err != nil || reply.Status != http.StatusOK || string(reply.Body) != "ok" || calls.Load() != 3 {
		t.Fatalf("Do = %+v, %v after %d calls", reply, err, calls.Load())
	}

	// Out of retries: the last answer is returned as it is.
	calls.Store(0)
	reply, err = retrier(1).Do(context.Background(), req, verdict)
	if err != nil || reply.Status != http.StatusTooManyRequests || calls.Load() != 2 {
		t.Fatalf("Do = %+v, %v after %d calls", reply, err, calls.Load())
	}
}

func TestDoTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/x"
	srv.Close()
	never := func(*Reply) (bool, time.Duration) { return false, 0 }
	_, err := retrier(2).Do(context.Background(), Request{Method: http.MethodGet, URL: url, Path: "/x"}, never)
	if err == nil || !strings.HasPrefix(err.Error(), "test: /x: ") {
		t.Fatalf("Do to a closed server: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = retrier(2).Do(ctx, Request{Method: http.MethodGet, URL: url, Path: "/x"}, never)
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("Do with a cancelled context: %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&Error[int]{Platform: "feishu", Status: 200, Code: 99991663, Msg: "token invalid", Path: "/open-apis/im/v1/messages"},
			"feishu: /open-apis/im/v1/messages: HTTP 200 code 99991663: token invalid"},
		{&Error[string]{Platform: "dingtalk", Status: 429, Code: "Throttling.Api", Msg: "too many", Path: "/v1.0/robot/groupMessages/send"},
			"dingtalk: /v1.0/robot/groupMessages/send: HTTP 429 code Throttling.Api: too many"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
