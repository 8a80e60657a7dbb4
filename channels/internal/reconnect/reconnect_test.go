package reconnect

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestLoopRetriesUntilPermanent(t *testing.T) {
	refused := errors.New("refused")
	var states []string
	calls := 0
	err := Loop(context.Background(), Options{
		Min: time.Millisecond, Max: 4 * time.Millisecond, Logger: slog.New(slog.DiscardHandler), Lost: "lost",
		Permanent: func(err error) error {
			if errors.Is(err, refused) {
				return errors.Join(errors.New("for good"), err)
			}
			return nil
		},
		State: func(s string) { states = append(states, s) },
	}, func(context.Context) (bool, error) {
		calls++
		if calls < 4 {
			return calls%2 == 0, errors.New("dropped")
		}
		return false, refused
	})
	if !errors.Is(err, refused) || calls != 4 || len(states) != 3 {
		t.Errorf("Loop = %v after %d calls and states %v; want the permanent error after 4 calls, 3 waits", err, calls, states)
	}
}

func TestLoopEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := Loop(ctx, Options{Min: time.Hour, Max: time.Hour, Logger: slog.New(slog.DiscardHandler), Lost: "lost"},
		func(context.Context) (bool, error) { cancel(); return true, errors.New("dropped") })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Loop = %v, want context.Canceled", err)
	}
}
