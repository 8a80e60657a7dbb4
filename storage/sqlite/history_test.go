package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// historyDB opens a database in a temp dir and returns it with its path.
func historyDB(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	n := 0
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Now: func() time.Time {
		n++
		return start.Add(time.Duration(n) * time.Second)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, path
}

type brief struct {
	Author, Text string
	Sources      int
}

func BenchmarkVisitorHistory(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for v := range 200 {
		for i := range 10 {
			conv, in, err := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "v" + string(rune('a'+v%26)) + string(rune('a'+v/26)), Text: "question " + string(rune('0'+i))})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: "answer", Action: bot.ActionAnswer}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.VisitorHistory(ctx, "web", "vkb", -1, 50); err != nil {
			b.Fatal(err)
		}
	}
}
