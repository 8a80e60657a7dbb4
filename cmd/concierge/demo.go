package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/insights/traffic"
)

func newDemoCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Demo data for the demo company",
		Args:  noArgs,
	}
	var (
		days int
		seed uint64
	)
	seedCmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill an empty data directory with reproducible synthetic traffic (both languages, all channels)",
		Long: `Fills the data directory with synthetic traffic for the demo company over the
last N days: English and Chinese customers on web, api, slack and terminal,
answers, knowledge gaps, escalations, takeovers, resolutions, CSAT ratings,
helpful votes, sales leads moving through their stages, and a complaint spike
on one day. The same --seed gives the same traffic. It refuses a database that
already has customers.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if days < 1 || days > 3660 {
				return usagef("--days must be between 1 and 3660")
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
				return fmt.Errorf("create data directory: %w", err)
			}
			start := time.Now()
			sum, err := traffic.Seed(cmd.Context(), filepath.Join(cfg.DataDir, "concierge.db"), traffic.Options{Days: days, Seed: seed})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Seeded %d days: %d conversations, %d messages, %d escalations; complaint spike on %s (%.1fs).\n",
				sum.Days, sum.Conversations, sum.Messages, sum.Escalations, sum.SpikeDay, time.Since(start).Seconds())
			return nil
		},
	}
	seedCmd.Flags().IntVar(&days, "days", 90, "number of `N` days of traffic, ending today")
	seedCmd.Flags().Uint64Var(&seed, "seed", 1, "random `SEED`; the same seed gives the same traffic")
	cmd.AddCommand(seedCmd)
	return cmd
}
