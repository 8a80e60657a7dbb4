package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// exchange stores a customer message and a bot reply with a source, as the
// Engine would, and returns the conversation id.
func exchange(t *testing.T, db *sqlite.DB, channel, user, text, reply string) bot.ConversationID {
	t.Helper()
	ctx := context.Background()
	conv, in, err := db.AppendInbound(ctx, bot.Inbound{Channel: channel, ExternalUserID: user, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: in, Text: reply,
		Action: bot.ActionAnswer, Language: "en", Sources: []bot.Source{{ID: "faq-1", Title: "FAQ one", URL: "/kb/faq-1"}}}); err != nil {
		t.Fatal(err)
	}
	return conv.ID
}

type brief struct {
	Author, Text string
	Sources      int
}

func briefs(msgs []bot.StoredMessage) []brief {
	out := []brief{}
	for _, m := range msgs {
		out = append(out, brief{m.Author, m.Text, len(m.Sources)})
	}
	return out
}

func TestVisitorHistory(t *testing.T) {
	db, path := historyDB(t)
	ctx := context.Background()
	convA := exchange(t, db, "web", "visitor-a", "a1", "reply a1")
	exchange(t, db, "web", "visitor-b", "b1", "reply b1")
	exchange(t, db, "api", "visitor-a", "same id, other channel", "reply api")
	if _, err := db.AppendAgentMessage(ctx, convA, "Mei", "agent to a"); err != nil {
		t.Fatal(err)
	}
	// A resolved conversation stays in the history; the next message opens
	// a new conversation whose messages follow it.
	if err := db.Resolve(ctx, convA, "Mei"); err != nil {
		t.Fatal(err)
	}
	convA2 := exchange(t, db, "web", "visitor-a", "a2", "reply a2")
	if convA2 == convA {
		t.Fatalf("a resolved conversation was reused")
	}

	all, err := db.VisitorHistory(ctx, "web", "visitor-a", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{"customer", "a1", 0}, {"bot", "reply a1", 1}, {"agent", "agent to a", 0},
		{"customer", "a2", 0}, {"bot", "reply a2", 1}}
	if diff := cmp.Diff(want, briefs(all)); diff != "" {
		t.Fatalf("history of visitor-a (-want +got):\n%s", diff)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Errorf("not in id order: %d after %d", all[i].ID, all[i-1].ID)
		}
	}

	tests := []struct {
		name     string
		channel  string
		user     string
		after    int64
		limit    int
		wantText []string
	}{
		{"page 1", "web", "visitor-a", 0, 2, []string{"a1", "reply a1"}},
		{"page 2", "web", "visitor-a", all[1].ID, 2, []string{"agent to a", "a2"}},
		{"after last", "web", "visitor-a", all[4].ID, 10, nil},
		{"latest 2", "web", "visitor-a", -1, 2, []string{"a2", "reply a2"}},
		{"latest all", "web", "visitor-a", -1, 50, []string{"a1", "reply a1", "agent to a", "a2", "reply a2"}},
		{"other visitor", "web", "visitor-b", 0, 100, []string{"b1", "reply b1"}},
		{"other channel", "api", "visitor-a", -1, 100, []string{"same id, other channel", "reply api"}},
		{"unknown visitor", "web", "visitor-z", 0, 100, nil},
		{"zero limit", "web", "visitor-a", 0, 0, nil},
		{"empty id", "web", "", 0, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.VisitorHistory(ctx, tt.channel, tt.user, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, m := range got {
				texts = append(texts, m.Text)
			}
			if diff := cmp.Diff(tt.wantText, texts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// Redacted (erased) messages are left out.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE messages SET redacted = 1, text = '' WHERE id = ?`, all[0].ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.VisitorHistory(ctx, "web", "visitor-a", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all)-1 || got[0].ID != all[1].ID {
		t.Errorf("after redacting message %d: got %v", all[0].ID, briefs(got))
	}
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
