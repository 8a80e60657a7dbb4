package feishu

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/channels/internal/pkcs7"
	"github.com/concierge-bot/concierge/channels/internal/replay"
)

// Headers of a signed event request (HTTP delivery with an Encrypt Key).
const (
	HeaderTimestamp = "X-Lark-Request-Timestamp"
	HeaderNonce     = "X-Lark-Request-Nonce"
	HeaderSignature = "X-Lark-Signature"
)

// Reasons a request is refused, besides replay's. They are logged, never
// shown to a caller.
var (
	errNoSignature  = errors.New("no X-Lark-Signature")
	errBadSignature = errors.New("signature does not match")
	errBadToken     = errors.New("verification token does not match")
	errNotEncrypted = errors.New("body not encrypted although an Encrypt Key is set")
	errBadEnvelope  = errors.New("encrypted envelope does not decrypt")
)

// Signature returns X-Lark-Signature of a request: the hex SHA-256 of
// timestamp + nonce + encryptKey + body (Feishu's published algorithm).
func Signature(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write([]byte(nonce))
	h.Write([]byte(encryptKey))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// verifySignature checks the signature headers of a request against body:
// the signature must match and the timestamp (Unix seconds) must be within
// window of now.
func verifySignature(h http.Header, encryptKey string, body []byte, now time.Time, window time.Duration) error {
	sig := h.Get(HeaderSignature)
	ts := h.Get(HeaderTimestamp)
	if sig == "" || ts == "" {
		return errNoSignature
	}
	want := Signature(ts, h.Get(HeaderNonce), encryptKey, body)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(sig)), []byte(want)) != 1 {
		return errBadSignature
	}
	return replay.CheckTime(ts, time.Second, now, window)
}

// Decrypt opens the "encrypt" field of an event body: base64 of a 16-byte
// IV followed by AES-256-CBC ciphertext (PKCS#7 padding) under the key
// SHA-256(encryptKey). Any malformed input is an error, never a panic.
func Decrypt(encrypted, encryptKey string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encrypted))
	if err != nil {
		return nil, errBadEnvelope
	}
	if len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
		return nil, errBadEnvelope
	}
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, errBadEnvelope
	}
	iv, ct := raw[:aes.BlockSize], raw[aes.BlockSize:]
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, ct)
	out, ok := pkcs7.Unpad(out, aes.BlockSize)
	if !ok {
		return nil, errBadEnvelope
	}
	return out, nil
}

// equalToken compares a verification token in constant time.
func equalToken(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
