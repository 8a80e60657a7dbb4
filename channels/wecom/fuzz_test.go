package wecom

import (
	"context"
	"crypto/aes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/bot"
)

func fuzzCrypto(t testing.TB) *Crypto {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzParseXML: the XML decoders never panic, whatever the body or the
// decrypted payload.
func FuzzParseXML(f *testing.F) {
	c := fuzzCrypto(f)
	plain, _ := c.Decrypt(sampleMsgEncrypt)
	f.Add(plain)
	f.Add([]byte("<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>"))
	f.Add([]byte(`<?xml version="1.0"?><xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><Token>t</Token><OpenKfId>wk</OpenKfId></xml>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>`))
	f.Add([]byte("<xml><a><b><c><d><e><f><g><h><i></i></h></g></f></e></d></c></b></a></xml>"))
	f.Add([]byte("<xml></xml><xml></xml>"))
	f.Add([]byte("\xff\xfe<\x00x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := parseEnvelope(b); err == nil && e.Encrypt == "" {
			t.Error("an envelope without Encrypt was accepted")
		}
		if m, err := parseMessage(b); err == nil && m.MsgType == "" {
			t.Error("a message without MsgType was accepted")
		}
	})
}

// FuzzDecrypt: decryption never panics on any ciphertext, base64 or not,
// and whatever a block decrypts to (bad padding, any length field).
func FuzzDecrypt(f *testing.F) {
	c := fuzzCrypto(f)
	f.Add(sampleMsgEncrypt, []byte(nil))
	f.Add(sampleVerifyEcho, []byte{})
	f.Add("", []byte("0123456789abcdef"))
	f.Add("!!!", []byte(strings.Repeat("\x20", 32)))
	f.Add("AAAA", []byte(strings.Repeat("\xff", 48)))
	f.Fuzz(func(t *testing.T, s string, raw []byte) {
		_, _ = c.Decrypt(s)
		// Raw plaintext blocks, encrypted with the right key: every padding
		// and length the attacker could not produce without the key.
		raw = raw[:len(raw)/aes.BlockSize*aes.BlockSize]
		if len(raw) == 0 {
			return
		}
		ct := make([]byte, len(raw))
		encryptBlocks(c, ct, raw)
		msg, err := c.Decrypt(base64.StdEncoding.EncodeToString(ct))
		if err == nil && len(msg) > len(raw) {
			t.Errorf("decrypted %d bytes from %d", len(msg), len(raw))
		}
	})
}

// FuzzCallback: a correctly signed callback with any body never panics the
// handler and is answered with 200 or 4xx.
func FuzzCallback(f *testing.F) {
	c := fuzzCrypto(f)
	a, err := New(Options{CorpID: sampleCorpID, Token: sampleToken, EncodingAESKey: sampleAESKey, Secret: "s", AgentID: 1,
		Handler:   handlerFunc(func(context.Context, bot.Message) (bot.Reply, error) { return bot.Reply{}, nil }),
		QueueSize: 1 << 16, MaxClockSkew: -1})
	if err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	plain, _ := c.Decrypt(sampleMsgEncrypt)
	f.Add(plain, false)
	f.Add([]byte("<xml><MsgType>event</MsgType><Event>kf_msg_or_event</Event><OpenKfId>wk</OpenKfId></xml>"), true)
	f.Add([]byte("garbage"), false)
	n := 0
	f.Fuzz(func(t *testing.T, payload []byte, kf bool) {
		n++
		enc := c.Encrypt(payload)
		ts, nonce := "1476422779", strconv.Itoa(n)
		path := "/wecom/callback"
		if kf {
			path = "/wecom/kf/callback"
		}
		body := "<xml><ToUserName><![CDATA[" + sampleCorpID + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
		req := httptest.NewRequest(http.MethodPost, path+"?msg_signature="+c.Sign(ts, nonce, enc)+"&timestamp="+ts+"&nonce="+nonce,
			strings.NewReader(body))
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500) {
			t.Errorf("answered %d", rec.Code)
		}
	})
}

type handlerFunc func(context.Context, bot.Message) (bot.Reply, error)

func (h handlerFunc) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) { return h(ctx, m) }
