package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/postgres"
	"github.com/concierge-bot/concierge/storage/postgres/pgtest"
	"github.com/concierge-bot/concierge/storage/storetest"
)

// two opens two stores on one schema, as two replicas would, on one clock.
func two(t *testing.T) (*postgres.DB, *postgres.DB, *storetest.Clock) {
	t.Helper()
	clk := storetest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	a := open(t, postgres.Options{Now: clk.Now, Holder: "replica-a"})
	b := open(t, postgres.Options{URL: urlOf(t, a), Now: clk.Now, Holder: "replica-b"})
	return a, b, clk
}

func urlOf(t *testing.T, db *postgres.DB) string {
	t.Helper()
	return db.Pool().Config().ConnString()
}

// TestKeyedRequestTakeover: a replica claims a request, stores the message
// and its reply and dies before answering; another replica takes the key
// over when the lease ends and stores nothing twice.
func TestKeyedRequestTakeover(t *testing.T) {
	a, b, clk := two(t)
	ctx := context.Background()
	const key = "widget:visitor-1\x00client-0001"
	if o, err := a.ClaimRequest(ctx, key, 10*time.Second, 0); err != nil || o != nil {
		t.Fatalf("first claim = %v, %v; want ours", o, err)
	}
	if _, err := b.ClaimRequest(ctx, key, 10*time.Second, 0); !errors.Is(err, postgres.ErrRequestBusy) {
		t.Fatalf("claim while held = %v, want ErrRequestBusy", err)
	}
	kctx := postgres.WithRequestKey(ctx, key)
	in := bot.Inbound{Channel: "web", ExternalUserID: "visitor-1", Text: "hello", Time: clk.Now()}
	conv, id, err := a.AppendInbound(kctx, in)
	if err != nil {
		t.Fatal(err)
	}
	out := bot.Outbound{ConversationID: conv.ID, InboundID: id, Text: "Hi!", Action: bot.ActionSmallTalk, Time: clk.Now()}
	st, err := a.AppendOutbound(kctx, out)
	if err != nil {
		t.Fatal(err)
	}
	// a dies here. After the lease, b takes over and handles it again.
	clk.Add(11 * time.Second)
	if o, err := b.ClaimRequest(ctx, key, 10*time.Second, 0); err != nil || o != nil {
		t.Fatalf("claim after the lease = %v, %v; want a takeover", o, err)
	}
	kb := postgres.WithRequestKey(ctx, key)
	conv2, id2, err := b.AppendInbound(kb, in)
	if err != nil || conv2.ID != conv.ID || id2 != id {
		t.Fatalf("AppendInbound on takeover = %+v, %d, %v; want the stored message %d", conv2, id2, err, id)
	}
	st2, err := b.AppendOutbound(kb, out)
	if err != nil || st2 != st {
		t.Fatalf("AppendOutbound on takeover = %+v, %v; want the stored reply %+v", st2, err, st)
	}
	if msgs, _ := b.Messages(ctx, conv.ID); len(msgs) != 2 {
		t.Errorf("%d messages after the takeover, want 2", len(msgs))
	}
	if err := b.FinishRequest(ctx, key, 200, []byte(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	o, err := a.ClaimRequest(ctx, key, 10*time.Second, 0)
	if err != nil || o == nil || o.Status != 200 || string(o.Body) != `{"ok":true}` {
		t.Errorf("claim of a finished request = %+v, %v; want its outcome", o, err)
	}
	// An abandoned request is handled again at once.
	if _, err := a.ClaimRequest(ctx, "k2", time.Minute, 0); err != nil {
		t.Fatal(err)
	}
	if err := a.AbandonRequest(ctx, "k2"); err != nil {
		t.Fatal(err)
	}
	if o, err := b.ClaimRequest(ctx, "k2", time.Minute, 0); err != nil || o != nil {
		t.Errorf("claim of an abandoned request = %v, %v; want ours", o, err)
	}
}

// TestOutboxLeaseAcrossReplicas: two delivery workers never get the same
// item; an item whose worker died is due again when its lease ends.
func TestOutboxLeaseAcrossReplicas(t *testing.T) {
	clk := storetest.NewClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	a := open(t, postgres.Options{Now: clk.Now, OutboxLease: time.Minute})
	b := open(t, postgres.Options{URL: urlOf(t, a), Now: clk.Now, OutboxLease: time.Minute})
	ctx := context.Background()
	for i := range 50 {
		if _, err := a.Enqueue(ctx, bot.OutboxMessage{Kind: "alert", Key: fmt.Sprintf("k%d", i), Payload: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, db := range []*postgres.DB{a, b, a, b} {
		wg.Go(func() {
			for {
				items, err := db.DueOutbox(ctx, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(items) == 0 {
					return
				}
				mu.Lock()
				for _, it := range items {
					seen[it.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 50 {
		t.Fatalf("%d items handed out, want 50", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("item %d handed out %d times", id, n)
		}
	}
	if due, _ := b.DueOutbox(ctx, 100); len(due) != 0 {
		t.Errorf("%d items due while leased", len(due))
	}
	clk.Add(61 * time.Second) // the workers died
	if due, _ := b.DueOutbox(ctx, 100); len(due) != 50 {
		t.Errorf("%d items due after the lease, want 50", len(due))
	}
}

func TestLeaseTakeover(t *testing.T) {
	a, b, clk := two(t)
	ctx := context.Background()
	if ok, err := a.AcquireLease(ctx, "socket", 15*time.Second); err != nil || !ok {
		t.Fatalf("a acquires = %v, %v", ok, err)
	}
	if ok, _ := b.AcquireLease(ctx, "socket", 15*time.Second); ok {
		t.Fatal("b acquired a held lease")
	}
	clk.Add(10 * time.Second)
	if ok, _ := a.AcquireLease(ctx, "socket", 15*time.Second); !ok {
		t.Fatal("a could not renew")
	}
	clk.Add(10 * time.Second)
	if ok, _ := b.AcquireLease(ctx, "socket", 15*time.Second); ok {
		t.Fatal("b took a renewed lease")
	}
	clk.Add(6 * time.Second) // a stopped renewing
	if ok, _ := b.AcquireLease(ctx, "socket", 15*time.Second); !ok {
		t.Fatal("b did not take over a lapsed lease")
	}
	if h, _, _ := a.LeaseHolder(ctx, "socket"); h != "replica-b" {
		t.Errorf("holder %q, want replica-b", h)
	}
	if err := b.ReleaseLease(ctx, "socket"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.AcquireLease(ctx, "socket", 15*time.Second); !ok {
		t.Fatal("a could not take a released lease")
	}
}

func TestSharedSecretAndLimits(t *testing.T) {
	a, b, clk := two(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	secrets := make([][]byte, 8)
	for i := range secrets {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Go(func() {
			s, err := db.Secret(ctx, "session.key", 32)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = s
		})
	}
	wg.Wait()
	for _, s := range secrets[1:] {
		if string(s) != string(secrets[0]) || len(s) != 32 {
			t.Fatalf("replicas got different secrets")
		}
	}
	// 3 tokens, one a minute, shared.
	key := "127.0.0.1\x00alice"
	for i, db := range []*postgres.DB{a, b, a} {
		if ok, _, err := db.TakeToken(ctx, "pair", key, 1.0/60, 3); err != nil || !ok {
			t.Fatalf("take %d = %v, %v", i, ok, err)
		}
	}
	if ok, wait, _ := b.TakeToken(ctx, "pair", key, 1.0/60, 3); ok || wait <= 0 {
		t.Errorf("fourth take = %v, %v; want refused with a wait", ok, wait)
	}
	if empty, _, _ := a.PeekTokens(ctx, "pair", key, 1.0/60, 3); !empty {
		t.Error("bucket not empty")
	}
	if n, _ := a.UsedTokens(ctx, "pair", key, 1.0/60, 3); n != 3 {
		t.Errorf("used = %d, want 3", n)
	}
	clk.Add(time.Minute)
	if ok, _, _ := b.TakeToken(ctx, "pair", key, 1.0/60, 3); !ok {
		t.Error("no token regained after a minute")
	}
	if err := a.ResetTokens(ctx, "pair", key); err != nil {
		t.Fatal(err)
	}
	if n, _ := b.UsedTokens(ctx, "pair", key, 1.0/60, 3); n != 0 {
		t.Errorf("used after reset = %d", n)
	}
	id := []byte("session-id-0001")
	if err := a.RevokeSession(ctx, id, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r, err := b.SessionRevoked(ctx, id); err != nil || !r {
		t.Errorf("revoked on the other replica = %v, %v", r, err)
	}
}

// TestListenMessages: an agent's message stored through one replica is
// announced, with its ids, to a listener on another.
func TestListenMessages(t *testing.T) {
	a, b, clk := two(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan postgres.MessageNotice, 4)
	go func() { _ = b.ListenMessages(ctx, func(n postgres.MessageNotice) { got <- n }, nil) }()
	conv, _, err := a.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: "v1", Text: "hi", Time: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// The listener may connect after this first message: write until one
	// arrives (a missed notice costs latency only).
	var id int64
	for range 50 {
		if id, err = a.AppendAgentMessage(ctx, conv.ID, "ann", "Hello from an agent"); err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-got:
			if n.ConversationID != conv.ID || n.MessageID <= 0 {
				t.Fatalf("notice %+v, want conversation %d", n, conv.ID)
			}
			ch, ext, err := b.ConversationIdentity(ctx, n.ConversationID)
			if err != nil || ch != "web" || ext != "v1" {
				t.Errorf("ConversationIdentity = %q %q %v", ch, ext, err)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("no notice for message %d", id)
}

// TestSchemaVersions: a database newer than the binary is refused; an older
// one is refused unless migrations are allowed.
func TestSchemaVersions(t *testing.T) {
	db := open(t, postgres.Options{})
	url := urlOf(t, db)
	ctx := context.Background()
	if v, err := db.Version(ctx); err != nil || v != postgres.SchemaVersion() {
		t.Fatalf("Version = %d, %v; want %d", v, err, postgres.SchemaVersion())
	}
	if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("Migrate of an up-to-date database = %v, %v", applied, err)
	}
	if _, err := db.Pool().Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')`, postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, postgres.Options{URL: url, MaintenanceInterval: -1}); !errors.Is(err, postgres.ErrNewerSchema) {
		t.Errorf("Open of a newer schema = %v, want ErrNewerSchema", err)
	}
	// Back to the version before the last: the last migration's columns
	// and its row go.
	if _, err := db.Pool().Exec(ctx, `ALTER TABLE messages DROP COLUMN label, DROP COLUMN label_agent, DROP COLUMN label_time`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `DELETE FROM schema_migrations WHERE version >= $1`, postgres.SchemaVersion()); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, postgres.Options{URL: url, MaintenanceInterval: -1}); !errors.Is(err, postgres.ErrOlderSchema) {
		t.Errorf("Open of an older schema = %v, want ErrOlderSchema", err)
	}
	db2, err := postgres.Open(ctx, postgres.Options{URL: url, MaintenanceInterval: -1, Migrate: postgres.MigrateAll})
	if err != nil {
		t.Fatalf("Open with MigrateAll: %v", err)
	}
	db2.Close()
}

// TestReplicasStartTogether: replicas starting at once on an empty database
// (the default MigrateEmpty) all open it; none takes the schema one of them
// is creating for an older one that needs `concierge migrate`. Whether a
// replica looks at the wrong moment is luck, so a watcher also reads the
// version in a tight loop meanwhile: it must only ever see no schema or the
// whole of it, never a part.
func TestReplicasStartTogether(t *testing.T) {
	for round := 0; round < 5; round++ {
		url := pgtest.Schema(t)
		ctx := context.Background()
		seen, stop := watchVersions(t, url)
		errs := make([]error, 24)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Spread over the time the schema takes to create, so
				// some replicas look while another is creating it.
				time.Sleep(time.Duration(i) * 8 * time.Millisecond)
				db, err := postgres.Open(ctx, postgres.Options{URL: url, MaintenanceInterval: -1})
				if err == nil {
					db.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		stop()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, replica %d: %v", round, i, err)
			}
		}
		for v := range seen {
			if v != 0 && v != postgres.SchemaVersion() {
				t.Errorf("round %d: a replica could see schema version %d of %d while it was created", round, v, postgres.SchemaVersion())
			}
		}
	}
}

// watchVersions reads the schema version of the database at url over and
// over until stop is called, and returns the set of versions it read.
func watchVersions(t *testing.T, url string) (seen map[int]bool, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	seen = map[int]bool{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			var v int
			err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
			if err == nil {
				seen[v] = true
			}
		}
	}()
	return seen, func() {
		cancel()
		<-done
		conn.Close(context.Background())
	}
}
