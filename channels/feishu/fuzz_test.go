package feishu_test

import (
	"testing"

	"github.com/concierge-bot/concierge/channels/feishu"
	"github.com/concierge-bot/concierge/channels/feishu/feishutest"
)

func FuzzDecrypt(f *testing.F) {
	f.Add("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")
	f.Add(feishutest.Encrypt([]byte(`{"schema":"2.0"}`), "k"), "k")
	f.Add("", "")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "k")
	f.Fuzz(func(t *testing.T, enc, key string) {
		_, _ = feishu.Decrypt(enc, key)
	})
}

func FuzzUnmarshalFrame(f *testing.F) {
	fr := feishu.Frame{SeqID: 1, Method: feishu.FrameData, Service: 7, Payload: []byte(`{"schema":"2.0"}`)}
	fr.SetHeader("type", "event")
	f.Add(fr.Marshal())
	f.Add([]byte{0x0a, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := feishu.UnmarshalFrame(b)
		if err != nil {
			return
		}
		again, err := feishu.UnmarshalFrame(got.Marshal())
		if err != nil || again.SeqID != got.SeqID || string(again.Payload) != string(got.Payload) || len(again.Headers) != len(got.Headers) {
			t.Fatalf("round trip changed the frame: %+v → %+v (%v)", got, again, err)
		}
	})
}
