package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/knowledge"
)

func newKnowledgeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "knowledge",
		Short: "Evaluate the knowledge-base retrieval",
		Args:  noArgs,
	}
	cmd.AddCommand(newKnowledgeEvalCmd(e))
	return cmd
}

func newKnowledgeEvalCmd(e *env) *cobra.Command {
	var (
		content, queries string
		asJSON, ablation bool
	)
	cmd := &cobra.Command{
		Use:   "eval --content DIR --queries FILE [--json]",
		Short: "Index a content directory and measure retrieval on labelled queries",
		Long: `Indexes --content (a knowledge content directory) into a temporary index and
runs every query of --queries (CSV with header query,expected_id) as a
customer. Reports P@1, MRR@10, recall@5, index time and query latency, beside
a plain BM25 over question and answer measured in the same run. The held-out
figures cover the half of the queries (split by a hash of expected_id) that
the ranking weights were never tuned on.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if content == "" || queries == "" {
				return usagef("knowledge eval needs --content and --queries; see `concierge knowledge eval --help`")
			}
			if fi, err := os.Stat(content); err != nil || !fi.IsDir() {
				return usagef("--content %s is not a directory", content)
			}
			f, err := os.Open(queries)
			if err != nil {
				return fmt.Errorf("cannot read queries: %w", err)
			}
			qs, err := knowledge.LoadQueries(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", queries, err)
			}
			r, err := knowledge.RunEval(cmd.Context(), os.DirFS(content), qs, knowledge.EvalOptions{Ablation: ablation})
			for _, p := range r.Problems {
				fmt.Fprintf(e.stderr, "concierge: content problem (skipped): %s\n", p)
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetEscapeHTML(false)
				return enc.Encode(r)
			}
			return printKnowledgeEval(e, r)
		},
	}
	cmd.Flags().StringVar(&content, "content", "", "knowledge content `DIR` to index")
	cmd.Flags().StringVar(&queries, "queries", "", "labelled queries: CSV `FILE` with header query,expected_id")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as one JSON object")
	cmd.Flags().BoolVar(&ablation, "ablation", false, "also measure the ranking with each signal turned off")
	return cmd
}

func printKnowledgeEval(e *env, r knowledge.Report) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "documents\t%d\t(indexed in %.2f s)\n", r.Documents, r.IndexSeconds)
	fmt.Fprintf(tw, "queries\t%d\t(held out: %d)\n", r.Queries, r.HeldOut.Queries)
	fmt.Fprintln(tw, "\tP@1\tMRR@10\tR@5")
	fmt.Fprintf(tw, "ranking\t%.3f\t%.3f\t%.3f\n", r.PAt1, r.MRRAt10, r.RecallA5)
	fmt.Fprintf(tw, "plain BM25\t%.3f\t%.3f\t%.3f\n", r.BaselinePAt1, r.BaselineMRRAt10, r.BaselineRecallA5)
	fmt.Fprintf(tw, "ranking, held out\t%.3f\t%.3f\t%.3f\n", r.HeldOut.PAt1, r.HeldOut.MRRAt10, r.HeldOut.RecallA5)
	fmt.Fprintf(tw, "plain BM25, held out\t%.3f\t%.3f\t%.3f\n", r.HeldOutBaseline.PAt1, r.HeldOutBaseline.MRRAt10, r.HeldOutBaseline.RecallA5)
	for _, s := range r.Signals {
		fmt.Fprintf(tw, "without %s\t%.3f\t%.3f\t\n", s.Without, s.PAt1, s.MRRAt10)
	}
	fmt.Fprintf(tw, "latency\tp50 %.0f µs\tp99 %.0f µs\n", r.P50us, r.P99us)
	return tw.Flush()
}
