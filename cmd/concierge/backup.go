package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/storage"
	"github.com/concierge-bot/concierge/storage/sqlite"
)

// errPostgresBackup is what backup says on a PostgreSQL database.
var errPostgresBackup = errors.New("the database is PostgreSQL, which concierge does not copy itself: back it up with pg_dump " +
	"while concierge runs, e.g. `pg_dump --format=custom --file=concierge.dump \"$DATABASE_URL\"`, and restore with pg_restore " +
	"(see README, \"Running several replicas\")")

func newBackupCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the customer database to FILE, while concierge keeps running",
		Long: `Backup copies the customer database (customers, conversations, messages,
escalations, outbox) to FILE with SQLite's online backup API. It is safe to
run while ` + "`concierge serve`" + ` is writing. FILE must not exist.

To restore, stop concierge and copy FILE over concierge.db in the data
directory (removing any concierge.db-wal and concierge.db-shm beside it).

With a PostgreSQL database (database: postgres://… in the config) backup
refuses and says to use PostgreSQL's own tools: pg_dump for a consistent
copy while concierge runs, pg_restore to restore it (README, "Running
several replicas").`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest := args[0]
			return e.withStore(cmd.Context(), func(s storage.Store) error {
				db, ok := s.(*sqlite.DB)
				if !ok {
					return errPostgresBackup
				}
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
