// Package pause holds the wait a chat adapter makes between attempts (a
// retried API call, a reconnection, a ping): a sleep that ends early when
// its context does.
package pause

import (
	"context"
	"time"
)

// For waits d, or until ctx is done, whichever comes first. It returns
// ctx.Err() when ctx ended the wait, else nil.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
