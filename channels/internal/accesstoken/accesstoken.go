// Package accesstoken holds the cached access token every chat platform's
// API client calls with (DingTalk's accessToken, Feishu's
// tenant_access_token, WeCom's access_token): fetched when there is none,
// refreshed a little before it expires, dropped when the platform refuses
// it, and fetched by one caller at a time.
package accesstoken

import (
	"context"
	"sync"
	"time"
)

// Fetch asks the platform for a new token and how long it lives.
type Fetch func(ctx context.Context) (token string, life time.Duration, err error)

// Cache is one cached token. Its zero value is not usable: build it with
// New. It is safe for concurrent use; concurrent callers of Get while a
// token is fetched wait for that one fetch.
type Cache struct {
	fetch Fetch
	ahead time.Duration
	share time.Duration
	now   func() time.Time

	mu      sync.Mutex // held while a token is fetched
	token   string
	refresh time.Time // when the token must be replaced
}

// New returns an empty Cache that gets its tokens from fetch and replaces
// each one ahead of its expiry, or at 1/share of its life before it when
// that is sooner (for short-lived tokens); now is the clock (time.Now when
// nil).
func New(fetch Fetch, ahead time.Duration, share int, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{fetch: fetch, ahead: ahead, share: time.Duration(max(share, 1)), now: now}
}

// Get returns the cached token while it is fresh, else fetches a new one.
// A fetch error is returned as it is.
func (c *Cache) Get(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.refresh) {
		return c.token, nil
	}
	tok, life, err := c.fetch(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.refresh = tok, c.now().Add(life-min(c.ahead, life/c.share))
	return c.token, nil
}

// Drop forgets token if it is still the cached one, so that the next Get
// fetches a new one: for a token the platform refused.
func (c *Cache) Drop(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// Do calls call with the cached token (Get). When the platform refuses the
// token (refused reports so of call's error), Do drops it and calls once
// more with a new one. It returns the error of Get or of the last call.
func (c *Cache) Do(ctx context.Context, call func(token string) error, refused func(error) bool) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.Get(ctx)
		if err != nil {
			return err
		}
		err = call(tok)
		if attempt == 0 && err != nil && refused(err) {
			c.Drop(tok)
			continue
		}
		return err
	}
}
