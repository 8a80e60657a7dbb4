package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// sqliteRequests backs the web adapter's keyed requests (widget client ids,
// the REST API's Idempotency-Key and client_id) with the SQLite database,
// so that a retry after a crash is answered from what was stored and never
// stores the message twice (sqlite.WithRequestKey).
type sqliteRequests struct {
	db   *sqlite.DB
	wait time.Duration // how long a duplicate waits for the first's outcome
	log  *slog.Logger
}

var _ web.Requests = sqliteRequests{}

// Claim implements web.Requests.
func (l sqliteRequests) Claim(ctx context.Context, key string) (context.Context, *web.Outcome, error) {
	o, err := l.db.ClaimRequest(ctx, key, l.wait)
	if err != nil {
		return nil, nil, err
	}
	if o != nil {
		return nil, &web.Outcome{Status: o.Status, Body: o.Body}, nil
	}
	return sqlite.WithRequestKey(ctx, key), nil, nil
}

// Finish implements web.Requests.
func (l sqliteRequests) Finish(ctx context.Context, key string, status int, body []byte) {
	if err := l.db.FinishRequest(ctx, key, status, body); err != nil {
		l.log.Warn("keyed request: outcome not recorded; a retry will be handled again, idempotently", "err", err)
	}
}

// Abandon implements web.Requests.
func (l sqliteRequests) Abandon(ctx context.Context, key string) {
	if err := l.db.AbandonRequest(ctx, key); err != nil {
		l.log.Warn("keyed request: not released; a retry is handled when the process restarts", "err", err)
	}
}
