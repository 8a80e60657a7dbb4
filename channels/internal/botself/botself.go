// Package botself holds what a chat adapter learns about the bot itself
// when it starts (Feishu's open_id of the bot, Slack's bot user and bot
// ids, the name of WeCom's app), to recognise the bot's own messages and
// mentions of it. Until it is learned, or when asking failed, the adapter
// goes on with the zero value and falls back on what the platform's
// messages say.
package botself

import (
	"context"
	"sync"
	"time"
)

// Self is what was learned, of type T. Its zero value is usable and holds
// T's zero value; it is safe for concurrent use.
type Self[T any] struct {
	mu sync.RWMutex
	v  T
}

// Learn asks fetch, under a deadline of timeout, and keeps what it
// returns unless it returns an error, which Learn returns (the adapter
// logs it and goes on with what it had).
func (s *Self[T]) Learn(ctx context.Context, timeout time.Duration, fetch func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := fetch(ctx)
	if err != nil {
		return v, err
	}
	s.mu.Lock()
	s.v = v
	s.mu.Unlock()
	return v, nil
}

// Get returns what was learned, or T's zero value.
func (s *Self[T]) Get() T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.v
}
