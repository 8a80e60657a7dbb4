package pkcs7

import (
	"bytes"
	"testing"
)

func TestPadUnpad(t *testing.T) {
	for _, size := range []int{16, 32} {
		for n := range 2*size + 1 {
			msg := bytes.Repeat([]byte{'x'}, n)
			padded := Pad(bytes.Clone(msg), size)
			if len(padded)%size != 0 || len(padded) <= n {
				t.Fatalf("Pad(%d bytes, %d) = %d bytes", n, size, len(padded))
			}
			if got, ok := Unpad(padded, size); !ok || !bytes.Equal(got, msg) {
				t.Fatalf("Unpad(Pad(%d bytes, %d)) = %d bytes, %v", n, size, len(got), ok)
			}
		}
	}
}

func TestUnpadRefuses(t *testing.T) {
	for _, b := range [][]byte{nil, {0}, {17}, {2}, {1, 2, 3}, append(bytes.Repeat([]byte{4}, 3), 5, 4)} {
		if _, ok := Unpad(b, 16); ok {
			t.Errorf("Unpad(%v) accepted", b)
		}
	}
}
