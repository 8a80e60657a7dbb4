package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

type nopHandler struct{}

func (nopHandler) Handle(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }

type nopEscalations struct{}

func (nopEscalations) Acknowledge(context.Context, bot.EscalationID, string) error { return nil }
func (nopEscalations) TakeOver(context.Context, bot.EscalationID, string) error    { return nil }
func (nopEscalations) Resolve(context.Context, bot.EscalationID, string) error     { return nil }

const fuzzSecret = "fuzz-secret"

// FuzzCallback drives the HTTP callback handler with arbitrary bodies and
// headers, and the Stream frame handler with arbitrary frames. Nothing may
// panic; a callback whose timestamp and sign do not check out is refused
// and nothing is queued for an answer; a frame that is answered carries its
// messageId back. With signIt the body is signed as DingTalk would, so the
// arbitrary body reaches the decoder and the queue.
func FuzzCallback(f *testing.F) {
	msg := []byte(`{"msgId":"m1","msgtype":"text","text":{"content":"hi"},"conversationType":"1","conversationId":"c","senderStaffId":"s","senderCorpId":"corp","chatbotCorpId":"corp","robotCode":"k","sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=x","sessionWebhookExpiredTime":1}`)
	frame := func(typ, topic string, data []byte) []byte {
		b, _ := json.Marshal(StreamFrame{SpecVersion: "1.0", Type: typ, Headers: map[string]string{"topic": topic, "messageId": "f1"}, Data: string(data)})
		return b
	}
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	f.Add(msg, ts, Sign(ts, fuzzSecret), false, frame("CALLBACK", TopicBotMessage, msg))
	f.Add(msg, ts, "AAAA", false, frame("SYSTEM", "ping", []byte(`{"opaque":"x"}`)))
	f.Add(msg, "", "", true, frame("CALLBACK", TopicCardCallback,
		[]byte(`{"userId":"u","outTrackId":"esc-1","value":"{\"cardPrivateData\":{\"actionIds\":[\"take\"]}}"}`)))
	f.Add([]byte(`{"msgId":""}`), "1", Sign("1", fuzzSecret), false, frame("SYSTEM", "disconnect", nil))
	f.Add([]byte(`not json`), ts, Sign(ts, fuzzSecret), true, []byte(`{"type":"CALLBACK","headers":null,"data":"\u0000"}`))
	f.Fuzz(func(t *testing.T, body []byte, ts, sign string, signIt bool, frame []byte) {
		a, err := New(Options{AppKey: "k", AppSecret: fuzzSecret, Handler: nopHandler{}, Escalations: nopEscalations{},
			APIURL: "http://127.0.0.1:1", QueueSize: 1 << 10, HTTPClient: &http.Client{Timeout: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		a.alerts.Set("esc-1", alertRef{Escalation: 1, ConversationID: "cid"})
		if signIt {
			ts = strconv.FormatInt(time.Now().UnixMilli(), 10)
			sign = Sign(ts, fuzzSecret)
		}
		r := httptest.NewRequest(http.MethodPost, "/dingtalk/callback", bytes.NewReader(body))
		r.Header.Set("timestamp", ts)
		r.Header.Set("sign", sign)
		w := httptest.NewRecorder()
		a.handleCallback(w, r)
		if verify(r.Header, fuzzSecret, time.Now()) != nil {
			if w.Code == http.StatusOK || a.jobs.Queued() > 0 {
				t.Fatalf("unsigned callback (ts %q sign %q) answered %d, %d queued", ts, sign, w.Code, a.jobs.Queued())
			}
		}

		var sf StreamFrame
		if json.Unmarshal(frame, &sf) != nil {
			return // streamOnce skips what is not a frame
		}
		ack, ok := a.handleStreamFrame(context.Background(), sf)
		if ok && ack.Headers["messageId"] != sf.Headers["messageId"] {
			t.Fatalf("ack for %q carries messageId %q", sf.Headers["messageId"], ack.Headers["messageId"])
		}
		if _, err := json.Marshal(ack); err != nil {
			t.Fatalf("ack cannot be sent: %v", err)
		}
	})
}
