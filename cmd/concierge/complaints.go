package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/intents"
)

func newComplaintsEvalCmd(e *env) *cobra.Command {
	var testPath, examplesPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval --test FILE [--examples FILE]",
		Short: "Score the built-in complaint detector on a labelled CSV (labels complaint / other)",
		Long: fmt.Sprintf(`Runs the built-in English and Chinese complaint detector, trained only on the
seed data Concierge ships, over --test (CSV with header text,label; labels
complaint and other) without learning from it. A message counts as a complaint
when its score is at least %.2f, the Engine's default threshold.

--examples adds a company's own labelled messages to what the detector learns,
as the complaint_examples setting does for chat and serve: measure a set of
examples on messages it does not contain.`, intents.ComplaintThreshold),
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if testPath == "" {
				return usagef("complaints eval needs --test; see `concierge complaints eval --help`")
			}
			test, err := readExamples(testPath)
			if err != nil {
				return err
			}
			d, err := complaintDetector(cmd.Context(), Config{ComplaintExamples: examplesPath})
			if err != nil {
				return err
			}
			r, err := intents.EvaluateComplaints(d, test)
			if err != nil {
				return fmt.Errorf("%s: %w", testPath, err)
			}
			if asJSON {
				return json.NewEncoder(e.stdout).Encode(r)
			}
			tw := newTable(e.stdout)
			fmt.Fprintf(tw, "precision\t%.2f %%\n", 100*r.Precision)
			fmt.Fprintf(tw, "recall\t%.2f %%\n", 100*r.Recall)
			fmt.Fprintf(tw, "F1\t%.4f\n", r.F1)
			fmt.Fprintf(tw, "accuracy\t%.2f %%\n", 100*r.Accuracy)
			fmt.Fprintf(tw, "messages\t%d\n", r.N)
			fmt.Fprintf(tw, "scoring\t%.1f µs p50, %.1f µs p99\n", r.P50Micros, r.P99Micros)
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&testPath, "test", "", "test data: CSV `FILE` with header text,label (complaint / other)")
	cmd.Flags().StringVar(&examplesPath, "examples", "", "a company's own labelled messages to learn too: CSV `FILE` text,label")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	return cmd
}
