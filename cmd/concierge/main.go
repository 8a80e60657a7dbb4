// Command concierge is the Concierge customer-engagement assistant: one
// binary that serves the chat channels, answers from the knowledge base,
// keeps customer records and escalates to humans.
//
// With no configuration every command runs on the embedded demo company and
// the data directory ./concierge-data. See `concierge --help`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// env is what every subcommand gets from main: its streams, the environment
// and the global flags. Nothing else is global.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	configPath string // --config
	dataDir    string // --data
	verbose    bool   // --verbose
}

// usageError marks an error as the caller's misuse of the command line
// (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error with a formatted message.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run executes the command line and returns the process exit status: 0 on
// success, 1 on a runtime failure, 2 on a usage or configuration error (see
// exitStatus). An error is printed to stderr as one line; with --verbose, the
// cause behind an explained error follows on a second line.
//
// A panic on the calling goroutine is a bug, never the way an error is
// reported: as a last resort it is printed as one sentence too (with its
// stack only under --verbose) and run returns 1.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) (status int) {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "concierge: internal error: %s; this is a bug, please report it with the command that caused it.\n",
				singleLine(fmt.Sprint(p)))
			if e.verbose {
				_, _ = stderr.Write(debug.Stack())
			}
			status = 1
		}
	}()
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "concierge: %s\n", sentence(singleLine(err.Error())))
	if cause := causeOf(err); cause != nil && e.verbose {
		fmt.Fprintf(stderr, "concierge: cause: %s\n", singleLine(cause.Error()))
	}
	return exitStatus(err)
}

// sentence makes an error message read as one sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "unknown error."
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "concierge",
		Short: "Concierge answers your customers and employees, keeps the records, and calls a human when it matters",
		Long: `Concierge is a self-hosted customer-engagement assistant.

With no configuration, every command runs on the embedded demo company
(Jade Leaf Tea House) with its data in ./concierge-data. Try:

  concierge chat                     chat in the terminal as a customer
  concierge chat --as employee       ... as an employee (sees the internal wiki)
  concierge serve                    web widget, REST API and console on 127.0.0.1:8080

Your own company: concierge init DIR --name "Your Company" writes a starter
(config, example content, intents, branding) and prints what to run next.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.PersistentFlags().StringVar(&e.configPath, "config", "", "YAML config `FILE` (default: the embedded demo company)")
	root.PersistentFlags().StringVar(&e.dataDir, "data", "", "data `DIR` (default ./concierge-data, or data_dir from the config)")
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log more (debug level)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })

	// Subcommands: one line each.
	root.AddCommand(newInitCmd(e))
	root.AddCommand(newChatCmd(e))
	root.AddCommand(newServeCmd(e))
	root.AddCommand(newSearchCmd(e))
	root.AddCommand(newIndexCmd(e))
	root.AddCommand(newImportCmd(e))
	root.AddCommand(newVersionCmd(e))
	root.AddCommand(newConsoleCmd(e))
	root.AddCommand(group("intents", "Train, evaluate and check the intent classifier", newIntentsEvalCmd(e), newIntentsTrainCmd(e),
		newIntentsCheckCmd(e)))
	root.AddCommand(group("complaints", "Evaluate the complaint detector; review what agents taught it", newComplaintsEvalCmd(e), newComplaintsVerdictsCmd(e)))
	root.AddCommand(group("llm", "Work with the optional language-model tier", newLLMCheckCmd(e)))
	root.AddCommand(newLoadtestCmd(e))
	root.AddCommand(newCustomersCmd(e))
	root.AddCommand(newBackupCmd(e))
	root.AddCommand(newMigrateCmd(e))
	root.AddCommand(group("knowledge", "Evaluate the knowledge-base retrieval", newKnowledgeEvalCmd(e)))
	root.AddCommand(group("answers", "Evaluate the bot's answers end to end on a labelled company", newAnswersEvalCmd(e)))
	root.AddCommand(newReportCmd(e))
	root.AddCommand(newDemoCmd(e))
	return root
}

// withConfig returns a cobra RunE that loads the config (loadConfig) and
// runs run with it, so that a config that does not load is the command's
// error before it does anything. Commands that check their flags first
// call loadConfig themselves, after those checks.
func (e *env) withConfig(run func(cmd *cobra.Command, args []string, cfg Config) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := e.loadConfig()
		if err != nil {
			return err
		}
		return run(cmd, args, cfg)
	}
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d; see `%s --help`", cmd.Name(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// group returns a command that only holds subcommands; run without one,
// it prints its help.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() }}
	cmd.AddCommand(subs...)
	return cmd
}

// noArgs is cobra.NoArgs reporting a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q; see `%s --help`", cmd.Name(), args[0], cmd.CommandPath())
	}
	return nil
}
