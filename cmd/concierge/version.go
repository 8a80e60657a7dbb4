package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and build information",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rev, when := "unknown", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					switch s.Key {
					case "vcs.revision":
						rev = s.Value
					case "vcs.time":
						when = s.Value
					}
				}
			}
			fmt.Fprintf(e.stdout, "concierge %s (commit %s %s, %s, %s/%s)\n", version, rev, when, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
