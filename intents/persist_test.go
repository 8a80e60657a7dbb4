package intents

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteReadModel(t *testing.T) {
	m := mustShopModel(t)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	got, err := ReadModel(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"where is my order", "我要退款", "hello", "tell me about the moon"} {
		if d := cmp.Diff(m.Predict(text), got.Predict(text)); d != "" {
			t.Errorf("Predict(%q) after a round trip (-before +after):\n%s", text, d)
		}
	}
	if _, err := ReadModel(bytes.NewReader(data[:len(data)/2])); err == nil {
		t.Error("ReadModel of a truncated file: no error")
	}
	if _, err := ReadModel(bytes.NewReader([]byte("not a model"))); err == nil {
		t.Error("ReadModel of garbage: no error")
	}
}

func TestLoadOrTrain(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	ex := []Example{{"where is my order", "order"}, {"track my parcel", "order"}, {"i want a refund", "refund"},
		{"money back please", "refund"}, {"hello", "greeting"}, {"hi there", "greeting"}}
	m1, loaded, err := LoadOrTrain(ctx, dir, ex, TrainOptions{})
	if err != nil || loaded {
		t.Fatalf("first LoadOrTrain: loaded=%v err=%v, want a trained model", loaded, err)
	}
	m2, loaded, err := LoadOrTrain(ctx, dir, ex, TrainOptions{})
	if err != nil || !loaded {
		t.Fatalf("second LoadOrTrain: loaded=%v err=%v, want the saved model", loaded, err)
	}
	if d := cmp.Diff(m1.Predict("where is my parcel"), m2.Predict("where is my parcel")); d != "" {
		t.Errorf("loaded model predicts differently:\n%s", d)
	}
	// Changed data or options retrain.
	ex2 := append(ex[:len(ex):len(ex)], Example{"good morning", "greeting"})
	if _, loaded, err := LoadOrTrain(ctx, dir, ex2, TrainOptions{}); err != nil || loaded {
		t.Fatalf("changed examples: loaded=%v err=%v, want retrained", loaded, err)
	}
	if _, loaded, err := LoadOrTrain(ctx, dir, ex2, TrainOptions{C: 2}); err != nil || loaded {
		t.Fatalf("changed options: loaded=%v err=%v, want retrained", loaded, err)
	}
	// A damaged file is replaced.
	if err := os.WriteFile(filepath.Join(dir, ModelFileName), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, loaded, err := LoadOrTrain(ctx, dir, ex2, TrainOptions{C: 2}); err != nil || loaded {
		t.Fatalf("damaged file: loaded=%v err=%v, want retrained", loaded, err)
	}
	if _, loaded, err := LoadOrTrain(ctx, dir, ex2, TrainOptions{C: 2}); err != nil || !loaded {
		t.Fatalf("after replacing a damaged file: loaded=%v err=%v", loaded, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d files, want only the model", len(entries))
	}
	// Training errors pass through.
	if _, _, err := LoadOrTrain(ctx, dir, ex[:1], TrainOptions{}); err == nil {
		t.Error("LoadOrTrain with one example: no error")
	}
}

func TestTrainingHash(t *testing.T) {
	a := []Example{{"ab", "c"}}
	b := []Example{{"a", "bc"}}
	if TrainingHash(a, TrainOptions{}) == TrainingHash(b, TrainOptions{}) {
		t.Error("different examples share a hash")
	}
	if TrainingHash(a, TrainOptions{}) != TrainingHash(a, TrainOptions{}) {
		t.Error("hash is not deterministic")
	}
}
