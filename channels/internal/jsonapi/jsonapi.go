// Package jsonapi sends the requests of a chat platform's JSON API the way
// DingTalk's and Feishu's API clients both do: one request, retried with
// exponential backoff (half a second, doubled per retry, at most
// MaxBackoff) on transport errors and on every answer the platform's
// client reads as "try again" (rate limits, 5xx), waiting the platform's
// own hint instead when it gives one; and the error both clients return for
// a call the platform answered with a failure (Error). Each client keeps
// what differs: how it authenticates, and how it reads its platform's
// codes.
package jsonapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/concierge-bot/concierge/internal/pause"
)

// maxReply is how much of an answer is read.
const maxReply = 1 << 20

// firstBackoff is the wait before the first retry.
const firstBackoff = 500 * time.Millisecond

// Retrier sends requests with retries. Every field is required.
type Retrier struct {
	Name       string // the platform, first in errors and log lines: "feishu"
	HTTP       *http.Client
	Log        *slog.Logger
	Retries    int           // how many times one request is retried
	MaxBackoff time.Duration // the longest wait before a retry
}

// Request is one call.
type Request struct {
	Method string
	URL    string
	// Path names the call in errors and logs: the URL's path, never a
	// query that may carry a secret.
	Path   string
	Body   []byte      // sent as application/json; nil for none
	Header http.Header // added to the request, e.g. the access token
}

// Reply is the answer to one attempt: its status, its headers, its body (at
// most 1 MiB), and the error that cut reading the body short, if any.
type Reply struct {
	Status  int
	Header  http.Header
	Body    []byte
	ReadErr error
}

// Error is a call the platform answered with a failure: a status other
// than 2xx, or an error code in the body. C is the type of the platform's
// codes (DingTalk's are strings, Feishu's numbers). Its message is
// "<Platform>: <Path>: HTTP <Status> code <Code>: <Msg>".
type Error[C comparable] struct {
	Platform string // first in the message: "feishu"
	Status   int    // HTTP status
	Code     C      // platform code (C's zero value when the body had none)
	Msg      string // platform message
	Path     string // the call, as in Request.Path: never a query
}

func (e *Error[C]) Error() string {
	return fmt.Sprintf("%s: %s: HTTP %d code %v: %s", e.Platform, e.Path, e.Status, e.Code, e.Msg)
}

// Verdict reads an answer: retry reports whether it asks to try again
// (rate limited, unavailable), hint how long the platform asks to wait
// (0: the backoff decides).
type Verdict func(r *Reply) (retry bool, hint time.Duration)

// Do sends req and returns the first answer verdict does not retry, or the
// last one when the retries are spent. The error is a request that could
// not be built, a transport failure after the last retry, or ctx ending
// while it waits, as "<Name>: <Path>: <cause>".
func (c *Retrier) Do(ctx context.Context, req Request, verdict Verdict) (*Reply, error) {
	backoff := firstBackoff
	for attempt := 0; ; attempt++ {
		hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", c.Name, req.Path, err)
		}
		hr.Header.Set("Content-Type", "application/json; charset=utf-8")
		for k, v := range req.Header {
			hr.Header[k] = v
		}
		resp, err := c.HTTP.Do(hr)
		if err != nil {
			if attempt < c.Retries && ctx.Err() == nil {
				if werr := c.wait(ctx, req.Path, backoff, 0, attempt); werr != nil {
					return nil, werr
				}
				backoff *= 2
				continue
			}
			return nil, fmt.Errorf("%s: %s: %w", c.Name, req.Path, err)
		}
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxReply))
		resp.Body.Close()
		reply := &Reply{Status: resp.StatusCode, Header: resp.Header, Body: data, ReadErr: rerr}
		if retry, hint := verdict(reply); retry && attempt < c.Retries {
			if werr := c.wait(ctx, req.Path, backoff, hint, attempt); werr != nil {
				return nil, werr
			}
			backoff *= 2
			continue
		}
		return reply, nil
	}
}

// wait sleeps before a retry: the platform's hint when it gave one, else
// the backoff, never more than MaxBackoff.
func (c *Retrier) wait(ctx context.Context, path string, backoff, hint time.Duration, attempt int) error {
	d := backoff
	if hint > 0 {
		d = hint
	}
	d = min(d, c.MaxBackoff)
	c.Log.Warn(c.Name+": rate limited or unavailable; backing off", "path", path, "wait", d, "attempt", attempt+1)
	if err := pause.For(ctx, d); err != nil {
		return fmt.Errorf("%s: %s: %w", c.Name, path, err)
	}
	return nil
}
