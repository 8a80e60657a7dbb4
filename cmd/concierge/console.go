package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/console"
)

func newConsoleCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "console",
		Short: "Agent console helpers",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "hash-password",
		Short: "Read a password on stdin and print its bcrypt hash for console.agents[].password_hash",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if isTerminal(e.stdin) {
				fmt.Fprint(e.stderr, "Password (8-72 characters, shown as you type): ")
			}
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return usagef("give the password on stdin, e.g. `echo 'my password' | concierge console hash-password`")
			}
			hash, err := console.HashPassword(strings.TrimRight(line, "\r\n"))
			if err != nil {
				return usagef("%v", err)
			}
			fmt.Fprintln(e.stdout, hash)
			return nil
		},
	})
	return cmd
}

// consoleAgents returns the agents of the config or, when there are none,
// the agent "admin" with a random password kept in the data directory. The
// password is returned so that serve can tell the person starting it.
func consoleAgents(cfg Config) (agents []console.Agent, adminPassword string, err error) {
	for _, a := range cfg.Console.Agents {
		agents = append(agents, console.Agent{Name: a.Name, PasswordHash: a.PasswordHash, Manager: a.Manager})
	}
	if len(agents) > 0 {
		return agents, "", nil
	}
	path := filepath.Join(cfg.DataDir, "console-password")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		adminPassword = strings.TrimSpace(string(b))
	case errors.Is(err, os.ErrNotExist):
		r := make([]byte, 12)
		if _, err := rand.Read(r); err != nil {
			return nil, "", fmt.Errorf("generate console password: %w", err)
		}
		adminPassword = base64.RawURLEncoding.EncodeToString(r)
		if err := os.WriteFile(path, []byte(adminPassword+"\n"), 0o600); err != nil {
			return nil, "", fmt.Errorf("save console password: %w", err)
		}
	default:
		return nil, "", fmt.Errorf("read console password: %w", err)
	}
	hash, err := console.HashPassword(adminPassword)
	if err != nil {
		return nil, "", fmt.Errorf("console password in %s: %w", path, err)
	}
	return []console.Agent{{Name: "admin", PasswordHash: hash, Manager: true}}, adminPassword, nil
}
