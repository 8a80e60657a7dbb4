package main

import (
	"encoding/csv"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/intents"
	"github.com/concierge-bot/concierge/storage"
)

// verdictTextRunes is how much of a message the verdicts table shows.
const verdictTextRunes = 60

func newComplaintsVerdictsCmd(e *env) *cobra.Command {
	var (
		asJSON, asCSV bool
		withdraw      int64
	)
	cmd := &cobra.Command{
		Use:   "verdicts [--json | --csv] [--withdraw MESSAGE_ID]",
		Short: "List the agents' verdicts on complaints that the bot has learnt, or take one back",
		Long: `Lists, newest first, the verdicts agents gave in the console on customers'
messages ("Not a complaint", "It was a complaint"), which the complaint
detector learns: when, by whom, the message id and its text.

--csv writes them as a complaint_examples file (text,label with labels
complaint and other), to review them or to carry them to another
installation; cells a spreadsheet would run as formulas are neutralised.
--withdraw takes the verdict on a message back; a running serve forgets it
within a minute.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return usagef("choose one of --json and --csv")
			}
			db, _, err := e.openWrittenStore(cmd.Context(), "`concierge serve`")
			if err != nil {
				return err
			}
			defer db.Close()
			if cmd.Flags().Changed("withdraw") {
				return withdrawVerdict(cmd, e, db, withdraw)
			}
			labels, err := db.ComplaintLabels(cmd.Context(), 0)
			if err != nil {
				return err
			}
			switch {
			case asJSON:
				return writeVerdictsJSON(e, labels)
			case asCSV:
				return writeVerdictsCSV(e, labels)
			}
			if len(labels) == 0 {
				fmt.Fprintln(e.stdout, "No verdicts yet: agents give them with the buttons beside customers' messages in the console.")
				return nil
			}
			tw := newTable(e.stdout, "time", "agent", "verdict", "message", "text")
			for _, l := range labels {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", l.Time.Local().Format("2006-01-02 15:04"), oneLine(l.Agent, 30),
					verdictLabel(l), l.MessageID, oneLine(l.Text, verdictTextRunes))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per verdict")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print a complaint_examples CSV (text,label)")
	cmd.Flags().Int64Var(&withdraw, "withdraw", 0, "take back the verdict on the message with this `ID`")
	return cmd
}

// withdrawVerdict takes back the verdict on a message.
func withdrawVerdict(cmd *cobra.Command, e *env, db storage.Store, id int64) error {
	if id <= 0 {
		return usagef("--withdraw takes a message id from `concierge complaints verdicts`")
	}
	if err := db.LabelMessage(cmd.Context(), id, "", "cli"); err != nil {
		if c := bot.ErrorCode(err); c == bot.ENOTFOUND || c == bot.EINVALID {
			return usagef("%s", bot.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(e.stdout, "The verdict on message %d is withdrawn.\n", id)
	return nil
}

// verdictLabel is a verdict as complaint_examples labels it.
func verdictLabel(l bot.ComplaintLabel) string {
	if l.Complaint {
		return intents.LabelComplaint
	}
	return intents.LabelOther
}

func writeVerdictsJSON(e *env, labels []bot.ComplaintLabel) error {
	for _, l := range labels {
		if err := encodeJSON(e.stdout, struct {
			MessageID int64  `json:"message_id"`
			Label     string `json:"label"`
			Agent     string `json:"agent"`
			Time      string `json:"time"`
			Text      string `json:"text"`
		}{l.MessageID, verdictLabel(l), l.Agent, l.Time.UTC().Format("2006-01-02T15:04:05Z"), l.Text}); err != nil {
			return err
		}
	}
	return nil
}

func writeVerdictsCSV(e *env, labels []bot.ComplaintLabel) error {
	w := csv.NewWriter(e.stdout)
	if err := w.Write([]string{"text", "label"}); err != nil {
		return err
	}
	for _, l := range labels {
		if err := w.Write([]string{storage.SafeCell(l.Text), verdictLabel(l)}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
