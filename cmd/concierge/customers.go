package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/storage"
)

// openCustomerStore opens the customer database of the data directory,
// creating both if needed.
func openCustomerStore(ctx context.Context, cfg Config, log *slog.Logger) (storage.Store, error) {
	if err := ensureDataDir(cfg); err != nil {
		return nil, err
	}
	return openStore(ctx, cfg, log)
}

// withStore runs fn with the store of the configured data directory.
func (e *env) withStore(ctx context.Context, fn func(db storage.Store) error) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	db, err := openCustomerStore(ctx, cfg, e.logger(cfg, slog.LevelWarn))
	if err != nil {
		return err
	}
	if err := fn(db); err != nil {
		_ = db.Close()
		return err
	}
	return db.Close()
}

// customerID parses a customer id argument.
func customerID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%q is not a customer id (a positive number, as shown by `concierge customers list`)", s)
	}
	return id, nil
}

// userError turns a store error into the message a user should read.
func userError(err error) error {
	if code := bot.ErrorCode(err); code != bot.EINTERNAL {
		return fmt.Errorf("%s", strings.TrimSuffix(bot.ErrorMessage(err), "."))
	}
	return err
}

func newCustomersCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customers",
		Short: "List, show, export, merge and erase customer records",
		Long: `Every person who writes to Concierge has one customer record across channels:
their identities on each channel, every conversation and message, events
(new lead, stage changes, escalations, merges) and notes.`,
		Args: noArgs,
	}
	cmd.AddCommand(newCustomersListCmd(e), newCustomersShowCmd(e), newCustomersExportCmd(e),
		newCustomersEraseCmd(e), newCustomersMergeCmd(e))
	return cmd
}

func identities(c bot.Customer) string {
	var parts []string
	for _, id := range c.Identities {
		parts = append(parts, id.Channel+":"+id.ExternalID)
	}
	return strings.Join(parts, " ")
}

func displayName(c bot.Customer) string {
	switch {
	case !c.Erased.IsZero():
		return "(erased)"
	case c.Name != "":
		return c.Name
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newCustomersListCmd(e *env) *cobra.Command {
	var (
		f      bot.CustomerFilter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List customers with their id and channel identities",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Segment != "" && !oneOf(f.Segment, bot.Segments()) {
				return usagef("--segment must be one of %s", strings.Join(bot.Segments(), ", "))
			}
			if f.Stage != "" && !oneOf(f.Stage, bot.Stages()) {
				return usagef("--stage must be one of %s", strings.Join(bot.Stages(), ", "))
			}
			if f.Limit < 0 {
				return usagef("-n must not be negative")
			}
			return e.withStore(cmd.Context(), func(db storage.Store) error {
				cs, err := db.Customers(cmd.Context(), f)
				if err != nil {
					return userError(err)
				}
				if asJSON {
					out := web.CustomerList{Customers: []web.Customer{}}
					for _, c := range cs {
						out.Customers = append(out.Customers, web.ToCustomer(c))
					}
					return encodeJSON(e.stdout, out)
				}
				if len(cs) == 0 {
					fmt.Fprintln(e.stdout, "No customers.")
					return nil
				}
				tw := newTable(e.stdout, "ID", "NAME", "EMAIL", "SEGMENT", "STAGE", "OWNER", "MSGS", "LAST SEEN", "IDENTITIES")
				for _, c := range cs {
					last := "-"
					if !c.LastSeen.IsZero() {
						last = c.LastSeen.Local().Format("2006-01-02 15:04")
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c.ID, oneLine(displayName(c), 30),
						orDash(c.Email), c.Segment, orDash(c.Stage), orDash(c.Owner), c.Inbound, last, identities(c))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&f.Segment, "segment", "", "only customers in `SEGMENT` ("+strings.Join(bot.Segments(), ", ")+")")
	cmd.Flags().StringVar(&f.Stage, "stage", "", "only leads at `STAGE` ("+strings.Join(bot.Stages(), ", ")+")")
	cmd.Flags().StringVar(&f.Tag, "tag", "", "only customers tagged `TAG`")
	cmd.Flags().StringVarP(&f.Query, "query", "q", "", "only customers whose name, email or phone contains `TEXT`")
	cmd.Flags().IntVarP(&f.Limit, "n", "n", 0, "at most `N` customers (0: all)")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"customers":[{"id","name","email","segment","stage","identities":[{"channel","external_id"}],...}]}`)
	return cmd
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}

// oneLine flattens text to one line of at most n characters for a table.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// newTable returns a writer of aligned columns (cells end in a tab) in the
// style of every table the commands print, with header, when given, as its
// first row. Flush it when done.
func newTable(w io.Writer, header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(header) > 0 {
		fmt.Fprintln(tw, strings.Join(header, "\t"))
	}
	return tw
}

// encodeJSON writes v to w as one line of JSON, leaving <, > and & as they
// are (not \u003c…): --json output is read by people and tools, not
// embedded in HTML.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func newCustomersShowCmd(e *env) *cobra.Command {
	var (
		asJSON bool
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a customer's profile and timeline of messages and events on every channel",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := customerID(args[0])
			if err != nil {
				return err
			}
			if limit < 0 {
				return usagef("-n must not be negative")
			}
			return e.withStore(cmd.Context(), func(db storage.Store) error {
				ctx := cmd.Context()
				c, err := db.Customer(ctx, id)
				if err != nil {
					return userError(err)
				}
				if c.MergedInto != 0 {
					fmt.Fprintf(e.stderr, "Customer %d was merged into customer %d; showing %d.\n", id, c.MergedInto, c.MergedInto)
					if c, err = db.Customer(ctx, c.MergedInto); err != nil {
						return userError(err)
					}
				}
				tl, err := db.Timeline(ctx, c.ID, bot.TimelineOptions{Limit: limit})
				if err != nil {
					return userError(err)
				}
				if asJSON {
					out := web.CustomerDetail{Customer: web.ToCustomer(c), Timeline: []web.TimelineEntry{}}
					for _, entry := range tl {
						out.Timeline = append(out.Timeline, web.ToTimelineEntry(entry))
					}
					return encodeJSON(e.stdout, out)
				}
				printProfile(e.stdout, c)
				fmt.Fprintln(e.stdout)
				if len(tl) == 0 {
					fmt.Fprintln(e.stdout, "No messages yet.")
				}
				for _, entry := range tl {
					printEntry(e.stdout, entry)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"customer":{...},"timeline":[{"time","type","channel","author","text","event",...}]}`)
	cmd.Flags().IntVarP(&limit, "n", "n", 200, "show the latest `N` timeline entries (0: all)")
	return cmd
}

func printProfile(w io.Writer, c bot.Customer) {
	tw := newTable(w)
	fmt.Fprintf(tw, "Customer\t%d\n", c.ID)
	fmt.Fprintf(tw, "Name\t%s\n", displayName(c))
	fmt.Fprintf(tw, "Email\t%s\n", orDash(c.Email))
	fmt.Fprintf(tw, "Phone\t%s\n", orDash(c.Phone))
	fmt.Fprintf(tw, "Language\t%s\n", orDash(c.Language))
	fmt.Fprintf(tw, "Segment\t%s\n", c.Segment)
	fmt.Fprintf(tw, "Lead stage\t%s\n", orDash(c.Stage))
	fmt.Fprintf(tw, "Owner\t%s\n", orDash(c.Owner))
	fmt.Fprintf(tw, "Tags\t%s\n", orDash(strings.Join(c.Tags, ", ")))
	fmt.Fprintf(tw, "Identities\t%s\n", orDash(identities(c)))
	fmt.Fprintf(tw, "Messages\t%d from the customer, %d replies, %d complaints\n", c.Inbound, c.Outbound, c.Complaints)
	fmt.Fprintf(tw, "First contact\t%s\n", c.Created.Local().Format("2006-01-02 15:04"))
	if !c.Erased.IsZero() {
		fmt.Fprintf(tw, "Erased\t%s\n", c.Erased.Local().Format("2006-01-02 15:04"))
	}
	_ = tw.Flush()
}

func printEntry(w io.Writer, entry bot.TimelineEntry) {
	ts := entry.Time.Local().Format("2006-01-02 15:04:05")
	ch := entry.Channel
	if ch == "" {
		ch = "-"
	}
	switch {
	case entry.Message != nil:
		m := entry.Message
		text := m.Text
		if text == "" {
			text = "(text removed)"
		}
		who := m.Author
		if m.Action != "" {
			who += " [" + string(m.Action) + "]"
		}
		fmt.Fprintf(w, "%s  %-8s %s: %s\n", ts, ch, who, strings.ReplaceAll(text, "\n", "\n                             "))
	case entry.Event != nil:
		ev := entry.Event
		detail := ""
		if len(ev.Detail) > 2 {
			detail = " " + string(ev.Detail)
		}
		by := ""
		if ev.Actor != "" {
			by = " by " + ev.Actor
		}
		fmt.Fprintf(w, "%s  %-8s * %s%s%s\n", ts, ch, ev.Kind, detail, by)
	case entry.Note != nil:
		fmt.Fprintf(w, "%s  %-8s note by %s: %s\n", ts, ch, entry.Note.Author, entry.Note.Text)
	}
}

func newCustomersExportCmd(e *env) *cobra.Command {
	var (
		format   string
		customer int64
		output   string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export every message with its customer and channel as CSV or JSON Lines",
		Long: `Export streams every stored message, oldest first, with its customer and channel.
CSV cells that a spreadsheet would run as formulas are prefixed with an
apostrophe. JSON is one object per line.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != bot.ExportCSV && format != bot.ExportJSON {
				return usagef("--format must be csv or json, not %q", format)
			}
			if customer < 0 {
				return usagef("--customer must be a customer id")
			}
			return e.withStore(cmd.Context(), func(db storage.Store) error {
				w := e.stdout
				var f *os.File
				if output != "" && output != "-" {
					var err error
					if f, err = os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
						return fmt.Errorf("export: %w", err)
					}
					w = f
				}
				n, err := db.Export(cmd.Context(), w, bot.ExportOptions{Format: format, CustomerID: customer})
				if f != nil {
					if cerr := f.Close(); err == nil {
						err = cerr
					}
				}
				if err != nil {
					return userError(err)
				}
				if f != nil {
					fmt.Fprintf(e.stderr, "Exported %d messages to %s.\n", n, output)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", bot.ExportCSV, "`csv` or json (JSON Lines)")
	cmd.Flags().Int64Var(&customer, "customer", 0, "only the messages of customer `ID`")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` (must not exist) instead of stdout")
	return cmd
}

func newCustomersEraseCmd(e *env) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "erase ID",
		Short: "Erase a customer's personal data and message text for good, keeping anonymous counts",
		Long: `Erase removes the customer's name, email, phone, channel identities, tags, notes
and the text of every message of their conversations, and overwrites it in the
database file. Counts (messages, complaints, CSAT) are kept. It cannot be undone,
and it does not reach into earlier backups or exports.

On a terminal it asks for confirmation unless --yes is given.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := customerID(args[0])
			if err != nil {
				return err
			}
			if !yes && interactive(e.stdin) {
				fmt.Fprintf(e.stdout, "Erase customer %d for good? Type the id again to confirm: ", id)
				line, _ := bufio.NewReader(e.stdin).ReadString('\n')
				if strings.TrimSpace(line) != args[0] {
					return fmt.Errorf("not confirmed; nothing was erased")
				}
			}
			return e.withStore(cmd.Context(), func(db storage.Store) error {
				if err := db.Erase(cmd.Context(), id, "cli"); err != nil {
					return userError(err)
				}
				fmt.Fprintf(e.stdout, "Erased the personal data of customer %d.\n", id)
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// interactive reports whether r is a terminal a person types into (not
// /dev/null or a pipe).
func interactive(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newCustomersMergeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "merge A B",
		Short: "Merge customer A into customer B: one person known under two records",
		Long: `Merge moves everything of customer A (channel identities, conversations,
messages, events, tags, notes) to customer B, fills B's missing contact data
from A, and records the merge on both. A remains as an empty record that
points at B.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, err := customerID(args[0])
			if err != nil {
				return err
			}
			into, err := customerID(args[1])
			if err != nil {
				return err
			}
			if from == into {
				return usagef("cannot merge customer %d into itself", from)
			}
			return e.withStore(cmd.Context(), func(db storage.Store) error {
				if err := db.Merge(cmd.Context(), from, into, "cli"); err != nil {
					return userError(err)
				}
				fmt.Fprintf(e.stdout, "Merged customer %d into customer %d.\n", from, into)
				return nil
			})
		},
	}
}
