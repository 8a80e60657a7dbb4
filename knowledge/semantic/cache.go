package semantic

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// key is the SHA-256 of the model name and a document's embedded text.
type key = [32]byte

// cacheMagic starts an embeddings file; the digit is the format version.
const cacheMagic = "CEMB1\n"

// maxDim bounds a vector's dimension when reading a cache file.
const maxDim = 1 << 16

// cache keeps vectors by content key, in memory and in one file:
// cacheMagic, then records of (key, uint32 dimension, dimension float32s),
// little-endian. It is written whole to a temporary file and renamed.
type cache struct {
	path string // "" keeps the cache in memory only
	log  *slog.Logger

	mu     sync.Mutex
	loaded bool
	vecs   map[key][]float32
	dirty  bool
}

func newCache(dir string, log *slog.Logger) *cache {
	c := &cache{log: log, vecs: map[key][]float32{}}
	if dir != "" {
		c.path = filepath.Join(dir, "embeddings.bin")
	}
	return c
}

// load reads the file once. A missing file is an empty cache; a damaged one
// keeps the records before the damage and reports an error.
func (c *cache) load() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded || c.path == "" {
		return nil
	}
	c.loaded = true
	f, err := os.Open(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("open embedding cache: %w", err)
	}
	defer f.Close()
	vecs, err := decodeCache(bufio.NewReader(f))
	for k, v := range vecs {
		c.vecs[k] = v
	}
	if err != nil {
		return fmt.Errorf("embedding cache %s: %w", c.path, err)
	}
	return nil
}

func (c *cache) get(k key) ([]float32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.vecs[k]
	return v, ok
}

func (c *cache) put(k key, v []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vecs[k] = v
	c.dirty = true
}

// save writes the vectors of keep (the current documents) to the file when
// anything changed, dropping the rest so the file does not grow forever.
func (c *cache) save(keep []key) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.path == "" {
		return nil
	}
	kept := make(map[key][]float32, len(keep))
	for _, k := range keep {
		if v, ok := c.vecs[k]; ok {
			kept[k] = v
		}
	}
	if !c.dirty && len(kept) == len(c.vecs) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("create cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".embeddings-*.tmp")
	if err != nil {
		return fmt.Errorf("create cache file: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := encodeCache(w, kept); err != nil {
		tmp.Close()
		return fmt.Errorf("write cache: %w", err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("replace cache: %w", err)
	}
	c.vecs, c.dirty = kept, false
	return nil
}

func encodeCache(w io.Writer, vecs map[key][]float32) error {
	if _, err := io.WriteString(w, cacheMagic); err != nil {
		return err
	}
	var buf []byte
	for k, v := range vecs {
		buf = append(buf[:0], k[:]...)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
		for _, x := range v {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// decodeCache reads a cache file. On damage (bad magic, truncated record,
// absurd dimension, non-finite value) it returns the records read so far
// and an error.
func decodeCache(r io.Reader) (map[key][]float32, error) {
	vecs := map[key][]float32{}
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || !bytes.Equal(magic, []byte(cacheMagic)) {
		return vecs, errors.New("not an embedding cache (bad header)")
	}
	var head [36]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err == io.EOF {
			return vecs, nil
		} else if err != nil {
			return vecs, errors.New("truncated record header")
		}
		var k key
		copy(k[:], head[:32])
		dim := binary.LittleEndian.Uint32(head[32:])
		if dim == 0 || dim > maxDim {
			return vecs, fmt.Errorf("record with dimension %d", dim)
		}
		raw := make([]byte, 4*int(dim))
		if _, err := io.ReadFull(r, raw); err != nil {
			return vecs, errors.New("truncated record")
		}
		v := make([]float32, dim)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
			if math.IsNaN(float64(v[i])) || math.IsInf(float64(v[i]), 0) {
				return vecs, errors.New("record with a non-finite value")
			}
		}
		vecs[k] = v
	}
}
