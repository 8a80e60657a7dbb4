package look

import (
	"bytes"
	"testing"
)

func TestStylesheet(t *testing.T) {
	own := []byte("main { padding: 0; }\n")
	got := Stylesheet(own)
	if !bytes.HasPrefix(got, base) || !bytes.HasSuffix(got, own) || len(got) != len(base)+len(own) {
		t.Fatalf("Stylesheet(own) is not the shared rules followed by own:\n%s", got)
	}
	if !bytes.Contains(got, []byte("--accent:")) {
		t.Error("the shared rules do not set the colours")
	}
	// own is not changed, and two stylesheets do not share memory.
	other := Stylesheet([]byte("x"))
	if !bytes.Equal(got[len(base):], own) || bytes.Equal(got, other) {
		t.Error("stylesheets share memory")
	}
}
