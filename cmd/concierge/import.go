package main

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/concierge-bot/concierge/knowledge/importer"
)

func newImportCmd(e *env) *cobra.Command {
	var (
		into, audience, lang string
		depth, maxPages      int
		delay                time.Duration
	)
	cmd := &cobra.Command{
		Use:   "import URL|SITEMAP_URL|FILE|DIR",
		Short: "Import web pages, sitemaps, PDF, DOCX, HTML and text files as knowledge pages",
		Long: `Import documents into the content directory as Markdown pages with front
matter (id, title, audience, lang, source_url or source_file, imported, hash),
with "##" sections from the document's headings and tables as Markdown
tables, so that search and citations work as for hand-written pages.

SOURCE is a web page URL (with --depth N, the pages it links to on the same
host, N links deep), a sitemap URL (its pages), a file (.html, .pdf, .docx,
.md, .txt) or a folder of them. Web pages are read for their main content:
navigation, headers, footers and sidebars are dropped.

Only what changed is rewritten: a page whose content hash matches the file
already there is left alone, so re-importing an unchanged site rewrites
nothing and causes no reindex. Pages not written by import are never
replaced. Fetching stays on the host you name, honours robots.txt, waits
--delay between requests, and never connects to a private or loopback
address you did not name yourself.

A running concierge serve picks the new pages up by itself. To import on a
schedule, list the source under sources: in the config.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("import needs one SOURCE (a URL, sitemap URL, file or folder); see `concierge import --help`")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch audience {
			case "public", "internal":
			default:
				return usagef("--audience must be public or internal, not %q", audience)
			}
			switch lang {
			case "en", "zh", "auto":
			default:
				return usagef("--lang must be en, zh or auto, not %q", lang)
			}
			if depth < 0 || maxPages < 1 {
				return usagef("--depth must not be negative and --max-pages must be at least 1")
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			if into == "" {
				into = cfg.Content
			}
			if into == "" {
				return usagef("--into is required: name the content directory to import into (no content is set in the config; the embedded demo cannot be written)")
			}
			log := e.logger(cfg, slog.LevelWarn)
			if !cmd.Flags().Changed("audience") {
				audience = "" // public, except files under a folder named internal
			}
			opts := importer.Options{Into: into, Audience: audience, Lang: lang, Logger: log,
				Fetch: importer.FetchOptions{MaxDepth: depth, MaxPages: maxPages, Delay: delay}}
			if delay <= 0 {
				opts.Fetch.Delay = -1 // none
			}
			if isTerminal(e.stderr) {
				bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
				opts.Progress = func(done, total int) {
					bar.ChangeMax(total)
					_ = bar.Set(done)
				}
				defer func() { _ = bar.Finish() }()
			}
			start := time.Now()
			sum, err := importer.Import(cmd.Context(), args[0], opts)
			if err != nil {
				if errors.Is(err, cmd.Context().Err()) && cmd.Context().Err() != nil {
					return err
				}
				return explain(err, "import %s: %s", args[0], err)
			}
			abs := absPath(filepath.Clean(into))
			fmt.Fprintf(e.stdout, "Imported %s into %s in %s: %s.\n", args[0], abs, time.Since(start).Round(time.Millisecond), sum)
			for _, f := range sum.Failed {
				fmt.Fprintf(e.stdout, "  failed: %s: %s\n", f.Source, f.Reason)
			}
			if sum.Total() > 0 && len(sum.Failed) == sum.Total() {
				return fmt.Errorf("nothing could be imported from %s: %d documents failed", args[0], len(sum.Failed))
			}
			if sum.Total() == 0 {
				return fmt.Errorf("nothing to import in %s: no page, PDF, DOCX, HTML, Markdown or text file found", args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&into, "into", "", "content `DIR` to write the pages into (default: content from the config)")
	cmd.Flags().StringVar(&audience, "audience", "public", "who may read the pages: public or internal (default public, except files under a folder named internal)")
	cmd.Flags().StringVar(&lang, "lang", "auto", "language of the pages: en, zh or auto (detected per page)")
	cmd.Flags().IntVar(&depth, "depth", 0, "follow links on the same host this many `LEVELS` deep from a page URL")
	cmd.Flags().IntVar(&maxPages, "max-pages", 500, "import at most `N` web pages")
	cmd.Flags().DurationVar(&delay, "delay", 100*time.Millisecond, "pause between two requests to one host (0 for none; robots.txt Crawl-delay may raise it)")
	return cmd
}
