package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/intents"
)

// thinIntents is a café's first intents file as issue 20 describes it: six
// intents with three to five English examples each, no out-of-scope
// examples, menu and dietary both about vegan food.
const thinIntents = `intents:
  - name: greeting
    examples:
      - hi
      - hello
      - good morning
      - hey there
      - hello, anyone around?
    replies:
      en: Hello! Welcome to Corner Café.
  - name: opening_hours
    examples:
      - when are you open
      - what time do you close today
      - are you open on sunday
      - opening hours?
  - name: booking
    examples:
      - can I book a table
      - I'd like to reserve a table for four tonight
      - do you take reservations
  - name: location
    examples:
      - where are you
      - what's your address
      - how do I get to the café
  - name: menu
    examples:
      - what's on the menu today
      - do you have vegan cakes
      - any vegan food
      - do you serve vegan breakfast
  - name: dietary
    examples:
      - are there vegan options
      - is the cake vegan
      - vegan food?
      - do you have vegan dishes
`

var thinNames = []string{"greeting", "opening_hours", "booking", "location", "menu", "dietary"}

func writeThin(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "intents.yaml")
	if err := os.WriteFile(path, []byte(thinIntents), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIntentsCheckThinFile(t *testing.T) {
	path := writeThin(t)
	code, out, errOut := runCLI(t, "", "intents", "check", path)
	if code != 0 {
		t.Fatalf("intents check: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"23 examples of 6 intents, 5-fold cross-validation",
		"every intent should have 10 examples in English.",
		"Examples that go wrong",
		"What to do:",
		"There are no out-of-scope examples",
		"Off-topic messages (the demo company's",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Every intent is thin: a table row saying so and a line of advice.
	for _, name := range thinNames {
		if !regexp.MustCompile(`(?m)^` + name + `\s.*thin en`).MatchString(out) {
			t.Errorf("table row of %s does not say it is thin:\n%s", name, out)
		}
		if !regexp.MustCompile(`(?m)^  ` + name + `: add examples in English \(\d of the 10 recommended\)$`).MatchString(out) {
			t.Errorf("no advice to add examples to %s:\n%s", name, out)
		}
	}
	// menu and dietary are worded alike: each is taken for the other.
	for _, pair := range [][2]string{{"menu", "dietary"}, {"dietary", "menu"}} {
		if !regexp.MustCompile(`(?m)^  ` + pair[0] + `: confused with ` + pair[1] + ` \d+ % of the time`).MatchString(out) {
			t.Errorf("%s is not reported confused with %s:\n%s", pair[0], pair[1], out)
		}
	}

	// --intents FILE is the same check; the JSON is the report.
	code, js, errOut := runCLI(t, "", "intents", "check", "--json", "--intents", path)
	if code != 0 {
		t.Fatalf("intents check --json --intents: exit %d, stderr %q", code, errOut)
	}
	var r intents.CheckReport
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("--json output is not a report: %v\n%s", err, js)
	}
	if r.Examples != 23 || r.Folds != 5 || len(r.Intents) != 6 || r.CrossValidation == nil {
		t.Errorf("report: %d examples, %d folds, %d intents, cross-validation %v; want 23, 5, 6, some",
			r.Examples, r.Folds, len(r.Intents), r.CrossValidation != nil)
	}
}

func TestIntentsCheckErrors(t *testing.T) {
	path := writeThin(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("intents:\n  - name: a\n    examples: [x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"file and flag", []string{"intents", "check", path, "--intents", path}, 2, "not both"},
		{"two files", []string{"intents", "check", path, path}, 2, "at most one FILE"},
		{"one fold", []string{"intents", "check", "--folds", "1", path}, 2, "--folds"},
		{"missing file", []string{"intents", "check", filepath.Join(t.TempDir(), "none.yaml")}, 1, "cannot be read"},
		{"broken file", []string{"intents", "check", bad}, 1, "bad.yaml"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d mentioning %q", tt.name, code, errOut, tt.code, tt.want)
		}
	}
}

// TestIntentsCheckDemo: the demo company's intents, which the README
// starts with, pass the check: every intent has the recommended examples in
// both languages and none is mostly taken for another.
func TestIntentsCheckDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-validates the demo's 917 examples (seconds, a minute under -race); the full suite runs it")
	}
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "intents"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "intents", "check", "--data", data)
	if code != 0 {
		t.Fatalf("intents check: exit %d, stderr %q", code, errOut)
	}
	if !strings.HasPrefix(out, "demo/intents.yaml: ") || !strings.HasSuffix(out, "\nNo warnings.\n") {
		t.Errorf("the demo's intents are not checked without warnings:\n%s", out)
	}
	// Saved for the next start: a start-up finds it and logs nothing.
	file, err := intents.ParseFile(bytes.NewReader(demo.Intents()), "demo/intents.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	later := warnIntents(context.Background(), Config{DataDir: data}, file, intents.TrainInfo{Duration: time.Hour}, 0, log)
	if later != nil || !strings.Contains(logs.String(), "how=saved") || strings.Contains(logs.String(), "WARN") {
		t.Errorf("a start after `intents check` does not use its saved report quietly (later %v):\n%s", later != nil, logs.String())
	}
}

// intentWarnings returns the start-up warning lines by intent.
func intentWarnings(t *testing.T, logs string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(logs, "\n") {
		if m := regexp.MustCompile(`level=WARN msg="intent (\w+): (.*?)" intent=`).FindStringSubmatch(line); m != nil {
			if _, dup := got[m[1]]; dup {
				t.Errorf("intent %s warned twice in one pass:\n%s", m[1], logs)
			}
			got[m[1]] = m[2]
		}
	}
	return got
}

func TestStartupIntentWarnings(t *testing.T) {
	path := writeThin(t)
	file, err := intents.ParseFile(strings.NewReader(thinIntents), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	newLog := func() (*slog.Logger, *bytes.Buffer) {
		var b bytes.Buffer
		return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
	}
	mkData := func() Config {
		data := t.TempDir()
		if err := os.MkdirAll(filepath.Join(data, "intents"), 0o700); err != nil {
			t.Fatal(err)
		}
		return Config{DataDir: data, Intents: path}
	}
	info := intents.TrainInfo{Duration: time.Millisecond}

	// Cheap enough: cross-validated at once, one line per intent with
	// everything it needs.
	cfg := mkData()
	log, logs := newLog()
	if later := warnIntents(ctx, cfg, file, info, time.Hour, log); later != nil {
		t.Error("a check within the budget is left for later")
	}
	got := intentWarnings(t, logs.String())
	for _, name := range thinNames {
		if !strings.Contains(got[name], "add examples in English") {
			t.Errorf("no start-up warning that %s is thin: %q", name, got[name])
		}
	}
	for _, pair := range [][2]string{{"menu", "dietary"}, {"dietary", "menu"}} {
		if !strings.Contains(got[pair[0]], "confused with "+pair[1]) {
			t.Errorf("start-up warning of %s does not name %s: %q", pair[0], pair[1], got[pair[0]])
		}
	}
	if !strings.Contains(logs.String(), "concierge intents check") {
		t.Errorf("the warnings do not say where the figures are:\n%s", logs)
	}
	// The next start reads the saved report, even with no budget.
	log, logs2 := newLog()
	if later := warnIntents(ctx, cfg, file, info, 0, log); later != nil {
		t.Error("a saved report is checked again")
	}
	if again := intentWarnings(t, logs2.String()); len(again) != len(got) || !strings.Contains(logs2.String(), "how=saved") {
		t.Errorf("second start: %d warnings (%s), want the saved report's %d:\n%s", len(again), again, len(got), logs2)
	}

	// Too costly: the counts at once, the confusions from later.
	cfg = mkData()
	log, logs = newLog()
	later := warnIntents(ctx, cfg, file, info, 0, log)
	if later == nil {
		t.Fatal("a check over the budget is neither run nor left for later")
	}
	first := intentWarnings(t, logs.String())
	for _, name := range thinNames {
		if !strings.Contains(first[name], "add examples in English") || strings.Contains(first[name], "confused") {
			t.Errorf("warning of %s before the check: %q; want thin only", name, first[name])
		}
	}
	logs.Reset()
	later(ctx)
	second := intentWarnings(t, logs.String())
	for _, pair := range [][2]string{{"menu", "dietary"}, {"dietary", "menu"}} {
		if !strings.HasPrefix(second[pair[0]], "confused with "+pair[1]) {
			t.Errorf("the later check's warning of %s: %q; want confused with %s", pair[0], second[pair[0]], pair[1])
		}
	}
	if _, ok := second["booking"]; ok && !strings.Contains(second["booking"], "confused") {
		t.Errorf("the later check repeats the thin warning: %q", second["booking"])
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "intents", intents.CheckFileName)); err != nil {
		t.Errorf("the later check's report is not saved: %v", err)
	}
	// A cancelled later check logs nothing.
	cfg = mkData()
	log, logs = newLog()
	later = warnIntents(ctx, cfg, file, info, 0, log)
	logs.Reset()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	later(cancelled)
	if strings.Contains(logs.String(), "WARN") {
		t.Errorf("a check cancelled at shutdown logs:\n%s", logs)
	}
}

// TestStartIntentsCheck: serve runs the deferred check in the
// background and Close waits for it; chat leaves it to `intents check`.
func TestStartIntentsCheck(t *testing.T) {
	for _, schedules := range []bool{true, false} {
		var logs bytes.Buffer
		ran := make(chan struct{}, 1)
		a := &app{log: slog.New(slog.NewTextHandler(&logs, nil)),
			checkIntents: func(context.Context) { ran <- struct{}{} }}
		ctx, cancel := context.WithCancel(context.Background())
		a.stopWorkers = cancel
		a.startIntentsCheck(ctx, schedules)
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
			if !schedules {
				t.Error("chat runs the intents check in the background")
			}
		default:
			if schedules {
				t.Error("serve does not run the deferred intents check before Close returns")
			}
			if !strings.Contains(logs.String(), "concierge intents check") {
				t.Errorf("chat does not say where the confusions are checked:\n%s", logs.String())
			}
		}
	}
}

// TestChatWarnsThinIntents: a chat on a company with a thin intents file
// starts with one warning line per thin intent, then answers.
func TestChatWarnsThinIntents(t *testing.T) {
	dir := t.TempDir()
	path := writeThin(t)
	config := filepath.Join(dir, "concierge.yaml")
	if err := os.WriteFile(config, []byte("intents: "+path+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "hi\n", "chat", "--config", config, "--data", filepath.Join(dir, "data"))
	if code != 0 {
		t.Fatalf("chat: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(out, "Corner Café") {
		t.Errorf("chat does not answer with the file's greeting:\n%s", out)
	}
	for _, name := range thinNames {
		if n := strings.Count(errOut, `msg="intent `+name+": "); n != 1 {
			t.Errorf("%d start-up warnings of %s, want 1:\n%s", n, name, errOut)
		}
	}
}
