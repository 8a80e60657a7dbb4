package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/storage"
)

func TestClaimUntil(t *testing.T) {
	ctx := context.Background()
	busy := errors.New("busy")
	tries := 0
	out, err := storage.ClaimUntil(ctx, time.Second, time.Millisecond, busy, func() (*storage.RequestOutcome, bool, error) {
		tries++
		if tries < 3 {
			return nil, false, nil
		}
		return &storage.RequestOutcome{Status: 201}, true, nil
	})
	if err != nil || out == nil || out.Status != 201 || tries != 3 {
		t.Errorf("settled on the third try: %+v, %v after %d tries", out, err, tries)
	}
	never := func() (*storage.RequestOutcome, bool, error) { return nil, false, nil }
	if _, err := storage.ClaimUntil(ctx, 5*time.Millisecond, time.Millisecond, busy, never); err != busy {
		t.Errorf("never settled: %v, want busy", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := storage.ClaimUntil(done, time.Hour, time.Hour, busy, never); !errors.Is(err, context.Canceled) {
		t.Errorf("ended context: %v, want context.Canceled", err)
	}
	failed := errors.New("failed")
	if _, err := storage.ClaimUntil(ctx, time.Hour, time.Hour, busy, func() (*storage.RequestOutcome, bool, error) {
		return nil, false, failed
	}); err != failed {
		t.Errorf("failing try: %v, want its error", err)
	}
}
