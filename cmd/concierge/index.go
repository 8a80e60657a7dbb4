package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
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
that cannot be read are reported with their line, and the rest is indexed.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			if content != "" {
				cfg.Content = content
			}
			log := e.logger(cfg, slog.LevelInfo)
			start := time.Now()
			docs, err := loadContent(cfg, log)
			if err != nil {
				return err
			}
			file, err := intentsFile(cfg)
			if err != nil {
				return err
			}
			c, err := openClassifier(cmd.Context(), cfg, file, log)
			if err != nil {
				return err
			}
			opts, err := buildOptions(cfg, c, log)
			if err != nil {
				return err
			}
			if isTerminal(e.stderr) {
				bar := progressbar.NewOptions(len(docs), progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("indexing"), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
				opts.Progress = func(done, total int) { _ = bar.Set(done) }
			}
			ix, err := knowledge.Build(cmd.Context(), filepath.Join(cfg.DataDir, "index"), docs, opts)
			if err != nil {
				return fmt.Errorf("build index: %w", err)
			}
			defer ix.Close()
			n, err := ix.Count()
			if err != nil {
				return fmt.Errorf("count index: %w", err)
			}
			fmt.Fprintf(e.stdout, "Indexed %d documents into %s in %s.\n", n, filepath.Join(cfg.DataDir, "index"), time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&content, "content", "", "content `DIR` to index (default: the config's, or the embedded demo)")
	return cmd
}
