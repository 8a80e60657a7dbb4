package intents

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// modelVersion changes whenever features or the file format change, so that
// models saved by an older build are retrained rather than misread.
const modelVersion = 2

// ModelFileName is the name of the persisted model in a data directory.
const ModelFileName = "intents.model"

// modelFile is the persisted form of a Model.
type modelFile struct {
	Version   int
	Hash      string // hash of the training data and options (see TrainingHash)
	Labels    []string
	Features  FeatureOptions
	Vocab     []uint64 // feature hashes, by index
	IDF       []float32
	Block     []uint8
	K         int
	Q         []int8 // quantised weights (see linear)
	S, B      []float32
	Temp      float64
	Threshold float64
	Info      TrainInfo
}

// TrainingHash returns a hex digest of everything that determines a trained
// model: the examples in order, the options and the model format version.
func TrainingHash(examples []Example, opts TrainOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "concierge intents model v%d\n", modelVersion)
	o, err := json.Marshal(opts)
	if err != nil { // TrainOptions holds only plain values
		panic(fmt.Sprintf("intents: marshal options: %v", err))
	}
	h.Write(o)
	for _, e := range examples {
		fmt.Fprintf(h, "\n%d:%s\x00%s", len(e.Text), e.Text, e.Label)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteTo writes the model in a binary form that ReadModel reads back.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	return m.write(w, "")
}

func (m *Model) write(w io.Writer, hash string) (int64, error) {
	vocab := make([]uint64, m.vec.nFeat)
	for h, i := range m.vec.vocab {
		vocab[i] = h
	}
	f := modelFile{
		Version: modelVersion, Hash: hash, Labels: m.labels, Features: m.vec.opts,
		Vocab: vocab, IDF: m.vec.idf, Block: m.vec.block, K: m.lin.K, Q: m.lin.Q, S: m.lin.S, B: m.lin.B,
		Temp: m.temp, Threshold: m.threshold, Info: m.info,
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	if err := gob.NewEncoder(bw).Encode(&f); err != nil {
		return cw.n, fmt.Errorf("intents: write model: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("intents: write model: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ReadModel reads a model written by WriteTo. It rejects models of another
// format version and files that are damaged.
func ReadModel(r io.Reader) (*Model, error) {
	m, _, err := readModel(r)
	return m, err
}

func readModel(r io.Reader) (*Model, string, error) {
	var f modelFile
	if err := gob.NewDecoder(bufio.NewReader(r)).Decode(&f); err != nil {
		return nil, "", fmt.Errorf("intents: read model: %w", err)
	}
	if f.Version != modelVersion {
		return nil, "", fmt.Errorf("intents: read model: format version %d, want %d", f.Version, modelVersion)
	}
	n := len(f.Vocab)
	switch {
	case f.K != len(f.Labels) || f.K == 0:
		return nil, "", errors.New("intents: read model: damaged (labels)")
	case len(f.IDF) != n || len(f.Block) != n || len(f.Q) != n*f.K || len(f.S) != n || len(f.B) != f.K:
		return nil, "", errors.New("intents: read model: damaged (sizes)")
	case !slices.IsSorted(f.Labels):
		return nil, "", errors.New("intents: read model: damaged (label order)")
	}
	for _, b := range f.Block {
		if b > 1 {
			return nil, "", errors.New("intents: read model: damaged (blocks)")
		}
	}
	v := newVectorizer(f.Features)
	v.vocab = make(map[uint64]int32, n)
	for i, h := range f.Vocab {
		v.vocab[h] = int32(i)
	}
	v.idf, v.block, v.nFeat = f.IDF, f.Block, n
	m := &Model{
		labels: f.Labels, oos: slices.Index(f.Labels, LabelOutOfScope), vec: v,
		lin:  &linear{K: f.K, Q: f.Q, S: f.S, B: f.B, NFeat: n},
		temp: f.Temp, threshold: f.Threshold, info: f.Info,
	}
	if !(m.temp > 0) {
		return nil, "", errors.New("intents: read model: damaged (temperature)")
	}
	m.bufs.New = func() any { return &predictBuf{scores: make([]float64, f.K)} }
	return m, f.Hash, nil
}

// LoadOrTrain returns the model persisted in dir when it was trained on the
// same examples with the same options (loaded = true); otherwise it trains a
// new model and saves it in dir (created if needed) for the next start. A
// damaged or outdated file is replaced.
func LoadOrTrain(ctx context.Context, dir string, examples []Example, opts TrainOptions) (*Model, bool, error) {
	path := filepath.Join(dir, ModelFileName)
	hash := TrainingHash(examples, opts)
	if f, err := os.Open(path); err == nil {
		m, got, err := readModel(f)
		f.Close()
		if err == nil && got == hash {
			return m, true, nil
		}
	}
	m, err := Train(ctx, examples, opts)
	if err != nil {
		return nil, false, err
	}
	if err := saveModel(m, dir, path, hash); err != nil {
		return nil, false, err
	}
	return m, false, nil
}

// saveModel writes m to path atomically (temporary file and rename).
func saveModel(m *Model, dir, path, hash string) error {
	return replaceFile(dir, ModelFileName, "intents: save model", "intents: save model "+path, func(w io.Writer) error {
		_, err := m.write(w, hash)
		return err
	})
}

// replaceFile writes the file name in dir (created if needed) with write,
// through a temporary file beside it that it then renames to name, so that
// a reader sees the old file or the whole new one, never a part; the
// temporary file is removed on failure. Errors of the directory, the
// temporary file's creation and the rename are wrapped with what; errors
// of writing the content and closing the file, with whatFile.
func replaceFile(dir, name, what, whatFile string, write func(io.Writer) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", whatFile, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", whatFile, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
