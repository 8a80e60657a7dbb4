// Package pkcs7 is the PKCS#7 padding of the AES-CBC messages chat
// platforms encrypt their callbacks with: Feishu pads to AES's 16 bytes,
// WeCom to 32.
package pkcs7

// Pad appends to b the padding that makes it a whole number of blocks of
// size bytes (1 to 255): n bytes of value n, a whole block when b already
// is whole.
func Pad(b []byte, size int) []byte {
	n := size - len(b)%size
	for range n {
		b = append(b, byte(n))
	}
	return b
}

// Unpad returns b without its padding for blocks of size bytes, or false
// when the padding is malformed (its length 0, over size or over len(b),
// or its bytes not all equal to it).
func Unpad(b []byte, size int) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
