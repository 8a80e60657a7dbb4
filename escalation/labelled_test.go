package escalation_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/concierge-bot/concierge/alert"
	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/intents"
	"github.com/concierge-bot/concierge/knowledge"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// demoParts are the real classifier and knowledge index of the demo
// company, built once per test binary, as cmd/concierge builds them.
var demoParts struct {
	once    sync.Once
	cls     *intents.Classifier
	replies map[string]map[string]string
	index   *knowledge.Index
	err     error
}

func realParts(t testing.TB) (*intents.Classifier, *knowledge.Index, map[string]map[string]string) {
	t.Helper()
	demoParts.once.Do(func() {
		ctx := context.Background()
		file, err := intents.ParseFile(bytes.NewReader(demo.Intents()), "demo/intents.yaml")
		if err != nil {
			demoParts.err = err
			return
		}
		model, err := intents.Train(ctx, file.Examples(), intents.TrainOptions{})
		if err != nil {
			demoParts.err = err
			return
		}
		if demoParts.cls, err = intents.NewClassifier(intents.ClassifierOptions{Model: model}); err != nil {
			demoParts.err = err
			return
		}
		demoParts.replies = file.Replies()
		docs, _, err := knowledge.Load(demo.Content())
		if err != nil {
			demoParts.err = err
			return
		}
		dir, err := os.MkdirTemp("", "escalation-index-")
		if err != nil {
			demoParts.err = err
			return
		}
		// The index lives for the whole test binary; the OS cleans its temp dir.
		demoParts.index, demoParts.err = knowledge.Build(ctx, filepath.Join(dir, "index"), docs, knowledge.BuildOptions{})
	})
	if demoParts.err != nil {
		t.Fatalf("building the demo classifier and index: %v", demoParts.err)
	}
	return demoParts.cls, demoParts.index, demoParts.replies
}

// realEngine is the Engine as cmd/concierge wires it, on a fresh database.
func realEngine(t testing.TB, wrap func(*sqlite.DB) bot.Store) (*bot.Engine, *sqlite.DB) {
	t.Helper()
	cls, index, replies := realParts(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), sqlite.Options{Alerts: alert.Protocol{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var st bot.Store = db
	if wrap != nil {
		st = wrap(db)
	}
	e, err := bot.NewEngine(bot.EngineOptions{Classifier: cls, Retriever: index, Store: st, Replies: replies,
		Customers: db, Ratings: db})
	if err != nil {
		t.Fatal(err)
	}
	return e, db
}

// labelled is one conversation of testdata/labelled.jsonl.
type labelled struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Lang     string   `json:"lang"`
	Want     string   `json:"want"`
	Messages []string `json:"messages"`
}

// Decision classes: what the Engine decided for a conversation. Two
// reasons that both mean "an unhappy customer goes to a human" count as
// one class.
var decisionClass = map[string]string{
	bot.ReasonComplaint:       "complaint",
	bot.ReasonNegativeTrend:   "complaint",
	bot.ReasonVIP:             "complaint",
	bot.ReasonRequestedHuman:  "requested_human",
	bot.ReasonEscalationWords: "escalation_words",
	bot.ReasonRepeatedFailure: "repeated_failure",
	bot.ReasonLead:            "lead",
	"":                        "none",
}

func readLabelled(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "labelled.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r labelled
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("labelled.jsonl line %d: %v", len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestLabelledEscalationDecisions runs the 200 demo conversations of
// testdata/labelled.jsonl through the real Engine, classifier, knowledge
// index and store, and compares the escalation decision with the label.
func TestLabelledEscalationDecisions(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the demo classifier")
	}
	rows := readLabelled(t)
	if len(rows) != 200 {
		t.Fatalf("%d labelled conversations, want 200", len(rows))
	}
	e, db := realEngine(t, nil)
	ctx := context.Background()
	confusion := map[[2]string]int{}
	correct := 0
	byKind := map[string][2]int{}
	for i, r := range rows {
		var escID bot.EscalationID
		for _, text := range r.Messages {
			rep, err := e.Handle(ctx, bot.Message{Channel: "web", ExternalUserID: fmt.Sprintf("lab-%d", i), Text: text,
				Time: time.Now()})
			if err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			if escID == 0 {
				escID = rep.EscalationID
			}
		}
		reason := ""
		if escID != 0 {
			esc, err := db.Escalation(ctx, escID)
			if err != nil {
				t.Fatal(err)
			}
			reason = esc.Reason
		}
		got := decisionClass[reason]
		confusion[[2]string{r.Want, got}]++
		k := byKind[r.Kind]
		k[1]++
		if got == r.Want {
			correct++
			k[0]++
		} else {
			t.Logf("miss %s: want %s, got %s (%s): %q", r.ID, r.Want, got, reason, r.Messages)
		}
		byKind[r.Kind] = k
	}
	acc := float64(correct) / float64(len(rows))
	t.Logf("escalation decisions: %d/%d correct, accuracy %.1f%%", correct, len(rows), 100*acc)
	t.Logf("confusion (want → got):\n%s", formatConfusion(confusion))
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		t.Logf("  %-17s %d/%d", k, byKind[k][0], byKind[k][1])
	}
	if acc < 0.95 {
		t.Errorf("accuracy %.1f%%, target ≥ 95%%", 100*acc)
	}
}

func formatConfusion(c map[[2]string]int) string {
	classes := []string{"complaint", "requested_human", "escalation_words", "lead", "repeated_failure", "none"}
	var b strings.Builder
	fmt.Fprintf(&b, "%-17s", "want \\ got")
	for _, g := range classes {
		fmt.Fprintf(&b, " %16s", g)
	}
	b.WriteString("\n")
	for _, w := range classes {
		fmt.Fprintf(&b, "%-17s", w)
		for _, g := range classes {
			fmt.Fprintf(&b, " %16d", c[[2]string{w, g}])
		}
		b.WriteString("\n")
	}
	return b.String()
}
