package recipient

import (
	"context"
	"errors"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

type records map[int64]bot.Customer

func (r records) Customer(_ context.Context, id int64) (bot.Customer, error) {
	c, ok := r[id]
	if !ok {
		return bot.Customer{}, bot.Errorf(bot.ENOTFOUND, "no customer %d", id)
	}
	return c, nil
}

func TestFind(t *testing.T) {
	errNone := errors.New("no feishu identity")
	recs := records{
		1: {Identities: []bot.Identity{{Channel: "slack", ExternalID: "T1:U1"}, {Channel: "feishu", ExternalID: ""}, {Channel: "feishu", ExternalID: "ou_1"}, {Channel: "feishu", ExternalID: "ou_2"}}},
		2: {Identities: []bot.Identity{{Channel: "slack", ExternalID: "T1:U2"}}},
	}
	ctx := context.Background()
	if got, err := Find(ctx, recs, 1, "feishu", errNone); err != nil || got != "ou_1" {
		t.Errorf("Find(1) = %q, %v; want ou_1", got, err)
	}
	if _, err := Find(ctx, recs, 2, "feishu", errNone); err != errNone {
		t.Errorf("Find(2) error = %v, want %v", err, errNone)
	}
	if _, err := Find(ctx, recs, 3, "feishu", errNone); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("Find(3) error = %v, want ENOTFOUND", err)
	}
	if _, err := Find(ctx, nil, 1, "feishu", errNone); !errors.Is(err, errNone) {
		t.Errorf("Find without records: %v, want %v wrapped", err, errNone)
	}
}
