package sqlite_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// stallWriter is an export destination that stops taking bytes, like a
// client that stopped reading: Write blocks until release is closed or the
// writer is cut.
type stallWriter struct {
	stalled chan struct{} // closed on the first Write
	release chan struct{}
	once    sync.Once
}

func newStallWriter() *stallWriter {
	return &stallWriter{stalled: make(chan struct{}), release: make(chan struct{})}
}

func (w *stallWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.stalled) })
	<-w.release
	return len(p), nil
}

// TestStalledExportsLeaveReadsFree: exports whose readers stop reading,
// as many as the store has read connections, must not hold the
// connections the message path and health checks read with. Before exports
// had connections of their own, every read (a ping, a customer list, the
// Engine's recent messages) waited until the exports ended.
func TestStalledExportsLeaveReadsFree(t *testing.T) {
	db, clk := openTest(t)
	ctx := context.Background()
	for i := range 50 {
		appendIn(t, db, "api", "u"+strconv.Itoa(i), "where is my order number "+strconv.Itoa(i), clk.Now())
	}
	const readConns = 4 // Options.ReadConns' default
	var exports sync.WaitGroup
	writers := make([]*stallWriter, readConns)
	errs := make([]error, readConns)
	for i := range writers {
		w := newStallWriter()
		writers[i] = w
		exports.Add(1)
		go func() {
			defer exports.Done()
			_, errs[i] = db.Export(ctx, w, bot.ExportOptions{Format: bot.ExportJSON})
		}()
	}
	defer func() {
		for _, w := range writers {
			select {
			case <-w.release:
			default:
				close(w.release)
			}
		}
		exports.Wait()
	}()
	for i, w := range writers {
		select {
		case <-w.stalled:
		case <-time.After(30 * time.Second):
			t.Fatalf("export %d never started writing", i)
		}
	}

	// Everything else the store reads must still answer. The bound is only
	// there to turn a hang into a failure.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(rctx); err != nil {
		t.Errorf("Ping beside stalled exports: %v", err)
	}
	if cs, err := db.Customers(rctx, bot.CustomerFilter{Limit: 10}); err != nil || len(cs) != 10 {
		t.Errorf("Customers beside stalled exports: %d, %v", len(cs), err)
	}
	conv, _, err := db.AppendInbound(rctx, bot.Inbound{Channel: "api", ExternalUserID: "u1", Text: "still there?", Time: clk.Now()})
	if err != nil {
		t.Fatalf("AppendInbound beside stalled exports: %v", err)
	}
	if msgs, err := db.RecentMessages(rctx, conv.ID, 5); err != nil || len(msgs) == 0 {
		t.Errorf("RecentMessages beside stalled exports: %d, %v", len(msgs), err)
	}
	if rctx.Err() != nil {
		t.Fatalf("reads beside stalled exports waited: %v", rctx.Err())
	}

	for _, w := range writers {
		close(w.release)
	}
	exports.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("export %d: %v", i, err)
		}
	}
}
