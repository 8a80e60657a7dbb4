package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// crashEnv names the database file the child process of TestCrashKeepsAcked
// writes to.
const crashEnv = "STORAGE_CRASH_CHILD_DB"

// TestCrashKeepsAcked re-executes the test binary as a child process that
// appends messages from many goroutines and prints each acknowledged one,
// kills the child with SIGKILL in the middle of the load, and checks that
// every acknowledged message is in the database.
func TestCrashKeepsAcked(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("running as the crash child")
	}
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	for round, killAfter := range []int{300, 2000} {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("crash-%d.db", round))
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[int64]string{}
		sc := bufio.NewScanner(out)
		for sc.Scan() && len(acked) < killAfter {
			id, text, ok := parseAck(sc.Text())
			if ok {
				acked[id] = text
			}
		}
		// Kill while the child is still writing.
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		// Acks already printed before the kill count too.
		for sc.Scan() {
			if id, text, ok := parseAck(sc.Text()); ok {
				acked[id] = text
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child did not die of SIGKILL: %v", err)
		}
		if len(acked) < killAfter {
			t.Fatalf("child acknowledged only %d messages before it was killed", len(acked))
		}

		// Reopen as the next start of concierge would, then recount.
		openAt(t, path, sqlite.Options{})
		r := raw(t, path)
		var check string
		if err := r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check after kill = %q, %v", check, err)
		}
		stored := map[int64]string{}
		rows, err := r.Query(`SELECT id, text FROM messages`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				t.Fatal(err)
			}
			stored[id] = text
		}
		rows.Close()
		lost := 0
		for id, text := range acked {
			if stored[id] != text {
				lost++
				if lost <= 5 {
					t.Errorf("acknowledged message %d (%q) is missing after the kill", id, text)
				}
			}
		}
		t.Logf("round %d: %d acknowledged, %d stored (unacknowledged writes may or may not land), %d lost",
			round, len(acked), len(stored), lost)
		if lost > 0 {
			t.Fatalf("%d acknowledged messages lost", lost)
		}
	}
}

func parseAck(line string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(line, "ack ")
	if !ok {
		return 0, "", false
	}
	idText, text, ok := strings.Cut(rest, " ")
	id, err := strconv.ParseInt(idText, 10, 64)
	return id, text, ok && err == nil
}

// TestCrashChild is the child process of TestCrashKeepsAcked: it writes until
// it is killed and prints "ack <id> <text>" after each append returns.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("only runs as the child of TestCrashKeepsAcked")
	}
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // never outlive a broken parent
	defer cancel()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				text := fmt.Sprintf("w%d-m%d", w, i)
				conv, id, err := db.AppendInbound(ctx, bot.Inbound{Channel: "web", ExternalUserID: fmt.Sprintf("u%d", w%5),
					Text: text, Time: time.Now()})
				if err != nil {
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %d %s\n", id, text)
				mu.Unlock()
				if i%3 == 0 {
					if _, err := db.AppendOutbound(ctx, bot.Outbound{ConversationID: conv.ID, InboundID: id,
						Text: "reply-" + text, Action: bot.ActionAnswer}); err != nil && bot.ErrorCode(err) != bot.ECONFLICT {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	_ = db.Close()
}
