package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/intents"
)

// readExamples reads a `text,label` CSV file.
func readExamples(path string) ([]intents.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read examples: %w", err)
	}
	defer f.Close()
	return intents.ReadCSV(f, path)
}

func newIntentsEvalCmd(e *env) *cobra.Command {
	var trainPath, testPath, valPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval --train FILE --test FILE [--val FILE]",
		Short: "Train on a labelled CSV and report accuracy, out-of-scope rejection and latency on another",
		Long: `Trains the intent classifier on --train and evaluates it on --test. Both are CSV
files with the header text,label; the label oos marks out-of-scope rows, and a
test label the training data does not have counts as out of scope.

The out-of-scope threshold is chosen on --val when given, otherwise by
cross-validation on the training data alone.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if trainPath == "" || testPath == "" {
				return usagef("intents eval needs --train and --test; see `concierge intents eval --help`")
			}
			train, err := readExamples(trainPath)
			if err != nil {
				return err
			}
			test, err := readExamples(testPath)
			if err != nil {
				return err
			}
			var opts intents.TrainOptions
			if valPath != "" {
				if opts.Validation, err = readExamples(valPath); err != nil {
					return err
				}
			}
			m, err := intents.Train(cmd.Context(), train, opts)
			if err != nil {
				return err // names the step: "intents: train: ..."
			}
			r := intents.Evaluate(m, test)
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(r)
			}
			return printIntentsEval(e, m, r)
		},
	}
	cmd.Flags().StringVar(&trainPath, "train", "", "training data: CSV `FILE` with header text,label")
	cmd.Flags().StringVar(&testPath, "test", "", "test data: CSV `FILE` with header text,label")
	cmd.Flags().StringVar(&valPath, "val", "", "validation data for the out-of-scope threshold: CSV `FILE` (optional)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	return cmd
}

func printIntentsEval(e *env, m *intents.Model, r intents.EvalResult) error {
	info := m.Info()
	tw := newTable(e.stdout)
	fmt.Fprintf(tw, "accuracy\t%.2f %%\n", 100*r.Accuracy)
	fmt.Fprintf(tw, "accuracy in scope\t%.2f %%\n", 100*r.AccuracyInScope)
	fmt.Fprintf(tw, "top-1 in scope, no rejection\t%.2f %%\n", 100*r.AccuracyTop1)
	fmt.Fprintf(tw, "out-of-scope recall\t%.2f %%\n", 100*r.OOSRecall)
	fmt.Fprintf(tw, "out-of-scope precision\t%.2f %%\n", 100*r.OOSPrecision)
	fmt.Fprintf(tw, "macro F1\t%.4f\n", r.MacroF1)
	fmt.Fprintf(tw, "examples\t%d train, %d test\n", r.NTrain, r.NTest)
	fmt.Fprintf(tw, "model\t%d intents, %d features, threshold %.3f\n", info.Labels, info.Features, info.Threshold)
	fmt.Fprintf(tw, "training\t%.2f s\n", r.TrainSeconds)
	fmt.Fprintf(tw, "prediction\t%.1f µs p50, %.1f µs p99\n", r.P50Micros, r.P99Micros)
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Confused) == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout, "\nmost confused (true → predicted):")
	tw = newTable(e.stdout)
	for _, c := range r.Confused {
		fmt.Fprintf(tw, "  %d\t%s\t→ %s\n", c.Count, c.Label, c.Predicted)
	}
	return tw.Flush()
}

func newIntentsTrainCmd(e *env) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the intent model from the company's intents file and save it in the data directory",
		Long: `Trains the intent classifier on the intents file of the configuration (or the
embedded demo company's) and saves it in the data directory, where the server
loads it at start-up. When the intents file has not changed since the saved
model was trained, the saved model is kept (use --force to retrain anyway).`,
		Args: noArgs,
		RunE: e.withConfig(func(cmd *cobra.Command, args []string, cfg Config) error {
			file, err := intentsFile(cfg)
			if err != nil {
				return err
			}
			dir := filepath.Join(cfg.DataDir, "intents") // where openApp loads it from
			path := filepath.Join(dir, intents.ModelFileName)
			if force {
				if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("remove the saved model: %w", err)
				}
			}
			m, loaded, err := intents.LoadOrTrain(cmd.Context(), dir, file.Examples(), intents.TrainOptions{})
			if err != nil {
				return fmt.Errorf("train intents: %w", err)
			}
			info := m.Info()
			if loaded {
				fmt.Fprintf(e.stdout, "The intent model in %s is up to date (%d examples, %d intents).\n", path, info.Examples, info.Labels)
				return nil
			}
			fmt.Fprintf(e.stdout, "Trained the intent model on %d examples of %d intents (%d features) in %.2f s; saved to %s.\n",
				info.Examples, info.Labels, info.Features, info.Duration.Seconds(), path)
			return nil
		}),
	}
	cmd.Flags().BoolVar(&force, "force", false, "retrain even when the saved model is up to date")
	return cmd
}
