package dingtalk

import (
	"time"

	"github.com/concierge-bot/concierge/channels/internal/ttlcache"
)

// Dedup claims the platform ids (event_id, msgId) of the messages and events the
// adapter takes, so that a platform retry is answered once; see
// ttlcache.Dedup for the contract.
type Dedup = ttlcache.Dedup

// NewMemoryDedup returns a Dedup that remembers at most size keys for ttl,
// in this process only.
func NewMemoryDedup(ttl time.Duration, size int, now func() time.Time) Dedup {
	return ttlcache.NewClaims(ttl, size, now)
}
