package insights_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/insights"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// benchVersion names the cached benchmark database; change it when the
// schema or the builder changes.
const benchVersion = "v2"

var benchEnd = time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)

// BenchmarkReport1M is the speed goal of issue 11: a report over 1,000,000
// messages in 100,000 conversations takes at most 1 s.
func BenchmarkReport1M(b *testing.B) {
	path := bench1M(b)
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r, err := insights.New(insights.Options{Source: db, Now: func() time.Time { return benchEnd }})
	if err != nil {
		b.Fatal(err)
	}
	q := insights.Query{Since: benchEnd.AddDate(0, 0, -89), Until: benchEnd}
	b.ResetTimer()
	for b.Loop() {
		rep, err := r.Report(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Overall.Conversations != 100_000 || rep.Overall.Messages != 1_000_000 {
			b.Fatalf("report counts %d conversations, %d messages", rep.Overall.Conversations, rep.Overall.Messages)
		}
	}
}

// bench1M returns the path of the cached benchmark database, building it
// once: 100,000 conversations of 10 messages over 90 days, written with bulk
// inserts in one transaction.
func bench1M(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "concierge-insights-bench-"+benchVersion+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	start := time.Now()
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	db, err := sqlite.Open(context.Background(), tmp, sqlite.Options{}) // creates the schema
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	sdb, err := sql.Open("sqlite3", "file:"+tmp+"?_journal_mode=WAL&_synchronous=OFF&_foreign_keys=off")
	if err != nil {
		b.Fatal(err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	if err := buildBench(sdb); err != nil {
		b.Fatal(err)
	}
	if _, err := sdb.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	sdb.Close()
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	b.Logf("built %s in %v", path, time.Since(start))
	return path
}

func buildBench(sdb *sql.DB) error {
	rng := rand.New(rand.NewPCG(11, 12))
	tx, err := sdb.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	prep := func(q string) *sql.Stmt {
		s, err := tx.Prepare(q)
		if err != nil {
			panic(err)
		}
		return s
	}
	insCust := prep(`INSERT INTO customers (id, created, updated) VALUES (?, ?, ?)`)
	insConv := prep(`INSERT INTO conversations (id, customer_id, channel, status, assignee, opened, closed, csat) VALUES (?, ?, ?, ?, '', ?, ?, ?)`)
	insMsg := prep(`INSERT INTO messages (conversation_id, customer_id, inbound, author, text, intent, confidence, language,
		sentiment, complaint, is_complaint, is_negative, action, time) VALUES (?, ?, ?, ?, ?, ?, 0.8, 'en', ?, ?, ?, ?, ?, ?)`)
	insEsc := prep(`INSERT INTO escalations (conversation_id, customer_id, reason, severity, status, created, acknowledged)
		VALUES (?, ?, ?, 'normal', ?, ?, ?)`)
	insEvent := prep(`INSERT INTO customer_events (customer_id, conversation_id, kind, detail, time) VALUES (?, ?, 'stage_changed', '{"from":"qualified","to":"won"}', ?)`)
	insGap := prep(`INSERT INTO knowledge_gap_messages (gap_id, message_id, customer_id) VALUES (?, ?, ?)`)
	for g := 1; g <= 300; g++ {
		if _, err := tx.Exec(`INSERT INTO knowledge_gaps (id, question, language, count, first_seen, last_seen) VALUES (?, ?, 'en', 0, ?, ?)`,
			g, fmt.Sprintf("unanswered question number %d", g), fmtT(benchEnd), fmtT(benchEnd)); err != nil {
			return err
		}
	}
	channels := []string{"web", "api", "slack", "terminal"}
	intents := []string{"product_info", "shipping_info", "order_status", "purchase_intent", "complaint", "oos", "greeting", "refund_request"}
	first := benchEnd.AddDate(0, 0, -89).Truncate(24 * time.Hour)
	span := benchEnd.Sub(first)
	const customers = 60_000
	for c := 1; c <= customers; c++ {
		ts := fmtT(first.Add(time.Duration(rng.Int64N(int64(span / 2)))))
		if _, err := insCust.Exec(c, ts, ts); err != nil {
			return err
		}
	}
	open := map[string]bool{}
	for id := 1; id <= 100_000; id++ {
		cust := 1 + rng.IntN(customers)
		opened := first.Add(time.Duration(float64(span-3*time.Hour) * float64(id) / 100_000))
		ch := channels[rng.IntN(len(channels))]
		status, closed := "bot", any(nil)
		key := fmt.Sprint(cust, ch)
		if rng.IntN(10) < 7 || open[key] { // at most one open conversation per customer and channel
			status, closed = "resolved", fmtT(opened.Add(2*time.Hour))
		} else {
			open[key] = true
		}
		var csat any
		if rng.IntN(4) == 0 {
			csat = 1 + rng.IntN(5)
		}
		if _, err := insConv.Exec(id, cust, ch, status, fmtT(opened), closed, csat); err != nil {
			return err
		}
		t := opened
		var msgID int64
		for m := 0; m < 10; m++ {
			inbound := m%2 == 0
			t = t.Add(time.Duration(200+rng.IntN(3000)) * time.Millisecond)
			if inbound {
				intent := intents[rng.IntN(len(intents))]
				sentiment, complaint := rng.Float64()*1.2-0.6, rng.Float64()*0.7
				// The Engine's judgement with the default thresholds.
				isComplaint, isNegative := intent == "complaint" || complaint >= 0.6, sentiment <= -0.4
				res, err := insMsg.Exec(id, cust, 1, "customer", "a customer question about tea", intent,
					sentiment, complaint, isComplaint, isNegative, "", fmtT(t))
				if err != nil {
					return err
				}
				msgID, _ = res.LastInsertId()
			} else {
				action := "answer"
				if rng.IntN(20) == 0 {
					action = "clarify"
					if _, err := insGap.Exec(1+rng.IntN(300), msgID, cust); err != nil {
						return err
					}
				}
				if _, err := insMsg.Exec(id, cust, 0, "bot", "an answer from the knowledge base", "", 0, 0, false, false, action, fmtT(t)); err != nil {
					return err
				}
			}
		}
		if rng.IntN(10) == 0 {
			created := opened.Add(time.Minute)
			ack := any(fmtT(created.Add(time.Duration(30+rng.IntN(3000)) * time.Second)))
			if rng.IntN(10) == 0 {
				ack = nil
			}
			if _, err := insEsc.Exec(id, cust, []string{"complaint", "requested_human", "negative_trend"}[rng.IntN(3)], "acknowledged", fmtT(created), ack); err != nil {
				return err
			}
		}
		if rng.IntN(50) == 0 {
			if _, err := insEvent.Exec(cust, id, fmtT(opened.Add(time.Hour))); err != nil {
				return err
			}
		}
	}
	// The rollups the triggers would have kept (the bulk path bypasses the
	// annotation trigger), computed as migrations 0003 and 0004 backfill them.
	for _, q := range []string{
		`UPDATE conversations SET first_response = (SELECT min(time) FROM messages WHERE conversation_id = conversations.id AND author = 'bot')`,
		`INSERT INTO insight_days (day, channel, intent, messages, complaints, negative)
			SELECT substr(m.time, 1, 10), v.channel, m.intent, count(*),
				sum(m.is_complaint), sum(m.is_negative)
			FROM messages m JOIN conversations v ON v.id = m.conversation_id
			WHERE m.inbound = 1 AND m.intent <> '' GROUP BY 1, 2, 3`,
		`INSERT INTO insight_conversations (conversation_id, annotated, complaints, negative, purchase)
			SELECT conversation_id, count(*), sum(is_complaint), sum(is_negative),
				sum(intent = 'purchase_intent')
			FROM messages WHERE inbound = 1 AND intent <> '' GROUP BY conversation_id`,
		`UPDATE insight_conversations SET handoffs = 1 WHERE conversation_id IN (SELECT conversation_id FROM escalations)`,
		`UPDATE knowledge_gaps SET count = (SELECT count(*) FROM knowledge_gap_messages WHERE gap_id = knowledge_gaps.id)`,
	} {
		if _, err := tx.Exec(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return tx.Commit()
}

func fmtT(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
