// Package wsconn dials and serves the WebSocket an adapter opens to its
// platform itself (DingTalk's Stream, Feishu's long connection): one read
// loop, frames answered by a bounded number of concurrent handlers whose
// writes take turns, and, when the connection ends, the socket closed and
// every handler waited for. Keeping the connection up (reconnecting with
// backoff) is package reconnect's.
package wsconn

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Timeouts of the handshake and of one write.
const (
	handshakeTimeout = 15 * time.Second
	writeTimeout     = 10 * time.Second
)

// Dial opens a WebSocket to url, through the environment's proxy, with a
// 15s handshake timeout. When the handshake fails, the response is
// returned when there was one, for its status and headers.
func Dial(ctx context.Context, url string) (*websocket.Conn, *http.Response, error) {
	dialer := websocket.Dialer{HandshakeTimeout: handshakeTimeout, Proxy: http.ProxyFromEnvironment}
	return dialer.DialContext(ctx, url, nil)
}

// Conn is a WebSocket while Serve serves it. Its methods may be called from
// serve and from the goroutines it starts.
type Conn struct {
	ws     *websocket.Conn
	stop   context.CancelFunc
	wmu    sync.Mutex // one write at a time
	wg     sync.WaitGroup
	handle chan struct{} // a slot per running handler
}

// Serve calls serve with ws until serve returns: serve reads the frames
// (Read) and hands each to a handler (Handle). ws is closed when ctx ends,
// when Stop is called or when serve returns, which makes a pending Read
// fail; the ctx given to serve ends then too. Serve then waits for the
// goroutines started with Handle and Go (whose writes now fail), and
// returns serve's error. At most handlers handlers run at a time.
func Serve(ctx context.Context, ws *websocket.Conn, handlers int, serve func(ctx context.Context, c *Conn) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = ws.Close() })
	defer stop()
	c := &Conn{ws: ws, stop: cancel, handle: make(chan struct{}, handlers)}
	err := serve(ctx, c)
	cancel()
	c.wg.Wait()
	return err
}

// Read returns the next message, waiting at most timeout for it (the
// platform's pings arrive well within it).
func (c *Conn) Read(timeout time.Duration) (messageType int, data []byte, err error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(timeout))
	return c.ws.ReadMessage()
}

// WriteMessage sends one message, after any write under way, within 10s.
func (c *Conn) WriteMessage(messageType int, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(messageType, data)
}

// WriteJSON sends v as a JSON text message, as WriteMessage.
func (c *Conn) WriteJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteJSON(v)
}

// Handle runs f, the answer to one frame, in a goroutine; while Serve's
// limit of handlers runs, it waits for one of them to finish first, so
// that reading pauses.
func (c *Conn) Handle(f func()) {
	c.handle <- struct{}{}
	c.wg.Go(func() {
		defer func() { <-c.handle }()
		f()
	})
}

// Go runs f in a goroutine beside the handlers and outside their limit
// (a ping loop); Serve waits for it, so f must return once Serve's ctx
// ends.
func (c *Conn) Go(f func()) { c.wg.Go(f) }

// Stop ends the connection: the socket is closed and Serve's ctx ends.
func (c *Conn) Stop() { c.stop() }
