package wecom

import (
	"context"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
)

// Deduper remembers the platform's message ids, so that a message WeCom
// delivers twice (a callback retried because it was not acknowledged in
// time, a kf message pulled again after a restart) is answered once.
//
// The default keeps ids in memory for Options.DedupTTL (bounded by
// Options.DedupSize): enough for one process, whose retries come within
// seconds. Replicas sharing a database, or a restart that re-pulls kf
// messages older than the memory, need a Deduper backed by the store's
// unique key per provider message id; the adapter also hands the id to the
// Engine in bot.Message.ProviderMessageID.
type Deduper interface {
	// Claim records key and reports true, or reports false when key was
	// claimed before (the message is a duplicate). It must be atomic.
	Claim(ctx context.Context, key string) (bool, error)
	// Release forgets a claimed key, so that a message the adapter could
	// not take after all (its queue was full) is taken when WeCom retries.
	Release(ctx context.Context, key string) error
}

// memoryDeduper is the default Deduper: the other adapters' in-memory
// claims, whose Release cannot fail.
type memoryDeduper struct{ ttlcache.Claims }

func newMemoryDeduper(ttl time.Duration, size int, now func() time.Time) memoryDeduper {
	return memoryDeduper{ttlcache.NewClaims(ttl, size, now)}
}

func (d memoryDeduper) Release(ctx context.Context, key string) error {
	d.Claims.Release(ctx, key)
	return nil
}
