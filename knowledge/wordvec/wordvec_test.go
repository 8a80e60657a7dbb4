package wordvec

import (
	"bytes"
	"compress/gzip"
	"testing"
)

func TestEnglishNeighbours(t *testing.T) {
	tab := English()
	if tab.Len() < 20000 {
		t.Fatalf("table holds %d stems, want at least 20000", tab.Len())
	}
	for _, c := range []struct {
		a, b, far string
	}{
		{"price", "cost", "poem"},
		{"refund", "reimburs", "garden"},
		{"deliveri", "shipment", "poem"},
		{"cancel", "postpon", "purpl"},
	} {
		near, far := Cosine(tab.Vector(c.a), tab.Vector(c.b)), Cosine(tab.Vector(c.a), tab.Vector(c.far))
		if near <= far+0.2 {
			t.Errorf("cos(%s, %s) = %.2f, cos(%s, %s) = %.2f: want the first clearly higher", c.a, c.b, near, c.a, c.far, far)
		}
	}
	if v := tab.Vector("zzzzqx"); v != nil {
		t.Errorf("unknown stem has a vector")
	}
	if Cosine(nil, tab.Vector("price")) != 0 {
		t.Error("cosine with nil is not 0")
	}
}

func TestDecodeRejects(t *testing.T) {
	gz := func(b []byte) []byte {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(b)
		zw.Close()
		return out.Bytes()
	}
	for name, in := range map[string][]byte{
		"not gzip":  []byte("CWV1\n"),
		"bad magic": gz([]byte("XXXX\n\x01\x00\x00\x00\x02\x00")),
		"truncated": gz([]byte("CWV1\n\x01\x00\x00\x00\x02\x00\x01a")),
		"zero dim":  gz([]byte("CWV1\n\x01\x00\x00\x00\x00\x00")),
		"zero vec":  gz([]byte("CWV1\n\x01\x00\x00\x00\x02\x00\x01a\x00\x00")),
		"dup stem":  gz([]byte("CWV1\n\x02\x00\x00\x00\x02\x00\x01a\x01\x00\x01a\x01\x00")),
	} {
		if _, err := Decode(bytes.NewReader(in)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	tab, err := Decode(bytes.NewReader(gz([]byte("CWV1\n\x01\x00\x00\x00\x02\x00\x01a\x03\x04"))))
	if err != nil {
		t.Fatal(err)
	}
	if got := Cosine(tab.Vector("a"), tab.Vector("a")); got < 0.999 || got > 1.001 {
		t.Errorf("unit vector's cosine with itself = %v", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("CWV1\n\x01\x00\x00\x00\x02\x00\x01a\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out bytes.Buffer
		zw := gzip.NewWriter(&out)
		zw.Write(b)
		zw.Close()
		Decode(bytes.NewReader(out.Bytes()))
	})
}

func BenchmarkEnglish(b *testing.B) {
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(englishData)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCosine(b *testing.B) {
	tab := English()
	x, y := tab.Vector("price"), tab.Vector("cost")
	var sum float64
	for b.Loop() {
		sum += Cosine(x, y)
	}
	_ = sum
}
