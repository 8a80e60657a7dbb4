package wecom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/channels/wecom/wecomtest"
)

// frame is WeCom's plaintext before padding: 16 random bytes, the length of
// msg in network order, msg, the receive id.
func frame(msg []byte, receiveID string) []byte {
	var b bytes.Buffer
	b.WriteString("0123456789abcdef")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(msg)))
	b.Write(msg)
	b.WriteString(receiveID)
	return b.Bytes()
}

// pkcs7 pads b to a multiple of n with PKCS#7.
func pkcs7(b []byte, n int) []byte {
	p := n - len(b)%n
	return append(b, bytes.Repeat([]byte{byte(p)}, p)...)
}

// padWith pads b to a multiple of 32 and then sets its padding bytes to fill.
func padWith(b []byte, fill func(pad []byte)) []byte {
	out := pkcs7(b, 32)
	pad := int(out[len(out)-1])
	fill(out[len(out)-pad:])
	return out
}

// otherFake is a fake WeCom with one setting changed, for forgeries.
func otherFake(t *testing.T, change func(*wecomtest.Options)) *wecomtest.Server {
	t.Helper()
	o := wecomtest.Options{CorpID: corpID, Token: token, EncodingAESKey: aesKey, AgentID: agentID, Secret: "x"}
	change(&o)
	f, err := wecomtest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// resign signs cb's Encrypt again with the right token at the fake's now,
// keeping its body: for ciphertexts that are wrong but correctly signed.
func resign(f *wecomtest.Server, path, encrypt string) wecomtest.Callback {
	return f.SealEncrypted(path, encrypt)
}

func with(cb wecomtest.Callback, key, value string) wecomtest.Callback {
	q := url.Values{}
	for k, v := range cb.Query {
		q[k] = append([]string(nil), v...)
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	cb.Query = q
	return cb
}

// signedAt seals an encrypt at a chosen timestamp.
func signedAt(path, encrypt string, ts time.Time, f *wecomtest.Server) wecomtest.Callback {
	cb := f.SealEncrypted(path, encrypt)
	s := strconv.FormatInt(ts.Unix(), 10)
	nonce := cb.Query.Get("nonce")
	cb = with(cb, "timestamp", s)
	return with(cb, "msg_signature", wecomtest.Sign(token, s, nonce, encrypt))
}

// TestForgedCallbacksRefused sends callbacks that are forged, replayed or
// wrongly encrypted, on both callback URLs, and checks that every one is
// refused with 4xx and that none reaches the Engine, sends anything or
// makes the adapter pull kf messages.
func TestForgedCallbacksRefused(t *testing.T) {
	h := newHarness(t, func(s *setup) { s.opts.MaxBodyBytes = 8 << 10 })
	f := h.fake
	plain := f.AppText(wecomtest.AppMessage{From: "mallory", Content: "forged"})
	good := f.Seal("/wecom/callback", plain)
	enc := func(b []byte) string { return f.EncryptBlocks(b) }
	goodEncrypt := func() string { return f.Encrypt(plain, corpID) }

	type tc struct {
		name string
		cb   func() wecomtest.Callback
	}
	cases := []tc{
		{"bad signature", func() wecomtest.Callback {
			sig := good.Query.Get("msg_signature")
			flipped := strings.Map(func(r rune) rune {
				if r == '0' {
					return '1'
				}
				return '0'
			}, sig[:1]) + sig[1:]
			return with(good, "msg_signature", flipped)
		}},
		{"signature missing", func() wecomtest.Callback { return with(good, "msg_signature", "") }},
		{"timestamp missing", func() wecomtest.Callback { return with(good, "timestamp", "") }},
		{"nonce missing", func() wecomtest.Callback { return with(good, "nonce", "") }},
		{"signature of another nonce", func() wecomtest.Callback { return with(good, "nonce", "1") }},
		{"stale timestamp, 10 minutes old", func() wecomtest.Callback {
			return signedAt("/wecom/callback", goodEncrypt(), h.clock.Now().Add(-10*time.Minute), f)
		}},
		{"timestamp 10 minutes ahead", func() wecomtest.Callback {
			return signedAt("/wecom/callback", goodEncrypt(), h.clock.Now().Add(10*time.Minute), f)
		}},
		{"malformed timestamp", func() wecomtest.Callback {
			e := goodEncrypt()
			cb := f.SealEncrypted("/wecom/callback", e)
			cb = with(cb, "timestamp", "12ab")
			return with(cb, "msg_signature", wecomtest.Sign(token, "12ab", cb.Query.Get("nonce"), e))
		}},
		{"signed with another token", func() wecomtest.Callback {
			return otherFake(t, func(o *wecomtest.Options) { o.Token = "another-token" }).Seal("/wecom/callback", plain)
		}},
		{"encrypted for another corp id", func() wecomtest.Callback {
			return otherFake(t, func(o *wecomtest.Options) { o.CorpID = "wwffffffffffffffff" }).Seal("/wecom/callback", plain)
		}},
		{"encrypted with another key", func() wecomtest.Callback {
			return otherFake(t, func(o *wecomtest.Options) { o.EncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" }).
				Seal("/wecom/callback", plain)
		}},
		{"padding byte zero", func() wecomtest.Callback {
			return resign(f, "/wecom/callback", enc(padWith(frame(plain, corpID), func(p []byte) { p[len(p)-1] = 0 })))
		}},
		{"padding byte above 32", func() wecomtest.Callback {
			return resign(f, "/wecom/callback", enc(padWith(frame(plain, corpID), func(p []byte) { p[len(p)-1] = 33 })))
		}},
		{"padding bytes that disagree", func() wecomtest.Callback {
			return resign(f, "/wecom/callback", enc(padWith(frame(plain, corpID), func(p []byte) {
				if len(p) > 1 {
					p[0] ^= 0xff
				} else {
					p[0] = 2
				}
			})))
		}},
		{"truncated ciphertext (last block dropped)", func() wecomtest.Callback {
			raw, _ := base64.StdEncoding.DecodeString(goodEncrypt())
			return resign(f, "/wecom/callback", base64.StdEncoding.EncodeToString(raw[:len(raw)-16]))
		}},
		{"ciphertext not whole blocks", func() wecomtest.Callback {
			raw, _ := base64.StdEncoding.DecodeString(goodEncrypt())
			return resign(f, "/wecom/callback", base64.StdEncoding.EncodeToString(raw[:len(raw)-5]))
		}},
		{"ciphertext not base64", func() wecomtest.Callback { return resign(f, "/wecom/callback", "not*base64!") }},
		{"empty Encrypt", func() wecomtest.Callback {
			cb := f.SealEncrypted("/wecom/callback", "")
			return cb
		}},
		{"length field past the end", func() wecomtest.Callback {
			fr := frame(plain, corpID)
			binary.BigEndian.PutUint32(fr[16:20], uint32(len(plain)+1000))
			return resign(f, "/wecom/callback", enc(pkcs7(fr, 32)))
		}},
		{"plaintext shorter than its header", func() wecomtest.Callback {
			return resign(f, "/wecom/callback", enc(pkcs7([]byte("short"), 32)))
		}},
		{"decrypted payload is not XML", func() wecomtest.Callback {
			return resign(f, "/wecom/callback", f.Encrypt([]byte("hello, not xml"), corpID))
		}},
		{"decrypted XML with a DOCTYPE", func() wecomtest.Callback {
			x := []byte(`<!DOCTYPE xml [<!ENTITY a "b">]><xml><MsgType>text</MsgType><Content>&a;</Content></xml>`)
			return resign(f, "/wecom/callback", f.Encrypt(x, corpID))
		}},
		{"decrypted XML with two roots", func() wecomtest.Callback {
			x := append(append([]byte(nil), plain...), plain...)
			return resign(f, "/wecom/callback", f.Encrypt(x, corpID))
		}},
		{"body is not XML", func() wecomtest.Callback {
			cb := good
			cb.Body = []byte("{\"Encrypt\":\"x\"}")
			return cb
		}},
		{"body with the wrong root element", func() wecomtest.Callback {
			cb := good
			cb.Body = bytes.Replace(bytes.Replace(good.Body, []byte("<xml>"), []byte("<doc>"), 1), []byte("</xml>"), []byte("</doc>"), 1)
			return cb
		}},
		{"oversized body", func() wecomtest.Callback {
			cb := good
			cb.Body = append(bytes.Repeat([]byte(" "), 9<<10), good.Body...)
			return cb
		}},
		{"kf notice with a bad signature", func() wecomtest.Callback {
			cb := f.Seal("/wecom/kf/callback", f.KFNotice(kfID))
			return with(cb, "msg_signature", strings.Repeat("0", 40))
		}},
		{"kf notice for another corp id", func() wecomtest.Callback {
			o := otherFake(t, func(o *wecomtest.Options) { o.CorpID = "wwffffffffffffffff" })
			return o.Seal("/wecom/kf/callback", o.KFNotice(kfID))
		}},
		{"kf notice encrypted with another key", func() wecomtest.Callback {
			o := otherFake(t, func(o *wecomtest.Options) { o.EncodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" })
			return o.Seal("/wecom/kf/callback", o.KFNotice(kfID))
		}},
	}
	ctx := context.Background()
	accepted := 0
	for _, c := range cases {
		status := f.PostOnce(ctx, c.cb())
		if status < 400 || status >= 500 {
			accepted++
			t.Errorf("%s: answered %d, want 4xx", c.name, status)
		}
	}

	// Replays of a genuine callback: the same nonce and timestamp with
	// another ciphertext, correctly signed, is refused.
	if s := f.PostOnce(ctx, good); s != http.StatusOK {
		t.Fatalf("the genuine callback was answered %d", s)
	}
	waitFor(t, "the genuine message", func() bool { return len(h.engine.messages()) == 1 })
	other := f.Encrypt(f.AppText(wecomtest.AppMessage{From: "mallory", Content: "replayed"}), corpID)
	replay := wecomtest.Callback{Path: good.Path, Body: f.Envelope(other), Query: url.Values{
		"timestamp": {good.Query.Get("timestamp")}, "nonce": {good.Query.Get("nonce")},
		"msg_signature": {wecomtest.Sign(token, good.Query.Get("timestamp"), good.Query.Get("nonce"), other)}}}
	if s := f.PostOnce(ctx, replay); s != http.StatusUnauthorized {
		accepted++
		t.Errorf("a replayed nonce with another body was answered %d, want 401", s)
	}

	// GET URL checks with a bad signature or the wrong key.
	for name, q := range map[string]url.Values{
		"echostr with a bad signature": {"msg_signature": {strings.Repeat("a", 40)}, "timestamp": {good.Query.Get("timestamp")},
			"nonce": {"1"}, "echostr": {f.Encrypt([]byte("123"), corpID)}},
		"echostr for another corp id": func() url.Values {
			e := otherFake(t, func(o *wecomtest.Options) { o.CorpID = "wwffffffffffffffff" }).Encrypt([]byte("123"), "wwffffffffffffffff")
			ts := strconv.FormatInt(h.clock.Now().Unix(), 10)
			return url.Values{"msg_signature": {wecomtest.Sign(token, ts, "2", e)}, "timestamp": {ts}, "nonce": {"2"}, "echostr": {e}}
		}(),
	} {
		resp, err := http.Get(h.srv.URL + "/wecom/callback?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			accepted++
			t.Errorf("%s: answered %d, want 401", name, resp.StatusCode)
		}
	}

	time.Sleep(50 * time.Millisecond) // let anything wrongly queued run
	if n := len(h.engine.messages()); n != 1 {
		t.Errorf("the Engine saw %d messages, want only the genuine one", n)
	}
	if n := h.fake.Calls("/cgi-bin/kf/sync_msg"); n != 0 {
		t.Errorf("forged kf notices made the adapter pull %d times", n)
	}
	total := len(cases) + 3
	t.Logf("forged, replayed or wrongly encrypted callbacks: %d sent, %d accepted", total, accepted)
	if total < 20 {
		t.Errorf("only %d forgery cases", total)
	}
}
