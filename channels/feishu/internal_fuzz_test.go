package feishu

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

type nopHandler struct{}

func (nopHandler) Handle(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }

// FuzzOpenHTTP feeds arbitrary bodies and headers, and arbitrary decrypted
// envelopes, through the authentication and the event decoders.
func FuzzOpenHTTP(f *testing.F) {
	f.Add([]byte(`{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}`), "1700000000", "n", "sig",
		[]byte(`{"schema":"2.0","header":{"event_type":"im.message.receive_v1","app_id":"a"},"event":{"sender":{"sender_type":"user","sender_id":{"open_id":"ou"}},"message":{"message_id":"m","chat_id":"c","message_type":"text","content":"{\"text\":\"hi\"}","mentions":[{"key":"@_user_1"}]}}}`))
	f.Add([]byte(`{}`), "", "", "", []byte(`{"schema":"2.0","header":{"event_type":"card.action.trigger","app_id":"a"},"event":{"operator":{"open_id":"o"},"action":{"value":"{\"k\":\"alert\"}"}}}`))
	f.Fuzz(func(t *testing.T, body []byte, ts, nonce, sig string, plain []byte) {
		a, err := New(Options{AppID: "a", AppSecret: "s", EncryptKey: "k", Handler: nopHandler{}, APIURL: "http://127.0.0.1:1",
			QueueSize: 4, Retries: -1, HTTPClient: &http.Client{Timeout: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderNonce, nonce)
		h.Set(HeaderSignature, sig)
		_, _, _ = a.openHTTP(h, body)
		env, err := decodeEnvelope(plain)
		if err != nil {
			return
		}
		a.parseMessage(env)
		a.acceptEvent(context.Background(), env)
	})
}
