package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/insights"
)

func newReportCmd(e *env) *cobra.Command {
	var (
		since   string
		channel string
		asJSON  bool
		asCSV   bool
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print how each channel and the bot perform: resolution, escalations, response times, CSAT, gaps",
		Long: `Prints the figures of insights/METRICS.md per channel and overall, over whole UTC days
ending today: conversations, customers, bot resolution rate, escalation rate,
conversion, CSAT, first-response time, time to a human, top intents, the
questions the bot could not answer, and complaints per day.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return usagef("choose one of --json and --csv")
			}
			days, err := insights.ParseSince(since)
			if err != nil {
				return usageError{err}
			}
			db, log, err := e.openWrittenStore(cmd.Context(), "`concierge serve` or `concierge demo seed`")
			if err != nil {
				return err
			}
			defer db.Close()
			r, err := insights.New(insights.Options{Source: db, Logger: log})
			if err != nil {
				return err
			}
			rep, err := r.Report(cmd.Context(), insights.LastDays(time.Now(), days, channel))
			if bot.ErrorCode(err) == bot.EINVALID {
				return usagef("%s", bot.ErrorMessage(err))
			} else if err != nil {
				return err
			}
			switch {
			case asJSON:
				return rep.WriteJSON(e.stdout)
			case asCSV:
				return rep.WriteCSV(e.stdout)
			}
			return rep.WriteTable(e.stdout)
		},
	}
	cmd.Flags().StringVar(&since, "since", "30d", "cover the whole UTC days of this `DURATION` ending today (30d, 2w, 36h)")
	cmd.Flags().StringVar(&channel, "channel", "", "only this `CHANNEL` (web, api, slack, terminal, ...)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (see insights/METRICS.md)")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV, safe to open in a spreadsheet")
	return cmd
}
