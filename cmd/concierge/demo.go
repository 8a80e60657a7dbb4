package main

import (
	"encoding/json"
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
			sum, err := traffic.Seed(cmd.Context(), sqlitePath(cfg), traffic.Options{Days: days, Seed: seed})
			if err != nil {
				return err
			}
			if err := markSynthetic(cfg.DataDir, time.Now()); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Seeded %d days: %d conversations, %d messages, %d escalations; complaint spike on %s (%.1fs).\n",
				sum.Days, sum.Conversations, sum.Messages, sum.Escalations, sum.SpikeDay, time.Since(start).Seconds())
			fmt.Fprintf(e.stdout, "Synthetic history never reaches an alert sink: re-alerts, spike warnings and digests about it are off.\n")
			return nil
		},
	}
	seedCmd.Flags().IntVar(&days, "days", 90, "number of `N` days of traffic, ending today")
	seedCmd.Flags().Uint64Var(&seed, "seed", 1, "random `SEED`; the same seed gives the same traffic")
	cmd.AddCommand(seedCmd)
	return cmd
}

// syntheticFile marks a data directory that `demo seed` filled: it holds
// the time of the seeding, before which nothing is real.
const syntheticFile = "synthetic.json"

// markSynthetic records in dir that its history up to t is synthetic.
func markSynthetic(dir string, t time.Time) error {
	b, err := json.Marshal(struct {
		SeededAt time.Time `json:"seeded_at"`
		Note     string    `json:"note"`
	}{t.UTC(), "written by concierge demo seed: conversations before seeded_at are synthetic; serve sends no alert or digest about them"})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, syntheticFile), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("mark the data directory synthetic: %w", err)
	}
	return nil
}

// syntheticUntil returns when dir's synthetic history ends, or the zero
// time when `demo seed` never filled it.
func syntheticUntil(dir string) time.Time {
	b, err := os.ReadFile(filepath.Join(dir, syntheticFile))
	if err != nil {
		return time.Time{}
	}
	var m struct {
		SeededAt time.Time `json:"seeded_at"`
	}
	if json.Unmarshal(b, &m) != nil {
		return time.Time{}
	}
	return m.SeededAt
}
