package wecom

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/concierge-bot/concierge/channels/internal/pkcs7"
)

// Reasons a callback fails the crypto checks. They are logged, never shown
// to the caller, who only sees 401.
var (
	errBadSignature  = errors.New("msg_signature does not match")
	errBadBase64     = errors.New("ciphertext is not base64")
	errBadCiphertext = errors.New("ciphertext length is not a whole number of AES blocks")
	errBadPadding    = errors.New("PKCS#7 padding is invalid")
	errBadLength     = errors.New("message length field is out of range")
	errWrongReceiver = errors.New("receive id (corp id) does not match")
)

// padBlock is the PKCS#7 block size of WeCom's scheme: 32 bytes (the AES key
// size), not AES's 16.
const padBlock = 32

// Crypto is WeCom's callback encryption, the scheme of its WXBizMsgCrypt
// samples: a SHA-1 signature over the sorted token, timestamp, nonce and
// ciphertext, and AES-256-CBC with the key decoded from the 43-character
// EncodingAESKey (base64 with its "=" left off), the IV the key's first 16
// bytes, PKCS#7 padding to 32 bytes, and a plaintext of 16 random bytes, the
// message length as 4 bytes in network order, the message, and the receive
// id (the corp id). It is safe for concurrent use.
type Crypto struct {
	token     string
	receiveID []byte
	block     cipher.Block
	iv        []byte
}

// NewCrypto returns the Crypto of a callback configuration: the Token and
// EncodingAESKey set in the WeCom admin console and the corp id that
// messages must be addressed to.
func NewCrypto(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" {
		return nil, errors.New("token is empty")
	}
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("encoding_aes_key must be 43 characters, not %d", len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("encoding_aes_key is not the base64 of a 32-byte key (43 characters of A–Z, a–z, 0–9, + and /)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encoding_aes_key: %w", err)
	}
	return &Crypto{token: token, receiveID: []byte(receiveID), block: block, iv: slices.Clone(key[:aes.BlockSize])}, nil
}

// Signature is WeCom's msg_signature: the hex SHA-1 of token, timestamp,
// nonce and the ciphertext (or echostr), sorted and concatenated.
func Signature(token, timestamp, nonce, encrypt string) string {
	parts := []string{token, timestamp, nonce, encrypt}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks msg_signature over encrypt, in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypt string) error {
	want := Signature(c.token, timestamp, nonce, encrypt)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return errBadSignature
	}
	return nil
}

// Decrypt opens a ciphertext (the Encrypt element, or echostr) and returns
// the message. It fails, without panicking on any input, when the
// ciphertext is not base64, not whole blocks, badly padded (a wrong key
// shows as bad padding or a bad length almost always), its length field
// does not fit, or the receive id is not this Crypto's.
func (c *Crypto) Decrypt(encrypt string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypt)
	if err != nil {
		return nil, errBadBase64
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, errBadCiphertext
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(pt, ct)
	pt, ok := pkcs7.Unpad(pt, padBlock)
	if !ok {
		return nil, errBadPadding
	}
	if len(pt) < 20 {
		return nil, errBadLength
	}
	n := binary.BigEndian.Uint32(pt[16:20])
	if uint64(n) > uint64(len(pt)-20) {
		return nil, errBadLength
	}
	msg, rid := pt[20:20+n], pt[20+n:]
	if subtle.ConstantTimeCompare(rid, c.receiveID) != 1 {
		return nil, errWrongReceiver
	}
	return msg, nil
}

// Encrypt seals msg as WeCom does, with a fresh random prefix, and returns
// the base64 ciphertext. The adapter never needs it (it sends no passive
// replies); it is exported for fakes and tools that drive the adapter as
// WeCom does.
func (c *Crypto) Encrypt(msg []byte) string {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return c.encryptWith(random, msg)
}

func (c *Crypto) encryptWith(random [16]byte, msg []byte) string {
	buf := make([]byte, 0, 20+len(msg)+len(c.receiveID)+padBlock)
	buf = append(buf, random[:]...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(msg)))
	buf = append(buf, msg...)
	buf = append(buf, c.receiveID...)
	buf = pkcs7.Pad(buf, padBlock)
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

// Sign returns the msg_signature WeCom sends with encrypt at timestamp and
// nonce under this Crypto's token.
func (c *Crypto) Sign(timestamp, nonce, encrypt string) string {
	return Signature(c.token, timestamp, nonce, encrypt)
}
