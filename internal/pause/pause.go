// Package pause holds the wait a client makes between attempts (a chat
// adapter's retried API call, reconnection or ping; the importer's polite
// delay between requests to one site): a sleep that ends early when its
// context does.
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
