package feishu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concierge-bot/concierge/channels/internal/reconnect"
	"github.com/concierge-bot/concierge/channels/internal/wsconn"
	"github.com/concierge-bot/concierge/internal/pause"
)

// Long connection endpoint and codes (from Feishu's open-source SDKs, which
// define the protocol: there is no other published description).
const (
	wsEndpointPath     = "/callback/ws/endpoint"
	wsCodeOK           = 0
	wsCodeBusy         = 1
	wsCodeInternal     = 1000040343
	wsHandshakeStatus  = "Handshake-Status"
	wsHandshakeAuthErr = "Handshake-Autherrcode"
	wsStatusForbidden  = 403
	wsStatusAuthFailed = 514
	wsExceedConnLimit  = 1000040350
	maxPendingPackets  = 64
	maxFrameHandlers   = 16
)

// wsConfig is what the gateway tells the client about pings and reconnects.
type wsConfig struct {
	ReconnectCount    int `json:"ReconnectCount"`
	ReconnectInterval int `json:"ReconnectInterval"`
	ReconnectNonce    int `json:"ReconnectNonce"`
	PingInterval      int `json:"PingInterval"`
}

// permanentError is a long-connection failure that retrying cannot fix
// (wrong app secret, app banned): Run returns it.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// runLongConnection keeps the long connection up until ctx ends,
// reconnecting with exponential backoff and jitter when it drops.
func (a *Adapter) runLongConnection(ctx context.Context) error {
	return reconnect.Loop(ctx, reconnect.Options{
		Min: a.opts.ReconnectMin, Max: a.opts.ReconnectMax, Logger: a.log, Lost: "feishu: long connection lost; reconnecting",
		Permanent: func(err error) error {
			var perm permanentError
			if !errors.As(err, &perm) {
				return nil
			}
			a.log.Error("feishu: long connection refused for good", "err", err)
			return fmt.Errorf("feishu: long connection: %w", err)
		},
	}, a.connectOnce)
}

// wsURL asks the gateway where to connect.
func (a *Adapter) wsURL(ctx context.Context) (string, wsConfig, error) {
	var out struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data *struct {
			URL          string    `json:"URL"`
			ClientConfig *wsConfig `json:"ClientConfig"`
		} `json:"data"`
	}
	body := map[string]string{"AppID": a.opts.AppID, "AppSecret": a.opts.AppSecret}
	err := a.api.call(ctx, http.MethodPost, wsEndpointPath, nil, body, "", &out)
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Status == http.StatusOK && ae.Code != wsCodeBusy && ae.Code != wsCodeInternal {
			return "", wsConfig{}, permanentError{err}
		}
		return "", wsConfig{}, err
	}
	if err != nil {
		return "", wsConfig{}, err
	}
	if out.Data == nil || out.Data.URL == "" {
		return "", wsConfig{}, errors.New("feishu: long connection endpoint is empty")
	}
	cfg := wsConfig{PingInterval: 120}
	if out.Data.ClientConfig != nil && out.Data.ClientConfig.PingInterval > 0 {
		cfg = *out.Data.ClientConfig
	}
	return out.Data.URL, cfg, nil
}

// connectOnce opens one long connection and serves it until it fails or
// ctx ends. connected reports whether the WebSocket was established.
func (a *Adapter) connectOnce(ctx context.Context) (connected bool, err error) {
	wsu, cfg, err := a.wsURL(ctx)
	if err != nil {
		return false, err
	}
	u, err := url.Parse(wsu)
	if err != nil {
		return false, fmt.Errorf("feishu: long connection URL: %w", err)
	}
	serviceID, _ := strconv.ParseInt(u.Query().Get("service_id"), 10, 32)
	conn, resp, err := wsconn.Dial(ctx, wsu)
	if err != nil {
		if resp != nil {
			code, _ := strconv.Atoi(resp.Header.Get(wsHandshakeStatus))
			auth, _ := strconv.Atoi(resp.Header.Get(wsHandshakeAuthErr))
			if code == wsStatusForbidden || (code == wsStatusAuthFailed && auth == wsExceedConnLimit) {
				return false, permanentError{fmt.Errorf("feishu: long connection handshake refused (status %d)", code)}
			}
		}
		return false, fmt.Errorf("feishu: long connection dial: %w", err)
	}
	a.log.Info("feishu: long connection connected")
	var ping atomic.Int64
	ping.Store(int64(time.Duration(cfg.PingInterval) * time.Second))
	return true, wsconn.Serve(ctx, conn, maxFrameHandlers, func(ctx context.Context, c *wsconn.Conn) error {
		c.Go(func() { // ping loop
			for {
				pf := Frame{Method: FrameControl, Service: int32(serviceID)}
				pf.SetHeader("type", "ping")
				if err := c.WriteMessage(websocket.BinaryMessage, pf.Marshal()); err != nil {
					c.Stop()
					return
				}
				if pause.For(ctx, time.Duration(ping.Load())) != nil {
					return
				}
			}
		})
		pending := map[string][][]byte{}
		for {
			mt, data, err := c.Read(3 * time.Duration(ping.Load()))
			if err != nil {
				return fmt.Errorf("feishu: long connection read: %w", err)
			}
			if mt != websocket.BinaryMessage {
				continue
			}
			f, ferr := UnmarshalFrame(data)
			if ferr != nil {
				a.log.Warn("feishu: malformed frame dropped", "err", ferr)
				continue
			}
			switch f.Method {
			case FrameControl:
				if f.Header("type") == "pong" && len(f.Payload) > 0 {
					var pong wsConfig
					if json.Unmarshal(f.Payload, &pong) == nil && pong.PingInterval > 0 {
						ping.Store(int64(time.Duration(pong.PingInterval) * time.Second))
					}
				}
			case FrameData:
				payload, complete := assemble(pending, &f)
				if !complete {
					continue
				}
				c.Handle(func() {
					if out, ok := a.handleFrame(ctx, f, payload); ok {
						if err := c.WriteMessage(websocket.BinaryMessage, out.Marshal()); err != nil {
							a.log.Warn("feishu: answering a frame failed", "err", err)
						}
					}
				})
			}
		}
	})
}

// assemble joins the packets of a split data frame (headers sum and seq);
// complete is false until every packet arrived.
func assemble(pending map[string][][]byte, f *Frame) ([]byte, bool) {
	sum, _ := strconv.Atoi(f.Header("sum"))
	if sum <= 1 {
		return f.Payload, true
	}
	seq, _ := strconv.Atoi(f.Header("seq"))
	id := f.Header("message_id")
	if sum > 1000 || seq < 0 || seq >= sum {
		return nil, false
	}
	parts, ok := pending[id]
	if !ok {
		if len(pending) >= maxPendingPackets {
			clear(pending)
		}
		parts = make([][]byte, sum)
		pending[id] = parts
	}
	if len(parts) != sum {
		delete(pending, id)
		return nil, false
	}
	parts[seq] = f.Payload
	var out []byte
	for _, p := range parts {
		if p == nil {
			return nil, false
		}
		out = append(out, p...)
	}
	delete(pending, id)
	return out, true
}

// wsResponse is the payload of the client's answer to a data frame.
type wsResponse struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Data    []byte            `json:"data"`
}

// handleFrame takes an event or card callback from the long connection and
// returns the frame that answers it.
func (a *Adapter) handleFrame(ctx context.Context, f Frame, payload []byte) (Frame, bool) {
	switch f.Header("type") {
	case "event", "card":
	default:
		return Frame{}, false
	}
	start := time.Now()
	resp := wsResponse{Code: http.StatusOK, Headers: map[string]string{}}
	env, err := decodeEnvelope(payload)
	if err != nil {
		resp.Code = http.StatusBadRequest
	} else {
		status, body := a.acceptEvent(ctx, env)
		resp.Code = status
		if body != nil {
			resp.Data, _ = json.Marshal(body)
		}
	}
	f.SetHeader("biz_rt", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	f.Payload, _ = json.Marshal(resp)
	return f, true
}
