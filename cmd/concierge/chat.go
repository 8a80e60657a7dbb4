package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/concierge-bot/concierge/bot"
	"github.com/concierge-bot/concierge/channels/web"
	"github.com/concierge-bot/concierge/markdown"
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

  printf 'How long does shipping take?\n运费怎么算？\n' | concierge chat --json

Answers are shown as plain text (tables aligned, lists, links as "text (url)").
When the bot asks "did you mean …?" it lists numbered choices; a line that
is just one of those numbers picks that choice. With --json the choices are
in the reply's "choices".`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			role := bot.Role(as)
			if role != bot.RoleCustomer && role != bot.RoleEmployee {
				return usagef("--as must be customer or employee, not %q", as)
			}
			if userID == "" {
				userID = defaultChatUser(role)
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
			return chatLoop(cmd, e, a.engine, chatOptions{role: role, userID: userID, asJSON: asJSON, baseURL: cfg.Server.PublicURL})
		},
	}
	cmd.Flags().StringVar(&as, "as", "customer", "who you are: `customer` (public content) or employee (also the internal wiki)")
	cmd.Flags().StringVar(&userID, "user", "", "your user `ID` on the terminal channel (default: your login name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per reply")
	return cmd
}

// chatOptions are the settings of one terminal chat.
type chatOptions struct {
	role    bot.Role
	userID  string
	asJSON  bool
	baseURL string // put before site-relative links
}

// chatLoop sends each non-empty line of stdin to the Engine and prints the
// reply. A line that is only a number 1..n, after a reply that offered n
// choices, picks that choice: the Engine gets the choice's id in
// Message.Choice and its title as the text.
func chatLoop(cmd *cobra.Command, e *env, engine messageHandler, o chatOptions) error {
	interactive := isTerminal(e.stdin) && isTerminal(e.stdout) && !o.asJSON
	width := 0
	if f, ok := e.stdout.(*os.File); ok && interactive {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = w
		}
	}
	if interactive {
		fmt.Fprintf(e.stdout, "Chatting as %s %q. Type a message and press Enter; Ctrl-D to quit.\n> ", o.role, o.userID)
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	var offered []bot.Source // the choices of the last reply
	explained := false       // the handoff explanation was printed
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			if interactive {
				fmt.Fprint(e.stdout, "> ")
			}
			continue
		}
		msg := bot.Message{Channel: bot.ChannelTerminal, ExternalUserID: o.userID, Text: line, Role: o.role}
		if c, ok := pickChoice(line, offered); ok {
			msg.Text, msg.Choice = c.Title, c.ID
			if strings.TrimSpace(msg.Text) == "" {
				msg.Text = c.ID
			}
		}
		r, err := engine.Handle(cmd.Context(), msg)
		switch {
		case err != nil && bot.ErrorCode(err) == bot.EINTERNAL:
			return err
		case err != nil:
			fmt.Fprintf(e.stderr, "concierge: %s\n", bot.ErrorMessage(err))
		case o.asJSON:
			offered = web.ToMessageResponse(r).Choices
			if err := enc.Encode(web.ToMessageResponse(r)); err != nil {
				return fmt.Errorf("write reply: %w", err)
			}
		default:
			offered = web.ToMessageResponse(r).Choices
			printReply(e.stdout, r, markdown.TextOptions{BaseURL: o.baseURL, Width: width})
			if !explained && (r.Handoff || r.Action == bot.ActionRelay || r.Action == bot.ActionHold) {
				// Once per chat: what a handoff means here and how to go on.
				explained = true
				fmt.Fprintln(e.stdout, handoffExplanation(r.Language, o.userID))
			}
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

// defaultChatUser is the terminal user id of `chat` without --user: the
// login name, so that each person on a machine is their own customer, but
// not a system account's ("root"), which says nothing about who is typing.
func defaultChatUser(role bot.Role) string {
	if u, err := user.Current(); err == nil && u.Username != "" && u.Username != "root" && u.Uid != "0" {
		return u.Username + "-" + string(role)
	}
	return "terminal-" + string(role)
}

// handoffExplanation says once, in the reply's language, what a handoff
// means in the terminal: the bot stays quiet in this conversation until an
// agent resolves it in the console, and how to chat with the bot again.
func handoffExplanation(lang, user string) string {
	if lang == "zh" {
		return "  [已转人工：在同事处理完之前，机器人不会在这段对话里回复，您写的内容会补充到请求中。" +
			"同事可以在控制台（concierge serve 后打开 /console）接手并结束对话。" +
			"想马上换一个身份继续和机器人聊，请用 concierge chat --user 其他名字（当前：" + user + "）。]"
	}
	return "  [Handed to a person: until someone from the team resolves it, the bot stays quiet in this conversation " +
		"and what you write is added to the request. An agent takes it over and resolves it in the console " +
		"(run concierge serve, then open /console). To chat with the bot again now, start as another customer: " +
		"concierge chat --user SOMEONE-ELSE (you are " + user + ").]"
}

// pickChoice returns the choice a line picks: the line is only a number
// 1..len(offered).
func pickChoice(line string, offered []bot.Source) (bot.Source, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || n < 1 || n > len(offered) {
		return bot.Source{}, false
	}
	return offered[n-1], true
}

// printReply prints a reply for a person at a terminal: the answer's
// Markdown as plain text (package markdown: aligned tables, lists, links as
// "text (url)", no control characters from the content), the numbered
// choices it offers (right below the text that introduces them), its
// sources and whether it was escalated.
func printReply(w io.Writer, r bot.Reply, o markdown.TextOptions) {
	switch {
	case r.Action == bot.ActionRelay:
		fmt.Fprintln(w, "(your message was passed to the team member handling this conversation)")
		return
	case r.Text != "":
		fmt.Fprintln(w, markdown.Text(r.Text, o))
	}
	if cs := web.ToMessageResponse(r).Choices; len(cs) > 0 {
		for i, c := range cs {
			title := markdown.OneLine(c.Title)
			if title == "" {
				title = markdown.OneLine(c.ID)
			}
			fmt.Fprintf(w, "%d. %s\n", i+1, title)
		}
		picks := "1"
		if len(cs) > 1 {
			picks = fmt.Sprintf("1–%d", len(cs))
		}
		if r.Language == "zh" {
			fmt.Fprintf(w, "（输入 %s 选择）\n", picks)
		} else {
			fmt.Fprintf(w, "(type %s to choose)\n", picks)
		}
	}
	for _, s := range r.Sources {
		fmt.Fprintf(w, "  source: %s (%s)\n", markdown.OneLine(s.Title), markdown.OneLine(s.ID))
	}
	if r.EscalationID != 0 {
		fmt.Fprintf(w, "  [escalated to a human: escalation #%d]\n", r.EscalationID)
	}
}
