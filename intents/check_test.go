package intents

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readFile parses an intents file of testdata (or elsewhere) or fails the
// test; it returns the examples and the intents' names in file order.
func readFile(t *testing.T, path string) ([]Example, []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := ParseFile(f, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range file.Intents {
		names = append(names, in.Name)
	}
	return file.Examples(), names
}

// warningsOf returns the warnings of r as "intent kind [language|with]".
func warningsOf(r *CheckReport) []string {
	var out []string
	for _, ic := range r.Intents {
		for _, w := range ic.Warnings {
			s := ic.Intent + " " + w.Kind
			if w.Language != "" {
				s += " " + w.Language
			}
			if w.With != "" {
				s += " " + w.With
			}
			out = append(out, s)
		}
	}
	return out
}

// TestCheckSixIntents is the file of issue 20: six thin English intents,
// two of them (menu, dietary) worded alike. Every one must be called thin in
// English, none thin in Chinese (the file does not use it), and the
// overlapping pair confused both ways.
func TestCheckSixIntents(t *testing.T) {
	examples, names := readFile(t, "testdata/six.yaml")
	r, err := Check(context.Background(), examples, CheckOptions{Intents: names})
	if err != nil {
		t.Fatal(err)
	}
	got := warningsOf(r)
	t.Logf("warnings: %q", got)
	for _, name := range names {
		if !slices.Contains(got, name+" thin en") {
			t.Errorf("%s (fewer than %d examples) is not called thin in English: %q", name, MinExamplesPerLanguage, got)
		}
	}
	for _, w := range got {
		if strings.HasSuffix(w, " zh") {
			t.Errorf("warning %q: the file is English only", w)
		}
	}
	for _, want := range []string{"menu confused dietary", "dietary confused menu"} {
		if !slices.Contains(got, want) {
			t.Errorf("no warning %q: %q", want, got)
		}
	}
	if r.Folds != DefaultCheckFolds || r.CrossValidation == nil || r.CrossValidation.NTest != len(examples) {
		t.Errorf("folds %d, cross-validation %+v: want every one of the %d examples held out once", r.Folds, r.CrossValidation, len(examples))
	}
	if got := r.Languages; !slices.Equal(got, []string{"en"}) {
		t.Errorf("languages %v, want [en]", got)
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "no out-of-scope examples") {
		t.Errorf("notes %q: want one saying there are no out-of-scope examples", r.Notes)
	}
	var dietary IntentCheck
	for _, ic := range r.Intents {
		if ic.Intent == "dietary" {
			dietary = ic
		}
	}
	if dietary.Accuracy == nil || len(dietary.Wrong) == 0 || dietary.Wrong[0].Predicted != "menu" {
		t.Errorf("dietary: accuracy %v, wrong %+v: want mistakes taken for menu", dietary.Accuracy, dietary.Wrong)
	}
	for _, w := range dietary.Warnings {
		if w.Kind == WarnConfused && !strings.Contains(w.Message, "confused with menu") {
			t.Errorf("message %q does not name menu", w.Message)
		}
	}

	// The same file gives the same report.
	again, err := Check(context.Background(), examples, CheckOptions{Intents: names})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r.Intents, again.Intents); d != "" {
		t.Errorf("a second check differs (-first +second):\n%s", d)
	}
}

// TestCheckDemo checks the demo company's shipped intents: no intent may be
// thin or confused. The figures are logged, not tuned: a failure here is
// reported, and the demo's examples are not reworded to pass.
func TestCheckDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validates 917 examples (5 trainings)")
	}
	examples, names := readFile(t, filepath.Join("..", "configs", "demo", "intents.yaml"))
	r, err := Check(context.Background(), examples, CheckOptions{Intents: names})
	if err != nil {
		t.Fatal(err)
	}
	cv := r.CrossValidation
	t.Logf("demo: %d examples, accuracy %.3f (in scope %.3f, top-1 %.3f), oos recall %.3f precision %.3f, in-scope rejected %.3f",
		r.Examples, cv.Accuracy, cv.AccuracyInScope, cv.AccuracyTop1, r.OutOfScope.Recall, r.OutOfScope.Precision, r.OutOfScope.InScopeRejected)
	for _, ic := range r.Intents {
		var worst Confused
		if len(ic.Confused) > 0 {
			worst = ic.Confused[0]
		}
		t.Logf("%-22s en %2d zh %2d accuracy %.2f worst %s %.2f", ic.Intent, ic.Examples["en"], ic.Examples["zh"], *ic.Accuracy, worst.Intent, worst.Share)
	}
	if got := warningsOf(r); len(got) > 0 {
		t.Errorf("the demo's intents have warnings: %q", got)
	}
	if !slices.Equal(r.Languages, []string{"en", "zh"}) {
		t.Errorf("languages %v, want [en zh]", r.Languages)
	}
}

func TestFileLanguages(t *testing.T) {
	en := func(n int, label string) []Example {
		var out []Example
		for i := range n {
			out = append(out, Example{Text: "where is my order number " + string(rune('a'+i)), Label: label})
		}
		return out
	}
	zh := func(n int, label string) []Example {
		var out []Example
		for i := range n {
			out = append(out, Example{Text: "我的订单到哪了" + string(rune('一'+i)), Label: label})
		}
		return out
	}
	tests := []struct {
		name string
		in   []Example
		want []string
	}{
		{"english", en(5, "a"), []string{"en"}},
		{"chinese", zh(5, "a"), []string{"zh"}},
		{"a stray chinese example", append(en(30, "a"), zh(3, "b")...), []string{"en"}},
		{"both", append(en(30, "a"), zh(MinExamplesPerLanguage, "b")...), []string{"en", "zh"}},
		{"out of scope does not count", append(en(30, "a"), zh(20, LabelOutOfScope)...), []string{"en"}},
	}
	for _, tt := range tests {
		if got := FileLanguages(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: FileLanguages = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCheckFewExamples: an intent with one example (which Train refuses)
// or none (replies only) is reported, not an error, and the others are
// still cross-validated.
func TestCheckFewExamples(t *testing.T) {
	examples, names := readFile(t, "testdata/six.yaml")
	examples = append(examples, Example{Text: "is there wifi", Label: "wifi"},
		Example{Text: "do you have parking", Label: "parking"}, Example{Text: "where can I park", Label: "parking"})
	names = append(names, "wifi", "parking", "thanks")
	r, err := Check(context.Background(), examples, CheckOptions{Intents: names})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]IntentCheck{}
	var order []string
	for _, ic := range r.Intents {
		got[ic.Intent] = ic
		order = append(order, ic.Intent)
	}
	if !slices.Equal(order, names) {
		t.Errorf("intents in order %v, want the file's %v", order, names)
	}
	if w := warningsOf(&CheckReport{Intents: []IntentCheck{got["wifi"]}}); !slices.Contains(w, "wifi untrainable") {
		t.Errorf("wifi (1 example) warnings %q, want untrainable", w)
	}
	if w := warningsOf(&CheckReport{Intents: []IntentCheck{got["thanks"]}}); !slices.Equal(w, []string{"thanks not_checked"}) {
		t.Errorf("thanks (no examples) warnings %q, want not_checked only", w)
	}
	if ic := got["parking"]; ic.Accuracy != nil || ic.Held != 0 {
		t.Errorf("parking (2 examples) held out %d, accuracy %v: want none held out", ic.Held, ic.Accuracy)
	}
	if ic := got["menu"]; ic.Accuracy == nil || ic.Held != 4 {
		t.Errorf("menu held out %d: want its 4 examples", ic.Held)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.HasPrefix(n, "parking has too few examples") }) {
		t.Errorf("notes %q: want one on parking", r.Notes)
	}
}

func TestCheckAllOutOfScope(t *testing.T) {
	ex := []Example{{"tell me a joke", "oos"}, {"weather tomorrow", "oos"}, {"sing a song", "oos"}}
	if _, err := Check(context.Background(), ex, CheckOptions{}); err == nil || !strings.Contains(err.Error(), "no in-scope label") {
		t.Errorf("Check of out-of-scope examples only: %v, want an error saying there is no in-scope label", err)
	}
}

func TestCheckOffTopic(t *testing.T) {
	examples, names := readFile(t, "testdata/six.yaml")
	off := []string{"what's the weather tomorrow", "tell me a joke", "who won the football match"}
	r, err := Check(context.Background(), examples, CheckOptions{Intents: names, OffTopic: off})
	if err != nil {
		t.Fatal(err)
	}
	ot := r.OutOfScope.OffTopic
	if ot == nil || ot.Messages != len(off) || ot.Rejected < 0 || ot.Rejected > 1 {
		t.Fatalf("off-topic %+v", ot)
	}
	for _, a := range ot.Accepted {
		if !slices.Contains(off, a.Text) || !slices.Contains(names, a.Predicted) {
			t.Errorf("accepted %+v: want an off-topic message and one of the file's intents", a)
		}
	}
}

func TestSaveLoadCheck(t *testing.T) {
	dir := t.TempDir()
	examples, names := readFile(t, "testdata/six.yaml")
	opts := CheckOptions{Intents: names}
	if LoadCheck(dir, examples, opts) != nil {
		t.Fatal("LoadCheck found a report in an empty folder")
	}
	r := CheckCounts(examples, opts)
	if err := SaveCheck(dir, examples, opts, r); err != nil {
		t.Fatal(err)
	}
	got := LoadCheck(dir, examples, opts)
	if d := cmp.Diff(r, got); d != "" {
		t.Errorf("loaded report differs (-saved +loaded):\n%s", d)
	}
	changed := append(slices.Clone(examples), Example{Text: "is there wifi", Label: "location"})
	if LoadCheck(dir, changed, opts) != nil {
		t.Error("LoadCheck returned the report of other examples")
	}
	if LoadCheck(dir, examples, CheckOptions{Intents: names, Folds: 3}) != nil {
		t.Error("LoadCheck returned the report of other options")
	}
	if err := os.WriteFile(filepath.Join(dir, CheckFileName), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if LoadCheck(dir, examples, opts) != nil {
		t.Error("LoadCheck returned a damaged report")
	}
}
