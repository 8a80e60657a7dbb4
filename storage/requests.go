package storage

import (
	"context"
	"strings"
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
