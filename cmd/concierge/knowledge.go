package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/knowledge"
)

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
a plain BM25 over question and answer measured in the same run.

The re-ranking weights were fitted on the development half of the faq_dev
query sets. The held-out queries, those the weights were not fitted on, are
reported first: for a faq_dev file the other half, for any other file every
query. Queries the weights were fitted on are reported apart, then all.`,
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
				return encodeJSON(e.stdout, r)
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
	tw := newTable(e.stdout)
	if r.Fitted == nil {
		fmt.Fprintf(e.stdout, "The ranking weights were fitted on none of these queries: all %d are held out.\n", r.Queries)
	} else {
		fmt.Fprintf(e.stdout, "The ranking weights were fitted on %d of these queries (%s);\nthe other %d are held out and come first.\n",
			r.Fitted.Queries, r.FittedOn, r.HeldOut.Queries)
	}
	fmt.Fprintf(tw, "documents\t%d\t(indexed in %.2f s)\n", r.Documents, r.IndexSeconds)
	fmt.Fprintln(tw, "queries\t\tP@1\tMRR@10\tR@5")
	row := func(part, what string, m knowledge.Metrics) {
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.3f\n", part, what, m.PAt1, m.MRRAt10, m.RecallA5)
	}
	if r.Fitted != nil {
		row(fmt.Sprintf("held out (%d)", r.HeldOut.Queries), "ranking", r.HeldOut)
		row("", "plain BM25", r.HeldOutBaseline)
		row(fmt.Sprintf("fitted on (%d)", r.Fitted.Queries), "ranking", *r.Fitted)
		row("", "plain BM25", *r.FittedBaseline)
	}
	all := knowledge.Metrics{PAt1: r.BaselinePAt1, MRRAt10: r.BaselineMRRAt10, RecallA5: r.BaselineRecallA5}
	row(fmt.Sprintf("all (%d)", r.Queries), "ranking", r.Metrics)
	row("", "plain BM25", all)
	for _, s := range r.Signals {
		fmt.Fprintf(tw, "held out\twithout %s\t%.3f\t%.3f\t\n", s.Without, s.PAt1, s.MRRAt10)
	}
	fmt.Fprintf(tw, "latency\t\tp50 %.0f µs\tp99 %.0f µs\n", r.P50us, r.P99us)
	return tw.Flush()
}
