package storage

import (
	"context"
	"strings"
	"time"
)

// Keyed requests: an engine keeps a ledger of request keys (the widget's
// client id, a REST client's Idempotency-Key) so that a request handled
// again after its process died stores neither its message nor its reply a
// second time. The key travels to AppendInbound and AppendOutbound in the
// context.

type requestKeyCtx struct{}

// WithRequestKey returns ctx carrying the key of the request being handled,
// in its stored form (LedgerKey).
func WithRequestKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, requestKeyCtx{}, LedgerKey(key))
}

// RequestKey returns the stored form of the request key ctx carries, or ""
// when it carries none.
func RequestKey(ctx context.Context) string {
	k, _ := ctx.Value(requestKeyCtx{}).(string)
	return k
}

// LedgerKey is the stored form of a request key: callers separate its parts
// with NUL, which PostgreSQL text cannot hold and SQLite's text functions
// stop at, so NUL becomes the unit separator U+001F.
func LedgerKey(key string) string { return strings.ReplaceAll(key, "\x00", "\x1f") }

// RequestOutcome is the recorded answer to a keyed request.
type RequestOutcome struct {
	Status int
	Body   []byte
}

// ClaimUntil runs an engine's claim of a request key: it calls try until
// try settles the claim (the key is now the caller's, with a nil outcome,
// or try found its recorded outcome) or fails, waiting interval between
// tries. When wait has passed since the first try without that, it returns
// busy (the engine's error for a key held elsewhere); when ctx ends, ctx's
// error.
func ClaimUntil(ctx context.Context, wait, interval time.Duration, busy error,
	try func() (out *RequestOutcome, settled bool, err error)) (*RequestOutcome, error) {
	deadline := time.Now().Add(wait)
	for {
		out, settled, err := try()
		if err != nil || settled {
			return out, err
		}
		if time.Now().After(deadline) {
			return nil, busy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(interval):
		}
	}
}
