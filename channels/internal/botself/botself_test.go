package botself

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLearnKeepsWhatWasFetched(t *testing.T) {
	var s Self[string]
	if got := s.Get(); got != "" {
		t.Fatalf("zero Self: %q", got)
	}
	got, err := s.Learn(context.Background(), time.Second, func(ctx context.Context) (string, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("fetch called without a deadline")
		}
		return "ou_bot", nil
	})
	if err != nil || got != "ou_bot" || s.Get() != "ou_bot" {
		t.Fatalf("Learn = %q, %v; Get = %q", got, err, s.Get())
	}
	refused := errors.New("refused")
	if _, err := s.Learn(context.Background(), time.Second, func(context.Context) (string, error) {
		return "", refused
	}); !errors.Is(err, refused) {
		t.Fatalf("Learn error = %v", err)
	}
	if s.Get() != "ou_bot" {
		t.Fatalf("a failed Learn replaced the value: %q", s.Get())
	}
}
