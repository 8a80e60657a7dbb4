package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// requestStore is what a store offers the ledger of keyed requests: how a
// request's outcome is recorded, or its claim released.
type requestStore interface {
	FinishRequest(ctx context.Context, key string, status int, body []byte) error
	AbandonRequest(ctx context.Context, key string) error
}

// requestLedger backs the web adapter's keyed requests (widget client ids,
// the REST API's Idempotency-Key and client_id) with the database, so that
// a retry after a crash — or, on PostgreSQL, at another replica — is
// answered from the first outcome and never stores or answers the message
// twice (storage.WithRequestKey makes the store's appends idempotent per
// key). The engines differ only in how a request is claimed: SQLite waits
// for a duplicate in this process, PostgreSQL leases the request to one
// replica.
type requestLedger struct {
	db requestStore
	// claim claims key, or returns the outcome recorded for it.
	claim func(ctx context.Context, key string) (*storage.RequestOutcome, error)
	// released says when a retry is handled if a claim could not be
	// released: "when the process restarts", "when its lease ends".
	released string
	log      *slog.Logger
}

var _ web.Requests = requestLedger{}

// Claim implements web.Requests.
func (l requestLedger) Claim(ctx context.Context, key string) (context.Context, *web.Outcome, error) {
	o, err := l.claim(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if o != nil {
		return nil, &web.Outcome{Status: o.Status, Body: o.Body}, nil
	}
	return storage.WithRequestKey(ctx, key), nil, nil
}

// Finish implements web.Requests.
func (l requestLedger) Finish(ctx context.Context, key string, status int, body []byte) {
	if err := l.db.FinishRequest(ctx, key, status, body); err != nil {
		l.log.Warn("keyed request: outcome not recorded; a retry will be handled again, idempotently", "err", err)
	}
}

// Abandon implements web.Requests.
func (l requestLedger) Abandon(ctx context.Context, key string) {
	if err := l.db.AbandonRequest(ctx, key); err != nil {
		l.log.Warn("keyed request: not released; a retry is handled "+l.released, "err", err)
	}
}

// sqliteLedger is the ledger of a SQLite store: a duplicate waits up to
// wait for the first's outcome in this process.
func sqliteLedger(db *sqlite.DB, wait time.Duration, log *slog.Logger) requestLedger {
	return requestLedger{db: db, released: "when the process restarts", log: log,
		claim: func(ctx context.Context, key string) (*storage.RequestOutcome, error) {
			return db.ClaimRequest(ctx, key, wait)
		}}
}

// postgresLedger is the ledger of replicas sharing a PostgreSQL store: one
// replica may handle a request for lease, and a retry waits up to wait for
// another replica's outcome.
func postgresLedger(db *postgres.DB, lease, wait time.Duration, log *slog.Logger) requestLedger {
	return requestLedger{db: db, released: "when its lease ends", log: log,
		claim: func(ctx context.Context, key string) (*storage.RequestOutcome, error) {
			return db.ClaimRequest(ctx, key, lease, wait)
		}}
}
