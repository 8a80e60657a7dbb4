package wsconn

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// echo starts a server that sends "1" … "n", then passes what it reads on
// to got and hangs up after n messages.
func echo(t *testing.T, n int, got chan<- string) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for i := 1; i <= n; i++ {
			if ws.WriteMessage(websocket.TextMessage, []byte{byte('0' + i)}) != nil {
				return
			}
		}
		for range n {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return
			}
			got <- string(data)
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestServeHandlesFramesAndWaits(t *testing.T) {
	got := make(chan string, 10)
	ws, _, err := Dial(context.Background(), echo(t, 5, got))
	if err != nil {
		t.Fatal(err)
	}
	var running, most, done atomic.Int32
	err = Serve(context.Background(), ws, 2, func(ctx context.Context, c *Conn) error {
		for {
			_, data, err := c.Read(5 * time.Second)
			if err != nil {
				return err // the server hung up
			}
			c.Handle(func() {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				if err := c.WriteMessage(websocket.TextMessage, data); err != nil {
					t.Errorf("WriteMessage: %v", err)
				}
				done.Add(1)
			})
		}
	})
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Serve = %v, want serve's error: the server's hang-up", err)
	}
	if done.Load() != 5 {
		t.Errorf("Serve returned with %d of 5 handlers done", done.Load())
	}
	if most.Load() > 2 {
		t.Errorf("%d handlers ran at once, want at most 2", most.Load())
	}
	seen := map[string]bool{}
	for range 5 {
		select {
		case s := <-got:
			seen[s] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("echoed %v, want 1…5", seen)
		}
	}
}

func TestServeClosesOnCancelAndStop(t *testing.T) {
	for _, viaStop := range []bool{false, true} {
		ws, _, err := Dial(context.Background(), echo(t, 0, make(chan string, 1)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var ended atomic.Bool
		err = Serve(ctx, ws, 1, func(ctx context.Context, c *Conn) error {
			c.Go(func() {
				<-ctx.Done()
				ended.Store(true)
			})
			if viaStop {
				time.AfterFunc(10*time.Millisecond, c.Stop)
			} else {
				time.AfterFunc(10*time.Millisecond, cancel)
			}
			_, _, err := c.Read(time.Minute)
			return err
		})
		cancel()
		if err == nil {
			t.Errorf("stop=%v: Serve = nil, want the failed read", viaStop)
		}
		if !ended.Load() {
			t.Errorf("stop=%v: Serve returned before the goroutine of Go", viaStop)
		}
	}
}
