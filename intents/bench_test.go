package intents

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"testing"
)

// Speed and memory goals (issue 5), measured on BANKING77 train_full.csv
// (10,003 rows, 77 intents):
//   - training: <= 5 s on 2 cores (BenchmarkTrainBanking77, sec/op);
//   - a trained model: <= 50 MB of heap (metric model-MB);
//   - prediction: p99 <= 100 µs (BenchmarkPredictBanking77 gives the mean;
//     `concierge intents eval` prints p50/p99).

func loadBanking77(b *testing.B) (train, test []Example) {
	ds := datasetsDir(b)
	return loadCSV(b, filepath.Join(ds, "banking77", "train_full.csv")), loadCSV(b, filepath.Join(ds, "banking77", "test.csv"))
}

func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func BenchmarkTrainBanking77(b *testing.B) {
	train, _ := loadBanking77(b)
	b.ReportAllocs()
	var m *Model
	var err error
	for b.Loop() {
		m, err = Train(context.Background(), train, TrainOptions{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	m = nil
	before := heapAlloc()
	m, err = Train(context.Background(), train, TrainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	after := heapAlloc()
	b.ReportMetric(float64(after-before)/(1<<20), "model-MB")
	runtime.KeepAlive(m)
}

func BenchmarkPredictBanking77(b *testing.B) {
	train, test := loadBanking77(b)
	m, err := Train(context.Background(), train, TrainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(test[i%len(test)].Text)
		i++
	}
}

func BenchmarkComplaintScore(b *testing.B) {
	d, err := NewComplaintDetector(context.Background(), ComplaintOptions{})
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{"I've been waiting for two weeks and nobody answers my emails, this is unacceptable",
		"你们的快递太慢了，我要投诉", "where is my order?", "谢谢，茶很好喝"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Score(texts[i%len(texts)])
		i++
	}
}

func BenchmarkClassify(b *testing.B) {
	c, err := NewClassifier(ClassifierOptions{Model: mustShopModel(b)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	texts := []string{"where is my order?", "我要退款", "I'm really disappointed, the parcel arrived damaged"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Classify(ctx, texts[i%len(texts)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReadModelBanking77 is the start-up cost of a saved model
// (LoadOrTrain with unchanged data).
func BenchmarkReadModelBanking77(b *testing.B) {
	train, _ := loadBanking77(b)
	m, err := Train(context.Background(), train, TrainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadModel(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/(1<<20), "file-MB")
}

// BenchmarkNewComplaintDetector is the start-up cost of the built-in
// detector (and of each retraining on agents' verdicts): its complaint and
// safety models learnt from the seed examples.
func BenchmarkNewComplaintDetector(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewComplaintDetector(context.Background(), ComplaintOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
