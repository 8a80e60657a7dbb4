package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// errTooLarge is returned by a response body read past its limit.
var errTooLarge = errors.New("llm: response body over the size limit")

type limitKey struct{}

// withLimit sets the response size limit for requests made with ctx.
func withLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, limitKey{}, n)
}

// limitDoer sends requests with an http.Client and caps how many bytes of
// each response body can be read, so a runaway provider cannot exhaust
// memory: reading past the limit fails with errTooLarge.
type limitDoer struct {
	client *http.Client
	limit  int64
}

// Do implements openai.HTTPDoer.
func (d *limitDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	limit := d.limit
	if n, ok := req.Context().Value(limitKey{}).(int64); ok && n > 0 {
		limit = n
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return nil, errTooLarge
	}
	resp.Body = &limitedBody{rc: resp.Body, left: limit}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One more byte tells a body of exactly the limit from a longer one.
		var one [1]byte
		for {
			n, err := b.rc.Read(one[:])
			if n > 0 {
				return 0, errTooLarge
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
