package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/knowledge"
)

func newIndexCmd(e *env) *cobra.Command {
	var content string
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Rebuild the knowledge index from the content directory",
		Long: `Rebuild the knowledge index in the data directory from the content directory
(--content, or content from the config, or the embedded demo company). Files
that cannot be read are reported with their line, and the rest is indexed.

While concierge serve runs on the same data directory, index refuses at once
and says so: serve keeps its own index current.`,
		Args: noArgs,
		RunE: e.withConfig(func(cmd *cobra.Command, args []string, cfg Config) error {
			if content != "" {
				cfg.Content = content
				cfg.setByFlag("content", "--content")
			}
			if h, _ := dataDirHolder(cfg.DataDir); h != nil {
				return indexHeld(cfg, *h)
			}
			log := e.logger(cfg, slog.LevelInfo)
			start := time.Now()
			docs, opts, _, err := indexSources(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			if isTerminal(e.stderr) {
				bar := progressbar.NewOptions(len(docs), progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("indexing"), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
				opts.Progress = func(done, total int) { _ = bar.Set(done) }
			}
			dir := indexDir(cfg)
			ix, err := knowledge.Build(cmd.Context(), dir, docs, opts)
			if err != nil {
				return fmt.Errorf("build index: %w", err)
			}
			defer ix.Close()
			n, err := ix.Count()
			if err != nil {
				return fmt.Errorf("count index: %w", err)
			}
			fmt.Fprintf(e.stdout, "Indexed %d documents into %s in %s.\n", n, dir, time.Since(start).Round(time.Millisecond))
			return nil
		}),
	}
	cmd.Flags().StringVar(&content, "content", "", "content `DIR` to index (default: the config's, or the embedded demo)")
	return cmd
}

// indexHeld is the refusal of `index` beside a running serve: serve keeps
// its own index current (it reindexes a content folder when files change;
// the embedded demo never changes), and rebuilding the data directory's
// index under it would change nothing it serves.
func indexHeld(cfg Config, h holder) error {
	stop := "stop it first"
	if h.PID > 0 {
		stop = fmt.Sprintf("stop it first (kill %d)", h.PID)
	}
	if cfg.Content == "" {
		return fmt.Errorf("%s holds the data directory %s and serves the embedded demo content, whose index never changes; to rebuild the index anyway, %s",
			h, absPath(cfg.DataDir), stop)
	}
	return fmt.Errorf("%s holds the data directory %s and reindexes its content folder by itself whenever a file changes; to rebuild the index by hand anyway, %s",
		h, absPath(cfg.DataDir), stop)
}
