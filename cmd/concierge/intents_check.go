package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/configs/demo"
	"github.com/concierge-bot/concierge/intents"
)

// checkedIntents is an intents file read for `intents check`: its examples
// and the names of its intents in file order.
type checkedIntents struct {
	name     string // as messages name it
	examples []intents.Example
	names    []string
}

// readCheckedIntents reads the file at path: a CSV `text,label` when it ends
// in .csv, an intents file (YAML) otherwise. Its errors name the file and
// line; they are runtime failures (status 1), not setup errors, because the
// file is what the command was asked to look at.
func readCheckedIntents(path string) (checkedIntents, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return checkedIntents{}, explain(err, "intents file %s cannot be read: %s", absPath(path), reason(err))
	}
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		ex, err := intents.ReadCSV(strings.NewReader(string(data)), path)
		if err != nil {
			return checkedIntents{}, err // "file:12: ..."
		}
		return checkedIntents{name: path, examples: ex}, nil
	}
	f, err := parseIntents(path, data)
	if err != nil {
		return checkedIntents{}, err
	}
	return checkedOf(path, f), nil
}

func checkedOf(name string, f *intents.File) checkedIntents {
	c := checkedIntents{name: name, examples: f.Examples()}
	for _, in := range f.Intents {
		c.names = append(c.names, in.Name)
	}
	return c
}

// configuredIntents reads the intents file of the configuration, or the
// embedded demo company's, for `intents check`.
func configuredIntents(cfg Config) (checkedIntents, error) {
	if cfg.Intents != "" {
		return readCheckedIntents(cfg.Intents)
	}
	f, err := parseIntents(intentsName(cfg), demo.Intents())
	if err != nil {
		return checkedIntents{}, err
	}
	return checkedOf(intentsName(cfg), f), nil
}

// checkOptions are the options of every check of an intents file, by
// `intents check` and at start-up alike, so that both find the same saved
// report: the model's training options (openClassifier's), the file's order
// of intents, and, when the file has no out-of-scope examples of its own,
// the demo company's as off-topic messages to measure rejection with.
func checkOptions(c checkedIntents) intents.CheckOptions {
	opts := intents.CheckOptions{Train: intents.TrainOptions{}, Intents: c.names}
	for _, e := range c.examples {
		if e.Label == intents.LabelOutOfScope {
			return opts
		}
	}
	opts.OffTopic = demoOffTopic()
	return opts
}

// demoOffTopic returns the out-of-scope examples of the demo company: the
// weather, jokes, homework, stocks, flights in English and Chinese.
func demoOffTopic() []string {
	f, err := intents.ParseFile(strings.NewReader(string(demo.Intents())), "demo/intents.yaml")
	if err != nil {
		return nil // the demo's file is tested to parse
	}
	for _, in := range f.Intents {
		if in.Name == intents.LabelOutOfScope {
			return in.Examples
		}
	}
	return nil
}

func newIntentsCheckCmd(e *env) *cobra.Command {
	var asJSON bool
	var folds int
	var intentsPath string
	cmd := &cobra.Command{
		Use:   "check [FILE | --intents FILE]",
		Short: "Report per intent the examples per language, cross-validated accuracy and confusions, with warnings",
		Long: fmt.Sprintf(`Checks an intents file before customers meet it: per intent, the number of
examples in English and Chinese, the share of its examples recognised in
%d-fold cross-validation (each example predicted by a model trained without
it), the intent it is most often taken for, and examples that go wrong; then
how out-of-scope rejection works.

FILE (or --intents FILE) is an intents file (YAML) or a CSV with the header
text,label; without it, the configured intents file (or the embedded demo
company's) is checked, and the report is saved in the data directory, when
there is one, for the next start-up.

It warns when an intent has fewer than %d examples in a language the file
uses, or when %.0f %% or more of its examples are taken for one other intent
(or rejected as out of scope). Warnings do not change the exit status (0); a
file that cannot be read or parsed exits with 1. The server logs the same
warnings at start-up, one line per intent.`, intents.DefaultCheckFolds, intents.MinExamplesPerLanguage,
			100*intents.ConfusionWarnShare),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("intents check takes at most one FILE, got %d arguments; see `concierge intents check --help`", len(args))
			}
			if len(args) == 1 && intentsPath != "" {
				return usagef("intents check takes FILE or --intents FILE, not both; see `concierge intents check --help`")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var c checkedIntents
			var err error
			var cfg Config
			if folds < 2 {
				return usagef("--folds must be 2 or more, got %d", folds)
			}
			if len(args) == 1 {
				intentsPath = args[0]
			}
			configured := intentsPath == ""
			if configured {
				if cfg, err = e.loadConfig(); err != nil {
					return err
				}
				c, err = configuredIntents(cfg)
			} else {
				c, err = readCheckedIntents(intentsPath)
			}
			if err != nil {
				return err
			}
			opts := checkOptions(c)
			opts.Folds = folds
			r, err := intents.Check(cmd.Context(), c.examples, opts)
			if err != nil {
				return err
			}
			if configured && folds == intents.DefaultCheckFolds {
				// Saved for the next start-up, where the data directory
				// already exists; a check never creates it.
				dir := filepath.Join(cfg.DataDir, "intents")
				if _, err := os.Stat(dir); err == nil {
					_ = intents.SaveCheck(dir, c.examples, checkOptions(c), r)
				}
			}
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(r)
			}
			return printCheck(e.stdout, c.name, r)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	cmd.Flags().IntVar(&folds, "folds", intents.DefaultCheckFolds, "cross-validation `N` folds")
	cmd.Flags().StringVar(&intentsPath, "intents", "", "intents `FILE` to check (default: the configured one, or the demo company's)")
	return cmd
}

// printCheck writes the report for people: the table, the examples that go
// wrong, out-of-scope rejection, and what to do.
func printCheck(w io.Writer, name string, r *intents.CheckReport) error {
	inScope := 0
	other := false
	for _, ic := range r.Intents {
		if ic.Intent != intents.LabelOutOfScope {
			inScope++
		}
		other = other || ic.Examples["other"] > 0
	}
	fmt.Fprintf(w, "%s: %d examples of %d intents", name, r.Examples, inScope)
	if r.Folds > 0 {
		fmt.Fprintf(w, ", %d-fold cross-validation in %.1f s", r.Folds, r.Seconds)
	}
	fmt.Fprintf(w, "; every intent should have %d examples in %s.\n\n", intents.MinExamplesPerLanguage, languageList(r.Languages))

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "intent\ten\tzh\t"
	if other {
		head += "other\t"
	}
	fmt.Fprintln(tw, head+"accuracy\tmost confused with\twarning")
	for _, ic := range r.Intents {
		row := fmt.Sprintf("%s\t%d\t%d\t", ic.Intent, ic.Examples["en"], ic.Examples["zh"])
		if other {
			row += fmt.Sprintf("%d\t", ic.Examples["other"])
		}
		acc := "—"
		if ic.Accuracy != nil {
			acc = pct(*ic.Accuracy)
		}
		confused := ""
		if len(ic.Confused) > 0 {
			confused = fmt.Sprintf("%s %s", ic.Confused[0].Intent, pct(ic.Confused[0].Share))
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", row, acc, confused, shortWarnings(ic.Warnings))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if cv := r.CrossValidation; cv != nil {
		fmt.Fprintf(w, "\nOverall: %s of %d held-out examples right (in scope %s; %s without out-of-scope rejection), macro F1 %.2f.\n",
			pct(cv.Accuracy), cv.NTest, pct(cv.AccuracyInScope), pct(cv.AccuracyTop1), cv.MacroF1)
	}
	if o := r.OutOfScope; o != nil {
		if o.Examples > 0 {
			fmt.Fprintf(w, "Out of scope: %s of the %d out-of-scope examples rejected (%s of rejections right); ",
				pct(o.Recall), o.Examples, pct(o.Precision))
		} else {
			fmt.Fprint(w, "Out of scope: no out-of-scope examples; ")
		}
		fmt.Fprintf(w, "%s of in-scope examples rejected (threshold %.2f).\n", pct(o.InScopeRejected), o.Threshold)
		if ot := o.OffTopic; ot != nil {
			fmt.Fprintf(w, "Off-topic messages (the demo company's %d out-of-scope examples): %s rejected", ot.Messages, pct(ot.Rejected))
			if len(ot.Accepted) > 0 {
				var ex []string
				for _, m := range ot.Accepted {
					ex = append(ex, fmt.Sprintf("%q → %s", m.Text, m.Predicted))
				}
				fmt.Fprintf(w, "; answered, e.g. %s", strings.Join(ex, ", "))
			}
			fmt.Fprintln(w, ".")
		}
	}

	var wrong []string
	for _, ic := range r.Intents {
		for _, m := range ic.Wrong {
			wrong = append(wrong, fmt.Sprintf("  %s: %q → %s (%.2f)", ic.Intent, m.Text, m.Predicted, m.Confidence))
		}
	}
	if len(wrong) > 0 {
		fmt.Fprintf(w, "\nExamples that go wrong (intent: example → predicted, confidence; at most %d per intent):\n", intents.MaxWrongShown)
		fmt.Fprintln(w, strings.Join(wrong, "\n"))
	}

	var todo []string
	for _, ic := range r.Intents {
		for _, wn := range ic.Warnings {
			todo = append(todo, fmt.Sprintf("  %s: %s", ic.Intent, wn.Message))
		}
	}
	for _, n := range r.Notes {
		todo = append(todo, "  "+n)
	}
	if len(todo) == 0 {
		fmt.Fprintln(w, "\nNo warnings.")
		return nil
	}
	fmt.Fprintln(w, "\nWhat to do:")
	_, err := fmt.Fprintln(w, strings.Join(todo, "\n"))
	return err
}

// shortWarnings is the table's warning column: "thin zh, confused with menu".
func shortWarnings(ws []intents.Warning) string {
	var out []string
	var thin []string
	for _, w := range ws {
		switch w.Kind {
		case intents.WarnThin:
			thin = append(thin, w.Language)
		case intents.WarnConfused:
			out = append(out, "confused with "+w.With)
		case intents.WarnRejected:
			out = append(out, "often rejected")
		case intents.WarnUntrained:
			out = append(out, "1 example")
		case intents.WarnNotChecked:
			out = append(out, "no examples")
		}
	}
	if len(thin) > 0 {
		out = append([]string{"thin " + strings.Join(thin, ", ")}, out...)
	}
	return strings.Join(out, "; ")
}

// pct formats a fraction as a whole percentage: "35 %".
func pct(f float64) string { return fmt.Sprintf("%.0f %%", math.Round(100*f)) }

func languageList(langs []string) string {
	var names []string
	for _, l := range langs {
		switch l {
		case "en":
			names = append(names, "English")
		case "zh":
			names = append(names, "Chinese")
		default:
			names = append(names, l)
		}
	}
	return strings.Join(names, " and ")
}

// startCheckBudget is what the cross-validation of the intents file may cost
// before a start-up goes on; a check estimated to cost more runs after the
// start, in the background (serve), or is left to `intents check` (chat).
// A small file, the kind that is thin, is checked at once: 23 examples take
// about 25 ms.
const startCheckBudget = 300 * time.Millisecond

// warnIntents logs at start-up one warning per intent that is too thin or
// too confused, naming it and what to do. It counts the examples at every
// start (microseconds). The confusions come from the report `intents check`
// or an earlier start saved in the data directory for this very file; with
// none, it cross-validates now when that is estimated to cost at most budget
// (Folds-1 trainings of the model trained in info.Duration). Otherwise it
// returns the check as later, to be run after the start (it logs the
// confusion warnings and saves the report for the next start); a caller
// that does not run it says, at Info, that `intents check` reports them.
// later is nil when nothing is left to do. It never fails a start: a check
// that cannot run is logged and skipped.
func warnIntents(ctx context.Context, cfg Config, file *intents.File, info intents.TrainInfo, budget time.Duration,
	log *slog.Logger) (later func(context.Context)) {
	start := time.Now()
	c := checkedOf(intentsName(cfg), file)
	opts := checkOptions(c)
	dir := filepath.Join(cfg.DataDir, "intents")
	r := intents.LoadCheck(dir, c.examples, opts)
	how := "saved"
	if r == nil {
		estimate := time.Duration(intents.DefaultCheckFolds-1) * info.Duration
		if estimate <= budget {
			how = "cross-validated"
			if r = checkAndSave(ctx, dir, c, opts, log); r == nil {
				return nil
			}
		} else {
			how = "counted"
			r = intents.CheckCounts(c.examples, opts)
			later = func(ctx context.Context) {
				start := time.Now()
				full := checkAndSave(ctx, dir, c, opts, log)
				if full == nil {
					return
				}
				// The counts' warnings were logged at start; these are
				// the ones only cross-validation finds.
				n := logIntentWarnings(full, c.name, log, func(w intents.Warning) bool {
					return w.Kind != intents.WarnThin && w.Kind != intents.WarnNotChecked
				})
				if n > 0 {
					log.Info("intents: `concierge intents check` shows every intent's figures and the examples that go wrong",
						"warned", n, "file", c.name)
				}
				log.Debug("intents checked after the start", "took", time.Since(start))
			}
		}
	}
	n := logIntentWarnings(r, c.name, log, func(intents.Warning) bool { return true })
	if n > 0 && later == nil {
		log.Info("intents: `concierge intents check` shows every intent's figures and the examples that go wrong",
			"warned", n, "file", c.name)
	}
	log.Debug("intents checked", "how", how, "took", time.Since(start))
	return later
}

// checkAndSave cross-validates c and saves the report in dir for the next
// start; it logs and returns nil when the check cannot run.
func checkAndSave(ctx context.Context, dir string, c checkedIntents, opts intents.CheckOptions, log *slog.Logger) *intents.CheckReport {
	r, err := intents.Check(ctx, c.examples, opts)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("intents not checked", "file", c.name, "err", err)
		}
		return nil
	}
	if err := intents.SaveCheck(dir, c.examples, opts, r); err != nil {
		log.Warn("intents check not saved", "file", c.name, "err", err)
	}
	return r
}

// logIntentWarnings logs one line per intent of r with warnings that keep
// accepts, and returns how many it logged.
func logIntentWarnings(r *intents.CheckReport, name string, log *slog.Logger, keep func(intents.Warning) bool) int {
	warned := 0
	for _, ic := range r.Intents {
		var advice []string
		for _, w := range ic.Warnings {
			if keep(w) {
				advice = append(advice, w.Message)
			}
		}
		if len(advice) == 0 {
			continue
		}
		warned++
		log.Warn("intent "+ic.Intent+": "+strings.Join(advice, "; "), "intent", ic.Intent, "file", name)
	}
	return warned
}
