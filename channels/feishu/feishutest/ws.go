package feishutest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concierge-bot/concierge/channels/feishu"
)

func (s *Server) handleEndpoint(w http.ResponseWriter, r *http.Request) {
	var in struct{ AppID, AppSecret string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	if in.AppID != AppID || in.AppSecret != AppSecret {
		writeJSON(w, map[string]any{"code": 514, "msg": "auth failed"})
		return
	}
	u := "ws" + strings.TrimPrefix(s.URL, "http") + "/ws?device_id=dev1&service_id=7"
	writeJSON(w, map[string]any{"code": 0, "msg": "ok", "data": map[string]any{
		"URL": u, "ClientConfig": map[string]any{"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 1}}})
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	if conn := s.Accept(w, r); conn != nil {
		go s.readWS(conn)
	}
}

// readWS answers pings with pongs and hands data-frame answers to Push.
func (s *Server) readWS(conn *websocket.Conn) {
	defer conn.Close()
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		f, err := feishu.UnmarshalFrame(data)
		if err != nil {
			continue
		}
		switch f.Method {
		case feishu.FrameControl:
			if f.Header("type") == "ping" {
				pong := feishu.Frame{Method: feishu.FrameControl, Service: f.Service}
				pong.SetHeader("type", "pong")
				s.wsMu.Lock()
				_ = conn.WriteMessage(websocket.BinaryMessage, pong.Marshal())
				s.wsMu.Unlock()
			}
		case feishu.FrameData:
			s.wsMu.Lock()
			ch := s.replies[f.Header("message_id")]
			s.wsMu.Unlock()
			if ch != nil {
				ch <- f.Payload
			}
		}
	}
}

// WaitConnects waits until at least n long connections were opened.
func (s *Server) WaitConnects(n int) {
	s.t.Helper()
	s.WaitOpened(s.t, "feishutest: long", n)
}

// WSResponse is the client's answer to a pushed frame.
type WSResponse struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Data    []byte            `json:"data"`
}

// Push sends an event (or card callback, typ "card") over the newest long
// connection, split into parts packets, and waits for the client's answer.
func (s *Server) Push(envelope any, typ string, parts int) (WSResponse, bool) {
	payload, _ := json.Marshal(envelope)
	conn := s.Newest()
	if conn == nil {
		return WSResponse{}, false
	}
	s.wsMu.Lock()
	s.nextWS++
	id := "msg-" + strconv.Itoa(s.nextWS)
	ch := make(chan []byte, 1)
	s.replies[id] = ch
	if parts < 1 {
		parts = 1
	}
	size := (len(payload) + parts - 1) / parts
	var err error
	for i := range parts {
		lo, hi := min(i*size, len(payload)), min((i+1)*size, len(payload))
		f := feishu.Frame{SeqID: uint64(i), Method: feishu.FrameData, Service: 7, Payload: payload[lo:hi]}
		f.SetHeader("type", typ)
		f.SetHeader("message_id", id)
		f.SetHeader("sum", strconv.Itoa(parts))
		f.SetHeader("seq", strconv.Itoa(i))
		f.SetHeader("trace_id", "trace-"+id)
		if err = conn.WriteMessage(websocket.BinaryMessage, f.Marshal()); err != nil {
			break
		}
	}
	s.wsMu.Unlock()
	if err != nil {
		return WSResponse{}, false
	}
	select {
	case p := <-ch:
		var r WSResponse
		_ = json.Unmarshal(p, &r)
		return r, true
	case <-time.After(5 * time.Second):
		return WSResponse{}, false
	}
}
