package storage_test

import (
	"testing"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage"
)

func TestVoteCounts(t *testing.T) {
	for _, tt := range []struct {
		helpful, changed bool
		dh, dn           int
	}{
		{true, false, 1, 0},
		{false, false, 0, 1},
		{true, true, 1, -1},
		{false, true, -1, 1},
	} {
		if dh, dn := storage.VoteCounts(tt.helpful, tt.changed); dh != tt.dh || dn != tt.dn {
			t.Errorf("VoteCounts(%v, %v) = %d, %d; want %d, %d", tt.helpful, tt.changed, dh, dn, tt.dh, tt.dn)
		}
	}
}

func TestVoterKey(t *testing.T) {
	a, err := storage.VoterKey(" U123 ")
	if err != nil || len(a) != 16 || a == "U123" {
		t.Fatalf("VoterKey = %q, %v; want a 16-digit hash", a, err)
	}
	if b, _ := storage.VoterKey("U123"); b != a {
		t.Errorf("VoterKey ignores surrounding space: %q != %q", b, a)
	}
	if _, err := storage.VoterKey("  "); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("VoterKey of no id: %v, want EINVALID", err)
	}
}
