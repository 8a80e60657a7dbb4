package wecom

import (
	"crypto/cipher"
	"strings"
	"testing"
)

// The published test vectors of WeCom's WXBizMsgCrypt samples (Sample.py
// and Sample.go of the callback SDKs): the configuration an example
// company set in the admin console, and the requests WeCom sent it.
const (
	sampleToken  = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
	sampleAESKey = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
	sampleCorpID = "ww1436e0e65a779aee"

	// GET: the URL verification.
	sampleVerifySig   = "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"
	sampleVerifyTS    = "1476416373"
	sampleVerifyNonce = "47744683"
	sampleVerifyEcho  = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
	sampleVerifyPlain = "1288432023552776189"

	// POST: a text message "你好" from member ChenJiaShun to agent 1000002.
	sampleMsgSig     = "0c3914025cb4b4d68103f6bfc8db550f79dcf48e"
	sampleMsgTS      = "1476422779"
	sampleMsgNonce   = "1597212914"
	sampleMsgEncrypt = "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)

// The older sample of the same SDK (企业号): token QDG6eK, a message "hello"
// from member mycreate to agent 218.
const (
	oldToken   = "QDG6eK"
	oldAESKey  = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	oldCorpID  = "wx5823bf96d3bd56c7"
	oldSig     = "477715d11cdb4164915debcba66cb864d751f3e6"
	oldTS      = "1409659813"
	oldNonce   = "1372623149"
	oldEncrypt = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

func TestPublishedVectors(t *testing.T) {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(sampleVerifySig, sampleVerifyTS, sampleVerifyNonce, sampleVerifyEcho); err != nil {
		t.Fatalf("URL verification signature: %v", err)
	}
	echo, err := c.Decrypt(sampleVerifyEcho)
	if err != nil || string(echo) != sampleVerifyPlain {
		t.Fatalf("echostr = %q, %v; want %q", echo, err, sampleVerifyPlain)
	}
	if err := c.Verify(sampleMsgSig, sampleMsgTS, sampleMsgNonce, sampleMsgEncrypt); err != nil {
		t.Fatalf("message signature: %v", err)
	}
	plain, err := c.Decrypt(sampleMsgEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseMessage(plain)
	if err != nil {
		t.Fatal(err)
	}
	if m.FromUserName != "ChenJiaShun" || m.Content != "你好" || m.MsgID != "1456453720" || m.AgentID != "1000002" ||
		m.MsgType != "text" || m.ToUserName != sampleCorpID || m.CreateTime != "1476422779" {
		t.Errorf("decrypted message = %+v", m)
	}

	old, err := NewCrypto(oldToken, oldAESKey, oldCorpID)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Verify(oldSig, oldTS, oldNonce, oldEncrypt); err != nil {
		t.Fatalf("old sample signature: %v", err)
	}
	plain, err = old.Decrypt(oldEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := parseMessage(plain); err != nil || m.FromUserName != "mycreate" || m.Content != "hello" ||
		m.MsgID != "4561255354251345929" || m.AgentID != "218" {
		t.Errorf("old sample = %+v, %v", m, err)
	}
	// The same ciphertext under the newer sample's key is refused.
	if _, err := c.Decrypt(oldEncrypt); err == nil {
		t.Error("the old sample decrypted under another key")
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	c, err := NewCrypto(sampleToken, sampleAESKey, sampleCorpID)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"", "x", strings.Repeat("长", 11), strings.Repeat("a", 12), strings.Repeat("b", 1000)} {
		enc := c.Encrypt([]byte(msg))
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != msg {
			t.Errorf("round trip of %d bytes = %q, %v", len(msg), got, err)
		}
	}
	// A fixed random prefix gives a fixed ciphertext.
	var r [16]byte
	copy(r[:], "aaaabbbbccccdddd")
	if a, b := c.encryptWith(r, []byte("hi")), c.encryptWith(r, []byte("hi")); a != b {
		t.Error("encryption with a fixed prefix is not deterministic")
	}
}

func TestNewCryptoRefusesBadKeys(t *testing.T) {
	for _, k := range []string{"", "short", sampleAESKey + "A", strings.Repeat("!", 43)} {
		if _, err := NewCrypto(sampleToken, k, sampleCorpID); err == nil {
			t.Errorf("NewCrypto accepted key %q", k)
		}
	}
	if _, err := NewCrypto("", sampleAESKey, sampleCorpID); err == nil {
		t.Error("NewCrypto accepted an empty token")
	}
}

// encryptBlocks encrypts whole blocks with c's key and IV, no padding: for
// tests that forge plaintexts.
func encryptBlocks(c *Crypto, dst, src []byte) {
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(dst, src)
}
