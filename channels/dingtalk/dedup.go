package dingtalk

import (
	"context"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
)

// Dedup remembers the platform ids of the messages and events the adapter
// took, so that a platform retry (same event_id, same msgId) is
// answered once. The default is an in-process memory (NewMemoryDedup); a
// store-backed implementation with a unique key on (channel, provider id)
// makes it hold across replicas and restarts.
type Dedup interface {
	// Claim records key and reports true, or reports false when key was
	// claimed before (and not released). It must be atomic: of two
	// concurrent claims of one key, one wins.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets key, so that a later Claim of it wins again: the
	// adapter calls it when it could not take a message after all (queue
	// full), so that the platform's retry is not mistaken for a duplicate.
	Release(ctx context.Context, key string)
}

// NewMemoryDedup returns a Dedup that remembers at most size keys for ttl,
// in this process only.
func NewMemoryDedup(ttl time.Duration, size int, now func() time.Time) Dedup {
	return ttlcache.NewClaims(ttl, size, now)
}
