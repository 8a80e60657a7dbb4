package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"os/user"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
)

func newChatCmd(e *env) *cobra.Command {
	var (
		as     string
		userID string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "chat",
		Short: "Chat with the bot in the terminal (one message per line on stdin)",
		Long: `Chat with the bot in the terminal. Each line read from stdin is one message;
empty lines are ignored. Works interactively and with piped input:

  printf 'How long does shipping take?\n运费怎么算？\n' | concierge chat --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			role := bot.Role(as)
			if role != bot.RoleCustomer && role != bot.RoleEmployee {
				return usagef("--as must be customer or employee, not %q", as)
			}
			if userID == "" {
				userID = "terminal-" + string(role)
				if u, err := user.Current(); err == nil && u.Username != "" {
					userID = u.Username + "-" + string(role)
				}
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			log, held := e.startupLogger(cfg, slog.LevelWarn)
			defer held.drop() // a failed start prints its error alone
			a, err := openApp(cmd.Context(), cfg, log, appOptions{})
			if err != nil {
				return err
			}
			held.release()
			defer a.Close()
			a.startWorkers(cmd.Context(), false)
			return chatLoop(cmd, e, a.engine, role, userID, asJSON)
		},
	}
	cmd.Flags().StringVar(&as, "as", "customer", "who you are: `customer` (public content) or employee (also the internal wiki)")
	cmd.Flags().StringVar(&userID, "user", "", "your user `ID` on the terminal channel (default: your login name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per reply")
	return cmd
}

func chatLoop(cmd *cobra.Command, e *env, engine *bot.Engine, role bot.Role, userID string, asJSON bool) error {
	interactive := isTerminal(e.stdin) && isTerminal(e.stdout) && !asJSON
	if interactive {
		fmt.Fprintf(e.stdout, "Chatting as %s %q. Type a message and press Enter; Ctrl-D to quit.\n> ", role, userID)
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			if interactive {
				fmt.Fprint(e.stdout, "> ")
			}
			continue
		}
		r, err := engine.Handle(cmd.Context(), bot.Message{
			Channel: bot.ChannelTerminal, ExternalUserID: userID, Text: line, Role: role,
		})
		switch {
		case err != nil && bot.ErrorCode(err) == bot.EINTERNAL:
			return err
		case err != nil:
			fmt.Fprintf(e.stderr, "concierge: %s\n", bot.ErrorMessage(err))
		case asJSON:
			if err := enc.Encode(web.ToMessageResponse(r)); err != nil {
				return fmt.Errorf("write reply: %w", err)
			}
		default:
			printReply(e, r)
		}
		if interactive {
			fmt.Fprint(e.stdout, "> ")
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	if interactive {
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func printReply(e *env, r bot.Reply) {
	switch {
	case r.Action == bot.ActionRelay:
		fmt.Fprintln(e.stdout, "(your message was passed to the team member handling this conversation)")
		return
	case r.Text != "":
		fmt.Fprintln(e.stdout, r.Text)
	}
	for _, s := range r.Sources {
		fmt.Fprintf(e.stdout, "  source: %s (%s)\n", s.Title, s.ID)
	}
	if r.EscalationID != 0 {
		fmt.Fprintf(e.stdout, "  [escalated to a human: escalation #%d]\n", r.EscalationID)
	}
}
