package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/storage/sqlite"
)

func newBackupCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the customer database to FILE, while concierge keeps running",
		Long: `Backup copies the customer database (customers, conversations, messages,
escalations, outbox) to FILE with SQLite's online backup API. It is safe to
run while ` + "`concierge serve`" + ` is writing. FILE must not exist.

To restore, stop concierge and copy FILE over concierge.db in the data
directory (removing any concierge.db-wal and concierge.db-shm beside it).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest := args[0]
			return e.withStore(cmd.Context(), func(db *sqlite.DB) error {
				if err := db.Backup(cmd.Context(), dest); err != nil {
					return userError(err)
				}
				size := ""
				if st, err := os.Stat(dest); err == nil {
					size = fmt.Sprintf(" (%.1f MB)", float64(st.Size())/1e6)
				}
				fmt.Fprintf(e.stdout, "Backed up %s to %s%s.\n", db.Path(), dest, size)
				return nil
			})
		},
	}
}
