package intents

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTrainErrors(t *testing.T) {
	ctx := context.Background()
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	two := []Example{{"a", "x"}, {"b", "x"}, {"c", "y"}, {"d", "y"}}
	tests := []struct {
		name    string
		ctx     context.Context
		ex      []Example
		wantErr string
	}{
		{"none", ctx, nil, "no examples"},
		{"one example", ctx, []Example{{"a", "x"}, {"b", "x"}, {"c", "lonely"}}, `"lonely" has only 1`},
		{"two labels short", ctx, []Example{{"a", "x"}, {"c", "p"}, {"d", "q"}}, `"p", "q", "x" have only 1`},
		{"only oos", ctx, []Example{{"a", "oos"}, {"b", "oos"}}, "no in-scope label"},
		{"canceled", canceled, two, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(tt.ctx, tt.ex, TrainOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Train error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	if _, err := Train(canceled, two, TrainOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Train on a canceled context: %v, want context.Canceled", err)
	}
}

func TestPredictHeldOut(t *testing.T) {
	m := mustShopModel(t)
	if d := cmp.Diff([]string{"ask_human", "greeting", "oos", "opening_hours", "order_status", "refund_request"}, m.Labels()); d != "" {
		t.Errorf("Labels (-want +got):\n%s", d)
	}
	// None of these texts is in the training file.
	tests := []struct{ text, want string }{
		{"where's my parcel?", "order_status"},
		{"I'd like my money back please", "refund_request"},
		{"are you open on saturday", "opening_hours"},
		{"please let me speak to a person", "ask_human"},
		{"Hello!", "greeting"},
		{"我的包裹到哪了", "order_status"},
		{"我想退款", "refund_request"},
		{"你们周六开门吗", "opening_hours"},
		{"我要转人工", "ask_human"},
		{"😀😀😀", "oos"},
		{"", "oos"},
		{"   ", "oos"},
	}
	for _, tt := range tests {
		p := m.Predict(tt.text)
		if p.Intent != tt.want {
			t.Errorf("Predict(%q) = %s (%.2f, top %v), want %s", tt.text, p.Intent, p.Confidence, p.Top, tt.want)
		}
		if (p.Intent == "oos") != p.OutOfScope {
			t.Errorf("Predict(%q): Intent %q but OutOfScope %v", tt.text, p.Intent, p.OutOfScope)
		}
	}
}

func TestPredictProbabilities(t *testing.T) {
	m := mustShopModel(t)
	for _, text := range []string{"where is my order", "random words", "退款", strings.Repeat("很长的消息 mixed text ", 300), "\xff\xfe\xfd"} {
		p := m.Predict(text)
		if len(p.Top) == 0 || len(p.Top) > topN {
			t.Fatalf("Predict(%q): %d candidates", text, len(p.Top))
		}
		sum := 0.0
		for i, s := range p.Top {
			if s.Confidence < 0 || s.Confidence > 1 || s.Intent == LabelOutOfScope {
				t.Errorf("Predict(%q): bad candidate %+v", text, s)
			}
			if i > 0 && s.Confidence > p.Top[i-1].Confidence {
				t.Errorf("Predict(%q): candidates not sorted: %v", text, p.Top)
			}
			sum += s.Confidence
		}
		if sum > 1+1e-9 {
			t.Errorf("Predict(%q): candidate probabilities sum to %v > 1", text, sum)
		}
		if p.Confidence != p.Top[0].Confidence {
			t.Errorf("Predict(%q): Confidence %v is not the best candidate's %v", text, p.Confidence, p.Top[0].Confidence)
		}
	}
}

func TestPredictConcurrent(t *testing.T) {
	m := mustShopModel(t)
	texts := []string{"where is my order", "我要退款", "hi", "转人工", "what is the meaning of life"}
	want := make([]Prediction, len(texts))
	for i, s := range texts {
		want[i] = m.Predict(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := (g + i) % len(texts)
				if d := cmp.Diff(want[k], m.Predict(texts[k])); d != "" {
					errs <- fmt.Sprintf("Predict(%q) differs under concurrency:\n%s", texts[k], d)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestTrainValidationThreshold(t *testing.T) {
	train := []Example{
		{"where is my order", "order"}, {"track my parcel", "order"}, {"has my order shipped", "order"},
		{"order status please", "order"}, {"when does my package arrive", "order"},
		{"i want a refund", "refund"}, {"give me my money back", "refund"}, {"refund my order", "refund"},
		{"how do refunds work", "refund"}, {"can i return this for a refund", "refund"},
	}
	val := []Example{{"where is my parcel", "order"}, {"refund please", "refund"},
		{"tell me a joke", "oos"}, {"what is the weather", "oos"}}
	m, err := Train(context.Background(), train, TrainOptions{Validation: val})
	if err != nil {
		t.Fatal(err)
	}
	if th := m.Threshold(); th <= 0 || th >= 1 {
		t.Errorf("threshold %v, want one chosen in (0,1)", th)
	}
	// A validation label the training data lacks is out of scope.
	m2, err := Train(context.Background(), train, TrainOptions{Validation: []Example{{"where is my parcel", "order"},
		{"tell me a joke", "jokes"}, {"what is the weather", "weather"}}})
	if err != nil {
		t.Fatal(err)
	}
	if th := m2.Threshold(); th <= 0 || th >= 1 {
		t.Errorf("threshold %v with unknown validation labels, want one chosen in (0,1)", th)
	}
	m, err = Train(context.Background(), train, TrainOptions{Threshold: 0.7})
	if err != nil {
		t.Fatal(err)
	}
	if m.Threshold() != 0.7 {
		t.Errorf("explicit threshold: got %v", m.Threshold())
	}
}

// TestBanking77HeldOut trains on BANKING77 train.csv and checks accuracy on
// the held-out val.csv.
func TestBanking77HeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 9,000 examples")
	}
	ds := datasetsDir(t)
	train := loadCSV(t, filepath.Join(ds, "banking77", "train.csv"))
	val := loadCSV(t, filepath.Join(ds, "banking77", "val.csv"))
	m, err := Train(context.Background(), train, TrainOptions{MaxInScopeDrop: -1})
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(m, val)
	t.Logf("banking77 val: accuracy %.4f macro-F1 %.4f features %d", r.Accuracy, r.MacroF1, m.Info().Features)
	if r.Accuracy < 0.89 {
		t.Errorf("accuracy %.4f on banking77 val, want >= 0.89", r.Accuracy)
	}
}

// TestDemoIntents trains on the demo company's intents file and checks that
// held-out phrasings land on the right intents.
func TestDemoIntents(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "configs", "demo", "intents.yaml"))
	if err != nil {
		t.Skip("demo intents file not found")
	}
	defer f.Close()
	file, err := ParseFile(f, "intents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Train(context.Background(), file.Examples(), TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(ClassifierOptions{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, intent string
		complaint    bool
	}{
		{"hello there", "greeting", false},
		{"你们的快递太慢了，我要投诉", "", true},
		{"I hate to say it but I'm rather disappointed with the tea I received", "", true},
		{"what is the capital of australia", "oos", false},
	}
	for _, tt := range tests {
		got, err := c.Classify(context.Background(), tt.text)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q -> %s %.2f complaint %.2f top %v", tt.text, got.Intent, got.Confidence, got.Complaint, got.Top)
		if tt.intent != "" && got.Intent != tt.intent {
			t.Errorf("%q: intent %q, want %q", tt.text, got.Intent, tt.intent)
		}
		if (got.Intent == "complaint" || got.Complaint >= 0.6) != tt.complaint {
			t.Errorf("%q: complaint %.2f (intent %s), want flagged=%v", tt.text, got.Complaint, got.Intent, tt.complaint)
		}
	}
}

func FuzzPredict(f *testing.F) {
	m, err := shopModel()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"where is my order", "我要退款", "", " ", "😀", "\xff\xfe", strings.Repeat("订单 order ", 800)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := m.Predict(s)
		if p.Intent == "" || p.Confidence < 0 || p.Confidence > 1 || p.Confidence != p.Confidence {
			t.Fatalf("Predict(%q) = %+v", s, p)
		}
		if p.OutOfScope != (p.Intent == LabelOutOfScope) {
			t.Fatalf("Predict(%q): OutOfScope %v with intent %q", s, p.OutOfScope, p.Intent)
		}
	})
}

// TestBanking77OutOfScope holds 15 of the 77 BANKING77 intents out of scope:
// the train and val rows of 8 of them are labelled "oos"; the other 7 are
// seen only in the test set. The threshold is chosen on val. This is the split
// behind the out-of-scope figure in README.md.
func TestBanking77OutOfScope(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 8,000 examples")
	}
	ds := datasetsDir(t)
	train := loadCSV(t, filepath.Join(ds, "banking77", "train.csv"))
	val := loadCSV(t, filepath.Join(ds, "banking77", "val.csv"))
	test := loadCSV(t, filepath.Join(ds, "banking77", "test.csv"))
	split := banking77OOSSplit(train)
	relabel := func(ex []Example, keepUnseen bool) []Example {
		var out []Example
		for _, e := range ex {
			switch split[e.Label] {
			case "known":
				e.Label = LabelOutOfScope
			case "unseen":
				if !keepUnseen {
					continue
				}
				e.Label = LabelOutOfScope
			}
			out = append(out, e)
		}
		return out
	}
	m, err := Train(context.Background(), relabel(train, false), TrainOptions{Validation: relabel(val, false)})
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(m, relabel(test, true))
	t.Logf("in-scope accuracy %.4f (top-1 without rejection %.4f), oos recall %.3f, oos precision %.3f",
		r.AccuracyInScope, r.AccuracyTop1, r.OOSRecall, r.OOSPrecision)
	if drop := r.AccuracyTop1 - r.AccuracyInScope; drop > 0.025 {
		t.Errorf("rejection costs %.1f points of in-scope accuracy, want <= 2.5", 100*drop)
	}
	if r.OOSRecall < 0.5 {
		t.Errorf("oos recall %.3f, want >= 0.5", r.OOSRecall)
	}
}

// banking77OOSSplit assigns the sorted labels 2, 7, 12, ... (15 of 77) to
// out of scope, alternately "known" (oos rows in training) and "unseen".
func banking77OOSSplit(train []Example) map[string]string {
	labels := labelsOf(train)
	out := map[string]string{}
	for i, j := 2, 0; i < len(labels); i, j = i+5, j+1 {
		out[labels[i]] = map[bool]string{true: "known", false: "unseen"}[j%2 == 0]
	}
	return out
}
