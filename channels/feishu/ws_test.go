package feishu_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

// The long connection receives events (split frames reassembled), answers
// them, and reconnects when the connection drops or the handshake fails.
func TestLongConnectionReconnects(t *testing.T) {
	esc := &fakeEscalations{}
	e := newEnv(t, nil, func(o *feishu.Options) { o.EncryptKey, o.LongConnection, o.Escalations = "", true, esc })
	e.fake.WaitConnects(1)
	r, ok := e.fake.Push(feishutest.MessageEvent("ev-w1", "om-w1", "oc_dm_w", "p2p", "ou_w", feishutest.TenantKey, "over ws", false, ""), "event", 3)
	if !ok || r.Code != http.StatusOK {
		t.Fatalf("push: %v %+v", ok, r)
	}
	sent := e.fake.WaitSent(1)
	if sent[0].ReplyTo != "om-w1" || !strings.Contains(feishutest.CardText(sent[0].Content), "echo: over ws") {
		t.Fatalf("answer %+v", sent[0])
	}
	// Drop it, refuse the next handshakes for a while, then let it in.
	e.fake.RefuseConnections(true)
	e.fake.DropConnections()
	e.fake.RefuseConnections(false)
	e.fake.WaitConnects(2)
	r, ok = e.fake.Push(feishutest.MessageEvent("ev-w2", "om-w2", "oc_dm_w", "p2p", "ou_w", feishutest.TenantKey, "again", false, ""), "event", 1)
	if !ok || r.Code != http.StatusOK {
		t.Fatalf("push after reconnect: %v %+v", ok, r)
	}
	e.fake.WaitSent(2)
	// A retry of the first event over the new connection is not answered again.
	e.fake.Push(feishutest.MessageEvent("ev-w1", "om-w1", "oc_dm_w", "p2p", "ou_w", feishutest.TenantKey, "over ws", false, ""), "event", 1)
	// A card callback over the long connection gets its response in data.
	id := "om_alert"
	r, ok = e.fake.Push(feishutest.CardActionEvent("ev-w3", "ou_agent", feishutest.TenantKey, id, "oc_alerts",
		map[string]any{"k": "alert", "a": "ack", "e": 5, "t": "Escalation"}), "card", 1)
	if !ok || !strings.Contains(string(r.Data), "Acknowledged by") {
		t.Fatalf("card callback: %v %+v %s", ok, r, r.Data)
	}
	if n := len(e.fake.Sent()); n != 2 {
		t.Fatalf("%d messages sent, want 2", n)
	}
}
